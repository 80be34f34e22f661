// The Predict view: live webcam classification with per-class confidence bars, and
// prediction on uploaded images (any number, in one batched engine call). One prediction is in flight at a time and frames are
// paced, so the worker never queues up and the page stays smooth.
import { h, fill, say } from '../dom.js';
import { sleep } from '../format.js';
import { decodeFiles, rgbaCanvas } from '../image-files.js';
import { createModelFiles } from '../model-files.js';
import { createAnnouncer } from '../announce.js';

const TARGET_FPS = 12;

export function mountPredict(root, ctx) {
  const { project, camera, engine, events } = ctx;
  const camSlot = h('div', { class: 'camera-slot' });
  const liveBtn = h('button', { type: 'button', id: 'predict-live', class: 'primary', onclick: () => toggleLive() }, 'Start live prediction');
  const mirror = h('input', { type: 'checkbox', id: 'predict-mirror', checked: camera.mirror, onchange: () => camera.setMirror(mirror.checked) });
  const fps = h('span', { class: 'hint', id: 'predict-fps' });
  const msg = h('p', { class: 'message error', role: 'alert', hidden: true });
  const top = h('p', { class: 'top-class', id: 'predict-top' }, 'No prediction yet');
  // live prediction changes the verdict up to 12 times a second: a screen reader hears the
  // class when it changes, at most every 3 s (the percentages are in the bars' text)
  const announcer = createAnnouncer({ gap: 3000, id: 'predict-announce' });
  const bars = h('ul', { class: 'bars', id: 'predict-bars' });
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp', id: 'predict-file', multiple: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
  const fileBtn = h('button', { type: 'button', onclick: () => file.click() }, 'Classify image files…');
  const filePreview = h('div', { class: 'file-preview' });
  const notTrained = h('p', { class: 'message', id: 'predict-untrained' }, 'The model is not trained yet: train it on the Train tab first.');

  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'Try it'),
      h('p', { class: 'lead' }, 'Show the camera something, or pick an image file. The bars are the network\'s softmax output: one probability per class.'))),
    notTrained,
    h('div', { class: 'predict-layout' },
      h('div', { class: 'panel' }, camSlot,
        h('div', { class: 'row' }, liveBtn, h('label', { class: 'check' }, mirror, ' Mirror'), fps),
        h('div', { class: 'row' }, fileBtn, file), filePreview, msg),
      h('div', { class: 'panel' }, h('h3', {}, 'Prediction'), top, announcer.el, bars, createModelFiles(ctx, 'predict').panel)));

  let live = false;
  let lastFrame = 0, frames = 0, fpsSince = 0;

  async function toggleLive() {
    if (live) { stopLive(); return; }
    showMsg('');
    camSlot.append(camera.element);
    try {
      await camera.start();
    } catch (e) {
      showMsg(e.message);
      return;
    }
    live = true;
    liveBtn.textContent = 'Stop live prediction';
    fpsSince = performance.now();
    frames = 0;
    loop();
  }

  function stopLive() {
    live = false;
    liveBtn.textContent = 'Start live prediction';
    fps.textContent = '';
  }

  async function loop() {
    while (live) {
      const now = performance.now();
      const wait = 1000 / TARGET_FPS - (now - lastFrame);
      if (wait > 0) await sleep(wait);
      lastFrame = performance.now();
      if (!live) break;
      if (!camera.running) { stopLive(); break; }
      if (ctx.isTraining()) { top.textContent = 'Training is running: live prediction resumes when it ends.'; await sleep(300); continue; }
      if (!project.trained) { await sleep(300); continue; }
      const f = camera.frame();
      if (!f) continue;
      await classify(f);
      frames++;
      const secs = (performance.now() - fpsSince) / 1000;
      if (secs > 1) { fps.textContent = `${(frames / secs).toFixed(1)} predictions/s`; frames = 0; fpsSince = performance.now(); }
    }
  }

  async function classify(f) {
    try {
      const probs = await engine.call('predict', f, { transfer: [f.rgba.buffer] });
      show(probs);
    } catch (e) {
      showMsg(e.message);
    }
  }

  const rows = [];
  function renderBars() {
    const classes = project.getClasses();
    rows.length = 0;
    fill(bars, classes.map((c, i) => {
      const fillEl = h('span', { class: `fill c${i % 10}` });
      const val = h('span', { class: 'value' }, '–');
      rows.push({ fillEl, val });
      return h('li', {}, h('span', { class: 'name' }, c.name), h('span', { class: 'bar' }, fillEl), val);
    }));
    notTrained.hidden = project.trained;
    top.textContent = 'No prediction yet';  // the bars were just reset: so is the verdict
    delete top.dataset.classIndex;
  }

  function show(probs) {
    const classes = project.getClasses();
    if (probs.length !== classes.length) return;
    let best = 0;
    probs.forEach((p, i) => {
      if (p > probs[best]) best = i;
      rows[i].fillEl.style.width = `${(p * 100).toFixed(1)}%`;
      rows[i].val.textContent = `${Math.round(p * 100)}%`;
    });
    top.textContent = `${classes[best].name} (${Math.round(probs[best] * 100)}%)`;
    announcer.say(`Prediction: ${classes[best].name}`);
    top.dataset.classIndex = String(best);
  }

  const showMsg = (text) => say(msg, text);

  file.addEventListener('change', async () => {
    const files = [...file.files];
    file.value = '';
    if (!files.length) return;
    showMsg('');
    if (!project.trained) { showMsg('Train the model first (Train tab), then classify images.'); return; }
    const { images, errors } = await decodeFiles(files, project.storedSize(), ctx.rules.upload);
    if (errors.length) { showMsg(errors.join('; ')); return; }
    stopLive();
    // every file in one engine call (threaded across the images); the bars show the first
    let rows;
    try {
      rows = await engine.call('predictBatch', { images: images.map(({ rgba, width, height }) => ({ rgba, width, height })) });
    } catch (e) {
      showMsg(e.message);
      return;
    }
    const classes = project.getClasses();
    fill(filePreview, ...images.map((im, i) => {
      const p = rows[i];
      const best = p.reduce((b, v, j) => (v > p[b] ? j : b), 0);
      return h('figure', { class: 'file-result' }, rgbaCanvas(im, 'preview'),
        h('figcaption', {}, h('span', {}, im.name), ' ', h('strong', {}, `${classes[best]?.name ?? '?'} ${Math.round(p[best] * 100)}%`)));
    }));
    show(rows[0]);
  });

  for (const ev of ['classes-changed', 'spec-changed', 'model-trained', 'model-loaded']) events.addEventListener(ev, renderBars);
  events.addEventListener('view-shown', (e) => {
    if (e.detail.view === 'predict') {
      camSlot.append(camera.element);
      // the camera is already on (permission given on the Data tab): predict at once
      if (camera.running && project.trained && !live) toggleLive();
    } else if (live) stopLive();
  });
  renderBars();
}
