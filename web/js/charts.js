// Canvas charts for training: line charts of loss/accuracy per epoch. No library: a few dozen
// lines draw what the page needs. (The confusion matrices are tables: views/confusion-table.js.)
import { graphemes } from './format.js';

const FONT = '12px system-ui, sans-serif';

function setup(canvas) {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || 320, h = canvas.clientHeight || 180;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = FONT;
  return { g, w, h };
}

// An axis value in at most about six characters: 0.25, 1.5, 1200, 3.4e5, 1.2e32.
export function axisNumber(v) {
  if (v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4)) return String(+v.toPrecision(3));
  const e = Math.floor(Math.log10(Math.abs(v)));
  return `${+(v / 10 ** e).toFixed(1)}e${e}`;
}

// series: [{label, color, values: (number|null)[], dashed, width = 2, dots = true}], drawn in
// order (an earlier run's faint curve first, under the current one); x is the epoch (1-based).
export function lineChart(canvas, series, { epochs = 1, yMax, percent = false } = {}) {
  const { g, w, h } = setup(canvas);
  const all = series.flatMap((s) => s.values).filter((v) => v !== null && Number.isFinite(v));
  const top = yMax ?? niceCeil(all.length ? Math.max(1e-6, ...all) : 1);
  // the axis is as wide as its widest label: a diverged run's loss can reach 1e32
  const labels = [0, 1, 2, 3, 4].map((k) => (percent ? `${Math.round((k / 4) * 100)}%` : axisNumber((top * k) / 4)));
  const pad = { l: Math.max(40, Math.ceil(Math.max(...labels.map((t) => g.measureText(t).width))) + 8), r: 10, t: 10, b: 24 };
  const X = (i) => pad.l + (epochs <= 1 ? 0.5 : (i - 1) / (epochs - 1)) * (w - pad.l - pad.r);
  const Y = (v) => h - pad.b - (Math.min(v, top) / top) * (h - pad.t - pad.b);
  g.strokeStyle = '#d5dae5';
  g.fillStyle = '#5b6475';
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4, y = Y(v);
    g.beginPath(); g.moveTo(pad.l, y); g.lineTo(w - pad.r, y); g.stroke();
    g.fillText(labels[k], pad.l - 4, y);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  // epoch 1, then round epochs (1, 2 or 5 times a power of ten apart), at most about 8 labels
  const stepX = epochStep(epochs);
  const round = Array.from({ length: Math.floor(epochs / stepX) }, (_, k) => (k + 1) * stepX).filter((e) => e - 1 >= stepX / 2);  // not on top of 1
  for (const e of [1, ...round]) g.fillText(String(e), X(e), h - pad.b + 5);
  for (const s of series) {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.lineWidth = s.width ?? 2;
    g.setLineDash(s.dashed ? [5, 4] : []);
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      if (started) g.lineTo(X(i + 1), Y(v)); else g.moveTo(X(i + 1), Y(v));
      started = true;
    });
    g.stroke();
    if (s.dots !== false) s.values.forEach((v, i) => { if (v !== null && Number.isFinite(v)) { g.beginPath(); g.arc(X(i + 1), Y(v), 2.5, 0, 7); g.fill(); } });
  }
  g.setLineDash([]);
}

// The epoch axis's label step: the smallest of 1, 2, 5 times a power of ten giving at most 8 steps.
export function epochStep(epochs) {
  const raw = Math.max(1, epochs / 8);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((st) => st >= raw);
}

// The smallest of 1, 2, 2.5, 5 times a power of ten at or above v: round axis labels.
function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// Cuts text to fit width with an ellipsis, only between graphemes (an emoji, a flag or a
// letter with its accents is one grapheme of several code units): never inside one.
export function clip(g, text, width) {
  if (g.measureText(text).width <= width) return text;
  const parts = graphemes(text);
  while (parts.length > 1 && g.measureText(`${parts.join('')}…`).width > width) parts.pop();
  return `${parts.join('')}…`;
}
