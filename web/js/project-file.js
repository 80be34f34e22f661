// One project as one file, NAME.convlab: a zip (written with fflate) that any unzip tool opens,
// documented in the README ("The .convlab project file"):
//   convlab.json         {format: "convlab-project", version, name, created, classes: [names in
//                        label order], image_count, images: [{file, class, width, height, split?}]}
//                        (split "test": a test-set image; absent: a training image)
//   spec.json            the model spec (JSON text, as the page keeps it)
//   settings.json        the training settings, seed included
//   result.json          the last training's curves (history), confusion matrix, classes, spec
//   draft.json           a refused spec being edited {text, report} (optional)
//   runs.json            the last few runs kept for comparison (runs.js; optional, a few KB)
//   weights.safetensors  the trained weights (optional), as "Save weights" writes them
//   assignment.json      the classroom assignment the project was made from (optional; core's
//                        format, assignment.h), as the engine normalised it
//   answers.json         the student's answers to its questions, {question id: number} (optional)
//   submission.json      a hand-in's manifest (core's, assignment.h; only in NAME-submission.convlab)
//   images/<class>/<n>.png   every image as stored (the same PNG bytes, image-codec.js)
// The reader treats the file as hostile: every size is checked in the central directory before
// anything is inflated (against rules.project), what is inflated is bounded by the size the
// directory declared (a lying entry is stopped, not trusted) and checked by its CRC-32, and every
// record goes through records.js. It throws an Error whose message says what is wrong.
import { zipSync, Inflate, strToU8, strFromU8 } from './fflate.js';
import { crc32, decodePNG } from './image-codec.js';
import * as records from './records.js';
import { fileBase } from './file-names.js';

export const FORMAT = 'convlab-project';
const MANIFEST = 'convlab.json';
const MTIME = new Date(1980, 0, 1, 12);  // fixed: the same project gives the same file
const MB = (n) => `${Math.ceil(n / 2 ** 20)} MB`;

// The file name for a project name (file-names.js, the same rule as Download model's).
export const fileName = (name, rules) => `${fileBase(name, rules.file_names.project, rules)}.convlab`;
// A hand-in's name (issue 14's contract): NAME-submission.convlab, the same NAME.
export const submissionFileName = (name, rules) => `${fileBase(name, rules.file_names.project, rules)}-submission.convlab`;

// The images the file lists, in its order (convlab.json's `images`): an image of a deleted
// class is not part of the project. A submission's image_order indexes this list.
export function listedImages(p) {
  const ids = new Set(p.classes.map((c) => c.id));
  return p.images.filter((im) => ids.has(im.classId));
}

const json = (v) => [strToU8(JSON.stringify(v)), { level: 6 }];

// p: {name, created, classes: [{id, name}], settings, spec, draft, result, runs, weights: Uint8Array,
// images: [{classId, width, height, png, split?}], assignment (text), answers, submission (text)}
// -> the file's bytes.
export function writeProject(p, rules) {
  const classIndex = new Map(p.classes.map((c, i) => [c.id, i]));
  const counts = p.classes.map(() => 0);
  const files = {};
  const list = [];
  for (const im of listedImages(p)) {
    const k = classIndex.get(im.classId);
    const file = `images/${k}/${String(++counts[k]).padStart(6, '0')}.png`;
    files[file] = [im.png, { level: 0 }];  // PNG is deflated already
    // split only for a test image: a training image's entry is as before test sets existed
    list.push({ file, class: k, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}) });
  }
  const manifest = {
    format: FORMAT, version: rules.project.format_version, name: p.name, created: p.created,
    classes: p.classes.map((c) => c.name), image_count: list.length, images: list,
  };
  const out = { [MANIFEST]: json(manifest) };
  if (p.spec !== undefined) out['spec.json'] = [strToU8(p.spec), { level: 6 }];
  if (p.settings !== undefined) out['settings.json'] = json(p.settings);
  if (p.result) out['result.json'] = json(p.result);
  if (p.draft) out['draft.json'] = json(p.draft);
  if (p.runs?.length) out['runs.json'] = json(p.runs);
  if (p.weights) out['weights.safetensors'] = [p.weights, { level: 6 }];
  if (p.assignment !== undefined) out['assignment.json'] = [strToU8(p.assignment), { level: 6 }];
  if (p.answers && Object.keys(p.answers).length) out['answers.json'] = json(p.answers);
  if (p.submission !== undefined) out['submission.json'] = [strToU8(p.submission), { level: 6 }];
  return zipSync({ ...out, ...files }, { mtime: MTIME });
}

// ---- reading ----
const fail = (msg) => { throw new Error(msg); };
const NOT_OURS = 'This is not a ConvLab project file (.convlab): open a file that ConvLab saved with "Save project as file".';

// A ZIP64 entry's real uncompressed size (extra field 0x0001), only to name it in a message:
// ConvLab never writes ZIP64 and never reads an entry that large.
function zip64Size(v, at, len) {
  for (let q = at; q + 4 <= at + len;) {
    const id = v.getUint16(q, true), n = v.getUint16(q + 2, true);
    if (id === 1 && n >= 8 && q + 12 <= at + len) return Number(v.getBigUint64(q + 4, true));
    q += 4 + n;
  }
  return undefined;
}

// The zip's central directory, each entry checked against the file's bounds and the limits.
function directory(bytes, limits) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  const isZip = n >= 4 && v.getUint32(0, true) === 0x04034b50;
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) fail(isZip ? 'The project file is damaged or incomplete (its end is missing: was the download cut short?). Nothing was changed.' : NOT_OURS);
  const count = v.getUint16(eocd + 10, true), cdSize = v.getUint32(eocd + 12, true), cdOffset = v.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) fail('The project file uses ZIP64, which ConvLab never writes: it is not a ConvLab project file, or it is damaged.');
  const maxEntries = limits.max_images + 8;
  if (count > maxEntries) fail(`The project file claims ${count} entries; a project holds at most ${limits.max_images} images. Nothing was changed.`);
  if (cdOffset + cdSize > eocd) fail('The project file is damaged (its table of contents points outside the file). Nothing was changed.');
  const entries = new Map();
  let total = 0;
  for (let i = 0, p = cdOffset; i < count; i++) {
    if (p + 46 > cdOffset + cdSize || v.getUint32(p, true) !== 0x02014b50) fail('The project file is damaged (its table of contents is broken). Nothing was changed.');
    const flags = v.getUint16(p + 8, true), method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true), csize = v.getUint32(p + 20, true), usize = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true), commentLen = v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true);
    if (p + 46 + nameLen > cdOffset + cdSize) fail('The project file is damaged (its table of contents is broken). Nothing was changed.');
    const name = strFromU8(bytes.subarray(p + 46, p + 46 + nameLen));
    let claimed = usize;
    if (usize === 0xffffffff) claimed = zip64Size(v, p + 46 + nameLen, Math.min(extraLen, cdOffset + cdSize - p - 46 - nameLen)) ?? usize;
    p += 46 + nameLen + extraLen + commentLen;
    if (claimed > limits.max_entry_bytes) fail(`The project file's entry ${name} claims ${MB(claimed)}; an entry is at most ${MB(limits.max_entry_bytes)}. Nothing was changed.`);
    if (flags & 1) fail('The project file is encrypted; ConvLab writes no encrypted files.');
    if (method !== 0 && method !== 8) fail(`The project file's entry ${name} uses a compression ConvLab does not read (method ${method}).`);
    if (method === 0 && csize !== usize) fail(`The project file is damaged (entry ${name} has two different sizes). Nothing was changed.`);
    if (usize > limits.max_entry_bytes) fail(`The project file's entry ${name} claims ${MB(usize)}; an entry is at most ${MB(limits.max_entry_bytes)}. Nothing was changed.`);
    total += usize;
    if (total > limits.max_unpacked_bytes) fail(`The project file would unpack to more than ${MB(limits.max_unpacked_bytes)}, the most ConvLab opens. Nothing was changed.`);
    if (entries.has(name)) fail(`The project file is damaged (entry ${name} appears twice). Nothing was changed.`);
    if (local + 30 > cdOffset || v.getUint32(local, true) !== 0x04034b50) fail(`The project file is damaged (entry ${name} is missing). Nothing was changed.`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + csize > cdOffset) fail(`The project file is damaged or incomplete (entry ${name} is cut short). Nothing was changed.`);
    entries.set(name, { name, method, crc, csize, usize, start });
  }
  return entries;
}

// What the last readProject call allocated for entries (bytes in all, and the largest one):
// the property test checks that a hostile file never gets more than the limits.
export const readStats = { allocated: 0, largest: 0 };

// An entry's bytes: never more than its declared size is produced (deflate is fed in small
// pieces and stopped once the output passes the declaration), and its CRC-32 must match.
function unpack(bytes, e, limit = e.usize) {
  if (e.usize > limit) fail(`The project file's ${e.name} is ${MB(e.usize)}; at most ${MB(limit)} is allowed. Nothing was changed.`);
  const damaged = () => fail(`The project file is damaged (entry ${e.name} does not unpack to what it claims). Nothing was changed.`);
  const data = bytes.subarray(e.start, e.start + e.csize);
  let out;
  if (e.method === 0) {
    out = data;
  } else {
    out = new Uint8Array(e.usize);
    readStats.allocated += e.usize;
    readStats.largest = Math.max(readStats.largest, e.usize);
    let n = 0;
    const inf = new Inflate((chunk) => {
      if (n + chunk.length > e.usize) damaged();
      out.set(chunk, n);
      n += chunk.length;
    });
    const PIECE = 1 << 14;  // a 16 KB piece inflates to at most ~16 MB
    try {
      for (let i = 0; i < data.length; i += PIECE) inf.push(data.subarray(i, i + PIECE), i + PIECE >= data.length);
      if (!data.length) inf.push(data, true);
    } catch (err) {
      if (err.message.startsWith('The project file')) throw err;
      damaged();
    }
    if (n !== e.usize) damaged();
  }
  if (crc32(out) !== e.crc) fail(`The project file is damaged (entry ${e.name} fails its checksum). Nothing was changed.`);
  return out;
}

function readJson(bytes, entries, name, limits) {
  const e = entries.get(name);
  if (!e) return undefined;
  const text = strFromU8(unpack(bytes, e, limits.max_json_bytes));
  try {
    return { value: JSON.parse(text), text };
  } catch {
    return { value: undefined, text, broken: true };
  }
}

// bytes: Uint8Array of a .convlab file -> {name, created, classes: [{id, name}], settings, spec,
// draft, result, weights, runs, assignment (text, unchecked), answers, images: [{classId, width,
// height, png}], skipped: [messages]}
// placeholders: an image that cannot be read stays in its place as {classIndex, unreadable: true}
// (grading: a submission's image_order counts convlab.json's entries, so the indices must hold)
export function readProject(bytes, rules, { placeholders = false } = {}) {
  const limits = rules.project;
  readStats.allocated = readStats.largest = 0;
  if (!(bytes instanceof Uint8Array) || !bytes.length) fail('The file is empty.');
  if (bytes.length > limits.max_file_bytes) fail(`The file is ${MB(bytes.length)}; a project file is at most ${MB(limits.max_file_bytes)}. Nothing was changed.`);
  const entries = directory(bytes, limits);
  const m = readJson(bytes, entries, MANIFEST, limits);
  if (!m) fail(NOT_OURS);
  const man = m.value;
  if (m.broken || !man || typeof man !== 'object' || man.format !== FORMAT) fail(NOT_OURS);
  if (!Number.isInteger(man.version) || man.version < 1) fail('The project file has no valid format version: it is damaged.');
  if (man.version > limits.format_version)
    fail(`The project file was saved by a newer ConvLab (format version ${man.version}); this one reads versions up to ${limits.format_version}. Open it in a newer ConvLab.`);
  const claimed = man.image_count;
  if (!Number.isInteger(claimed) || claimed < 0) fail('The project file is damaged (its number of images is missing).');
  if (claimed > limits.max_images) fail(`The project file claims ${claimed} images; a project holds at most ${limits.max_images}. Nothing was changed.`);
  if (!Array.isArray(man.images) || man.images.length !== claimed) fail('The project file is damaged (its list of images does not match its number of images).');

  const skipped = [];
  const named = (r) => { if (r.problem) skipped.push(r.problem.replace('stored', 'saved')); if (r.note) skipped.push(r.note); return r.value; };
  const classes = named(records.readClasses(Array.isArray(man.classes) ? man.classes.map((name, i) => ({ id: i + 1, name })) : man.classes, rules));
  if (!classes) fail(`The project file's classes are not readable (it needs ${rules.classes.min} to ${rules.classes.max} named classes): it is damaged.`);
  let name = 'Imported project';
  if (typeof man.name === 'string' && !/^[\p{White_Space}\p{Cf}\p{Cc}\p{M}]*$/u.test(man.name)) name = records.cutGraphemes(man.name.trim(), limits.name_max).text;
  const created = Number.isFinite(man.created) ? man.created : Date.now();

  const optional = (file, read, problem) => {
    const j = readJson(bytes, entries, file, limits);
    if (!j) return undefined;
    if (j.broken) { skipped.push(problem); return undefined; }
    return named(read(j));
  };
  const settings = optional('settings.json', (j) => records.readSettings(j.value, rules), 'the saved training settings were not readable; the defaults are used');
  const result = optional('result.json', (j) => records.readResult(j.value, rules), 'the saved training curves were not readable');
  const draft = optional('draft.json', (j) => records.readDraft(j.value), 'a model being edited could not be read and was dropped');
  const runs = optional('runs.json', (j) => records.readRuns(j.value, rules), 'the saved earlier runs (for comparison) were not readable and were dropped');
  let spec;
  if (entries.has('spec.json')) spec = named(records.readSpec(strFromU8(unpack(bytes, entries.get('spec.json'), limits.max_json_bytes))));
  let weights;
  if (entries.has('weights.safetensors')) weights = named(records.readWeights(unpack(bytes, entries.get('weights.safetensors'))));
  // the assignment's text only: the engine reads it (project-store.js importFile)
  let assignment;
  if (entries.has('assignment.json')) {
    try {
      assignment = strFromU8(unpack(bytes, entries.get('assignment.json'), rules.assignment.max_bytes));
    } catch (e) {
      skipped.push(`the file's assignment (assignment.json) was not readable (${e.message.replace(/ Nothing was changed\.$/, '')}); the project opens without it`);
    }
  }
  const answers = optional('answers.json', (j) => records.readAnswers(j.value, rules), 'the saved answers to the assignment were not readable and were dropped');

  const images = [];
  let bad = 0;
  const cap = rules.store.cap;
  for (const im of man.images) {
    const e = im && typeof im.file === 'string' ? entries.get(im.file) : undefined;
    try {
      if (!e || !Number.isInteger(im.class) || im.class < 0 || im.class >= classes.length) throw new Error('no such image');
      const png = unpack(bytes, e, cap * cap * 8 + 4096);  // a PNG of a stored image is never larger
      const d = decodePNG(png, cap);
      if (d.width !== im.width || d.height !== im.height) throw new Error('size');
      const split = records.readSplit(im.split);  // a broken split: kept, in the test set, with a note
      if (split.note && !skipped.includes(split.note)) skipped.push(split.note);
      images.push({ classId: classes[im.class].id, width: d.width, height: d.height, png, split: split.value });
    } catch {
      bad++;  // a missing, damaged or oversized image: the rest of the project opens
      if (placeholders) images.push({ classIndex: Number.isInteger(im?.class) ? im.class : -1, unreadable: true });
    }
  }
  if (bad) skipped.push(records.skippedImages(bad));
  return { name, created, classes, settings, spec, draft, result, weights, runs, assignment, answers, images, skipped };
}

// Named JSON/text entries of a .convlab file (a submission's assignment.json and
// submission.json, an assignment handed out as a project file), each checked as readProject
// checks its own (the directory first, at most rules.project.max_json_bytes, its CRC-32):
// -> {name: text} with a missing entry left out. Throws an Error saying what is wrong.
export function readEntryTexts(bytes, rules, names) {
  const limits = rules.project;
  if (!(bytes instanceof Uint8Array) || !bytes.length) fail('The file is empty.');
  if (bytes.length > limits.max_file_bytes) fail(`The file is ${MB(bytes.length)}; a project file is at most ${MB(limits.max_file_bytes)}. Nothing was changed.`);
  const entries = directory(bytes, limits);
  const out = {};
  for (const name of names) {
    const e = entries.get(name);
    if (e) out[name] = strFromU8(unpack(bytes, e, limits.max_json_bytes));
  }
  return out;
}
