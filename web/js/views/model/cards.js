// The layer-card editor of the Model tab: the input's size, one card per layer (type and
// fields, move up/down, remove) and the add buttons. It edits a parsed spec in place and
// reports each edit; the fields, their ranges and the new layers' values are the engine's
// rules (rules.input, rules.layers). Errors of the engine's report are marked on the card
// and the field they name.
import { h, fill, numberInput } from '../../dom.js';
import { layerFields, fieldValue } from '../../engine/rules.js';
import { TYPE_LABEL, FIELD_LABEL, FIELD_TITLE, CHANNELS_LABEL, BLOCKS } from './labels.js';

// onEdit(spec): the student changed the spec through the cards.
export function createCards(rules, onEdit) {
  let spec = null;          // parsed spec behind the cards (last valid JSON)
  let report = null;        // the engine's last report, for the marks
  let selected = -1;        // card new blocks are inserted after (-1: before the classifier)

  const inputRow = h('div', { class: 'row input-row' });
  const list = h('ol', { class: 'layer-cards', 'aria-label': 'Layers' });
  const addRow = h('div', { class: 'row add-row', role: 'group', 'aria-label': 'Add layers' },
    h('span', { class: 'hint' }, 'Add:'),
    BLOCKS.map(([label, types]) => h('button', { type: 'button', onclick: () => insert(types.map((t) => rules.layers.defaults[t])) }, `+ ${label}`)));

  function changed({ structure = false } = {}) {
    onEdit(spec);
    if (structure) render();
  }

  // A whole-number field that edits the spec while it holds a number.
  const numberField = (value, { min, max }, label, onChange, name) =>
    numberInput({ min, max, value, name, label }, (inp) => { if (inp.value !== '') onChange(Number(inp.value)); });

  function renderInput() {
    const inp = spec?.input ?? {};
    const set = (k, v) => { spec.input[k] = v; changed(); };
    const ch = h('select', { 'aria-label': 'input channels', name: 'channels', onchange: () => set('channels', Number(ch.value)) },
      [...rules.input.channels].sort((a, b) => b - a).map((c) => h('option', { value: c }, CHANNELS_LABEL[c] ?? String(c))));
    ch.value = String(inp.channels ?? Math.max(...rules.input.channels));
    fill(inputRow,
      h('label', { class: 'field' }, 'channels c_in', ch),
      h('label', { class: 'field' }, 'height', numberField(inp.height, rules.input.height, 'input height', (v) => set('height', v), 'height')),
      h('label', { class: 'field' }, 'width w_in', numberField(inp.width, rules.input.width, 'input width', (v) => set('width', v), 'width')));
  }

  function render() {
    renderInput();
    const layers = Array.isArray(spec?.layers) ? spec.layers : [];
    fill(list, layers.map((l, i) => card(l, i, layers.length)));
    mark();
  }

  function card(l, i, n) {
    const typeSel = h('select', { 'aria-label': `layer ${i} type`, name: 'type' },
      rules.layers.types.map((t) => h('option', { value: t }, TYPE_LABEL[t] ?? t)));
    typeSel.value = l.type;
    typeSel.addEventListener('change', () => { spec.layers[i] = { ...rules.layers.defaults[typeSel.value] }; changed({ structure: true }); });
    const fields = layerFields(rules, l.type).map((f) => {
      const label = FIELD_LABEL[f.key] ?? f.key;
      let control;
      if (f.same) {  // a number or "same"
        control = h('input', { type: 'text', value: String(fieldValue(rules, l, f.key)), 'aria-label': `layer ${i} ${f.key}`, name: f.key, size: 4, list: 'padding-options' });
        control.addEventListener('input', () => {
          const v = control.value.trim();
          spec.layers[i][f.key] = v === 'same' ? 'same' : (/^\d+$/.test(v) ? Number(v) : v);
          changed();
        });
      } else {
        control = numberField(fieldValue(rules, l, f.key), f, `layer ${i} ${label}`, (v) => { spec.layers[i][f.key] = v; changed(); }, f.key);
      }
      return h('label', { class: 'field', title: FIELD_TITLE[f.key] }, label, control);
    });
    const li = h('li', { class: `layer-card t-${l.type}${i === selected ? ' selected' : ''}`, dataset: { index: i },
      onclick: (e) => { if (e.target === li || e.target.classList.contains('idx')) { selected = selected === i ? -1 : i; render(); } } },
      h('span', { class: 'idx', title: 'Select: new layers go after it' }, String(i)),
      typeSel,
      h('div', { class: 'fields' }, fields),
      h('div', { class: 'tools' },
        h('button', { type: 'button', class: 'icon', 'aria-label': `move layer ${i} up`, disabled: i === 0, onclick: () => move(i, -1) }, '↑'),
        h('button', { type: 'button', class: 'icon', 'aria-label': `move layer ${i} down`, disabled: i === n - 1, onclick: () => move(i, 1) }, '↓'),
        h('button', { type: 'button', class: 'icon danger', 'aria-label': `remove layer ${i}`, onclick: () => remove(i) }, '✕')),
      h('p', { class: 'card-error', hidden: true }));
    return li;
  }

  function move(i, d) {
    const ls = spec.layers;
    [ls[i], ls[i + d]] = [ls[i + d], ls[i]];
    if (selected === i) selected = i + d;
    changed({ structure: true });
  }
  function remove(i) {
    spec.layers.splice(i, 1);
    if (selected >= spec.layers.length) selected = -1;
    changed({ structure: true });
  }
  // New layers go after the selected card, else before flatten / the classifier.
  function insert(ls) {
    if (!spec) return;
    spec.layers ??= [];
    let at = selected >= 0 ? selected + 1 : spec.layers.findIndex((l) => l.type === 'flatten');
    if (at < 0) at = spec.layers.length;
    if (ls[0].type === 'linear' && selected < 0) {
      const lastLinear = spec.layers.map((l) => l.type).lastIndexOf('linear');
      at = lastLinear >= 0 ? lastLinear : spec.layers.length;
    }
    spec.layers.splice(at, 0, ...ls.map((l) => ({ ...l })));
    if (selected >= 0) selected = at + ls.length - 1;
    changed({ structure: true });
  }

  // Marks the report's error on its card and field, or on the input row; returns false when
  // the error has no place here (the JSON text itself).
  function mark() {
    for (const c of list.children) {
      c.classList.remove('bad');
      c.querySelector('.card-error').hidden = true;
      for (const inp of c.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
    }
    for (const inp of inputRow.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
    if (!report || report.ok) return true;
    const i = report.error_layer;
    const c = list.children[i];
    if (c) {
      c.classList.add('bad');
      const p = c.querySelector('.card-error');
      p.textContent = report.error;
      p.hidden = false;
      const field = c.querySelector(`[name="${report.error_field}"]`) ?? (report.error_field === 'stride' ? c.querySelector('[name="kernel"]') : null);
      field?.setAttribute('aria-invalid', 'true');
      return true;
    }
    if (i !== -1) return true;
    const field = inputRow.querySelector(`[name="${report.error_field}"]`);
    field?.setAttribute('aria-invalid', 'true');
    return !!field;
  }

  return {
    inputRow, list, addRow,
    spec: () => spec,
    // Shows the spec parsed from the text ({value}), or keeps the last cards (undefined: the
    // text is not JSON).
    show(parsed) {
      if (parsed) spec = parsed.value;
      render();
    },
    deselect() { selected = -1; },
    mark(r) { report = r; return mark(); },
  };
}
