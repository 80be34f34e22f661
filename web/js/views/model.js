// The Model tab (lecture view 1): a visual editor for input → [[conv+relu]*N → pool]*M →
// [linear+relu]*K → linear, kept in sync both ways with the JSON spec text, and beside it the
// engine's per-layer table (output shape, the size formula with this layer's numbers,
// parameters and their formula, multiply-adds, receptive field and jump), live as you type.
// Errors come from the engine and are marked at the layer. "Use this model" applies it.
import { h, fill } from '../dom.js';
import { specText } from '../project.js';

const FIELD_TITLE = { out_channels: 'filters (output channels)', kernel: 'kernel size', stride: 'stride', padding: 'padding per side: a number or "same"', out_features: 'units (output features)' };
const TYPES = ['conv2d', 'relu', 'maxpool2d', 'avgpool2d', 'flatten', 'linear'];
const TYPE_LABEL = { conv2d: 'conv', relu: 'ReLU', maxpool2d: 'max pool', avgpool2d: 'avg pool', flatten: 'flatten', linear: 'linear' };
// Fields per type: [key, label, min, max].
const FIELDS = {
  conv2d: [['out_channels', 'c_out', 1, 4096], ['kernel', 'k', 1, 64], ['stride', 's', 1, 64], ['padding', 'p', 0, 64]],
  maxpool2d: [['kernel', 'k', 1, 64], ['stride', 's', 1, 64], ['padding', 'p', 0, 32]],
  avgpool2d: [['kernel', 'k', 1, 64], ['stride', 's', 1, 64], ['padding', 'p', 0, 32]],
  linear: [['out_features', 'units', 1, 1 << 20]],
  relu: [],
  flatten: [],
};
const DEFAULTS = {
  conv2d: { type: 'conv2d', out_channels: 16, kernel: 3, stride: 1, padding: 'same' },
  maxpool2d: { type: 'maxpool2d', kernel: 2, stride: 2, padding: 0 },
  avgpool2d: { type: 'avgpool2d', kernel: 2, stride: 2, padding: 0 },
  linear: { type: 'linear', out_features: 32 },
  relu: { type: 'relu' },
  flatten: { type: 'flatten' },
};
const BLOCKS = [
  ['conv + ReLU', [DEFAULTS.conv2d, DEFAULTS.relu]],
  ['max pool', [DEFAULTS.maxpool2d]],
  ['linear + ReLU', [DEFAULTS.linear, DEFAULTS.relu]],
  ['flatten', [DEFAULTS.flatten]],
  ['avg pool', [DEFAULTS.avgpool2d]],
];

const fmt = (n) => Number(n).toLocaleString('en-US');
const shapeText = (s) => (s.length === 3 ? `${s[0]}×${s[1]}×${s[2]}` : `${fmt(s[0])}`);

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

export function mountModel(root, ctx) {
  const { engine, events } = ctx;
  let spec = null;          // parsed spec behind the cards (last valid JSON)
  let text = '';            // the textarea's text
  let report = null;        // last engine report for `text`
  let checkSeq = 0;
  let presets = [];
  let selected = -1;        // card new blocks are inserted after (-1: before the classifier)

  const presetRow = h('div', { class: 'row presets', role: 'group', 'aria-label': 'Presets' });
  const presetNote = h('p', { class: 'hint', id: 'preset-note' });
  const inputRow = h('div', { class: 'row input-row' });
  const cards = h('ol', { class: 'layer-cards', 'aria-label': 'Layers' });
  const addRow = h('div', { class: 'row add-row', role: 'group', 'aria-label': 'Add layers' },
    h('span', { class: 'hint' }, 'Add:'),
    BLOCKS.map(([label, ls]) => h('button', { type: 'button', onclick: () => insert(ls) }, `+ ${label}`)));
  const textarea = h('textarea', { id: 'spec-text', class: 'spec-text', rows: 14, spellcheck: false, wrap: 'off', 'aria-label': 'Model spec (JSON)' });
  const form = h('p', { class: 'lecture-form', id: 'lecture-form' });
  const summary = h('p', { class: 'model-summary', id: 'model-summary', role: 'status' });
  const errorBox = h('p', { class: 'message error', id: 'spec-error', role: 'alert', hidden: true });
  const applyBtn = h('button', { type: 'button', class: 'primary', id: 'spec-apply', onclick: () => apply() }, 'Use this model');
  const revertBtn = h('button', { type: 'button', id: 'spec-revert', onclick: () => revert() }, 'Revert');
  const applyNote = h('p', { class: 'hint', id: 'apply-note' });
  const table = h('table', { class: 'layer-table', id: 'layer-table' });

  root.replaceChildren(
    h('div', { class: 'view-head' }, h('div', {},
      h('h2', {}, 'Design the network'),
      h('p', { class: 'lead' }, 'Each conv or pool layer turns a w_in-wide input into w_out = (w_in + 2p − k)/s + 1 outputs; a conv layer of c_out filters of k×k×c_in weights has c_out·(k·k·c_in) + c_out parameters. Edit the layers or the JSON: the table follows as you type.'))),
    h('div', { class: 'model-layout' },
      h('div', { class: 'panel editor' },
        h('h3', {}, 'Presets'), presetRow, presetNote,
        h('h3', {}, 'Input'), inputRow,
        h('h3', {}, 'Layers'), cards, addRow,
        h('details', { class: 'json-box', open: true }, h('summary', {}, 'JSON spec (edit either side)'), textarea)),
      h('div', { class: 'panel table-panel' },
        h('h3', {}, 'Per layer, computed by the engine'), form, summary, errorBox,
        h('div', { class: 'table-scroll' }, table),
        h('div', { class: 'row' }, applyBtn, revertBtn), applyNote)));

  // ---- text <-> cards ----
  // user: typed or edited by hand (a refused spec is then kept as the project's draft, so the
  // typed text survives a reload); presets and reverts are not.
  function setText(t, { fromCards = false, user = false } = {}) {
    text = t;
    if (textarea.value !== t) textarea.value = t;
    if (!fromCards) {
      try { spec = JSON.parse(t); } catch { /* keep the cards of the last valid JSON */ }
      renderCards();
    }
    check(user);
  }

  function cardsChanged({ structure = false } = {}) {
    setText(specText(spec), { fromCards: true, user: true });
    if (structure) renderCards();
  }

  function numberInput(value, min, max, label, onChange, name) {
    const inp = h('input', { type: 'number', min, max, step: 1, value, 'aria-label': label, name });
    inp.addEventListener('input', () => { if (inp.value !== '') onChange(Number(inp.value)); });
    return inp;
  }

  function renderInput() {
    const inp = spec?.input ?? {};
    const set = (k, v) => { spec.input[k] = v; cardsChanged(); };
    const ch = h('select', { 'aria-label': 'input channels', name: 'channels', onchange: () => set('channels', Number(ch.value)) },
      h('option', { value: 3 }, '3 (RGB)'), h('option', { value: 1 }, '1 (gray)'));
    ch.value = String(inp.channels ?? 3);
    fill(inputRow,
      h('label', { class: 'field' }, 'channels c_in', ch),
      h('label', { class: 'field' }, 'height', numberInput(inp.height, 1, 1024, 'input height', (v) => set('height', v), 'height')),
      h('label', { class: 'field' }, 'width w_in', numberInput(inp.width, 1, 1024, 'input width', (v) => set('width', v), 'width')));
  }

  function renderCards() {
    renderInput();
    const layers = Array.isArray(spec?.layers) ? spec.layers : [];
    fill(cards, layers.map((l, i) => card(l, i, layers.length)));
    markErrors();
  }

  function card(l, i, n) {
    const typeSel = h('select', { 'aria-label': `layer ${i} type`, name: 'type' },
      TYPES.map((t) => h('option', { value: t }, TYPE_LABEL[t])));
    typeSel.value = l.type;
    typeSel.addEventListener('change', () => { spec.layers[i] = { ...DEFAULTS[typeSel.value] }; cardsChanged({ structure: true }); });
    const fields = (FIELDS[l.type] ?? []).map(([key, label, min, max]) => {
      let control;
      if (key === 'padding' && l.type === 'conv2d') {
        control = h('input', { type: 'text', value: String(l.padding ?? 0), 'aria-label': `layer ${i} padding`, name: key, size: 4, list: 'padding-options' });
        control.addEventListener('input', () => {
          const v = control.value.trim();
          spec.layers[i].padding = v === 'same' ? 'same' : (/^\d+$/.test(v) ? Number(v) : v);
          cardsChanged();
        });
      } else {
        const def = key === 'stride' ? (l.type === 'conv2d' ? 1 : l.kernel) : 0;
        control = numberInput(l[key] ?? def, min, max, `layer ${i} ${label}`, (v) => { spec.layers[i][key] = v; cardsChanged(); }, key);
      }
      return h('label', { class: 'field', title: FIELD_TITLE[key] }, label, control);
    });
    const li = h('li', { class: `layer-card t-${l.type}${i === selected ? ' selected' : ''}`, dataset: { index: i },
      onclick: (e) => { if (e.target === li || e.target.classList.contains('idx')) { selected = selected === i ? -1 : i; renderCards(); } } },
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
    cardsChanged({ structure: true });
  }
  function remove(i) {
    spec.layers.splice(i, 1);
    if (selected >= spec.layers.length) selected = -1;
    cardsChanged({ structure: true });
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
    cardsChanged({ structure: true });
  }

  textarea.addEventListener('input', () => setText(textarea.value, { user: true }));

  // ---- checking and the table ----
  function check(user = false) {
    const seq = ++checkSeq;
    const t = text;
    clearTimeout(check.timer);
    check.timer = setTimeout(async () => {
      let r;
      try {
        r = await engine.call('learnCheckSpec', { spec: t });
        // The project's own rule (one output per class) on top of the engine's.
        if (r.ok && !r.over_budget && ctx.project?.checkSpec) {
          const p = await ctx.project.checkSpec(t);
          if (!p.ok) r = { ...r, ok: false, error: p.error, error_layer: p.error_layer, error_field: p.error_field, project_rule: true };
        }
      } catch (e) {
        r = { ok: false, layers: [], error: e.message, error_layer: -1, error_field: '' };
      }
      if (seq !== checkSeq) return;
      report = r;
      renderTable();
      markErrors();
      if (user) keepDraft(t, r);
    }, 120);
  }

  function renderTable() {
    const r = report;
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
    const same = text === ctx.getSpec();
    applyBtn.disabled = same;  // a bad spec may be clicked too: the refusal says why
    revertBtn.disabled = same && !ctx.getSpecDraft?.();
    applyNote.textContent = same ? 'This is the model in use.' : (r.ok && !r.over_budget ? 'Using it starts from fresh random weights: train again afterwards.' : '');
  }

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

  function markErrors() {
    for (const c of cards.children) {
      c.classList.remove('bad');
      const p = c.querySelector('.card-error');
      p.hidden = true;
      for (const inp of c.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
    }
    for (const inp of inputRow.querySelectorAll('[aria-invalid]')) inp.removeAttribute('aria-invalid');
    textarea.removeAttribute('aria-invalid');
    if (!report || report.ok) return;
    const i = report.error_layer;
    const c = cards.children[i];
    if (c) {
      c.classList.add('bad');
      const p = c.querySelector('.card-error');
      p.textContent = report.error;
      p.hidden = false;
      const field = c.querySelector(`[name="${report.error_field}"]`) ?? (report.error_field === 'stride' ? c.querySelector('[name="kernel"]') : null);
      field?.setAttribute('aria-invalid', 'true');
    } else if (i === -1) {
      const field = inputRow.querySelector(`[name="${report.error_field}"]`);
      if (field) field.setAttribute('aria-invalid', 'true'); else textarea.setAttribute('aria-invalid', 'true');
    }
  }

  // ---- presets, apply, revert ----
  function classCount() { return Math.max(2, ctx.getClasses?.().length ?? 2); }

  function loadPreset(p) {
    let s = JSON.parse(p.spec);
    if (p.trainable) {  // one output per class of this project
      const last = s.layers.findLast((l) => l.type === 'linear');
      if (last) last.out_features = classCount();
    }
    selected = -1;
    presetNote.textContent = p.description;
    setText(specText(s));
  }

  // A refused spec typed by hand is kept (ctx.setSpec stores it and changes nothing else);
  // once the text is good again the stale draft is dropped.
  async function keepDraft(t, r) {
    if (!ctx.setSpec) return;
    if (!r.ok || r.over_budget) await ctx.setSpec(t);
    else if (ctx.getSpecDraft?.()) await ctx.revertSpec?.();
    renderTable();
  }

  async function apply() {
    applyBtn.disabled = true;
    const r = await ctx.setSpec(text);
    if (!r.ok) { report = { ...report, ...r, ok: false }; renderTable(); markErrors(); return; }
    ctx.status?.('The new model is in use with fresh random weights: train it on the Train tab.');
    renderTable();
  }

  function revert() {
    ctx.revertSpec?.();
    setText(ctx.getSpec());
  }

  // The spec in use changed elsewhere (e.g. the class count): follow it unless the editor
  // holds edits of its own, which are never thrown away.
  let inUse = ctx.getSpec();
  events.addEventListener('spec-changed', (e) => {
    const clean = text === inUse;
    inUse = e.detail.spec;
    if (clean && e.detail.spec !== text) setText(e.detail.spec); else if (report) renderTable();
  });

  engine.call('learnPresets').then((ps) => {
    presets = ps;
    fill(presetRow, ps.map((p) => h('button', { type: 'button', dataset: { preset: p.id }, title: p.description, onclick: () => loadPreset(p) }, p.name)));
  }, (e) => { presetNote.textContent = `Presets unavailable: ${e.message}`; });

  const draft = ctx.getSpecDraft?.();
  setText(draft?.text ?? ctx.getSpec());
  textarea.insertAdjacentElement('afterend', h('datalist', { id: 'padding-options' }, h('option', { value: 'same' }), h('option', { value: '0' }), h('option', { value: '1' })));
  return { presets: () => presets };
}
