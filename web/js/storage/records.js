// Every record read from IndexedDB or from a .convlab file is outside input: these functions
// check one record each against the engine's rules (rules.js) and return
//   {value, problem?, note?}
// value is the record as the page may use it, or undefined when it is unusable (then the
// caller uses its default and shows `problem`); a record that could be repaired (a duplicate
// class name) comes back repaired with a `note` saying what changed. Nothing here throws on
// bad data and nothing restates a limit: the numbers come from rules.
import { decodePNG, decodePNGs } from './image-codec.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
const isInt = (v) => Number.isInteger(v);

export function bytesOf(v) {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

// classes: [{id, name}] in label order: the record's shape (whole, distinct ids; the rules'
// number of classes). The names themselves are checked and repaired by core's one rule
// (project_file.h read_class_names, the engine's classNames), as a project file's are:
// project-store.js readClasses. -> {value: [{id, name}] with the names as stored} or {problem}.
export const CLASSES_PROBLEM = 'the stored list of classes was not readable; a fresh pair of classes is used (the images are kept aside)';
export function readClasses(v, rules) {
  const { min, max } = rules.classes;
  const unreadable = { value: undefined, problem: CLASSES_PROBLEM };
  if (!Array.isArray(v) || v.length < min || v.length > max) return unreadable;
  const ids = new Set();
  for (const c of v) {
    if (!isObject(c) || !isInt(c.id) || c.id < 1 || ids.has(c.id)) return unreadable;
    ids.add(c.id);
  }
  return { value: v.map((c) => ({ id: c.id, name: c.name })) };
}

// settings: the training settings, only the keys the engine knows, each of its type and
// within its range; anything else is dropped (so a string never spreads into junk keys).
export function readSettings(v, rules) {
  if (!isObject(v)) return { value: undefined, problem: 'the stored training settings were not readable; the defaults are used' };
  const { defaults, fields, optimizers } = rules.train;
  const out = {}, dropped = [];
  for (const [key, value] of Object.entries(v)) {
    const d = defaults[key];
    const f = fields[key];
    let ok = d !== undefined && typeof value === typeof d;
    if (ok && typeof d === 'number') ok = Number.isFinite(value) && (!f || (value >= f.min && value <= f.max && (f.step !== 1 || isInt(value))));
    if (ok && key === 'optimizer') ok = optimizers.includes(value);
    if (ok) out[key] = value;
    else dropped.push(key);
  }
  const problem = dropped.length ? `some stored training settings were not readable (${dropped.slice(0, 5).join(', ')}); their defaults are used` : undefined;
  return { value: out, problem };
}

const numOrNull = (x) => x === null || typeof x === 'number';

// result: {history: [{epoch, train_loss, train_acc, val_loss, val_acc}], confusion: flat n x n,
// classes: [names], ...} of the last training.
export function readResult(v, rules) {
  const problem = 'the stored training curves were not readable; train again to see them';
  if (!isObject(v) || !Array.isArray(v.history) || v.history.length > rules.train.fields.epochs.max) return { value: undefined, problem };
  for (const e of v.history)
    if (!isObject(e) || typeof e.train_loss !== 'number' || typeof e.train_acc !== 'number' || !numOrNull(e.val_loss) || !numOrNull(e.val_acc)) return { value: undefined, problem };
  if (v.confusion !== undefined) {
    const c = v.confusion, n = Math.round(Math.sqrt(c?.length ?? -1));
    if (!Array.isArray(c) || n * n !== c.length || n > rules.classes.max || c.some((x) => !isInt(x) || x < 0)) return { value: undefined, problem };
  }
  if (v.classes !== undefined && (!Array.isArray(v.classes) || v.classes.some((x) => typeof x !== 'string'))) return { value: undefined, problem };
  if (v.spec !== undefined && typeof v.spec !== 'string') return { value: undefined, problem };
  if (v.val_ids !== undefined && (!Array.isArray(v.val_ids) || v.val_ids.length > rules.project.max_images || v.val_ids.some((x) => !isInt(x) && typeof x !== 'string'))) {
    const { val_ids, ...rest } = v;  // which images were validation: only for the drilldown
    v = rest;
  }
  // ---- classroom assignments: what a hand-in records (the image ids in the order the
  // engine trained on them, and the settings of that run); a broken one is dropped (Hand in
  // then asks to train again), the curves are kept ----
  const ids = (x) => Array.isArray(x) && x.length <= rules.project.max_images && x.every((i) => isInt(i) || typeof i === 'string');
  if ((v.train_ids !== undefined && !ids(v.train_ids)) || (v.settings !== undefined && readSettings(v.settings, rules).problem !== undefined)) {
    const { train_ids, settings, ...rest } = v;
    v = rest;
  }
  if (v.filters !== undefined && !readFilters(v.filters, rules)) {  // the filters kept across training
    const { filters, ...rest } = v;
    return { value: rest, note: 'The first-layer filters kept across training were not readable and were dropped; train again to see them form.' };
  }
  return { value: v };
}

// runs: the last rules.runs.kept training runs (runs.js), each {at, settings: {key: number |
// boolean | short string}, summary: {params, layers: [string]}, history: [{train_loss,
// train_acc, val_loss, val_acc}], stopped?: {by, epoch}}. Any part unreadable sets the whole record aside: the
// earlier curves are a comparison aid, not worth a half-trusted overlay.
export function readRuns(v, rules) {
  const problem = 'the earlier training runs kept for comparison were not readable and were set aside; the next runs start a new comparison';
  const { kept, epochs_kept: epochsKept, layers_kept: layersKept } = rules.runs;
  const shortText = (x) => typeof x === 'string' && x.length <= 64;
  if (!Array.isArray(v) || v.length > kept) return { value: undefined, problem };
  for (const r of v) {
    if (!isObject(r) || typeof r.at !== 'number' || !isObject(r.settings) || !isObject(r.summary) || !Array.isArray(r.history)) return { value: undefined, problem };
    const entries = Object.entries(r.settings);
    if (entries.length > 32 || entries.some(([k, x]) => k.length > 64 || !(shortText(x) || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))))) return { value: undefined, problem };
    const { params, layers } = r.summary;
    if (!isInt(params) || params < 0 || !Array.isArray(layers) || layers.length > layersKept || !layers.every(shortText)) return { value: undefined, problem };
    if (r.history.length > epochsKept) return { value: undefined, problem };
    // stopped (optional): {by: "stop" | "reload", epoch: whole number up to the most epochs a run has}
    if (r.stopped !== undefined && (!isObject(r.stopped) || !['stop', 'reload'].includes(r.stopped.by) || !isInt(r.stopped.epoch) || r.stopped.epoch < 0 || r.stopped.epoch > rules.train.fields.epochs.max)) return { value: undefined, problem };
    for (const e of r.history)
      if (!isObject(e) || !numOrNull(e.val_loss) || !numOrNull(e.val_acc) || !numOrNull(e.train_loss ?? null) || !numOrNull(e.train_acc ?? null)) return { value: undefined, problem };
  }
  return { value: v };
}

// Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
// result.filters: {layer, shape: [c_out, c_in, k, k], epochs: [0, ...] rising, weights: [[c_out*c_in*k*k
// finite numbers] per epoch]}, at most rules.looks.filter_epochs_kept epochs (core's
// looks::FilterHistory as train's final progress carries it). -> true when usable.
export function readFilters(f, rules) {
  if (!isObject(f) || !isInt(f.layer) || f.layer < 0 || !Array.isArray(f.shape) || f.shape.length !== 4) return false;
  if (f.shape.some((d) => !isInt(d) || d < 1)) return false;
  const size = f.shape.reduce((a, b) => a * b, 1);
  if (size > rules.budget.max_params) return false;
  const { epochs, weights } = f;
  if (!Array.isArray(epochs) || !Array.isArray(weights) || epochs.length !== weights.length) return false;
  if (epochs.length < 1 || epochs.length > rules.looks.filter_epochs_kept) return false;
  for (let i = 0; i < epochs.length; i++) {
    if (!isInt(epochs[i]) || epochs[i] < 0 || (i > 0 && epochs[i] <= epochs[i - 1])) return false;
    const w = weights[i];
    if (!(Array.isArray(w) || w instanceof Float32Array) || w.length !== size) return false;
    for (const x of w) if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
}

// spec: the model's JSON text (the engine checks the model itself).
export function readSpec(v) {
  if (typeof v !== 'string') return { value: undefined, problem: 'the stored model was not readable; the default model is used' };
  try {
    if (!isObject(JSON.parse(v))) throw new Error('not an object');
  } catch {
    return { value: undefined, problem: 'the stored model was not readable; the default model is used' };
  }
  return { value: v };
}

// draft: {text, report} of a spec the engine refused (report.ok false, with its message).
export function readDraft(v) {
  if (isObject(v) && typeof v.text === 'string' && isObject(v.report) && v.report.ok === false && typeof v.report.error === 'string')
    return { value: v };
  return { value: undefined, problem: 'a model you were editing could not be read and was dropped' };
}

// camera: the camera chosen for a project on this device, {deviceId, label, facing}: a
// deviceId from enumerateDevices, or facing 'user' / 'environment' (front / back on phones
// and tablets, asked for by facingMode), or neither (the browser's default camera).
export const FACING = ['', 'user', 'environment'];
export function readCamera(v) {
  const text = (s, max) => typeof s === 'string' && s.length <= max;
  if (isObject(v) && text(v.deviceId, 512) && text(v.label, 200) && FACING.includes(v.facing) && !(v.deviceId && v.facing))
    return { value: { deviceId: v.deviceId, label: v.label, facing: v.facing } };
  return { value: undefined, problem: 'the camera chosen for this project was not readable; the default camera is used' };
}

// weights: safetensors bytes (the engine checks them when it loads them).
export function readWeights(v) {
  const b = bytesOf(v);
  if (!b || b.length < 8) return { value: undefined, problem: 'the saved trained model was not readable; train again' };
  return { value: b };
}

// ---- test set and evaluation ----
// An image's split: 'train' (absent in records written before test sets existed) or 'test',
// an image kept apart from training and validation. Any other value is read as 'test' with a
// note: an image of unknown standing is never trained on, and nothing is lost.
// -> {value: 'train' | 'test', note?}
export function readSplit(v) {
  if (v === undefined || v === 'train') return { value: 'train' };
  if (v === 'test') return { value: 'test' };
  return { value: 'test', note: 'an image had an unreadable split and was put in the test set (never trained on)' };
}

// A stored image: {id, classId, width, height} with png (PNG bytes) or, as written before
// images were compressed, rgba (width x height x 4 bytes). maxSide: rules.store.cap.
// -> {value: {id, classId, rgba, width, height}} or {problem}.
export function readImage(rec, maxSide) {
  const bad = (why) => ({ value: undefined, problem: why });
  if (!isObject(rec) || !isInt(rec.classId)) return bad('no class');
  const { width, height } = rec;
  if (!isInt(width) || !isInt(height) || width < 1 || height < 1 || width > maxSide || height > maxSide) return bad(`size ${width}x${height}`);
  if (rec.png !== undefined) {
    const png = bytesOf(rec.png);
    if (!png) return bad('no bytes');
    let im;
    try {
      im = decodePNG(png, maxSide);
    } catch (e) {
      return bad(e.message);
    }
    if (im.width !== width || im.height !== height) return bad(`its PNG is ${im.width}x${im.height}, its record says ${width}x${height}`);
    return withSplit({ id: rec.id, classId: rec.classId, rgba: im.rgba, width, height }, rec.split);
  }
  const rgba = bytesOf(rec.rgba);
  if (!rgba || rgba.length !== width * height * 4) return bad(`${rgba?.length ?? 0} bytes for ${width}x${height}`);
  return withSplit({ id: rec.id, classId: rec.classId, rgba: new Uint8Array(rgba), width, height }, rec.split);
}

// Many stored images, as readImage checks one, with their PNGs decoded together (decodePNGs:
// the browser's decoder where it is exact). -> [{value} or {problem}] in the same order.
export async function readImages(recs, maxSide) {
  const pngs = recs.map((rec) => (isObject(rec) && rec.png !== undefined ? bytesOf(rec.png) : null));
  const decoded = await decodePNGs(pngs.map((p) => p ?? undefined), maxSide);
  return recs.map((rec, i) => {
    if (!pngs[i]) return readImage(rec, maxSide);  // no PNG: a version 1 record, or broken
    const { width, height } = rec;
    if (!isInt(rec.classId)) return { value: undefined, problem: 'no class' };
    if (!isInt(width) || !isInt(height) || width < 1 || height < 1 || width > maxSide || height > maxSide) return { value: undefined, problem: `size ${width}x${height}` };
    const im = decoded[i];
    if (im instanceof Error) return { value: undefined, problem: im.message };
    if (im.width !== width || im.height !== height) return { value: undefined, problem: `its PNG is ${im.width}x${im.height}, its record says ${width}x${height}` };
    return withSplit({ id: rec.id, classId: rec.classId, rgba: im.rgba, width, height }, rec.split);
  });
}

// The image value with its split (readSplit), and readSplit's note when there is one.
function withSplit(value, split) {
  const r = readSplit(split);
  return r.note ? { value: { ...value, split: r.value }, note: r.note } : { value: { ...value, split: r.value } };
}

// "1 image could not be read and was skipped" / "3 images could not ..."
export function skippedImages(n) {
  return n === 1 ? '1 image could not be read and was skipped' : `${n} images could not be read and were skipped`;
}

// ---- classroom assignments ----
// assignment: {text, hash} of the assignment a project was made from (the normalised JSON
// the engine's assignmentCheck gave, and its hash). Only the shape is checked here; the
// store then has the engine read the text again and compare the hash (project-store.js load),
// so a changed or damaged record opens the project without it.
const HASH = /^[0-9a-f]{64}$/;
export const ASSIGNMENT_PROBLEM = 'the assignment this project was made from could not be read; the project opens without it (it was set aside, nothing else is changed)';
export function readAssignment(v, rules) {
  if (isObject(v) && typeof v.text === 'string' && v.text.length > 0 && v.text.length <= rules.assignment.max_bytes && typeof v.hash === 'string' && HASH.test(v.hash))
    return { value: { text: v.text, hash: v.hash } };
  return { value: undefined, problem: ASSIGNMENT_PROBLEM };
}

// answers: {question id: number} the student typed for the assignment's questions. Entries
// that are not a short id with a finite number are dropped with a note; the rest are kept.
export function readAnswers(v, rules) {
  const a = rules.assignment;
  if (!isObject(v)) return { value: undefined, problem: 'the answers typed for the assignment were not readable and were dropped' };
  const out = {};
  let bad = 0;
  for (const [id, x] of Object.entries(v)) {
    if (Object.keys(out).length < a.max_questions && id.length > 0 && id.length <= a.question_id_max && typeof x === 'number' && Number.isFinite(x)) out[id] = x;
    else bad++;
  }
  return bad ? { value: out, note: `${bad} of the answers typed for the assignment were not readable and were dropped` } : { value: out };
}
