// View 5: translation, measured by the engine. Convolution is equivariant: conv(shift(x))
// equals shift(conv(x)) everywhere the zero-filled strip and the padding do not reach.
// Max pooling adds a little invariance: many pooled outputs do not change under small shifts.
// And the prediction: how the class probabilities move as the image moves.
import { h, fill } from '../../dom.js';
import { drawImage, drawMap, maxAbs, hasNegative } from './draw.js';
import { fmt, share } from '../../format.js';

export function createShift(ctx, shared) {
  const dx = h('input', { type: 'range', min: -8, max: 8, step: 1, value: 2, id: 'shift-dx', 'aria-label': 'shift right (dx)' });
  const dy = h('input', { type: 'range', min: -8, max: 8, step: 1, value: 0, id: 'shift-dy', 'aria-label': 'shift down (dy)' });
  const dxOut = h('output', {}, '2'), dyOut = h('output', {}, '0');
  const layerSel = h('select', { id: 'shift-layer', 'aria-label': 'Layer' });
  const chanSel = h('select', { id: 'shift-channel', 'aria-label': 'Channel' });
  const cv = (id, label) => h('canvas', { class: 'px shift-map', id, role: 'img', 'aria-label': label });
  const [cIn, cInS, cA, cB, cD] = [cv('shift-in', 'input'), cv('shift-in-shifted', 'shifted input'), cv('shift-a', 'f(shift(x))'), cv('shift-b', 'shift(f(x))'), cv('shift-diff', 'difference')];
  const stats = h('p', { class: 'stat', id: 'shift-stats', role: 'status' });
  const why = h('p', { class: 'hint', id: 'shift-why' });
  const poolTable = h('table', { class: 'simple', id: 'pool-table' });
  const poolNote = h('p', { class: 'hint', id: 'pool-note' });
  const chart = h('canvas', { class: 'chart shift-chart', id: 'shift-chart', width: 560, height: 200, role: 'img', 'aria-label': 'Class probability versus shift' });
  const chartLegend = h('div', { class: 'legend', id: 'shift-legend' });
  const fig = (title, c) => h('figure', {}, h('h4', {}, title), c);
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'Shift the input: equivariance and invariance'),
    h('p', { class: 'lead' }, 'Moving the input by (dx, dy) moves every feature map by the same amount (divided by the layer’s jump): conv(shift(x)) = shift(conv(x)). Only near the borders, where zeros come in, do the two differ.'),
    h('div', { class: 'row' },
      h('label', { class: 'field inline' }, 'dx', dx, dxOut), h('label', { class: 'field inline' }, 'dy', dy, dyOut),
      h('label', { class: 'field inline' }, 'layer', layerSel), h('label', { class: 'field inline' }, 'channel', chanSel)),
    h('div', { class: 'shift-stage' },
      fig('x', cIn), fig('shift(x)', cInS), fig('f(shift(x))', cA), fig('shift(f(x))', cB), fig('|difference|', cD)),
    stats, why,
    h('h3', {}, 'Pooling: how much of the output stays the same?'),
    h('p', { class: 'lead' }, 'Shift the detector stage (the map that enters the first pooling layer) by a few pixels and count the pooled outputs that do not change at all, for max and for average pooling with the same k and s.'),
    h('div', { class: 'table-scroll' }, poolTable), poolNote,
    h('h3', {}, 'Prediction versus shift'),
    h('p', { class: 'lead' }, 'The whole network on the image moved sideways by d pixels: equivariant layers plus pooling and the final linear layers make the answer fairly stable for small shifts, not for large ones.'),
    chart, chartLegend);

  const spatial = () => (shared.info?.layers ?? []).filter((l) => l.out.length === 3);
  let seq = 0;

  async function measure() {
    const s = ++seq;
    dxOut.textContent = dx.value;
    dyOut.textContent = dy.value;
    const layer = Number(layerSel.value);
    const r = await shared.run([]);
    const e = await ctx.engine.call('learnEquivariance', { layer, dx: Number(dx.value), dy: Number(dy.value) });
    if (s !== seq) return;
    const [c, H, W] = shared.info.input;
    drawImage(cIn, r.input, c, H, W);
    drawImage(cInS, e.shifted_input, c, H, W);
    const keep = Math.min(Number(chanSel.value) || 0, e.c - 1);
    if (chanSel.options.length !== e.c) fill(chanSel, Array.from({ length: e.c }, (_, i) => h('option', { value: i }, String(i))));
    chanSel.value = String(keep);
    const off = keep * e.h * e.w;
    const scale = Math.max(maxAbs(e.conv_of_shifted, off, e.h * e.w), maxAbs(e.shifted_conv, off, e.h * e.w));
    const signed = hasNegative(e.conv_of_shifted) || hasNegative(e.shifted_conv);
    drawMap(cA, e.conv_of_shifted, off, e.h, e.w, { scale, signed });
    drawMap(cB, e.shifted_conv, off, e.h, e.w, { scale, signed });
    drawDiff(e);
    stats.textContent = `Inside (${fmt(e.interior_cells)} cells, outlined): largest difference ${e.max_interior.toPrecision(3)}. `
      + `Border (${fmt(e.border_cells)} cells): ${fmt(e.border_nonzero)} differ (${share(e.border_nonzero, e.border_cells)}), by up to ${e.max_border.toPrecision(3)}.`;
    stats.dataset.maxInterior = String(e.max_interior);
    why.textContent = (e.whole_cells
      ? `At this layer one cell is ${e.jump} input pixel${e.jump > 1 ? 's' : ''} (its jump), so the shift is (${e.sx}, ${e.sy}) cells. `
      : `The shift is not a multiple of this layer's jump (${e.jump}): the maps cannot move by a fraction of a cell, so even the inside differs — pooling and stride break exact equivariance. `)
      + 'At the borders they differ because shift(x) brings in a strip of zeros and drops pixels off the other edge, and the padding of every layer meets different values there.';
  }

  function drawDiff(e) {
    const scale = Math.max(e.max_border, e.max_interior, 1e-6);
    drawMap(cD, e.diff, 0, e.h, e.w, { scale, signed: false });
    // Outline the interior (where the theorem promises equality).
    const g = cD.getContext('2d');
    const img = g.getImageData(0, 0, e.w, e.h);
    for (let i = 0; i < e.h * e.w; i++) {
      if (!e.interior[i]) continue;
      const y = Math.floor(i / e.w), x = i % e.w;
      const edge = [[-1, 0], [1, 0], [0, -1], [0, 1]].some(([a, b]) => {
        const yy = y + a, xx = x + b;
        return yy < 0 || yy >= e.h || xx < 0 || xx >= e.w || !e.interior[yy * e.w + xx];
      });
      if (edge) img.data.set([47, 158, 68, 255], 4 * i);
    }
    g.putImageData(img, 0, 0);
  }

  async function pooling() {
    const pool = shared.info.layers.find((l) => l.type === 'maxpool2d' || l.type === 'avgpool2d');
    if (!pool) { fill(poolTable); poolNote.textContent = 'This model has no pooling layer.'; return; }
    const k = shared.info.spec.layers[pool.index].kernel;
    const rows = await ctx.engine.call('learnPoolInvariance', { layer: pool.index, maxShift: Math.min(2 * k, pool.in[2] - 1) });
    fill(poolTable,
      h('thead', {}, h('tr', {}, h('th', {}, 'shift (pixels)'), h('th', {}, 'max pool unchanged'), h('th', {}, 'average pool unchanged'),
        h('th', {}, 'max pool mean change'), h('th', {}, 'average pool mean change'))),
      h('tbody', {}, rows.map((p) => h('tr', { dataset: { shift: p.shift } },
        h('td', { class: 'num' }, String(p.shift)),
        h('td', { class: 'num max' }, h('span', { class: 'pbar', style: { width: `${(60 * p.max_unchanged) / Math.max(1, p.cells)}px` } }), share(p.max_unchanged, p.cells, 1)),
        h('td', { class: 'num avg' }, h('span', { class: 'pbar avg', style: { width: `${(60 * p.avg_unchanged) / Math.max(1, p.cells)}px` } }), share(p.avg_unchanged, p.cells, 1)),
        h('td', { class: 'num' }, `${(100 * p.max_change).toFixed(1)}%`),
        h('td', { class: 'num' }, `${(100 * p.avg_change).toFixed(1)}%`)))));
    poolNote.textContent = `Measured on layer ${pool.index - 1}'s ${pool.in.join('×')} output (the input of layer ${pool.index}, ${pool.describe}), k = ${k}, s = ${shared.info.spec.layers[pool.index].stride}; counted are the cells whose window stays clear of the zero-filled strip and is not all zero (an all-zero window after ReLU stays zero under any pooling). A max stays the same while the largest value stays inside its window; a shift by the full stride moves the pooled map itself by one cell, so pooling buys invariance only to shifts smaller than its window.`;
  }

  async function predictions() {
    const W = shared.info.input[2];
    const m = Math.min(16, W - 1);
    const shifts = [];
    for (let d = -m; d <= m; d++) shifts.push(d);
    const rows = await ctx.engine.call('learnPredictShifts', { shifts });
    const names = shared.classNames();
    const g = chart.getContext('2d');
    const [cw, ch] = [chart.width, chart.height];
    const pad = { l: 36, r: 8, t: 8, b: 24 };
    g.clearRect(0, 0, cw, ch);
    g.strokeStyle = '#dde1ea';
    g.fillStyle = '#5b6475';
    g.font = '11px system-ui';
    for (const v of [0, 0.5, 1]) {
      const y = pad.t + (1 - v) * (ch - pad.t - pad.b);
      g.beginPath(); g.moveTo(pad.l, y); g.lineTo(cw - pad.r, y); g.stroke();
      g.fillText(`${v * 100}%`, 2, y + 4);
    }
    const xOf = (d) => pad.l + ((d + m) / (2 * m)) * (cw - pad.l - pad.r);
    for (const d of [-m, 0, m]) g.fillText(String(d), xOf(d) - 6, ch - 6);
    const colours = ['#3b5bdb', '#e8590c', '#2f9e44', '#ae3ec9', '#1098ad', '#f08c00', '#d6336c', '#5c940d', '#7048e8', '#495057'];
    const nClass = rows[0]?.length ?? 0;
    for (let c = 0; c < nClass; c++) {
      g.strokeStyle = colours[c % colours.length];
      g.lineWidth = 2;
      g.beginPath();
      rows.forEach((p, i) => {
        const x = xOf(shifts[i]), y = pad.t + (1 - p[c]) * (ch - pad.t - pad.b);
        if (i) g.lineTo(x, y); else g.moveTo(x, y);
      });
      g.stroke();
    }
    chart.dataset.probs = JSON.stringify(rows.map((p) => Array.from(p, (v) => Number(v.toFixed(4)))));
    fill(chartLegend, names.slice(0, nClass).map((n, c) => {
      const key = h('span', { class: 'key' }, n);
      key.style.setProperty('--key', colours[c % colours.length]);
      return key;
    }),
      h('span', { class: 'hint' }, ` shift d from −${m} to ${m} pixels (x axis)`));
  }

  for (const inp of [dx, dy]) inp.addEventListener('input', () => measure());
  layerSel.addEventListener('change', () => measure());
  chanSel.addEventListener('change', () => measure());

  return {
    el,
    async show() {
      const ls = spatial();
      const keep = layerSel.value;
      fill(layerSel, ls.map((l) => h('option', { value: l.index }, `${l.index}: ${l.describe} (jump ${l.jump})`)));
      if (ls.some((l) => String(l.index) === keep)) layerSel.value = keep;
      await measure();
      await pooling();
      await predictions();
    },
  };
}
