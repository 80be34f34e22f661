// The Model tab (lecture view 1): a visual editor for input → [[conv+relu]*N → pool]*M →
// [linear+relu]*K → linear (cards.js), kept in sync both ways with the JSON spec text, and
// beside it the engine's per-layer table (table.js), live as you type: one engine call per
// edit checks the spec, its size budget and the project's class rule. Errors come from the
// engine and are marked at the layer. "Use this model" applies it. When the project's
// assignment lets nothing change (changes "none") the editor is read-only: its controls sit
// in a disabled fieldset (cards re-rendered later are disabled too) and a note says why.
import { h, fill } from '../../dom.js';
import { specText } from '../../format.js';
import { createCards } from './cards.js';
import { createTable } from './table.js';

const CHECK_DELAY_MS = 120;  // typing pauses this long before the engine checks

export function mountModel(root, ctx) {
  const { engine, events, project } = ctx;
  let text = '';            // the textarea's text
  let report = null;        // last engine report for `text`
  let checkSeq = 0, checkTimer = 0, presetSeq = 0;
  let presets = [];

  const cards = createCards(ctx.rules, (spec) => setText(specText(spec), { fromCards: true, user: true }));
  const table = createTable();
  const presetRow = h('div', { class: 'row presets', role: 'group', 'aria-label': 'Presets' });
  const presetNote = h('p', { class: 'hint', id: 'preset-note' });
  const textarea = h('textarea', { id: 'spec-text', class: 'spec-text', rows: 14, spellcheck: false, wrap: 'off', 'aria-label': 'Model spec (JSON)' });
  const applyBtn = h('button', { type: 'button', class: 'primary', id: 'spec-apply', onclick: () => apply() }, 'Use this model');
  const revertBtn = h('button', { type: 'button', id: 'spec-revert', onclick: () => revert() }, 'Revert');
  const applyNote = h('p', { class: 'hint', id: 'apply-note' });
  const lockNote = h('p', { class: 'message assignment-lock', id: 'model-locked', hidden: true },
    'The assignment fixes this model: you can read it here, but not change it.');
  const editorFields = h('fieldset', { class: 'editor-fields', 'aria-describedby': 'model-locked' },
    h('legend', { class: 'visually-hidden' }, 'Model editor'),
    h('h3', {}, 'Presets'), presetRow, presetNote,
    h('h3', {}, 'Input'), cards.inputRow,
    h('h3', {}, 'Layers'), cards.list, cards.addRow);
  const locked = () => project.assignment?.assignment.changes === 'none';
  function applyLock() {
    lockNote.hidden = !locked();
    editorFields.disabled = locked();
    textarea.readOnly = locked();
  }

  root.replaceChildren(
    h('div', { class: 'view-head' }, h('div', {},
      h('h2', {}, 'Design the network'),
      h('p', { class: 'lead' }, 'Each conv or pool layer turns a w_in-wide input into w_out = (w_in + 2p − k)/s + 1 outputs; a conv layer of c_out filters of k×k×c_in weights has c_out·(k·k·c_in) + c_out parameters. Edit the layers or the JSON: the table follows as you type.'))),
    h('div', { class: 'model-layout' },
      h('div', { class: 'panel editor' }, lockNote, editorFields,
        h('details', { class: 'json-box', open: true }, h('summary', {}, 'JSON spec (edit either side)'), textarea)),
      h('div', { class: 'panel table-panel' },
        h('h3', {}, 'Per layer, computed by the engine'), table.form, table.summary, table.errorBox,
        h('div', { class: 'table-scroll' }, table.table),
        h('div', { class: 'row' }, applyBtn, revertBtn), applyNote)));

  // ---- text <-> cards ----
  // user: typed or edited by hand (a refused spec is then kept as the project's draft, so the
  // typed text survives a reload); presets and reverts are not.
  function setText(t, { fromCards = false, user = false } = {}) {
    text = t;
    if (textarea.value !== t) textarea.value = t;
    if (!fromCards) {
      let parsed;
      try { parsed = { value: JSON.parse(t) }; } catch { /* keep the cards of the last valid JSON */ }
      cards.show(parsed);
    }
    check(user);
  }

  textarea.addEventListener('input', () => setText(textarea.value, { user: true }));

  // ---- checking ----
  const classCount = () => ctx.getClasses().length;

  function check(user = false) {
    const seq = ++checkSeq;
    const t = text;
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      let r;
      try {
        r = await engine.call('learnCheckSpec', { spec: t, classes: classCount() });
        if (!r.over_budget) r = project.refuseWhileTraining(r);
      } catch (e) {
        r = { ok: false, layers: [], error: e.message, error_layer: -1, error_field: '' };
      }
      if (seq !== checkSeq) return;
      report = r;
      render();
      if (user) keepDraft(t, r);
    }, CHECK_DELAY_MS);
  }

  function render() {
    table.render(report, cards.spec());
    if (cards.mark(report)) textarea.removeAttribute('aria-invalid');
    else textarea.setAttribute('aria-invalid', 'true');
    renderButtons();
  }

  function renderButtons() {
    const same = text === ctx.getSpec();
    applyLock();
    applyBtn.disabled = same || locked();  // a bad spec may be clicked too: the refusal says why
    revertBtn.disabled = (same && !ctx.getSpecDraft()) || locked();
    applyNote.textContent = same ? 'This is the model in use.' : (report.ok && !report.over_budget ? 'Using it starts from fresh random weights: train again afterwards.' : '');
  }

  // ---- presets, apply, revert ----
  async function loadPreset(p) {
    const seq = ++presetSeq;
    cards.deselect();
    presetNote.textContent = p.description;
    let t;
    try {
      // a trainable preset gets one output per class of this project
      t = p.trainable ? (await engine.call('fitSpec', { spec: p.spec, classes: classCount() })).spec : specText(JSON.parse(p.spec));
    } catch (e) {
      presetNote.textContent = `This preset could not be loaded: ${e.message}`;
      return;
    }
    if (seq === presetSeq) setText(t);
  }

  // A refused spec typed by hand is kept (ctx.setSpec stores it and changes nothing else);
  // once the text is good again the stale draft is dropped.
  async function keepDraft(t, r) {
    if (!r.ok || r.over_budget) await ctx.setSpec(t);
    else if (ctx.getSpecDraft()) await ctx.revertSpec();
    render();
  }

  async function apply() {
    applyBtn.disabled = true;
    const r = await ctx.setSpec(text);
    if (!r.ok) { report = { ...report, ...r, ok: false }; render(); return; }
    ctx.status('The new model is in use with fresh random weights: train it on the Train tab.');
    render();
  }

  function revert() {
    ctx.revertSpec();
    setText(ctx.getSpec());
  }

  // The spec in use changed elsewhere (e.g. the class count): follow it unless the editor
  // holds edits of its own, which are never thrown away.
  let inUse = ctx.getSpec();
  events.addEventListener('spec-changed', (e) => {
    const clean = text === inUse;
    inUse = e.detail.spec;
    if (clean && e.detail.spec !== text) setText(e.detail.spec);
    else if (report) render();
  });

  // another project (or this one re-read after another tab's change): its draft or its spec
  events.addEventListener('project-loaded', () => {
    applyLock();
    inUse = ctx.getSpec();
    setText(ctx.getSpecDraft()?.text ?? inUse);
  });

  engine.call('learnPresets').then((ps) => {
    presets = ps;
    fill(presetRow, ps.map((p) => h('button', { type: 'button', dataset: { preset: p.id }, title: p.description, onclick: () => loadPreset(p) }, p.name)));
  }, (e) => { presetNote.textContent = `Presets unavailable: ${e.message}`; });

  const draft = ctx.getSpecDraft();
  setText(draft?.text ?? ctx.getSpec());
  textarea.insertAdjacentElement('afterend', h('datalist', { id: 'padding-options' }, h('option', { value: 'same' }), h('option', { value: '0' }), h('option', { value: '1' })));
  return { presets: () => presets };
}
