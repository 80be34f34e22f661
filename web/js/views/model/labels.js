// The Model tab's words: names of layer types and fields as the lecture writes them, and the
// model's shape in the lecture's notation. The fields themselves, their ranges and defaults
// are the engine's (ctx.rules.layers).
export const TYPE_LABEL = { conv2d: 'conv', relu: 'ReLU', maxpool2d: 'max pool', avgpool2d: 'avg pool', flatten: 'flatten', linear: 'linear' };
export const FIELD_LABEL = { out_channels: 'c_out', kernel: 'k', stride: 's', padding: 'p', out_features: 'units' };
export const FIELD_TITLE = { out_channels: 'filters (output channels)', kernel: 'kernel size', stride: 'stride', padding: 'padding per side: a number or "same"', out_features: 'units (output features)' };
export const CHANNELS_LABEL = { 3: '3 (RGB)', 1: '1 (gray)' };
// The add buttons: a label and the layer types they insert (each with the engine's defaults).
export const BLOCKS = [
  ['conv + ReLU', ['conv2d', 'relu']],
  ['max pool', ['maxpool2d']],
  ['linear + ReLU', ['linear', 'relu']],
  ['flatten', ['flatten']],
  ['avg pool', ['avgpool2d']],
];

// The model in the lecture's form, e.g. "input → [[conv+relu]*1 → pool]*3 → [linear+relu]*1 → linear".
export function lectureForm(layers) {
  const tok = layers.map((l) => ({ conv2d: 'C', relu: 'R', maxpool2d: 'P', avgpool2d: 'P', flatten: 'F', linear: 'L' }[l.type] ?? '?')).join('');
  const parts = [];
  let i = 0;
  const run = (re) => { const m = tok.slice(i).match(re); if (m) i += m[0].length; return m?.[0]; };
  for (;;) {
    const block = run(/^(CR)+P/);
    if (!block) break;
    const n = (block.length - 1) / 2;
    const last = parts.at(-1);
    if (last && last.kind === 'stage' && last.n === n) last.m += 1;
    else parts.push({ kind: 'stage', n, m: 1 });
  }
  const out = parts.map((p) => `[[conv+relu]*${p.n} → pool]*${p.m}`);
  if (run(/^F/)) out.push('flatten');
  const fc = run(/^(LR)+/);
  if (fc) out.push(`[linear+relu]*${fc.length / 2}`);
  if (run(/^L$/)) out.push('linear');
  if (i < tok.length) return '';  // not of the generic form
  return ['input', ...out].join(' → ');
}
