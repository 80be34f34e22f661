// Which image the lecture views run the model on: one of the project's images, an uploaded
// file, a frame from the webcam, or a built-in sample pattern (so every view works before
// any data exists). The chosen RGBA image goes to the worker, where core preprocesses it
// with the one preprocessing function.
import { h, fill } from '../../dom.js';
import { sleep } from '../../format.js';
import { rgbaCanvas } from '../../image-files.js';

const MAX_SIDE = 256;  // uploads are reduced to this: the model input is far smaller

// A test pattern: a gradient sky, a dark disc and a bright diagonal bar.
export function samplePattern(size = 96) {
  const c = new OffscreenCanvas(size, size);
  const g = c.getContext('2d');
  const grad = g.createLinearGradient(0, 0, size, size);
  grad.addColorStop(0, '#9ec5fe');
  grad.addColorStop(1, '#f8f9fa');
  g.fillStyle = grad;
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#343a40';
  g.beginPath();
  g.arc(size * 0.35, size * 0.4, size * 0.2, 0, 2 * Math.PI);
  g.fill();
  g.strokeStyle = '#f08c00';
  g.lineWidth = size * 0.09;
  g.beginPath();
  g.moveTo(size * 0.5, size * 0.9);
  g.lineTo(size * 0.92, size * 0.45);
  g.stroke();
  const d = g.getImageData(0, 0, size, size);
  return { rgba: new Uint8Array(d.data.buffer), width: size, height: size };
}

async function decodeFile(file) {
  const bmp = await createImageBitmap(file);
  const s = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * s)), hh = Math.max(1, Math.round(bmp.height * s));
  const c = new OffscreenCanvas(w, hh);
  const g = c.getContext('2d');
  g.drawImage(bmp, 0, 0, w, hh);
  bmp.close();
  const d = g.getImageData(0, 0, w, hh);
  return { rgba: new Uint8Array(d.data.buffer), width: w, height: hh };
}

// Returns {el, current(), onChange(fn), refresh()}.
export function createSource(ctx) {
  const listeners = [];
  let current = { ...samplePattern(), name: 'sample pattern' };
  const classSel = h('select', { id: 'learn-class', 'aria-label': 'Class to pick an image from' });
  const thumbs = h('div', { class: 'src-thumbs', role: 'listbox', 'aria-label': 'Images of the class' });
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', id: 'learn-file', class: 'visually-hidden' });
  const label = h('span', { class: 'src-name', id: 'learn-source-name', role: 'status' });
  const camBtn = h('button', { type: 'button', id: 'learn-webcam-frame', onclick: () => takeFrame() }, 'Webcam frame');
  const msg = h('p', { class: 'message error', hidden: true });
  const el = h('div', { class: 'panel learn-source' },
    h('div', { class: 'row' },
      h('strong', {}, 'Image:'), label,
      h('label', { class: 'field inline' }, 'class', classSel),
      h('button', { type: 'button', onclick: () => set({ ...samplePattern(), name: 'sample pattern' }) }, 'Sample'),
      h('label', { class: 'button-like', for: 'learn-file' }, 'Upload…'), file, camBtn),
    thumbs, msg);

  function set(src) {
    current = src;
    label.textContent = src.name;
    for (const t of thumbs.children) t.setAttribute('aria-selected', String(t.dataset.id === String(src.id)));
    for (const f of listeners) f(current);
  }

  async function renderThumbs() {
    const i = Number(classSel.value);
    if (!(i >= 0)) { fill(thumbs); return; }
    const images = (await ctx.getImages(i)).slice(-16);
    const name = ctx.getClasses()[i]?.name ?? '';
    fill(thumbs, images.map((im, k) => h('button', {
      type: 'button', class: 'src-thumb', role: 'option', dataset: { id: im.id }, 'aria-label': `${name} image ${k + 1}`,
      onclick: () => set({ rgba: im.rgba, width: im.width, height: im.height, id: im.id, name: `${name}, image ${k + 1}` }),
    }, rgbaCanvas(im, 'src-thumb-img'))));
  }

  function refresh() {
    const classes = ctx.getClasses?.() ?? [];
    const keep = classSel.value;
    fill(classSel, classes.map((c, i) => h('option', { value: i }, `${c.name} (${c.count})`)));
    if (keep && Number(keep) < classes.length) classSel.value = keep;
    renderThumbs();
  }

  async function takeFrame() {
    msg.hidden = true;
    try {
      if (!ctx.camera.running) await ctx.camera.start();
      let f = ctx.camera.frame();
      for (let t = 0; !f && t < 20; t++) {  // the first frames may not have arrived yet
        await sleep(100);
        f = ctx.camera.frame();
      }
      if (!f) throw new Error(ctx.camera.error || 'the camera gave no picture');
      set({ ...f, name: 'webcam frame' });
    } catch (e) {
      msg.textContent = ctx.camera.error || e.message;
      msg.hidden = false;
    }
  }

  classSel.addEventListener('change', renderThumbs);
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    msg.hidden = true;
    try {
      set({ ...(await decodeFile(f)), name: f.name });
    } catch {
      msg.textContent = `"${f.name}" could not be read as an image: choose a PNG, JPEG or WebP file.`;
      msg.hidden = false;
    }
    file.value = '';
  });
  for (const ev of ['classes-changed', 'images-changed']) ctx.events?.addEventListener(ev, refresh);
  ctx.events?.addEventListener('inspect-image', (e) => set(e.detail));  // "Inside the CNN" from the test set panel
  label.textContent = current.name;
  refresh();
  return { el, current: () => current, onChange: (fn) => listeners.push(fn), refresh, set, takeFrame };
}
