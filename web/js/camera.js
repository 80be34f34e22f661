// The one shared webcam: a <video> with a crop box showing exactly what the model sees
// (the centre crop at the model input's aspect ratio), the camera chosen (a device, or front /
// back by facingMode on phones and tablets; the project remembers it) and a mirror toggle. Views move camera.element into their own layout; frame() reads the current crop
// at the stored image size. Mirroring flips both the preview and the frames, so what the
// student sees is what is learnt and predicted.
import { h } from './dom.js';
import { centreCrop } from './image-files.js';

function cameraError(e) {
  if (!globalThis.isSecureContext)
    return 'The camera only works on a secure page (https:// or http://localhost). Open ConvLab that way, or upload image files instead.';
  if (!navigator.mediaDevices?.getUserMedia)
    return 'This browser gives pages no camera access. Upload image files instead.';
  switch (e?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow the camera in the browser\'s site settings (the icon left of the address) and press "Start camera" again, or upload image files instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Plug one in and press "Start camera" again, or upload image files instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is busy in another application or tab. Close it there and press "Start camera" again.';
    default:
      return `The camera could not start (${e?.name ?? 'error'}: ${e?.message ?? e}). Upload image files instead.`;
  }
}

const NO_CHOICE = Object.freeze({ deviceId: '', label: '', facing: '' });

export class Camera extends EventTarget {
  // size(): {width, height} of the stored crop (follows the model input's aspect ratio).
  constructor(size) {
    super();
    this.size = size;
    this.stream = null;
    this.choice = NO_CHOICE;  // {deviceId, label, facing} (records.readCamera)
    this.fallback = '';       // why the chosen camera is not the one shown ('' when it is)
    this.mirror = true;
    this.error = '';
    // Safari (iPhone, iPad) only plays a camera stream inline when the video is muted and
    // playsinline (else it goes full screen or stays black): attribute and property both
    this.video = h('video', { muted: true, playsInline: true, autoplay: true, 'aria-label': 'Camera preview' });
    this.video.muted = true;
    this.video.setAttribute('playsinline', '');
    this.video.setAttribute('muted', '');
    this.box = h('div', { class: 'crop-box', 'aria-hidden': 'true' });
    this.placeholder = h('div', { class: 'cam-placeholder' }, 'Camera off');
    this.element = h('div', { class: 'camera mirrored' }, this.video, this.box, this.placeholder);
    this.canvas = document.createElement('canvas');
    this.g = this.canvas.getContext('2d', { willReadFrequently: true });
    this.video.addEventListener('loadedmetadata', () => this.layoutBox());
    new ResizeObserver(() => this.layoutBox()).observe(this.element);
  }

  get running() { return !!this.stream && this.video.readyState >= 2; }

  // Resolves once frames flow; a second call during start-up waits for the same start.
  start() {
    if (!this.starting) this.starting = this.open().finally(() => { this.starting = null; });
    return this.starting;
  }

  async open() {
    if (this.stream) return;
    this.error = '';
    try {
      if (!globalThis.isSecureContext || !navigator.mediaDevices?.getUserMedia) throw new Error('unavailable');
      this.fallback = '';
      const size = { width: { ideal: 640 }, height: { ideal: 480 } };
      const { deviceId, facing, label } = this.choice;
      if (deviceId) {
        try {
          this.stream = await navigator.mediaDevices.getUserMedia({ video: { ...size, deviceId: { exact: deviceId } }, audio: false });
        } catch (e) {
          if (e?.name !== 'OverconstrainedError' && e?.name !== 'NotFoundError') throw e;
          // the remembered camera is gone (unplugged, another machine): the default one, said so
          this.fallback = `The camera chosen for this project${label ? ` ("${label}")` : ''} is not connected: the default camera is used instead. Pick another one below.`;
        }
      }
      // facingMode 'environment' is how Safari and Chrome on phones and tablets pick the back
      // camera (ideal, not exact: a laptop with one camera still starts)
      if (!this.stream) this.stream = await navigator.mediaDevices.getUserMedia({ video: facing ? { ...size, facingMode: { ideal: facing } } : size, audio: false });
      this.video.srcObject = this.stream;
      await this.video.play().catch(() => {});
      if (this.video.readyState < 2) await new Promise((r) => this.video.addEventListener('loadeddata', r, { once: true }));
      this.placeholder.hidden = true;
      this.layoutBox();
      this.dispatchEvent(new Event('change'));
    } catch (e) {
      this.stop();
      this.error = cameraError(e);
      this.dispatchEvent(new Event('change'));
      throw new Error(this.error);
    }
  }

  stop() {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.placeholder.hidden = false;
    this.dispatchEvent(new Event('change'));
  }

  async devices() {
    try {
      return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    } catch {
      return [];
    }
  }

  // choice: {deviceId, label, facing} or null (the default camera); restarts a running camera.
  async choose(choice) {
    const c = choice ?? NO_CHOICE;
    const same = c.deviceId === this.choice.deviceId && c.facing === this.choice.facing;
    this.choice = { ...c };
    if (same) return;
    this.fallback = '';
    if (this.stream) { this.stop(); await this.start(); } else this.dispatchEvent(new Event('change'));
  }

  // The device actually streaming ('' when off).
  get activeDeviceId() { return this.stream?.getVideoTracks()[0]?.getSettings?.().deviceId ?? ''; }

  setMirror(on) {
    this.mirror = on;
    this.element.classList.toggle('mirrored', on);
  }

  // The crop in video pixels: the largest centred rectangle with the stored aspect ratio.
  crop() {
    const { width, height } = this.size();
    return centreCrop(this.video.videoWidth, this.video.videoHeight, width, height);
  }

  layoutBox() {
    const vw = this.video.videoWidth, vh = this.video.videoHeight;
    if (!vw || !vh) { this.box.hidden = true; return; }
    const ew = this.element.clientWidth, eh = this.element.clientHeight;
    const s = Math.min(ew / vw, eh / vh);  // object-fit: contain
    const c = this.crop();
    this.box.hidden = false;
    Object.assign(this.box.style, {
      left: `${(ew - vw * s) / 2 + c.x * s}px`, top: `${(eh - vh * s) / 2 + c.y * s}px`,
      width: `${c.w * s}px`, height: `${c.h * s}px`,
    });
  }

  // The current crop at stored size: {rgba: Uint8Array, width, height}, or null.
  frame() {
    if (!this.running || !this.video.videoWidth) return null;
    const { width, height } = this.size();
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const c = this.crop();
    this.g.save();
    if (this.mirror) { this.g.translate(width, 0); this.g.scale(-1, 1); }
    this.g.imageSmoothingQuality = 'high';
    this.g.drawImage(this.video, c.x, c.y, c.w, c.h, 0, 0, width, height);
    this.g.restore();
    const d = this.g.getImageData(0, 0, width, height);
    return { rgba: new Uint8Array(d.data.buffer), width, height };
  }
}
