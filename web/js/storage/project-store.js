// storage/: what the page keeps and reads back (IndexedDB, .convlab files, PNG), every record checked on the way in.
// The projects' persistence over store.js (IndexedDB): many projects, what is kept of each
// under which key, and projects that still work for the session when the browser gives no
// storage. Everything read back is checked by records.js; what cannot be read is set aside
// (the quarantine store), named in `skipped`, and the rest opens.
//
// Interface (web/js/project.js and views/projects.js use it):
//   ProjectStore.open(rules, {checkAssignment, engine}) -> store   version 1's single project becomes
//                                             project 1; there is always at least one project.
//                                             engine: the EngineClient, which reads and writes
//                                             .convlab files (core's format, project-file.js)
//                                             checkAssignment(text) -> the engine's assignmentCheck
//                                             answer ({ok, assignment, hash} | {ok: false, field, error}):
//                                             a stored or imported assignment is read again by it
//   store.persistent, store.error            as before: error says why nothing is kept
//   listProjects() -> [{id, name, created, updated, classes: [names], images, trained, bytes}]
//                     sorted by updated, newest first
//   createProject(name) -> id; renameProject(id, name); duplicateProject(id) -> id;
//   deleteProject(id); lastProjectId() / setLastProjectId(id)
//   estimate() -> {usage, quota, persisted}; persist() -> bool    (navigator.storage)
//   pending() -> writes in flight, of every project (for beforeunload)
//   project(id) -> handle:
//     get(key), save(key, value)   value undefined deletes; bumps the project's `updated`
//     load() -> {classes, settings, result, draft, spec, weights, runs, assignment, answers, images, skipped: [messages],
//                notes: [messages]}  unusable records come back undefined with a message in
//                skipped; images [{id, classId, rgba, width, height}]
//     addImages(recs [{classId, rgba, width, height}]) -> recs with ids. Written compressed in
//                chunks of IMAGE_CHUNK, one transaction each, so a closed tab keeps the chunks
//                written; when a chunk fails the Error carries `kept`: the records written.
//     deleteImages(ids), deleteClassImages(classId), clearAll()
//   exportFile(id, name?, {submission}?) -> Blob (NAME.convlab, project-file.js). submission:
//                async (images, kept) -> the text of submission.json, given the images in the
//                file's order (each with its stored id) and what load() read: a hand-in
//                (hand-in.js), whose image_order indexes that list
//   importFile(bytes) -> {id, skipped}, or throws an Error saying what is wrong; on failure
//                nothing is written
// Keys of a project: classes [{id, name}], spec (text), specDraft {text, report}, settings,
// result, weights (safetensors bytes), camera {deviceId, label, facing} (this device's choice),
// runs (the last few runs for comparison, runs.js; in the .convlab file as runs.json),
// assignment {text, hash} (the classroom assignment the project was made from:
// assignment-project.js; in the file as assignment.json), answers {question id: number}
// (the student's answers to its questions; answers.json).
import { Store, byteSize } from './store.js';
import { MemoryStore } from './memory-store.js';
import { encodePNG } from './image-codec.js';
import * as records from './records.js';
import { writeProject, readProject, fileName, listedImages } from './project-file.js';

export const IMAGE_CHUNK = 50;
const KEYS = ['classes', 'settings', 'result', 'specDraft', 'spec', 'weights', 'camera', 'runs', 'assignment', 'answers'];

export class ProjectStore {
  static async open(rules, { checkAssignment, engine } = {}) {
    let s;
    try {
      s = new ProjectStore(await Store.open(), '', rules);
    } catch (e) {
      s = new ProjectStore(new MemoryStore(), e.message, rules);
    }
    s.checkAssignment = checkAssignment;
    s.engine = engine;  // the engine worker: reads and writes .convlab files (project-file.js)
    if (!(await s.db.projects()).length) await s.db.createProject(ProjectStore.freshName([]));
    return s;
  }

  constructor(db, error, rules) {
    this.db = db;
    this.error = error;  // why nothing is kept across reloads
    this.rules = rules;
    this.inflight = 0;
  }

  get persistent() { return !this.error; }

  static freshName(names) {
    let k = names.length + 1;
    while (names.includes(`Project ${k}`)) k++;
    return `Project ${k}`;
  }

  pending() { return this.inflight; }

  async track(p) {
    this.inflight++;
    try {
      return await p;
    } finally {
      this.inflight--;
    }
  }

  // A project name as typed: core's rule (project_file.h project_name: cleaned, visible, cut to
  // rules.project.name_max characters). -> the name, or throws when it shows nothing.
  async checkName(name) {
    const n = await this.engine.call('projectName', { name: String(name ?? ''), fallback: '' });
    if (!n) throw new Error('A project needs a name you can see: type at least one letter, digit or symbol.');
    return n;
  }

  // A name cut to the rule's length (no check: it is made from a name that passed).
  cutName(name) { return this.engine.call('projectName', { name, fallback: name }); }

  // A stored classes record: its shape (records.js), then its names by core's rule (each
  // unusable one repaired, with a note). -> {value, problem?, note?} as records.js gives.
  async readClasses(v) {
    const r = records.readClasses(v, this.rules);
    if (!r.value) return r;
    const { names, notes } = await this.engine.call('classNames', { names: r.value.map((c) => c.name) });
    if (!names) return { value: undefined, problem: records.CLASSES_PROBLEM };
    return { value: r.value.map((c, i) => ({ id: c.id, name: names[i] })), note: notes.join('; ') || undefined };
  }

  async listProjects() {
    const metas = await this.db.projects();
    const out = [];
    for (const m of metas) {
      const kv = await this.db.kvAll(m.id);
      const classes = (await this.readClasses(kv.get('classes'))).value ?? [];
      let kvBytes = 0;
      for (const v of kv.values()) kvBytes += byteSize(v);
      out.push({
        id: m.id, name: m.name, created: m.created, updated: m.updated, classes: classes.map((c) => c.name),
        images: m.images, trained: kv.get('weights') !== undefined, bytes: m.imageBytes + kvBytes,
      });
    }
    return out.sort((a, b) => b.updated - a.updated || b.id - a.id);
  }

  async createProject(name) {
    const names = (await this.db.projects()).map((m) => m.name);
    return this.track(this.db.createProject(name === undefined ? ProjectStore.freshName(names) : await this.checkName(name)));
  }

  async renameProject(id, name) { return this.track(this.db.renameProject(id, await this.checkName(name))); }

  async duplicateProject(id) {
    const meta = await this.db.meta(id);
    if (!meta) throw new Error('That project no longer exists.');
    const kv = Object.fromEntries(await this.db.kvAll(id));
    const images = (await this.db.allImages(id)).map(({ classId, width, height, png, rgba, split }) => ({ classId, width, height, png, rgba, split }));
    const name = await this.cutName(`${meta.name} (copy)`);
    return this.track(this.db.createProject(name, kv, images));
  }

  deleteProject(id) { return this.track(this.db.deleteProject(id)); }
  lastProjectId() { return this.db.getApp('lastProject'); }
  setLastProjectId(id) { return this.db.setApp('lastProject', id); }

  async estimate() {
    const s = globalThis.navigator?.storage;
    const e = s?.estimate ? await s.estimate() : {};
    const persisted = s?.persisted ? await s.persisted() : false;
    return { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
  }

  async persist() {
    const s = globalThis.navigator?.storage;
    return s?.persist ? s.persist() : false;
  }

  project(id) { return new ProjectHandle(this, id); }

  // ---- files ----
  async exportFile(id, name, { submission } = {}) {
    const meta = await this.db.meta(id);
    if (!meta) throw new Error('That project no longer exists.');
    const h = this.project(id);
    const kept = await h.load();
    const stored = new Map((await this.db.allImages(id)).map((r) => [r.id, r]));
    const images = kept.images.map((im) => ({ id: im.id, classId: im.classId, width: im.width, height: im.height, split: im.split, png: stored.get(im.id)?.png ?? encodePNG(im) }));
    const extra = submission ? await submission(listedImages({ classes: kept.classes ?? [], images }), kept) : undefined;
    const bytes = await writeProject(this.engine, {
      name: name ?? meta.name, created: meta.created, classes: kept.classes, settings: kept.settings, spec: kept.spec,
      draft: kept.draft, result: kept.result, runs: kept.runs, weights: kept.weights, images,
      assignment: kept.assignment?.text, answers: kept.answers, submission: extra,
    }, this.rules);
    return new Blob([bytes], { type: 'application/zip' });
  }

  fileName(name) { return fileName(name, this.rules); }

  // ---- test set and evaluation ----
  // A new project made in one go (the built-in dataset): classes [{id, name}], spec text and
  // images [{classId, rgba, width, height, split}], written compressed. -> id
  // settings and assignment ({text, hash}, assignment-project.js) are optional; an image may
  // come as png bytes already (from a file) instead of rgba.
  async createFrom({ name, classes, spec, images, settings, assignment }) {
    const names = (await this.db.projects()).map((m) => m.name);
    let n = await this.checkName(name);
    for (let k = 2; names.includes(n); k++) n = await this.cutName(`${name} (${k})`);
    const max = this.rules.project.max_images;
    if (images.length > max) throw new Error(`A project holds at most ${max} images and this one would have ${images.length}: use fewer starting images.`);
    const recs = images.map((im) => ({ classId: im.classId, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}), png: im.png ?? encodePNG(im) }));
    return this.track(this.db.createProject(n, { classes, spec, settings, assignment }, recs));
  }

  // A stored or imported assignment {text, hash}: does the engine read the text as that
  // assignment still? (No checker: trusted as shaped, for tools without an engine.)
  async assignmentHolds(a) {
    if (!this.checkAssignment) return true;
    const r = await this.checkAssignment(a.text);
    return !!r?.ok && (a.hash === undefined || r.hash === a.hash);
  }

  async importFile(bytes) {
    const p = await readProject(this.engine, bytes, this.rules);  // throws with the reason; nothing written yet
    const names = (await this.db.projects()).map((m) => m.name);
    let name = p.name;
    for (let k = 2; names.includes(name); k++) name = await this.cutName(`${p.name} (${k})`);
    // the file's assignment.json: read by the engine (normalised, hashed), or left out with a note
    let assignment;
    if (p.assignment !== undefined) {
      const r = this.checkAssignment ? await this.checkAssignment(p.assignment) : { ok: false, error: 'no engine to read it' };
      if (r?.ok) assignment = { text: JSON.stringify(r.assignment), hash: r.hash };
      else p.skipped.push(`the file's assignment (assignment.json) is not valid (${r?.field ? `${r.field}: ` : ''}${r?.error}); the project opens without it`);
    }
    const kv = { classes: p.classes, settings: p.settings, spec: p.spec, specDraft: p.draft, result: p.result, runs: p.runs, weights: p.weights, assignment, answers: p.answers };
    const id = await this.track(this.db.createProject(name, kv, p.images));
    return { id, skipped: p.skipped };
  }
}

class ProjectHandle {
  constructor(store, id) {
    this.store = store;
    this.id = id;
  }

  get db() { return this.store.db; }
  get rules() { return this.store.rules; }

  get(key) { return this.db.get(this.id, key); }

  // Writes one key (undefined deletes it).
  save(key, value) {
    return this.store.track(value === undefined ? this.db.del(this.id, key) : this.db.set(this.id, key, value));
  }

  // Everything kept of the project, each record checked; see the interface above.
  // images: false reads the other records only (images comes back undefined): a read-only
  // tab following a training run needs the new weights and curves, not every image again.
  async load({ images: withImages = true } = {}) {
    const kv = await this.db.kvAll(this.id);
    const raw = withImages ? await this.db.allImages(this.id) : [];
    const skipped = [], notes = [], aside = [];
    const check = (key, r) => {
      if (r.problem && kv.get(key) !== undefined) {
        skipped.push(r.problem);
        if (r.value === undefined) aside.push({ what: 'kv', key, reason: r.problem });
      }
      if (r.note) notes.push(r.note);
      return r.value;
    };
    const classes = check('classes', await this.store.readClasses(kv.get('classes')));
    const settings = check('settings', records.readSettings(kv.get('settings'), this.rules));
    const result = check('result', records.readResult(kv.get('result'), this.rules));
    const draft = check('specDraft', records.readDraft(kv.get('specDraft')));
    const spec = check('spec', records.readSpec(kv.get('spec')));
    const weights = check('weights', records.readWeights(kv.get('weights')));
    const camera = kv.get('camera') === undefined ? undefined : check('camera', records.readCamera(kv.get('camera')));
    const runs = check('runs', records.readRuns(kv.get('runs') ?? [], this.rules));
    let assignment;
    if (kv.get('assignment') !== undefined) {
      let r = records.readAssignment(kv.get('assignment'), this.rules);
      if (r.value && !(await this.store.assignmentHolds(r.value).catch(() => true))) r = { value: undefined, problem: records.ASSIGNMENT_PROBLEM };
      assignment = check('assignment', r);
    }
    const answers = kv.get('answers') === undefined ? undefined : check('answers', records.readAnswers(kv.get('answers'), this.rules));
    const images = [], legacy = [];
    let bad = 0;
    const read = await records.readImages(raw, this.rules.store.cap);
    for (const [i, rec] of raw.entries()) {
      const r = read[i];
      if (r.value) {
        images.push(r.value);
        if (r.note && !notes.includes(r.note)) notes.push(r.note);
        if (rec.png === undefined) legacy.push(r.value);
      } else {
        bad++;
        aside.push({ what: 'image', key: rec.id, reason: r.problem });
      }
    }
    if (bad) skipped.push(records.skippedImages(bad));
    if (aside.length) await this.store.track(this.db.quarantine(this.id, aside));
    if (legacy.length) this.compress(legacy);  // in the background: the project is usable now
    return { classes, settings, result, draft, spec, weights, camera, runs, assignment, answers, images: withImages ? images : undefined, skipped, notes };
  }

  // Rewrites version 1's raw images as PNG, a chunk per transaction.
  compress(list) {
    const run = async () => {
      for (let i = 0; i < list.length; i += IMAGE_CHUNK) {
        const chunk = list.slice(i, i + IMAGE_CHUNK).map((im) => ({ id: im.id, project: this.id, classId: im.classId, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}), png: encodePNG(im) }));
        await this.db.replaceImages(this.id, chunk);
      }
    };
    this.compressing = this.store.track(run()).catch(() => {});  // raw records stay readable if this fails
    return this.compressing;
  }

  // recs: [{classId, rgba, width, height}] -> the same records with ids set.
  async addImages(recs) {
    const max = this.rules.project.max_images;
    const meta = await this.db.meta(this.id);
    if (meta && meta.images + recs.length > max)
      throw Object.assign(new Error(`A project holds at most ${max} images and this one has ${meta.images}: delete some or start another project.`), { kept: [] });
    const kept = [];
    for (let i = 0; i < recs.length; i += IMAGE_CHUNK) {
      const chunk = recs.slice(i, i + IMAGE_CHUNK);
      try {
        const ids = await this.store.track(this.db.addImages(this.id, chunk.map((r) => ({ classId: r.classId, width: r.width, height: r.height, ...(r.split === 'test' ? { split: 'test' } : {}), png: encodePNG(r) }))));
        chunk.forEach((r, k) => { r.id = ids[k]; });
        kept.push(...chunk);
      } catch (e) {
        e.kept = kept;
        throw e;
      }
    }
    return recs;
  }

  deleteImages(ids) { return this.store.track(this.db.deleteImages(this.id, ids)); }
  deleteClassImages(classId) { return this.store.track(this.db.deleteClassImages(this.id, classId)); }
  clearAll() { return this.store.track(this.db.clearProject(this.id)); }
}
