// The teacher's editor form as plain data (the draft kept on this device) and the assignment
// JSON it stands for (core's format, assignment.h's top comment). No rule is decided here: the
// JSON goes to the engine's assignmentCheck as it is, and whatever it refuses is named there.
//
// state: {title, instructions, specSource ('project' | a preset id), spec (text),
//         changes ('none' | 'any' | 'constraints'), maxParams, maxLayers (text, '' = no limit),
//         required: [types], forbidden: [types], fixedInput, settings: {key: {fixed, value}},
//         classes (text, one name per line), images ('none' | 'project' | 'builtin'),
//         target (validation accuracy as a fraction, text; '' = none), questions: [{kind, layer, image, shift, text}],
//         showCorrectness}

export const DRAFT_VERSION = 1;

// A fresh form: the given spec, the project's classes, every setting free at its default.
export function freshState({ spec, classes, defaults, keys }) {
  const settings = {};
  for (const k of keys) settings[k] = { fixed: false, value: defaults[k] };
  return {
    version: DRAFT_VERSION, title: '', instructions: '', specSource: 'project', spec,
    changes: 'any', maxParams: '', maxLayers: '', required: [], forbidden: [], fixedInput: false,
    settings, classes: classes.join('\n'), images: 'none', target: '', questions: [], showCorrectness: true,
  };
}

// A stored draft (outside input: IndexedDB) -> a state, every field of the right type, unknown
// fields dropped; null when it is not a draft of this version.
export function readDraft(d, fresh) {
  if (!d || typeof d !== 'object' || d.version !== DRAFT_VERSION) return null;
  const str = (v, dflt) => (typeof v === 'string' ? v : dflt);
  const oneOf = (v, list, dflt) => (list.includes(v) ? v : dflt);
  const strs = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
  const settings = {};
  for (const [k, s] of Object.entries(fresh.settings)) {
    const kept = d.settings?.[k];
    const value = kept && ['number', 'string', 'boolean'].includes(typeof kept.value) ? kept.value : s.value;
    settings[k] = { fixed: kept?.fixed === true, value };
  }
  const questions = (Array.isArray(d.questions) ? d.questions : []).filter((q) => q && typeof q === 'object').map((q) => ({
    kind: str(q.kind, ''), layer: str(q.layer, ''), image: str(q.image, ''), shift: str(q.shift, ''), text: str(q.text, ''),
  }));
  return {
    version: DRAFT_VERSION, title: str(d.title, ''), instructions: str(d.instructions, ''),
    specSource: str(d.specSource, 'project'), spec: str(d.spec, fresh.spec),
    changes: oneOf(d.changes, ['none', 'any', 'constraints'], 'any'),
    maxParams: str(d.maxParams, ''), maxLayers: str(d.maxLayers, ''),
    required: strs(d.required), forbidden: strs(d.forbidden), fixedInput: d.fixedInput === true,
    settings, classes: str(d.classes, fresh.classes), images: oneOf(d.images, ['none', 'project', 'builtin'], 'none'),
    target: str(d.target, ''), questions, showCorrectness: d.showCorrectness !== false,
  };
}

// Text typed as a number: a number when it reads as one, else the text itself (so the engine
// names the field and says what it must be, instead of the page guessing).
function num(text) {
  const t = String(text).trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export const classList = (text) => String(text).split('\n').map((s) => s.trim()).filter(Boolean);

// state -> the assignment's JSON text. A spec text that is not JSON goes in as the text itself
// (the engine then says "spec" must be an object).
export function toAssignment(state) {
  let spec;
  try { spec = JSON.parse(state.spec); } catch { spec = state.spec; }
  let changes = state.changes;
  if (changes === 'constraints') {
    changes = {};
    const mp = num(state.maxParams), ml = num(state.maxLayers);
    if (mp !== undefined) changes.max_parameters = mp;
    if (ml !== undefined) changes.max_layers = ml;
    if (state.required.length) changes.required_types = [...state.required];
    if (state.forbidden.length) changes.forbidden_types = [...state.forbidden];
    if (state.fixedInput) changes.fixed_input = true;
  }
  const fixed = {};
  for (const [k, s] of Object.entries(state.settings)) if (s.fixed) fixed[k] = s.value;
  const a = {
    format: 'convlab-assignment', version: 1, title: state.title, instructions: state.instructions,
    spec, changes, fixed_settings: fixed, classes: classList(state.classes),
  };
  const target = num(state.target);
  if (target !== undefined) a.accuracy_target = target;
  a.questions = state.questions.map((q) => {
    const o = { kind: q.kind };
    for (const key of ['layer', 'image', 'shift']) { const v = num(q[key]); if (v !== undefined) o[key] = v; }
    if (q.text.trim()) o.text = q.text;
    return o;
  });
  a.show_correctness = state.showCorrectness;
  return JSON.stringify(a);
}

// The engine's field name ("questions[1].layer", "changes.max_parameters", "classes[3]") -> the
// first of `slots` it falls under, from the most specific: "questions[1].layer", then
// "questions[1]", then "questions".
export function slotFor(field, slots) {
  let f = String(field ?? '');
  while (f) {
    if (slots.has(f)) return f;
    const cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
    if (cut <= 0) break;
    f = f.slice(0, cut);
  }
  return slots.has(f) ? f : '';
}
