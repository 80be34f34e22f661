// One project as one file, NAME.convlab. The format lives in core
// (core/include/convlab/project_file.h; docs/formats.md): the engine worker reads and writes it
// (projectRead, projectWrite), so the page and `convlab` give every file the same verdict. What
// stays here is the page's side: turning the page's records into core's parts and back, and
// decoding each PNG's pixels with the page's decoder (image-codec.js), as the CLI does with
// libpng: a PNG that core accepted but this decoder cannot decode is set aside as the CLI sets
// it aside (the worker does both, engine.worker.js projectRead). The page's view state (result,
// draft, runs) is checked further by records.js, as when it is read back from IndexedDB.
import * as records from './records.js';
import { fileBase } from '../file-names.js';

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

const text = (v) => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

// engine: the EngineClient. p: {name, created, classes: [{id, name}], settings, spec, draft,
// result, runs, weights: Uint8Array, images: [{classId, width, height, png, split?}], assignment
// (text), answers, submission (text)} -> the file's bytes (core's writer).
export async function writeProject(engine, p, rules) {
  const classIndex = new Map(p.classes.map((c, i) => [c.id, i]));
  const images = listedImages(p).map((im) => ({ class: classIndex.get(im.classId), width: im.width, height: im.height, split: im.split === 'test' ? 'test' : undefined, png: im.png }));
  const meta = {
    name: p.name, created: p.created, classes: p.classes.map((c) => c.name), spec: p.spec, settings: text(p.settings),
    result: text(p.result || undefined), draft: text(p.draft || undefined), runs: p.runs?.length ? text(p.runs) : undefined,
    assignment: p.assignment, answers: p.answers && Object.keys(p.answers).length ? text(p.answers) : undefined, submission: p.submission,
  };
  return engine.call('projectWrite', { meta, images, weights: p.weights });
}

// engine, bytes: Uint8Array of a .convlab file -> {name, created, classes: [{id, name}],
// settings, spec, draft, result, weights, runs, assignment (text, unchecked), answers,
// submission (text), submissionUnreadable, images: [{classId, width, height, png, split}],
// skipped: [notes]}. Throws an Error saying why the file cannot be opened.
// placeholders: an image that cannot be read stays in its place as {classIndex, unreadable: true}
// (grading: a submission's image_order counts convlab.json's entries, so the indices must hold)
export async function readProject(engine, bytes, rules, { placeholders = false } = {}) {
  const problem = await engine.call('projectSizeProblem', { size: bytes?.length ?? 0 });
  if (problem) throw new Error(problem);
  const f = await engine.call('projectRead', { bytes });
  const skipped = [...f.notes];
  const note = (r) => { if (r.problem) skipped.push(r.problem.replace('stored', 'saved')); if (r.note) skipped.push(r.note); return r.value; };
  const json = (t) => { try { return JSON.parse(t); } catch { return undefined; } };
  const classes = f.classes.map((name, i) => ({ id: i + 1, name }));
  const images = [];
  for (const im of f.images) {
    if (!im.unreadable) images.push({ classId: classes[im.class].id, width: im.width, height: im.height, png: im.png, split: im.split });
    else if (placeholders) images.push({ classIndex: im.class, unreadable: true });
  }
  return {
    name: f.name, created: f.created || Date.now(), classes,
    settings: f.settings === undefined ? undefined : json(f.settings),
    spec: f.spec,
    draft: f.draft === undefined ? undefined : note(records.readDraft(json(f.draft))),
    result: f.result === undefined ? undefined : note(records.readResult(json(f.result), rules)),
    runs: f.runs === undefined ? undefined : note(records.readRuns(json(f.runs), rules)),
    weights: f.weights, assignment: f.assignment,
    answers: f.answers === undefined ? undefined : json(f.answers),
    submission: f.submission, submissionUnreadable: !!f.submission_unreadable,
    images, skipped,
  };
}
