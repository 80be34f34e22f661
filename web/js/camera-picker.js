// The camera picker of the Data tab: the browser's default camera, front / back on phones and
// tablets (facingMode), and every camera enumerateDevices lists (their names once the camera
// permission is given). The choice is kept per project on this device (project.setCamera) and
// put back when the project opens; a remembered camera that is not connected stays in the
// list, marked so, and the camera says it fell back to the default one (camera.fallback).
import { h, fill } from './dom.js';

const touchDevice = () => globalThis.matchMedia?.('(pointer: coarse)').matches || navigator.maxTouchPoints > 0;

// option value <-> choice {deviceId, label, facing}
const valueOf = (c) => (c.deviceId ? `device:${c.deviceId}` : c.facing ? `facing:${c.facing}` : 'default');

export function createCameraPicker(ctx, onError) {
  const { camera } = ctx;
  const select = h('select', { id: 'camera-device' });
  const field = h('label', { class: 'field' }, 'Camera', select);
  let devices = [];  // [{deviceId, label}] of video inputs

  async function refresh() {
    devices = (await camera.devices()).filter((d) => d.deviceId);  // no id before permission in some browsers
    const c = camera.choice;
    const opts = [h('option', { value: 'default' }, 'Default camera')];
    if (touchDevice()) {
      opts.push(h('option', { value: 'facing:user' }, 'Front camera (facing you)'),
        h('option', { value: 'facing:environment' }, 'Back camera'));
    }
    devices.forEach((d, i) => opts.push(h('option', { value: `device:${d.deviceId}` }, d.label || `Camera ${i + 1}`)));
    if (c.deviceId && !devices.some((d) => d.deviceId === c.deviceId))
      opts.push(h('option', { value: valueOf(c) }, `${c.label || 'The chosen camera'} (not connected)`));
    fill(select, opts);
    select.value = valueOf(c);
  }

  select.addEventListener('change', async () => {
    const v = select.value;
    const dev = v.startsWith('device:') ? devices.find((d) => `device:${d.deviceId}` === v) : null;
    const choice = dev ? { deviceId: dev.deviceId, label: dev.label, facing: '' }
      : v.startsWith('facing:') ? { deviceId: '', label: '', facing: v.slice(7) }
        : v.startsWith('device:') ? camera.choice  // the not-connected one, kept as it is
          : null;
    try {
      await ctx.project.setCamera(choice);
      await camera.choose(choice);
    } catch (e) {
      onError(e.message);
    }
    refresh();
  });

  // The project's choice, whenever a project is opened (or re-read).
  ctx.events.addEventListener('project-loaded', () => {
    camera.choose(ctx.project.camera).catch(() => {}).finally(refresh);
  });
  // names appear once the camera runs (permission given); a device plugged in shows up
  camera.addEventListener('change', refresh);
  navigator.mediaDevices?.addEventListener?.('devicechange', refresh);
  // the project open now was loaded before this picker existed
  camera.choose(ctx.project.camera).catch(() => {}).finally(refresh);
  return { field, select, refresh };
}
