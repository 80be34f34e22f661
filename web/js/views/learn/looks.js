// View 8: where the model looks, on the chosen image (a stored image, an upload or a webcam
// frame). Occlusion sensitivity (Zeiler & Fergus 2014): a grey square slides over the image
// and the engine predicts every occluded copy in one batched call; gradient saliency: the
// engine's backward pass from one class score down to the input pixels. Both maps come from
// core/looks (worker commands learnOcclusion, learnSaliency); this module only draws them.
import { h, fill } from '../../dom.js';
import { drawImage } from './draw.js';

const BOX = 256;  // display size of each map; the canvases hold the model input's own pixels

const pct = (p) => `${(100 * p).toFixed(1)}%`;

export function createLooks(ctx, shared) {
  const classSel = h('select', { id: 'looks-class', 'aria-label': 'Class whose probability and score are explained' });
  const patch = h('input', { type: 'range', id: 'looks-patch', min: 1, max: 16, step: 1, 'aria-label': 'Patch size in pixels' });
  const stride = h('input', { type: 'range', id: 'looks-stride', min: 1, max: 16, step: 1, 'aria-label': 'Stride in pixels' });
  const patchOut = h('output', { for: 'looks-patch', id: 'looks-patch-value' });
  const strideOut = h('output', { for: 'looks-stride', id: 'looks-stride-value' });
  const occCanvas = h('canvas', { class: 'px looks-map', id: 'looks-occlusion', width: BOX, height: BOX, role: 'img', 'aria-label': 'Occlusion map over the image' });
  const salCanvas = h('canvas', { class: 'px looks-map', id: 'looks-saliency', width: BOX, height: BOX, role: 'img', 'aria-label': 'Saliency map over the image' });
  const occText = h('p', { class: 'hint', id: 'looks-occlusion-text' });
  const occStats = h('p', { class: 'hint', id: 'looks-occlusion-stats', role: 'status' });
  const salText = h('p', { class: 'hint', id: 'looks-saliency-text' });
  const salStats = h('p', { class: 'hint', id: 'looks-saliency-stats', role: 'status' });
  const msg = h('p', { class: 'message error', id: 'looks-error', hidden: true });
  const el = h('div', { class: 'panel looks' },
    h('h3', {}, 'Where the model looks'),
    h('p', { class: 'lead' }, 'Which pixels of this image does the answer depend on? Two ways to ask the trained network, both computed by the engine on the image chosen above.'),
    h('div', { class: 'row' },
      h('label', { class: 'field inline' }, 'class', classSel),
      h('label', { class: 'field inline' }, 'patch', patch, patchOut),
      h('label', { class: 'field inline' }, 'stride', stride, strideOut)),
    msg,
    h('div', { class: 'looks-stage' },
      h('figure', { class: 'looks-fig' }, h('h4', {}, 'Occlusion sensitivity'), occCanvas, occStats, occText),
      h('figure', { class: 'looks-fig' }, h('h4', {}, 'Gradient saliency'), salCanvas, salStats, salText)));

  const img = new OffscreenCanvas(1, 1);  // the model input (C, H, W) as pixels
  const over = new OffscreenCanvas(1, 1);
  let sized = '';  // the input shape the controls were set up for
  let defaults = true;  // ask the engine for its default patch and stride (a new input size)
  let seq = 0;

  function className(i) { return shared.classNames()[i] ?? `class ${i}`; }

  function setupControls() {
    const [, H, W] = shared.info.input;
    const key = `${H}x${W}`;
    const names = shared.classNames();
    const keep = classSel.value;
    fill(classSel, h('option', { value: -1 }, 'the predicted class'), names.map((n, i) => h('option', { value: i }, n)));
    if (keep !== '' && Number(keep) < names.length) classSel.value = keep;
    if (key === sized) return;
    sized = key;
    const lim = ctx.rules.looks;
    patch.min = lim.patch.min;
    patch.max = Math.min(lim.patch.max, H, W);
    stride.min = lim.stride.min;
    stride.max = Math.min(lim.stride.max, Math.max(H, W));
    defaults = true;
  }

  // The input image dimmed, with a colour per pixel: alpha from |v| / scale.
  // dim: how much of the image shows under the colours; on black when onBlack (saliency's
  // yellow reads on dark, occlusion's red and blue on light).
  function paint(canvas, x, map, scale, rgbPos, rgbNeg, { dim = 0.55, onBlack = false } = {}) {
    const [c, H, W] = shared.info.input;
    drawImage(img, x, c, H, W);
    over.width = W;
    over.height = H;
    const g = over.getContext('2d');
    const d = g.createImageData(W, H);
    for (let i = 0; i < H * W; i++) {
      const t = scale > 0 ? Math.max(-1, Math.min(1, map[i] / scale)) : 0;
      const [r, gg, b] = t >= 0 ? rgbPos : rgbNeg;
      d.data.set([r, gg, b, Math.round(Math.abs(t) * 210)], 4 * i);
    }
    g.putImageData(d, 0, 0);
    const out = canvas.getContext('2d');
    out.imageSmoothingEnabled = false;
    out.fillStyle = onBlack ? '#000' : '#fff';
    out.fillRect(0, 0, BOX, BOX);
    out.globalAlpha = dim;  // dimmed, so the colours read as the map
    out.drawImage(img, 0, 0, BOX, BOX);
    out.globalAlpha = 1;
    out.drawImage(over, 0, 0, BOX, BOX);
  }

  async function occlusion(x, s) {
    // 0, 0: the engine's defaults for this input, which the result reports
    const r = await ctx.engine.call('learnOcclusion', {
      cls: Number(classSel.value), patch: defaults ? 0 : Number(patch.value), stride: defaults ? 0 : Number(stride.value),
    });
    if (s !== seq) return;  // a newer request (another patch, stride or image) is on its way
    if (defaults) {
      patch.value = String(r.patch);
      stride.value = String(r.stride);
      defaults = false;
    }
    patchOut.textContent = `${r.patch} px`;
    strideOut.textContent = `${r.stride} px`;
    const name = className(r.class);
    const scale = Math.max(Math.abs(r.max_drop), Math.abs(r.min_drop));
    paint(occCanvas, x, r.drop, scale, [220, 30, 30], [30, 90, 230]);
    occCanvas.dataset.maxDrop = String(r.max_drop);
    const pts = 100 * r.max_drop;
    occStats.textContent = `P(${name}) without a patch: ${pct(r.base)}. ${r.rows}×${r.cols} = ${r.rows * r.cols} patch positions; the largest fall: ${pts >= 0.1 ? pts.toFixed(1) : pts.toPrecision(2)} points.`
      + (Math.abs(pts) < 1 ? ' No patch moves the answer by even one point, so the colours (scaled to the largest change) show small effects: train longer or on more images for a clearer map.' : '');
    occText.textContent = `A mid-grey square (0.5 on the 0–1 input) of ${r.patch}×${r.patch} pixels slides over the image in steps of ${r.stride}, and the engine predicts every covered copy. Red is where covering the image lowers the probability of ${name} most: the model relies on what is there. Blue, if any, is where covering it raises that probability: what is there speaks against ${name}.`;
  }

  async function saliency(x, s) {
    const r = await ctx.engine.call('learnSaliency', { cls: Number(classSel.value) });
    if (s !== seq) return;
    const name = className(r.class);
    paint(salCanvas, x, r.map, r.max, [255, 220, 40], [255, 220, 40], { dim: 0.45, onBlack: true });
    salCanvas.dataset.max = String(r.max);
    salStats.textContent = `Largest |d score / d pixel|: ${r.max.toPrecision(3)}.`;
    salText.textContent = `For every pixel, how strongly a tiny change to it would move the score of ${name} (the last layer's output before softmax), from the engine's backward pass: the largest |gradient| over the ${r.c === 3 ? 'red, green and blue channels' : 'pixel\'s channel'}. Yellow pixels are where the score is most sensitive; it shows sensitivity, not what ${name} looks like, and is often speckled.`;
  }

  async function render() {
    const s = ++seq;
    msg.hidden = true;
    const run = await shared.run();
    if (s !== seq) return;
    try {
      await occlusion(run.input, s);
    } catch (e) {
      msg.textContent = e.message;
      msg.hidden = false;
    }
    if (s !== seq) return;
    await saliency(run.input, s);
  }

  for (const input of [patch, stride]) {
    input.addEventListener('input', () => {
      (input === patch ? patchOut : strideOut).textContent = `${input.value} px`;
    });
    input.addEventListener('change', () => render().catch((e) => ctx.status?.(`Where it looks: ${e.message}`)));
  }
  classSel.addEventListener('change', () => render().catch((e) => ctx.status?.(`Where it looks: ${e.message}`)));

  return {
    el,
    async show() {
      setupControls();
      await render();
    },
  };
}
