// A sketch pad for one class (Data tab): draw with a mouse, a pen or a finger (pointer events,
// so touch screens work: touch-action none keeps the page from scrolling under the finger),
// then "Add to <class>" turns the drawing into an image of that class through the same path
// as an uploaded file (project.addImages: stored, counted, shown). Black strokes on white, at
// the project's stored image size (the drawing is scaled down to it when added).
import { h } from '../dom.js';

// storedSize() -> {width, height}; className() -> the class's current name;
// onAdd({rgba, width, height}) -> Promise (throws an Error to show); looks: the engine's
// rules.looks: sketch_pad (the pad's longer side in canvas and CSS pixels) and sketch_stroke
// {min, max, default} in pad pixels. -> {el, clear()}
export function createSketchPad({ storedSize, className, onAdd, looks }) {
  const stroke = looks.sketch_stroke, BOX = looks.sketch_pad;
  const canvas = h('canvas', { class: 'sketch-canvas', role: 'img', 'aria-label': 'Sketch pad: draw with the mouse, a pen or a finger' });
  const width = h('input', { type: 'range', class: 'sketch-width', min: stroke.min, max: stroke.max, value: stroke.default, 'aria-label': 'Stroke width' });
  const undoBtn = h('button', { type: 'button', class: 'sketch-undo', onclick: () => { strokes.pop(); redraw(); } }, 'Undo');
  const clearBtn = h('button', { type: 'button', class: 'sketch-clear', onclick: () => clear() }, 'Clear');
  const addBtn = h('button', { type: 'button', class: 'sketch-add primary', onclick: () => add() }, 'Add');
  const msg = h('p', { class: 'message', role: 'status', hidden: true });
  const el = h('div', { class: 'sketch' },
    canvas,
    h('div', { class: 'row sketch-tools' }, h('label', { class: 'field inline' }, 'stroke', width), undoBtn, clearBtn, addBtn),
    h('p', { class: 'hint' }, 'Black on white, like a pen on paper; each drawing you add becomes one image of the class.'),
    msg);

  const strokes = [];  // [{w, pts: [[x, y], ...]}] in canvas pixels: what undo takes back
  let active = null, pointer = null;

  function size() {
    const s = storedSize();
    const k = BOX / Math.max(s.width, s.height);
    canvas.width = Math.round(s.width * k);
    canvas.height = Math.round(s.height * k);
  }

  function redraw() {
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.strokeStyle = g.fillStyle = '#000';
    g.lineCap = g.lineJoin = 'round';
    for (const s of strokes) {
      g.lineWidth = s.w;
      if (s.pts.length === 1) {  // a tap is a dot
        g.beginPath();
        g.arc(s.pts[0][0], s.pts[0][1], s.w / 2, 0, 2 * Math.PI);
        g.fill();
        continue;
      }
      g.beginPath();
      g.moveTo(...s.pts[0]);
      for (const p of s.pts.slice(1)) g.lineTo(...p);
      g.stroke();
    }
    undoBtn.disabled = clearBtn.disabled = addBtn.disabled = !strokes.length;
    addBtn.textContent = `Add to ${className()}`;
  }

  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (active) return;  // one stroke at a time: a second finger does not draw
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    pointer = e.pointerId;
    active = { w: Number(width.value), pts: [at(e)] };
    strokes.push(active);
    msg.hidden = true;
    redraw();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!active || e.pointerId !== pointer) return;
    active.pts.push(at(e));
    redraw();
  });
  const end = (e) => {
    if (e.pointerId !== pointer) return;
    active = null;
    pointer = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  function clear() {
    strokes.length = 0;
    active = null;
    size();
    redraw();
  }

  async function add() {
    if (!strokes.length) return;
    const s = storedSize();
    const out = new OffscreenCanvas(s.width, s.height);
    const g = out.getContext('2d');
    g.imageSmoothingQuality = 'high';
    g.drawImage(canvas, 0, 0, s.width, s.height);
    const d = g.getImageData(0, 0, s.width, s.height);
    try {
      await onAdd({ rgba: new Uint8Array(d.data.buffer), width: s.width, height: s.height });
    } catch (e) {
      msg.textContent = e.message;
      msg.classList.add('error');
      msg.hidden = false;
      return;
    }
    clear();
    msg.classList.remove('error');
    msg.textContent = `Drawing added to ${className()}.`;
    msg.hidden = false;
  }

  clear();
  return { el, clear };
}
