// Display formatting shared by the views: words and numbers as the page prints them. No rules
// live here (those come from the engine, see rules.js).

// 62378344 -> "62,378,344"
export const fmt = (n) => Number(n).toLocaleString('en-US');

// 0.834 -> "83%"
export const pct = (v) => `${Math.round(v * 100)}%`;

// a of b as a percentage: (1, 8, 1) -> "12.5%"; "—" when b is 0
export const share = (a, b, digits = 0) => (b ? `${(100 * a / b).toFixed(digits)}%` : '—');

// (3, 'image') -> "3 images"
export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// A tensor shape: [c, h, w] -> "c×h×w", [n] -> "n".
export const shapeText = (s) => (s.length === 3 ? `${s[0]}×${s[1]}×${s[2]}` : fmt(s[0]));

// A spec as the page shows it: one layer per line, still plain JSON.
export function specText(spec) {
  const layers = spec.layers.map((l) => `    ${JSON.stringify(l)}`).join(',\n');
  return `{\n  "input": ${JSON.stringify(spec.input)},\n  "layers": [\n${layers}\n  ]\n}\n`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A text's graphemes (what a reader counts as one character: an emoji with its modifiers, a
// flag, a letter with its accents), so a cut never splits one.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
export const graphemes = (text) => Array.from(segmenter.segment(text), (s) => s.segment);
