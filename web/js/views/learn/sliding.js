// View 3: convolution as a sliding dot product. The k×k×c_in window moves with stride s over
// the zero-padded input; at each position the engine reports the patch, the filter's weights,
// Σ patch·w + b (the output cell it computed) and ReLU of it. The output map fills as it goes.
import { h, fill } from '../../dom.js';
import { colour, maxAbs, num } from './draw.js';

const BOX = 300;  // display size of the input and output canvases, CSS pixels

export function createSliding(ctx, shared) {
  const layerSel = h('select', { id: 'slide-layer', 'aria-label': 'Convolution layer' });
  const filterSel = h('select', { id: 'slide-filter', 'aria-label': 'Filter' });
  const chanSel = h('select', { id: 'slide-channel', 'aria-label': 'Input channel shown' });
  const playBtn = h('button', { type: 'button', class: 'primary', id: 'slide-play', onclick: () => toggle() }, 'Play');
  const stepBtn = h('button', { type: 'button', id: 'slide-step', onclick: () => { stop(); go(pos + 1); } }, 'Step');
  const resetBtn = h('button', { type: 'button', onclick: () => { stop(); go(0, true); } }, 'Restart');
  const speed = h('input', { type: 'range', min: 0, max: 4, step: 1, value: 1, id: 'slide-speed', 'aria-label': 'Speed' });
  const SPEEDS = [2, 8, 40, 200, 2000];
  const inCanvas = h('canvas', { class: 'slide-canvas', id: 'slide-input', role: 'img', 'aria-label': 'Zero-padded input with the sliding window' });
  const outCanvas = h('canvas', { class: 'slide-canvas', id: 'slide-output', role: 'img', 'aria-label': 'Feature map being filled' });
  const actCanvas = h('canvas', { class: 'slide-canvas small', id: 'slide-act', role: 'img', 'aria-label': 'Activation map after ReLU' });
  const numbers = h('div', { class: 'slide-numbers', id: 'slide-numbers' });
  const posText = h('p', { class: 'hint', id: 'slide-pos', role: 'status' });
  const inTitle = h('h4', {});
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'Convolution is a sliding dot product'),
    h('p', { class: 'lead' }, 'A filter of k×k×c_in weights slides over the zero-padded input with stride s; at each position the output cell is the dot product of the window and the weights plus the bias. ReLU then keeps the positive part: the feature map becomes the activation map.'),
    h('div', { class: 'row' },
      h('label', { class: 'field inline' }, 'layer', layerSel), h('label', { class: 'field inline' }, 'filter', filterSel),
      h('label', { class: 'field inline' }, 'channel shown', chanSel),
      playBtn, stepBtn, resetBtn, h('label', { class: 'field inline' }, 'speed', speed)),
    posText,
    h('div', { class: 'slide-stage' },
      h('figure', {}, inTitle, inCanvas),
      numbers,
      h('figure', { class: 'slide-out' }, h('div', {}, h('h4', {}, 'Feature map (engine output)'), outCanvas),
        h('div', {}, h('h4', {}, 'Activation map: ReLU'), actCanvas))));

  let st = null;  // {layer, li, spec, input (c,h,w), inShape, out (c,h,w), relu, filter}
  let pos = 0, timer = null, busy = false, again = false;

  function convLayers() { return (shared.info?.layers ?? []).filter((l) => l.type === 'conv2d'); }

  async function load() {
    const layer = Number(layerSel.value);
    const li = shared.info.layers[layer];
    const next = shared.info.layers[layer + 1];
    const want = [layer];
    if (layer > 0) want.push(layer - 1);
    if (next?.type === 'relu') want.push(layer + 1);
    const r = await shared.run(want);
    const filter = Math.min(Number(filterSel.value) || 0, li.out[0] - 1);
    st = { layer, li, spec: shared.info.spec.layers[layer], input: layer > 0 ? r.acts[layer - 1] : r.input,
      out: r.acts[layer], relu: next?.type === 'relu' ? r.acts[layer + 1] : null, filter };
    fill(filterSel, Array.from({ length: li.out[0] }, (_, i) => h('option', { value: i }, `filter ${i}`)));
    filterSel.value = String(filter);
    const cIn = li.in[0];
    const keep = Number(chanSel.value) || 0;
    fill(chanSel, [...(layer === 0 && cIn === 3 ? [h('option', { value: -1 }, 'RGB')] : []),
      ...Array.from({ length: cIn }, (_, i) => h('option', { value: i }, `channel ${i}`))]);
    chanSel.value = String(layer === 0 && cIn === 3 ? -1 : Math.min(keep, cIn - 1));
    inTitle.textContent = layer === 0 ? 'Input image (zero-padded)' : `Input: layer ${layer - 1}'s output (zero-padded)`;
    await go(Math.min(pos, cells() - 1));
  }

  const cells = () => st.li.out[1] * st.li.out[2];

  async function go(p, fromStart = false) {
    if (!st) return;
    pos = Math.max(0, Math.min(p, cells() - 1));
    if (fromStart) pos = 0;
    const [H, W] = [st.li.out[1], st.li.out[2]];
    const oy = Math.floor(pos / W), ox = pos % W;
    if (busy) { again = true; return; }  // drawn when the call in flight returns
    busy = true;
    try {
      const [s] = await ctx.engine.call('learnConvSteps', { layer: st.layer, filter: st.filter, cells: [[oy, ox]] });
      drawInput(s);
      drawOutput(oy, ox);
      renderNumbers(s, oy, ox);
      posText.textContent = `Output cell (${oy}, ${ox}) of ${H}×${W}: the window's top-left is at input (${s.in_y0}, ${s.in_x0}); next cell is s = ${st.spec.stride} pixel${st.spec.stride === 1 ? '' : 's'} further.`;
    } finally {
      busy = false;
    }
    if (again) { again = false; return go(pos); }
    if (pos >= cells() - 1) stop();
  }

  function drawInput(s) {
    const [c, H, W] = st.li.in;
    const [pt, pl, pb, pr] = st.li.padding;
    const PH = H + pt + pb, PW = W + pl + pr;
    const cell = Math.max(1, Math.floor(BOX / Math.max(PH, PW)));
    inCanvas.width = PW * cell;
    inCanvas.height = PH * cell;
    const g = inCanvas.getContext('2d');
    g.fillStyle = '#fff3bf';  // the zero padding
    g.fillRect(0, 0, inCanvas.width, inCanvas.height);
    const ch = Number(chanSel.value);
    const plane = H * W;
    const scale = ch >= 0 ? maxAbs(st.input, ch * plane, plane) : 1;
    const img = g.createImageData(W, H);
    for (let i = 0; i < plane; i++) {
      const rgb = ch < 0 ? [st.input[i] * 255, st.input[plane + i] * 255, st.input[2 * plane + i] * 255]
        : colour(st.input[ch * plane + i], scale, false);
      img.data.set([...rgb, 255], 4 * i);
    }
    const tmp = new OffscreenCanvas(W, H);
    tmp.getContext('2d').putImageData(img, 0, 0);
    g.imageSmoothingEnabled = false;
    g.drawImage(tmp, pl * cell, pt * cell, W * cell, H * cell);
    const k = st.spec.kernel;
    g.strokeStyle = '#e8590c';
    g.lineWidth = Math.max(2, cell / 3);
    g.strokeRect((s.in_x0 + pl) * cell, (s.in_y0 + pt) * cell, k * cell, k * cell);
  }

  function drawOutput(oy, ox) {
    const [, H, W] = st.li.out;
    const cell = Math.max(1, Math.floor(BOX / Math.max(H, W)));
    const off = st.filter * H * W;
    const scale = maxAbs(st.out, off, H * W);
    for (const [cv, src, signed, upto] of [[outCanvas, st.out, true, pos], [actCanvas, st.relu, false, pos]]) {
      const small = cv === actCanvas ? 0.5 : 1;
      const c2 = Math.max(1, Math.floor(cell * small));
      cv.width = W * c2;
      cv.height = H * c2;
      const g = cv.getContext('2d');
      g.fillStyle = '#f1f3f5';
      g.fillRect(0, 0, cv.width, cv.height);
      if (!src) continue;
      // Cells not reached yet are shown faintly: the scan fills them in.
      for (let i = 0; i < H * W; i++) {
        const [r, gg, b] = colour(src[off + i], scale, signed);
        g.fillStyle = i <= upto ? `rgb(${r},${gg},${b})` : `rgba(${r},${gg},${b},0.18)`;
        g.fillRect((i % W) * c2, Math.floor(i / W) * c2, c2, c2);
      }
      if (cv === outCanvas) {
        g.strokeStyle = '#e8590c';
        g.lineWidth = Math.max(2, c2 / 3);
        g.strokeRect(ox * c2, oy * c2, c2, c2);
      }
    }
  }

  function grid(values, padded, k, c, cls) {
    const t = h('table', { class: `grid ${cls}` });
    for (let i = 0; i < k; i++) {
      t.append(h('tr', {}, Array.from({ length: k }, (_, j) => {
        const idx = (c * k + i) * k + j;
        return h('td', { class: padded?.[idx] ? 'pad' : '' }, num(values[idx], 2));
      })));
    }
    return t;
  }

  function renderNumbers(s, oy, ox) {
    const show = Math.min(s.c_in, 3);
    const blocks = [];
    if (s.k <= 7) {
      for (let c = 0; c < show; c++) {
        blocks.push(h('div', { class: 'pair' },
          h('div', {}, h('small', {}, `patch, channel ${c}`), grid(s.patch, s.padded, s.k, c, 'patch')),
          h('span', { class: 'op' }, '·'),
          h('div', {}, h('small', {}, `weights, channel ${c}`), grid(s.weights, null, s.k, c, 'weights'))));
      }
      if (s.c_in > show) blocks.push(h('p', { class: 'hint' }, `…and ${s.c_in - show} more channel${s.c_in - show > 1 ? 's' : ''}, summed the same way.`));
    } else {
      blocks.push(h('p', { class: 'hint' }, `A ${s.k}×${s.k} window: too many numbers to list, but the sum below covers all of them.`));
    }
    const n = s.c_in * s.k * s.k;
    fill(numbers,
      ...blocks,
      h('div', { class: 'equation', id: 'slide-equation' },
        h('div', {}, `Σ patch·weights over c_in·k·k = ${s.c_in}·${s.k}·${s.k} = ${n} products = `, h('b', { id: 'slide-dot' }, num(s.dot, 4))),
        h('div', {}, '+ bias b = ', h('b', { id: 'slide-bias' }, num(s.bias, 4)), ' → output cell ', h('b', { id: 'slide-value' }, num(s.value, 4)),
          h('small', {}, ` (engine's feature map at (${oy}, ${ox}))`)),
        h('div', {}, 'ReLU: max(0, ', num(s.value, 4), ') = ', h('b', { id: 'slide-relu' }, num(s.relu, 4)))),
      h('p', { class: 'hint' }, 'Yellow cells are zero padding: they add nothing to the sum.'));
  }

  function tick() {
    const per = SPEEDS[Number(speed.value)];
    const n = Math.max(1, Math.round(per / 20));
    if (!busy) go(pos + n);
  }
  function toggle() { if (timer) stop(); else { if (pos >= cells() - 1) pos = -1; timer = setInterval(tick, Math.max(50, 1000 / SPEEDS[Number(speed.value)])); playBtn.textContent = 'Pause'; } }
  function stop() { clearInterval(timer); timer = null; playBtn.textContent = 'Play'; }
  speed.addEventListener('input', () => { if (timer) { stop(); toggle(); } });

  outCanvas.addEventListener('click', (e) => {
    if (!st) return;
    const r = outCanvas.getBoundingClientRect();
    const [, H, W] = st.li.out;
    const ox = Math.floor(((e.clientX - r.left) / r.width) * W), oy = Math.floor(((e.clientY - r.top) / r.height) * H);
    stop();
    go(oy * W + ox);
  });
  layerSel.addEventListener('change', () => { stop(); pos = 0; load(); });
  filterSel.addEventListener('change', () => { st.filter = Number(filterSel.value); go(pos); });
  chanSel.addEventListener('change', () => go(pos));

  return {
    el,
    async show() {
      const convs = convLayers();
      const keep = layerSel.value;
      fill(layerSel, convs.map((l) => h('option', { value: l.index }, `${l.index}: ${l.describe}`)));
      if (convs.some((l) => String(l.index) === keep)) layerSel.value = keep;
      await load();
    },
    hide: stop,
    go,
  };
}
