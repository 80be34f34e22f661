// View 6: receptive field growth. The centre unit of every spatial layer of the user's model,
// its receptive field drawn on the input, with the rule r_l = r_{l−1} + (k_l − 1)·j_{l−1},
// j_l = j_{l−1}·s_l (for stride-1 stacks of k×k layers: 1 + l(k − 1)). Sizes from the engine.
import { h, fill } from '../../dom.js';
import { drawImage } from './draw.js';
import { fieldValue } from '../../engine/rules.js';

const BOX = 320;
const COLOURS = ['#3b5bdb', '#e8590c', '#2f9e44', '#ae3ec9', '#1098ad', '#f08c00', '#d6336c', '#5c940d', '#7048e8', '#495057'];

export function createGrowth(ctx, shared) {
  const canvas = h('canvas', { class: 'rf-canvas', id: 'rf-canvas', width: BOX, height: BOX, role: 'img', 'aria-label': 'Receptive fields on the input' });
  const upto = h('input', { type: 'range', min: 0, max: 0, step: 1, value: 0, id: 'rf-upto', 'aria-label': 'Show layers up to' });
  const table = h('table', { class: 'simple', id: 'rf-table' });
  const lecture = h('div', { class: 'rf-lecture', id: 'rf-lecture' });
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'How far does a unit see?'),
    h('p', { class: 'lead' }, 'A unit of layer l sees r_l × r_l input pixels: each k×k layer adds (k − 1) times the jump j (input pixels between neighbouring units), and each stride s multiplies the jump. With stride 1 that is r = 1 + l(k − 1).'),
    h('div', { class: 'rf-stage' },
      h('figure', {}, canvas, h('label', { class: 'field' }, 'layers drawn', upto)),
      h('div', {}, table, lecture)));

  let rects = [], input = null, layers = [];

  function draw() {
    const [c, H, W] = shared.info.input;
    const img = new OffscreenCanvas(W, H);
    drawImage(img, input, c, H, W);
    // Leave a margin: receptive fields reach into the padding beyond the image.
    const minY = Math.min(0, ...rects.map((r) => r.y0)), maxY = Math.max(H, ...rects.map((r) => r.y1));
    const minX = Math.min(0, ...rects.map((r) => r.x0)), maxX = Math.max(W, ...rects.map((r) => r.x1));
    const s = BOX / Math.max(maxY - minY, maxX - minX);
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, BOX, BOX);
    g.fillStyle = '#fff3bf';
    g.fillRect(0, 0, BOX, BOX);
    g.imageSmoothingEnabled = false;
    g.drawImage(img, -minX * s, -minY * s, W * s, H * s);
    const n = Number(upto.value);
    rects.forEach((r, i) => {
      if (i > n) return;
      g.strokeStyle = COLOURS[i % COLOURS.length];
      g.lineWidth = i === n ? 3 : 1.5;
      g.strokeRect((r.x0 - minX) * s, (r.y0 - minY) * s, (r.x1 - r.x0) * s, (r.y1 - r.y0) * s);
    });
    for (const [i, tr] of [...table.tBodies[0].rows].entries()) tr.classList.toggle('dim', i > n);
  }

  async function lectureExamples() {
    const stack = await Promise.all([1, 2, 3, 4].map((l) => ctx.engine.call('learnRfOfStack', { kernels: Array(l).fill(3), strides: Array(l).fill(1) })));
    const s2 = await ctx.engine.call('learnCoverage', { w: 7, k: 3, s: 2, p: 0 });
    const pooled = await ctx.engine.call('learnRfOfStack', { kernels: [3, 2, 3], strides: [1, 2, 1] });
    fill(lecture,
      h('h4', {}, 'The lecture’s rules'),
      h('table', { class: 'simple', id: 'rf-stack' },
        h('thead', {}, h('tr', {}, h('th', {}, 'l (3×3 layers, stride 1)'), h('th', {}, '1 + l(k − 1)'), h('th', {}, 'receptive field'))),
        h('tbody', {}, stack.map((r, i) => h('tr', { class: r === 7 ? 'hl' : '' }, h('td', { class: 'num' }, String(i + 1)), h('td', {}, `1 + ${i + 1}·2`), h('td', { class: 'num' }, `${r}×${r}`))))),
      h('p', {}, 'So a unit sees a 7×7 patch after three 3×3 layers, with 3·(3·3) = 27 weights per channel pair instead of 49 for one 7×7 layer.'),
      h('p', { id: 'rf-stride' }, `Stride 2 shrinks a 7×7 input to ${s2.w_out}×${s2.w_out}: ${s2.formula}. A 2×2 stride-2 pool between two 3×3 convs gives r = 3 + 1·1 + 2·2 = ${pooled}: after a stride, every later layer grows the field twice as fast.`));
  }

  upto.addEventListener('input', () => { if (input) draw(); });

  return {
    el,
    async show() {
      const info = shared.info;
      layers = info.layers.filter((l) => ['conv2d', 'maxpool2d', 'avgpool2d'].includes(l.type));
      const r = await shared.run([]);
      input = r.input;
      rects = await Promise.all(layers.map((l) => ctx.engine.call('learnReceptiveField', { layer: l.index, oy: Math.floor(l.out[1] / 2), ox: Math.floor(l.out[2] / 2) })));
      let prevR = 1, prevJ = 1;
      const rows = layers.map((l, i) => {
        const sp = info.spec.layers[l.index];
        const k = sp.kernel, s = fieldValue(ctx.rules, sp, 'stride');
        const row = h('tr', { dataset: { layer: l.index } },
          h('td', {}, h('span', { class: 'swatch', style: { background: COLOURS[i % COLOURS.length] } }), ` ${l.index}: ${l.describe}`),
          h('td', { class: 'formula' }, `${prevR} + (${k} − 1)·${prevJ} = `, h('b', { class: 'rf' }, String(l.rf))),
          h('td', { class: 'formula' }, `${prevJ}·${s} = ${l.jump}`),
          h('td', { class: 'num' }, rects[i].y0 === rects[i].x0 && rects[i].y1 === rects[i].x1
            ? `rows and columns ${rects[i].y0}..${rects[i].y1 - 1}`
            : `rows ${rects[i].y0}..${rects[i].y1 - 1}, columns ${rects[i].x0}..${rects[i].x1 - 1}`));
        prevR = l.rf;
        prevJ = l.jump;
        return row;
      });
      fill(table,
        h('thead', {}, h('tr', {}, h('th', {}, 'layer'), h('th', {}, 'r_l = r_{l−1} + (k − 1)·j_{l−1}'), h('th', {}, 'j_l = j_{l−1}·s'), h('th', {}, 'centre unit sees'))),
        h('tbody', {}, rows));
      upto.max = String(Math.max(0, layers.length - 1));
      if (Number(upto.value) === 0 || Number(upto.value) > layers.length - 1) upto.value = upto.max;
      draw();
      await lectureExamples();
    },
  };
}
