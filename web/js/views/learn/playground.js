// View 7: stride and padding playground. Set w_in, k, s, p: the grid shows how often each
// input pixel is read by the k×k window (the lecture's corner figure), and the output size
// w_out = (w_in + 2p − k)/s + 1, including inexact divisions (the leftover pixels are never read).
// The preset buttons and the fields' ranges are the engine's (rules.playground and
// rules.calculators.playground: small enough that the grid of input pixels stays readable).
import { h, numberInput } from '../../dom.js';

export function createPlayground(ctx) {
  const presets = ctx.rules.playground;
  const inputs = {};
  const range = Object.fromEntries(ctx.rules.calculators.playground.map((f) => [f.key, f]));
  const field = (key, label) => {
    const { min, max } = range[key];
    inputs[key] = numberInput({ min, max, id: `pg-${key}`, name: key, label }, () => update());
    return h('label', { class: 'field' }, label, inputs[key]);
  };
  const canvas = h('canvas', { class: 'pg-canvas', id: 'pg-canvas', role: 'img', 'aria-label': 'Coverage of the input by the sliding window' });
  const formula = h('p', { class: 'stat', id: 'pg-formula', role: 'status' });
  const explain = h('p', { class: 'hint', id: 'pg-explain' });
  const outCanvas = h('canvas', { class: 'pg-out', id: 'pg-out', role: 'img', 'aria-label': 'The output grid' });
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'Stride and padding playground'),
    h('p', { class: 'lead' }, 'The k×k window starts at the top-left of the input padded with p zeros on each side and moves s pixels at a time. Each square shows how many windows read that pixel; the output has w_out = (w_in + 2p − k)/s + 1 cells per side.'),
    h('div', { class: 'row' }, field('w', 'input w_in'), field('k', 'kernel k'), field('s', 'stride s'), field('p', 'padding p'),
      h('div', { class: 'row presets' }, presets.map(({ name, ...v }) => h('button', { type: 'button', onclick: () => set(v) }, name)))),
    formula,
    h('div', { class: 'pg-stage' }, canvas, h('div', {}, explain, h('h4', {}, 'Output'), outCanvas)));

  function set(v) {
    for (const k of Object.keys(inputs)) inputs[k].value = v[k];
    update();
  }

  let seq = 0;
  async function update() {
    const a = { w: Number(inputs.w.value), k: Number(inputs.k.value), s: Number(inputs.s.value), p: Number(inputs.p.value) };
    const s = ++seq;
    let c;
    try {
      c = await ctx.engine.call('learnCoverage', a);
    } catch (e) {
      formula.textContent = e.message;
      return;
    }
    if (s !== seq) return;
    draw(c);
    formula.textContent = `w_out = ${c.formula}${c.exact ? '' : ` → not a whole number: only ${c.w_out} window${c.w_out === 1 ? '' : 's'} fit`}`;
    formula.dataset.wout = String(c.w_out);
    const corner = c.counts[c.p] ** 2, mid = Math.max(...c.counts) ** 2;
    explain.textContent = (c.w_out === 0 ? 'The kernel is larger than the padded input: no window fits. '
      : `${c.w_out}×${c.w_out} outputs; the outlined window makes the orange output cell. The corner pixel is read ${corner} time${corner === 1 ? '' : 's'}, the busiest pixel ${mid}. `)
      + (c.p ? 'Zero padding (hatched) lets the window centre sit on the border pixels. ' : 'Without padding the border pixels are read less often than the middle. ')
      + (c.unused ? `${c.unused} column${c.unused === 1 ? '' : 's'} (and as many rows) at the right/bottom are never read (red): the division is not exact, so ConvLab's specs refuse this and suggest a fix; PyTorch silently floors it.` : '');
  }

  function draw(c) {
    const n = c.counts.length;
    const cell = Math.max(14, Math.min(36, Math.floor(420 / n)));
    canvas.width = n * cell;
    canvas.height = n * cell;
    const g = canvas.getContext('2d');
    const max = Math.max(1, ...c.counts) ** 2;
    g.font = `${Math.floor(cell * 0.42)}px system-ui`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const pad = i < c.p || j < c.p || i >= c.p + c.w_in || j >= c.p + c.w_in;
        const v = c.counts[i] * c.counts[j];
        const x = j * cell, y = i * cell;
        if (pad) {
          g.fillStyle = '#fff3bf';
          g.fillRect(x, y, cell, cell);
          g.strokeStyle = '#f2d675';
          g.beginPath(); g.moveTo(x, y + cell); g.lineTo(x + cell, y); g.stroke();
        } else if (v === 0) {
          g.fillStyle = '#ffc9c9';
          g.fillRect(x, y, cell, cell);
        } else {
          const t = v / max;  // light (read rarely) to strong blue (read most)
          g.fillStyle = `rgb(${Math.round(219 - 127 * t)}, ${Math.round(228 - 112 * t)}, ${Math.round(255 - 5 * t)})`;
          g.fillRect(x, y, cell, cell);
        }
        g.strokeStyle = '#fff';
        g.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
        if (v) {
          g.fillStyle = pad ? '#a08a2b' : '#1d2430';
          g.fillText(String(v), x + cell / 2, y + cell / 2 + 1);
        }
      }
    drawOutput(c, cell);
    // The first window, outlined.
    if (c.w_out > 0) {
      g.strokeStyle = '#e8590c';
      g.lineWidth = 3;
      g.strokeRect(1.5, 1.5, c.k * cell - 3, c.k * cell - 3);
      g.lineWidth = 1;
    }
  }

  // The w_out × w_out output: one cell per window position.
  function drawOutput(c, cell) {
    const n = Math.max(1, c.w_out);
    outCanvas.width = n * cell;
    outCanvas.height = n * cell;
    const g = outCanvas.getContext('2d');
    g.clearRect(0, 0, outCanvas.width, outCanvas.height);
    if (!c.w_out) return;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        g.fillStyle = i === 0 && j === 0 ? '#ffd8a8' : '#d0bfff';
        g.fillRect(j * cell + 1, i * cell + 1, cell - 2, cell - 2);
      }
  }

  let initialised = false;
  return {
    el,
    async show() {
      if (!initialised) { initialised = true; set(presets[1]); } else await update();
    },
  };
}
