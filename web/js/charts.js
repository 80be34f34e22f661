// Canvas charts for training: line charts of loss/accuracy per epoch, and a confusion
// matrix heat map. No library: a few dozen lines draw what the page needs.
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
  const stepX = Math.max(1, Math.ceil(epochs / 8));
  for (let e = 1; e <= epochs; e += stepX) g.fillText(String(e), X(e), h - pad.b + 5);
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

// matrix: (n, n) row-major, rows the true class and columns the predicted one.
export function confusionChart(canvas, matrix, names) {
  const n = names.length;
  const { g, w, h } = setup(canvas);
  const label = Math.min(110, w * 0.3);
  const cell = Math.max(8, Math.min((w - label - 8) / n, (h - label * 0.4 - 8) / n));
  const x0 = label, y0 = 24;
  g.textBaseline = 'middle';
  g.fillStyle = '#5b6475';
  g.textAlign = 'center';
  g.fillText('predicted →', x0 + (cell * n) / 2, 10);
  for (let r = 0; r < n; r++) {
    const rowSum = matrix.slice(r * n, r * n + n).reduce((a, b) => a + b, 0) || 1;
    for (let c = 0; c < n; c++) {
      const v = matrix[r * n + c], f = v / rowSum;
      g.fillStyle = r === c ? `rgba(47, 158, 68, ${0.12 + 0.88 * f})` : `rgba(224, 49, 49, ${f > 0 ? 0.12 + 0.88 * f : 0.04})`;
      g.fillRect(x0 + c * cell + 1, y0 + r * cell + 1, cell - 2, cell - 2);
      g.fillStyle = f > 0.55 ? '#fff' : '#1d2430';
      g.textAlign = 'center';
      if (cell >= 18) g.fillText(String(v), x0 + c * cell + cell / 2, y0 + r * cell + cell / 2);
    }
    g.fillStyle = '#1d2430';
    g.textAlign = 'right';
    g.fillText(clip(g, names[r], label - 8), x0 - 6, y0 + r * cell + cell / 2);
  }
  g.textAlign = 'center';
  g.fillStyle = '#1d2430';
  for (let c = 0; c < n; c++) g.fillText(clip(g, names[c], cell - 4), x0 + c * cell + cell / 2, y0 + n * cell + 10);
  return { x0, y0, cell, n };  // the cells' layout in CSS pixels, for clicks
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
