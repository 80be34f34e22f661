// View 4: what the trained model has learnt and what it sees. The first layer's filters as
// images; for any layer, the feature maps (conv output) and activation maps (after ReLU) of
// the chosen image, live on the webcam one layer at a time; hovering a map cell draws that
// unit's receptive field on the input (a tap does the same on a touch screen, and the arrow
// keys move the cell from the keyboard).
import { h, fill } from '../../dom.js';
import { drawFilter, drawImage, drawMap, hasNegative, maxAbs } from './draw.js';
import { createFilterEpochs } from './filter-epochs.js';

const INPUT_BOX = 256;

export function createMaps(ctx, shared) {
  const filters = h('div', { class: 'filter-grid', id: 'maps-filters' });
  const filterNote = h('p', { class: 'hint', id: 'maps-filter-note' });
  const epochs = createFilterEpochs(ctx, (w) => paintFilters(w));  // the first layer's filters across epochs
  const layerSel = h('select', { id: 'maps-layer', 'aria-label': 'Layer' });
  const liveBtn = h('button', { type: 'button', id: 'maps-live', onclick: () => toggleLive() }, 'Live webcam');
  const fps = h('span', { class: 'hint', id: 'maps-fps', role: 'status' });
  const inCanvas = h('canvas', { class: 'maps-input', id: 'maps-input', width: INPUT_BOX, height: INPUT_BOX, role: 'img', 'aria-label': 'Model input with the receptive field of the hovered unit' });
  const rfText = h('p', { class: 'hint', id: 'maps-rf' }, 'Hover or tap a map cell (or focus the maps and use the arrow keys): the box on the input shows the pixels that cell depends on.');
  const grid = h('div', { class: 'map-grid', id: 'maps-grid', tabindex: '0', role: 'group',
    'aria-label': 'Maps: arrow keys move the cell, Page Up and Page Down the map; the text below the input says what the cell sees', 'aria-describedby': 'maps-rf' });
  const caption = h('p', { class: 'hint', id: 'maps-caption' });
  const probs = h('p', { class: 'hint', id: 'maps-probs' });
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'Filters and feature maps of your model'),
    h('p', { class: 'lead' }, 'Each first-layer filter is a k×k×c_in block of weights, drawn here as a tiny image (grey is 0). Convolving the input with filter i gives feature map i; ReLU turns it into an activation map. Deeper layers combine the maps of the layer before.'),
    h('h4', {}, 'First-layer filters'), epochs.el, filters, filterNote,
    h('div', { class: 'row' }, h('label', { class: 'field inline' }, 'layer', layerSel), liveBtn, fps),
    h('div', { class: 'maps-stage' },
      h('figure', {}, h('h4', {}, 'Input (as the model sees it)'), inCanvas, rfText, probs),
      h('div', {}, caption, grid)));

  const inputImg = new OffscreenCanvas(1, 1);
  let cur = null;  // {layer, act, shape}
  let live = false, startedCamera = false, frames = 0, t0 = 0;

  function spatialLayers() {
    return (shared.info?.layers ?? []).filter((l) => l.out.length === 3);
  }

  async function drawFilters() {
    const conv = shared.info.layers.find((l) => l.type === 'conv2d');
    const k = conv && shared.info.spec.layers[conv.index].kernel;
    if (epochs.update(conv, k)) return;  // the slider painted its epoch (the last: the weights in use)
    if (!conv) { fill(filters); return; }
    paintFilters(await ctx.engine.call('param', { name: `${conv.index}.weight` }));
  }

  function paintFilters(w) {
    const conv = shared.info.layers.find((l) => l.type === 'conv2d');
    const [cOut, cIn, k] = [conv.out[0], conv.in[0], shared.info.spec.layers[conv.index].kernel];
    const scale = maxAbs(w);
    fill(filters, Array.from({ length: cOut }, (_, i) => {
      const c = h('canvas', { class: 'px filter', role: 'img', 'aria-label': `filter ${i}`, title: `filter ${i}: ${k}×${k}×${cIn}` });
      drawFilter(c, w, i * cIn * k * k, cIn, k, scale);
      return h('figure', {}, c, h('figcaption', {}, String(i)));
    }));
    filterNote.textContent = `${cOut} filters of ${k}×${k}×${cIn} = ${k * k * cIn} weights each; red/green/blue show the weight on each input colour (largest |weight| ${scale.toFixed(3)}).`;
  }

  function drawInput(x) {
    const [c, H, W] = shared.info.input;
    drawImage(inputImg, x, c, H, W);
    redrawInput(null);
  }

  function redrawInput(rect) {
    const g = inCanvas.getContext('2d');
    g.imageSmoothingEnabled = false;
    g.clearRect(0, 0, INPUT_BOX, INPUT_BOX);
    g.drawImage(inputImg, 0, 0, INPUT_BOX, INPUT_BOX);
    if (!rect) return;
    const [, H, W] = shared.info.input;
    const sx = INPUT_BOX / W, sy = INPUT_BOX / H;
    g.fillStyle = 'rgba(232, 89, 12, 0.18)';
    g.strokeStyle = '#e8590c';
    g.lineWidth = 2;
    g.fillRect(rect.x0 * sx, rect.y0 * sy, (rect.x1 - rect.x0) * sx, (rect.y1 - rect.y0) * sy);
    g.strokeRect(rect.x0 * sx, rect.y0 * sy, (rect.x1 - rect.x0) * sx, (rect.y1 - rect.y0) * sy);
  }

  function drawGrid(layer, act) {
    const li = shared.info.layers[layer];
    const [C, H, W] = li.out;
    const signed = hasNegative(act);
    const scale = maxAbs(act);  // one scale for the whole layer: maps are comparable
    const kind = li.type === 'conv2d' ? 'feature map' : li.type === 'relu' ? 'activation map' : 'pooled map';
    caption.textContent = `Layer ${layer} (${li.describe}): ${C} ${kind}s of ${H}×${W}${signed ? ', blue negative, red positive' : ', black 0, white the largest'}.`;
    if (grid.children.length !== C || grid.dataset.layer !== String(layer)) {
      grid.dataset.layer = String(layer);
      fill(grid, Array.from({ length: C }, (_, i) => h('figure', {}, h('canvas', { class: 'px map', dataset: { channel: i }, role: 'img', 'aria-label': `${kind} ${i}` }), h('figcaption', {}, String(i)))));
    }
    for (let i = 0; i < C; i++) drawMap(grid.children[i].firstChild, act, i * H * W, H, W, { scale, signed });
  }

  async function render() {
    const layer = Number(layerSel.value);
    const r = await shared.run([layer]);
    cur = { layer, act: r.acts[layer] };
    drawInput(r.input);
    drawGrid(layer, r.acts[layer]);
    showProbs(r.probs);
  }

  function showProbs(p) {
    const names = shared.classNames();
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    probs.textContent = `Prediction: ${names[best]} (${(100 * p[best]).toFixed(1)}%)`;
  }

  let hoverSeq = 0;
  const cell = { channel: 0, oy: 0, ox: 0 };  // the one shown (pointer, tap or keys)
  async function showCell(channel, oy, ox) {
    if (!cur) return;
    const [C, H, W] = shared.info.layers[cur.layer].out;
    Object.assign(cell, { channel: Math.max(0, Math.min(C - 1, channel)), oy: Math.max(0, Math.min(H - 1, oy)), ox: Math.max(0, Math.min(W - 1, ox)) });
    const seq = ++hoverSeq;
    const rect = await ctx.engine.call('learnReceptiveField', { layer: cur.layer, oy: cell.oy, ox: cell.ox });
    if (seq !== hoverSeq) return;
    redrawInput(rect);
    const v = cur.act[cell.channel * H * W + cell.oy * W + cell.ox];
    rfText.textContent = `Map ${cell.channel}, cell (${cell.oy}, ${cell.ox}) = ${v.toFixed(3)}: it sees input rows ${rect.y0}..${rect.y1 - 1}, columns ${rect.x0}..${rect.x1 - 1} (${rect.y1 - rect.y0}×${rect.x1 - rect.x0}, the layer's receptive field; parts outside the image are padding).`;
  }
  const cellAt = (e) => {
    const c = e.target.closest('canvas.map');
    if (!c || !cur) return null;
    const [, H, W] = shared.info.layers[cur.layer].out;
    const r = c.getBoundingClientRect();
    return [Number(c.dataset.channel), Math.floor(((e.clientY - r.top) / r.height) * H), Math.floor(((e.clientX - r.left) / r.width) * W)];
  };
  // mouse and pen hover; a finger has no hover, so a tap (pointerdown) shows the cell and it
  // stays until the next tap
  grid.addEventListener('pointermove', (e) => { if (e.pointerType !== 'touch') { const at = cellAt(e); if (at) showCell(...at); } });
  grid.addEventListener('pointerdown', (e) => { const at = cellAt(e); if (at) showCell(...at); });
  grid.addEventListener('pointerleave', (e) => { if (e.pointerType === 'mouse') redrawInput(null); });
  const keyMoves = { ArrowLeft: [0, 0, -1], ArrowRight: [0, 0, 1], ArrowUp: [0, -1, 0], ArrowDown: [0, 1, 0], PageUp: [-1, 0, 0], PageDown: [1, 0, 0] };
  grid.addEventListener('keydown', (e) => {
    const m = keyMoves[e.key];
    if (!m) return;
    e.preventDefault();
    showCell(cell.channel + m[0], cell.oy + m[1], cell.ox + m[2]);
  });
  grid.addEventListener('focus', () => showCell(cell.channel, cell.oy, cell.ox));

  async function toggleLive() {
    if (live) { stopLive(); return; }
    try {
      if (!ctx.camera.running) { await ctx.camera.start(); startedCamera = true; }
    } catch (e) {
      fps.textContent = ctx.camera.error || e.message;
      return;
    }
    live = true;
    liveBtn.textContent = 'Stop live';
    liveBtn.classList.add('on');
    frames = 0;
    t0 = performance.now();
    loop();
  }

  async function loop() {
    while (live) {
      const f = ctx.camera.frame();
      if (f) {
        const layer = Number(layerSel.value);
        try {
          const r = await ctx.engine.call('learnRun', { rgba: f.rgba, width: f.width, height: f.height, layers: [layer] });
          if (!live) break;
          cur = { layer, act: r.acts[layer] };
          drawInput(r.input);
          drawGrid(layer, r.acts[layer]);
          showProbs(r.probs);
          frames++;
          const dt = (performance.now() - t0) / 1000;
          if (dt > 0.5) fps.textContent = `${(frames / dt).toFixed(1)} frames/s`;
          fps.dataset.fps = String(frames / dt);
        } catch (e) {
          fps.textContent = e.message;
          stopLive();
          break;
        }
      }
      await new Promise((r) => requestAnimationFrame(r));
    }
  }

  function stopLive() {
    live = false;
    liveBtn.textContent = 'Live webcam';
    liveBtn.classList.remove('on');
    if (startedCamera) { ctx.camera.stop(); startedCamera = false; }
  }

  layerSel.addEventListener('change', () => { if (!live) render(); });

  return {
    el,
    async show() {
      const ls = spatialLayers();
      const keep = layerSel.value;
      fill(layerSel, ls.map((l) => h('option', { value: l.index }, `${l.index}: ${l.describe} → ${l.out.join('×')}`)));
      if (ls.some((l) => String(l.index) === keep)) layerSel.value = keep;
      await drawFilters();
      if (!live) await render();
    },
    hide: stopLive,
  };
}
