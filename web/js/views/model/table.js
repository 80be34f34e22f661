// The Model tab's per-layer table, computed by the engine: output shape, the size formula
// with this layer's numbers, parameters and their formula, multiply-adds, receptive field
// and jump; above it the lecture form and the model's totals, and the engine's error or the
// over-budget warning.
import { h, fill } from '../../dom.js';
import { fmt, shapeText } from '../../format.js';
import { TYPE_LABEL, lectureForm } from './labels.js';

export function createTable() {
  const form = h('p', { class: 'lecture-form', id: 'lecture-form' });
  const summary = h('p', { class: 'model-summary', id: 'model-summary', role: 'status' });
  const errorBox = h('p', { class: 'message error', id: 'spec-error', role: 'alert', hidden: true });
  const table = h('table', { class: 'layer-table', id: 'layer-table' });

  function layerRow(l) {
    const rf = l.rf_full ? 'all' : `${l.rf}×${l.rf}`;
    const params = l.params ? h('span', {}, fmt(l.params), h('small', { class: 'formula' }, ` = ${l.params_formula}`)) : '—';
    return h('tr', { dataset: { index: l.index } },
      h('td', { class: 'num' }, String(l.index)),
      h('td', {}, l.describe),
      h('td', { class: 'num shape' }, shapeText(l.out)),
      h('td', { class: 'formula' }, l.size_formula || '—'),
      h('td', { class: 'num params' }, params),
      h('td', { class: 'num' }, l.macs ? fmt(l.macs) : '—'),
      h('td', { class: 'num' }, h('span', { class: 'rf' }, rf), l.rf_full ? null : h('small', { class: 'jump' }, `j = ${l.jump}`)));
  }

  // r: the engine's report; spec: the parsed spec behind it (for the input and layer types
  // the report cannot give when the spec is refused).
  function render(r, spec) {
    const rows = [];
    const inShape = r.input ?? (spec?.input ? [spec.input.channels, spec.input.height, spec.input.width] : null);
    if (inShape) rows.push(h('tr', { class: 'input-row' }, h('td', {}, ''), h('td', {}, 'input'), h('td', { class: 'num' }, shapeText(inShape)),
      h('td', { colspan: 4, class: 'muted' }, 'c_in × height × width')));
    for (const l of r.layers ?? []) rows.push(layerRow(l));
    const layers = spec?.layers ?? [];
    if (!r.ok && r.error_layer >= 0) {
      const l = layers[r.error_layer];
      const errRow = h('tr', { class: 'bad', dataset: { index: r.error_layer } },
        h('td', { class: 'num' }, String(r.error_layer)), h('td', {}, l ? TYPE_LABEL[l.type] ?? String(l.type) : '?'),
        h('td', { colspan: 5, class: 'err' }, r.error));
      const at = (r.layers ?? []).findIndex((x) => x.index === r.error_layer);
      if (at >= 0) rows[at + 1] = errRow; else rows.push(errRow);
    }
    fill(table,
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'layer'), h('th', { scope: 'col' }, 'output'),
        h('th', { scope: 'col' }, 'w_out = (w_in+2p−k)/s+1'), h('th', { scope: 'col' }, 'parameters'),
        h('th', { scope: 'col', title: 'multiply-adds per image' }, 'MACs'),
        h('th', { scope: 'col', title: 'receptive field on the input, and jump: input pixels between neighbouring outputs' }, 'RF, jump'))),
      h('tbody', {}, rows));
    const lf = lectureForm(layers);
    form.textContent = lf ? `Form: ${lf}` : '';
    if (r.ok || r.over_budget) {
      summary.textContent = `${fmt(r.params)} parameters, ${fmt(r.macs)} multiply-adds per image; output ${shapeText(r.output)} class scores.`;
    } else summary.textContent = '';
    errorBox.hidden = r.ok && !r.over_budget;
    errorBox.classList.toggle('warn', !!r.over_budget);
    errorBox.textContent = r.over_budget
      ? `This net is for reading, not training here: ${fmt(r.params)} parameters exceed the browser's budget of ${fmt(r.max_params)}. Every shape and count above is real.`
      : (r.ok ? '' : (r.error_layer === -1 ? `Spec: ${r.error}` : `Layer ${r.error_layer}: ${r.error}`));
  }

  return { form, summary, errorBox, table, render };
}
