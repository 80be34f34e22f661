// The teacher's assignment editor (issue 14), reached from the project list ("New
// assignment"): title, instructions, starting spec (this project's or one of core's presets),
// what the student may change, fixed or free training settings, classes with optional starting
// images, an accuracy target and questions whose answers the engine computes from the
// student's model. Every edit goes to the engine's assignmentCheck and its message is shown next
// to the field it names; the lists (layer types, question kinds, settings) and limits are core's
// (ctx.rules). The form is kept on this device as a draft (IndexedDB, app store), so a reload
// loses nothing. Saved as NAME.assignment.json, as a .convlab with assignment.json when it has
// starting images, or as a link (assignment-link.js) when it has none.
import { h, fill, say, newId } from '../dom.js';
import { freshState, readDraft, toAssignment, slotFor, classList } from '../classroom/assignment-form.js';
import { assignmentLink } from '../classroom/assignment-link.js';
import { fileBase } from '../file-names.js';
import { writeProject } from '../storage/project-file.js';
import { encodePNG } from '../storage/image-codec.js';
import { loadBuiltin } from '../builtin-dataset.js';
import { bytesText } from './projects.js';

const DRAFT_KEY = 'assignmentDraft';
const CHECK_MS = 150;  // coalesces a burst of keystrokes into one engine check

// The page's words for core's setting keys (rules.assignment.setting_keys); a key without one
// shows as itself.
const SETTING_LABEL = {
  epochs: 'Epochs', batch_size: 'Batch size', optimizer: 'Optimiser', lr: 'Learning rate', momentum: 'Momentum (SGD)',
  val_fraction: 'Validation fraction', shift: 'Random shift (px)', flip: 'Random horizontal flip', seed: 'Seed',
};
const KIND_LABEL = {
  output_width: 'Output width of a layer', output_height: 'Output height of a layer', output_channels: 'Output channels of a layer',
  layer_parameters: 'Parameters of a layer', layer_macs: 'Multiply-adds of a layer', receptive_field: 'Receptive field of a layer',
  pool_unchanged_fraction: 'Max-pool outputs unchanged by a shift', fc_weights_per_neuron: 'Weights of one fully-connected neuron on the input',
  total_parameters: 'Parameters of the whole model',
};

export function mountAssignmentEditor(root, ctx) {
  const { rules, engine } = ctx;
  const ar = rules.assignment;
  const db = ctx.project.stores.db;
  let state = null;
  let presets = [];
  let lastCheck = null;  // {ok, assignment, hash} | {ok: false, field, error}
  const slots = new Map();  // engine field -> its message element

  // A message slot for the engine's field name, tied to the control it describes.
  function slot(field, control) {
    const el = h('p', { class: 'field-error', id: newId('aerr'), role: 'status', hidden: true, dataset: { field } });
    slots.set(field, el);
    if (control) control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') ?? ''} ${el.id}`.trim());
    return el;
  }

  // ---- the fields ----
  const title = h('input', { type: 'text', id: 'ae-title', maxlength: ar.title_max, autocomplete: 'off' });
  const instructions = h('textarea', { id: 'ae-instructions', rows: 6, maxlength: ar.instructions_max });
  const specSource = h('select', { id: 'ae-spec-source' });
  const specNote = h('p', { class: 'hint', id: 'ae-spec-note' });
  const changes = ['none', 'any', 'constraints'].map((v) => h('input', { type: 'radio', name: 'ae-changes', value: v, id: `ae-changes-${v}` }));
  const maxParams = h('input', { type: 'number', id: 'ae-max-params', min: 1, max: rules.budget.max_params, step: 1, inputmode: 'numeric' });
  const maxLayers = h('input', { type: 'number', id: 'ae-max-layers', min: 1, step: 1, inputmode: 'numeric' });
  const typeBox = (list, t) => h('input', { type: 'checkbox', value: t, id: `ae-${list}-${t}`, dataset: { list } });
  const required = rules.layers.types.map((t) => typeBox('required', t));
  const forbidden = rules.layers.types.map((t) => typeBox('forbidden', t));
  const fixedInput = h('input', { type: 'checkbox', id: 'ae-fixed-input' });
  const constraintsBox = h('fieldset', { class: 'ae-constraints', id: 'ae-constraints' },
    h('legend', {}, 'Constraints'),
    h('div', { class: 'ae-grid' },
      h('label', { class: 'field' }, 'Most parameters', maxParams, h('small', {}, 'empty: no limit')),
      h('label', { class: 'field' }, 'Most layers', maxLayers, h('small', {}, 'empty: no limit'))),
    slot('changes.max_parameters', maxParams), slot('changes.max_layers', maxLayers),
    h('fieldset', { class: 'ae-types' }, h('legend', {}, 'Layer types the model must have'),
      required.map((c) => h('label', { class: 'check' }, c, ` ${c.value}`))),
    slot('changes.required_types'),
    h('fieldset', { class: 'ae-types' }, h('legend', {}, 'Layer types the model must not have'),
      forbidden.map((c) => h('label', { class: 'check' }, c, ` ${c.value}`))),
    slot('changes.forbidden_types'),
    h('label', { class: 'check' }, fixedInput, ' The input size stays the starting spec\'s'),
    slot('changes.fixed_input', fixedInput), slot('changes'));

  // settings: one row per core key, "fixed" with its value or free
  const settingRows = new Map();
  const settingsBox = h('div', { class: 'ae-settings', id: 'ae-settings' }, ar.setting_keys.map((key) => {
    const fixed = h('input', { type: 'checkbox', id: `ae-fix-${key}`, dataset: { key } });
    const dflt = rules.train.defaults[key];
    let value;
    if (typeof dflt === 'boolean') value = h('input', { type: 'checkbox', id: `ae-val-${key}` });
    else if (key === 'optimizer') value = h('select', { id: `ae-val-${key}` }, rules.train.optimizers.map((o) => h('option', { value: o }, o)));
    else {
      const lim = rules.train.fields[key] ?? {};
      value = h('input', { type: 'number', id: `ae-val-${key}`, min: lim.min, max: lim.max, step: lim.step || 'any' });  // step 0: any number
    }
    value.setAttribute('aria-label', `${SETTING_LABEL[key] ?? key} value`);
    settingRows.set(key, { fixed, value });
    return h('div', { class: 'ae-setting' },
      h('label', { class: 'check' }, fixed, ` Fix ${SETTING_LABEL[key] ?? key}`), value);
  }));

  const classes = h('textarea', { id: 'ae-classes', rows: 4 });
  const images = ['none', 'project', 'builtin'].map((v) => h('input', { type: 'radio', name: 'ae-images', value: v, id: `ae-images-${v}` }));
  const imagesNote = h('p', { class: 'hint', id: 'ae-images-note' });
  const target = h('input', { type: 'number', id: 'ae-target', min: 0, max: 1, step: 0.01, placeholder: 'e.g. 0.8' });
  const questionList = h('ol', { class: 'ae-questions', id: 'ae-questions' });
  const addQuestion = h('button', { type: 'button', id: 'ae-add-question', onclick: () => edit(() => {
    state.questions.push({ kind: ar.question_kinds[0].name, layer: '0', image: '', shift: '', text: '' });
  }, true) }, 'Add question');
  const showCorrectness = h('input', { type: 'checkbox', id: 'ae-show-correctness' });

  const status = h('p', { class: 'message', id: 'ae-status', role: 'status' });
  const saveMsg = h('p', { class: 'message', id: 'ae-save-message', role: 'status', hidden: true });
  const downloadBtn = h('button', { type: 'button', class: 'primary', id: 'ae-download', onclick: () => act(download) }, 'Download assignment');
  const linkBtn = h('button', { type: 'button', id: 'ae-link', onclick: () => act(showLink) }, 'Copy link');
  const linkField = h('input', { type: 'text', id: 'ae-link-field', readonly: true, 'aria-label': 'Assignment link' });
  const copyBtn = h('button', { type: 'button', id: 'ae-copy', onclick: () => act(copyLink) }, 'Copy');
  const linkRow = h('div', { class: 'row ae-link-row', hidden: true }, linkField, copyBtn);
  const resetBtn = h('button', { type: 'button', class: 'ghost', id: 'ae-reset', onclick: () => act(reset) }, 'Start over');

  const section = (heading, ...body) => h('fieldset', { class: 'panel ae-section' }, h('legend', {}, heading), ...body);
  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'New assignment'),
      h('p', { class: 'lead' }, 'Write a task for your students. The engine checks every field as you type; save it as a file or a link and hand it out. Students open it in their own browser: nothing is sent to a server.')),
    h('button', { type: 'button', class: 'ghost', id: 'ae-back', onclick: () => { location.hash = '#projects'; } }, 'Back to projects')),
    h('form', { class: 'ae-form', id: 'assignment-editor', onsubmit: (e) => e.preventDefault() },
      section('Task',
        h('label', { class: 'field', for: 'ae-title' }, 'Title'), title, slot('title', title),
        h('label', { class: 'field', for: 'ae-instructions' }, 'Instructions', h('small', {}, 'plain text; students see it as written, line breaks and links as text')),
        instructions, slot('instructions', instructions)),
      section('Starting model',
        h('label', { class: 'field', for: 'ae-spec-source' }, 'Starting spec'), specSource, specNote, slot('spec', specSource),
        h('fieldset', { class: 'ae-radios' }, h('legend', {}, 'What the student may change'),
          h('label', { class: 'check' }, changes[0], ' Nothing'),
          h('label', { class: 'check' }, changes[1], ' Anything'),
          h('label', { class: 'check' }, changes[2], ' Within constraints')),
        constraintsBox),
      section('Training settings', h('p', { class: 'hint' }, 'A fixed setting is locked for the student with the value you give; a free one they choose.'),
        settingsBox, slot('fixed_settings')),
      section('Classes and images',
        h('label', { class: 'field', for: 'ae-classes' }, 'Classes', h('small', {}, 'one name per line')), classes, slot('classes', classes),
        h('fieldset', { class: 'ae-radios' }, h('legend', {}, 'Starting images'),
          h('label', { class: 'check' }, images[0], ' None: students collect their own'),
          h('label', { class: 'check' }, images[1], ' This project\'s images'),
          h('label', { class: 'check' }, images[2], ' The built-in Fashion-MNIST images')),
        imagesNote),
      section('Goals',
        h('label', { class: 'field', for: 'ae-target' }, 'Validation accuracy target', h('small', {}, 'a fraction, e.g. 0.8; empty: none')),
        target, slot('accuracy_target', target),
        h('h3', {}, 'Questions'), h('p', { class: 'hint' }, 'Each asks for a quantity of the student\'s own model; the right answer is computed from that model.'),
        questionList, slot('questions'), addQuestion,
        h('label', { class: 'check' }, showCorrectness, ' Show students whether their answers are right'), slot('show_correctness', showCorrectness)),
      h('div', { class: 'panel ae-save' },
        status, slot(''),
        h('div', { class: 'row' }, downloadBtn, linkBtn, resetBtn),
        linkRow, saveMsg)));

  // ---- state <-> form ----
  function showQuestions() {
    fill(questionList, state.questions.map((q, i) => {
      const kind = h('select', { 'aria-label': `Question ${i + 1}: quantity`, class: 'ae-q-kind' },
        ar.question_kinds.map((k) => h('option', { value: k.name, selected: k.name === q.kind }, KIND_LABEL[k.name] ?? k.name)));
      const info = ar.question_kinds.find((k) => k.name === q.kind);
      const input = (key, label, attrs = {}) => {
        const el = h('input', { type: 'number', step: 1, min: 0, value: q[key], class: `ae-q-${key}`, 'aria-label': `Question ${i + 1}: ${label}`, ...attrs });
        el.addEventListener('input', () => edit(() => { state.questions[i][key] = el.value; }));
        return h('label', { class: 'field' }, label, el);
      };
      const text = h('input', { type: 'text', value: q.text, class: 'ae-q-text', maxlength: ar.question_text_max, 'aria-label': `Question ${i + 1}: wording`,
        placeholder: info ? info.wording.replace('%d', q.layer || 'i') : '' });
      text.addEventListener('input', () => edit(() => { state.questions[i].text = text.value; }));
      kind.addEventListener('change', () => edit(() => {
        const k = ar.question_kinds.find((x) => x.name === kind.value);
        Object.assign(state.questions[i], { kind: kind.value, layer: k.needs_layer ? state.questions[i].layer || '0' : '', image: '', shift: '' });
      }, true));
      const remove = h('button', { type: 'button', class: 'ghost ae-q-remove', 'aria-label': `Remove question ${i + 1}`,
        onclick: () => edit(() => { state.questions.splice(i, 1); }, true) }, 'Remove');
      const layerShown = info && (info.needs_layer || info.layer_optional);
      return h('li', { class: 'ae-question', dataset: { index: i } },
        h('div', { class: 'ae-q-row' }, kind,
          layerShown ? input('layer', info.needs_layer ? 'Layer (from 0)' : 'Layer (empty: the last pool)') : null,
          info?.image_shift ? input('image', 'Training image (from 0)') : null,
          info?.image_shift ? input('shift', 'Shift (px)', { min: 1, max: ar.question_shift_max }) : null,
          remove),
        text, slot(`questions[${i}]`, kind));
    }));
    // a slot per question field too, under its question
    for (const [i] of state.questions.entries())
      for (const key of ['kind', 'layer', 'image', 'shift', 'text', 'id']) {
        const li = questionList.children[i];
        li.append(slot(`questions[${i}].${key}`));
      }
  }

  function show() {
    title.value = state.title;
    instructions.value = state.instructions;
    specSource.value = state.specSource;
    for (const r of changes) r.checked = r.value === state.changes;
    constraintsBox.hidden = state.changes !== 'constraints';
    maxParams.value = state.maxParams;
    maxLayers.value = state.maxLayers;
    for (const c of required) c.checked = state.required.includes(c.value);
    for (const c of forbidden) c.checked = state.forbidden.includes(c.value);
    fixedInput.checked = state.fixedInput;
    for (const [key, { fixed, value }] of settingRows) {
      const s = state.settings[key];
      fixed.checked = s.fixed;
      if (value.type === 'checkbox') value.checked = s.value === true; else value.value = s.value;
      value.disabled = !s.fixed;
    }
    classes.value = state.classes;
    for (const r of images) r.checked = r.value === state.images;
    target.value = state.target;
    showCorrectness.checked = state.showCorrectness;
    for (const k of [...slots.keys()]) if (k.startsWith('questions[')) slots.delete(k);
    showQuestions();
  }

  // Reads the form's plain fields into the state (questions keep their own listeners).
  function read() {
    state.title = title.value;
    state.instructions = instructions.value;
    state.changes = changes.find((r) => r.checked)?.value ?? 'any';
    state.maxParams = maxParams.value;
    state.maxLayers = maxLayers.value;
    state.required = required.filter((c) => c.checked).map((c) => c.value);
    state.forbidden = forbidden.filter((c) => c.checked).map((c) => c.value);
    state.fixedInput = fixedInput.checked;
    for (const [key, { fixed, value }] of settingRows) {
      let v = value.type === 'checkbox' ? value.checked : value.value;
      // a number field keeps what was typed when it is no number, so the engine names it
      if (typeof rules.train.defaults[key] === 'number' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
      state.settings[key] = { fixed: fixed.checked, value: v };
    }
    state.classes = classes.value;
    state.images = images.find((r) => r.checked)?.value ?? 'none';
    state.target = target.value;
    state.showCorrectness = showCorrectness.checked;
  }

  // One edit: change the state (fn), redraw when the structure changed, keep the draft, check.
  function edit(fn, redraw = false) {
    fn?.();
    if (redraw) show();
    scheduleCheck();
  }
  const form = root.querySelector('#assignment-editor');
  form.addEventListener('input', (e) => { if (!questionList.contains(e.target)) { read(); edit(null, e.target.type === 'radio' || e.target.type === 'checkbox'); } });
  form.addEventListener('change', (e) => {
    if (e.target === specSource) act(chooseSpec);
    else if (images.includes(e.target)) act(chooseImages);
  });

  // ---- the live check ----
  let timer = null, seq = 0;
  function scheduleCheck() {
    clearTimeout(timer);
    linkRow.hidden = true;
    timer = setTimeout(() => act(check), CHECK_MS);
  }

  async function check() {
    const my = ++seq;
    const text = toAssignment(state);
    db?.setApp(DRAFT_KEY, structuredClone(state)).catch(() => {});  // not kept: the form still works
    const r = await engine.call('assignmentCheck', { text });
    if (my !== seq) return;
    lastCheck = { ...r, text };
    for (const el of slots.values()) say(el, '');
    for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
    if (r.ok) {
      say(status, `The engine accepts this assignment: ${r.assignment.questions.length} question${r.assignment.questions.length === 1 ? '' : 's'}, ${r.assignment.classes.length} classes. Save it as a file${hasImages() ? '' : ' or a link'}.`, false);
    } else {
      const where = slotFor(r.field, slots);
      say(slots.get(where), r.error, true);
      const described = form.querySelector(`[aria-describedby~="${slots.get(where).id}"]`);
      described?.setAttribute('aria-invalid', 'true');
      say(status, `Not ready: ${r.field ? `${r.field}: ` : ''}${r.error}`, true);
    }
    downloadBtn.disabled = !r.ok;
    linkBtn.disabled = !r.ok || hasImages();
    linkBtn.title = hasImages() ? 'An assignment with starting images is saved as a file' : '';
  }

  const hasImages = () => state.images !== 'none';

  // ---- the starting spec and images ----
  async function chooseSpec() {
    state.specSource = specSource.value;
    if (state.specSource === 'project') state.spec = ctx.getSpec();
    else state.spec = presets.find((p) => p.id === state.specSource)?.spec ?? state.spec;
    showSpecNote();
    edit(null, true);
  }
  function showSpecNote() {
    const p = presets.find((x) => x.id === state.specSource);
    specNote.textContent = p ? `${p.description}${p.trainable ? '' : ' Students can read its shapes and counts and answer questions on it; the page cannot train it.'}` : 'The spec of the project open in this tab, as it is now.';
  }

  async function chooseImages() {
    state.images = images.find((r) => r.checked)?.value ?? 'none';
    if (state.images === 'project') state.classes = ctx.getClasses().map((c) => c.name).join('\n');
    if (state.images === 'builtin') state.classes = (await builtin()).classes.join('\n');
    showImagesNote();
    edit(null, true);
  }
  async function showImagesNote() {
    if (state.images === 'project') imagesNote.textContent = `${ctx.getClasses().reduce((n, c) => n + c.count, 0)} images of this project go into the file, under its classes.`;
    else if (state.images === 'builtin') {
      const b = await builtin();
      imagesNote.textContent = `${b.name}: ${b.trainPerClass + b.testPerClass} images of each of its ${b.classes.length} classes (${b.testPerClass} of them a test set).`;
    } else imagesNote.textContent = 'The assignment can also be handed out as a link.';
  }
  const builtin = async () => loadBuiltin({ side: (await engine.call('testsetRules')).builtin_side, maxClasses: rules.classes.max, maxImages: rules.project.max_images });

  // The starting images as the project file writes them: [{classId, width, height, png, split}],
  // and the classes they are under (the assignment's own, by name).
  async function startingImages(names) {
    const out = [];
    if (state.images === 'project') {
      const mine = ctx.getClasses();
      for (const [i, c] of mine.entries()) {
        const k = names.indexOf(c.name);
        if (k < 0) throw new Error(`This project's class "${c.name}" is not one of the assignment's classes: add it, or choose no starting images.`);
        for (const im of await ctx.getImages(i)) out.push({ classId: k + 1, width: im.width, height: im.height, split: im.split, png: encodePNG(im) });
      }
    } else if (state.images === 'builtin') {
      const b = await builtin();
      for (const [i, name] of b.classes.entries()) {
        const k = names.indexOf(name);
        if (k < 0) continue;  // a class the teacher left out
        for (const split of ['train', 'test'])
          for (const im of b.images(i, split)) out.push({ classId: k + 1, width: im.width, height: im.height, split: split === 'test' ? 'test' : undefined, png: encodePNG(im) });
      }
    }
    return out;
  }

  // ---- saving ----
  async function ready() {
    clearTimeout(timer);
    await check();
    if (!lastCheck?.ok) throw new Error('Fix the field named above first: the engine does not accept the assignment yet.');
    return lastCheck;
  }
  const nameOf = (a) => fileBase(a.title, 'assignment', rules);

  async function download() {
    const r = await ready();
    const text = JSON.stringify(r.assignment, null, 2);
    let blob, name;
    if (hasImages()) {
      const names = r.assignment.classes;
      const list = await startingImages(names);
      const bytes = await writeProject(ctx.engine, {
        name: r.assignment.title, created: Date.now(), classes: names.map((n, i) => ({ id: i + 1, name: n })),
        spec: JSON.stringify(r.assignment.spec), images: list, assignment: text,
      }, rules);
      blob = new Blob([bytes], { type: 'application/zip' });
      name = `${nameOf(r.assignment)}.convlab`;
    } else {
      blob = new Blob([text], { type: 'application/json' });
      name = `${nameOf(r.assignment)}.assignment.json`;
    }
    const a = h('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    say(saveMsg, `Saved as ${name} (${bytesText(blob.size)}). Students open it with "Open file" on the project list.`, false);
  }

  async function showLink() {
    const r = await ready();
    if (hasImages()) throw new Error('An assignment with starting images is too large for a link: download it as a file.');
    const link = assignmentLink(JSON.stringify(r.assignment));
    const value = link.slice(link.indexOf('=') + 1);
    if (value.length > ar.link_max_chars) throw new Error(`The link would be ${value.length} characters, more than the ${ar.link_max_chars} a link may have: download the assignment as a file.`);
    linkField.value = link;
    linkRow.hidden = false;
    await copyLink();
  }

  async function copyLink() {
    linkField.focus();
    linkField.select();
    try {
      await navigator.clipboard.writeText(linkField.value);
      say(saveMsg, `The link (${linkField.value.length.toLocaleString('en')} characters) is copied: paste it where your students find it. Opening it creates their project.`, false);
    } catch {
      say(saveMsg, 'The browser did not let the page copy: the link is selected in the field above, copy it with Ctrl+C (⌘C).', false);
    }
  }

  async function reset() {
    state = freshState({ spec: ctx.getSpec(), classes: ctx.getClasses().map((c) => c.name), defaults: rules.train.defaults, keys: ar.setting_keys });
    say(saveMsg, '');
    show();
    showSpecNote();
    showImagesNote();
    scheduleCheck();
  }

  async function act(fn) {
    try { await fn(); } catch (e) { say(saveMsg, e.message, true); }
  }

  // ---- start: the presets, then the draft kept on this device (or a fresh form) ----
  async function start() {
    presets = await engine.call('learnPresets');
    fill(specSource, h('option', { value: 'project' }, 'This project\'s spec'),
      presets.map((p) => h('option', { value: p.id }, `Preset: ${p.name}`)));
    const fresh = freshState({ spec: ctx.getSpec(), classes: ctx.getClasses().map((c) => c.name), defaults: rules.train.defaults, keys: ar.setting_keys });
    state = readDraft(await db?.getApp(DRAFT_KEY).catch(() => null), fresh) ?? fresh;
    if (!presets.some((p) => p.id === state.specSource)) state.specSource = 'project';
    show();
    showSpecNote();
    showImagesNote();
    await check();
  }
  const started = start();
  return { ready: started, classList };
}
