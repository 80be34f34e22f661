// The project the student works on: classes, images, spec, settings, the training state,
// trained weights and curves, held in memory and checked against the engine's rules
// (rules.classes, rules.train; fetched once, see rules.js). Every change is written to
// storage first (project-store.js, one handle per project), then announced to the other tabs
// (tabs.js); the worker's copy of the images is re-sent when stale (worker-sync.js). The class
// rule on the spec (one output per class) is the engine's too: checkSpec and fitSpec take the
// class count. A tab that does not hold the project's lock is read-only: every write is
// refused with a message, and refresh() follows what the editing tab writes.
// The methods on the classes and images are in project-classes.js, those on the model (spec,
// weights, training results) in project-model.js; both are Project's own (see the end).
import { ProjectStore } from './storage/project-store.js';
import { WorkerSync } from './engine/worker-sync.js';
import { ProjectClasses } from './project-classes.js';
import { ProjectModel } from './project-model.js';

export const READ_ONLY = 'This project is open in another tab, which edits it: this tab only shows it. Use "Edit here" to take over.';

// A {text, report} draft as the views need it, or null for anything else.
function validDraft(d) {
  return d && typeof d === 'object' && typeof d.text === 'string' && d.report && typeof d.report === 'object' &&
    typeof d.report.error === 'string' && Number.isInteger(d.report.error_layer) ? d : null;
}

export class Project {
  constructor(engine, events, rules, tabs) {
    this.engine = engine;
    this.events = events;
    this.rules = rules;
    this.tabs = tabs;             // tabs.js: the lock on this project and the change notices
    this.stores = null;           // ProjectStore: every project (set by openStores())
    this.store = null;            // this project's handle
    this.id = null;
    this.readOnly = false;        // another tab edits this project
    this.skipped = [];            // what the last load set aside, as messages
    this.notes = [];              // what the last load changed on the way (a migration, ...)
    this.modelProblem = '';       // why the stored model was not loaded ('' when it was, or none)
    this.writes = 0;              // writes of this project in flight (beforeunload)
    this.worker = new WorkerSync(engine, { idle: () => this.trainingState === 'idle' });
    this.classes = [];            // [{id, name}] in label order
    this.images = new Map();      // classId -> [{id, rgba, width, height}]
    this.testImages = new Map();  // classId -> [{id, rgba, width, height}]: the test set, never trained on
    this.spec = '';
    this.info = null;             // the engine's per-layer table of this.spec, with stored_size
    this.settings = { ...rules.train.defaults };
    this.trained = false;         // the worker holds weights trained for this.spec
    this.result = null;           // {history, confusion, classes, ...} of the last training
    this.runs = [];               // the last few runs for comparison (runs.js), the newest last
    this.nextClassId = 1;
    // The one training state ('running' | 'paused' | 'idle'): set by the Train view's run,
    // read by every view (the model and labels are frozen while it is not idle).
    this.trainingState = 'idle';
    this.draft = null;            // {text, report}: the last spec typed that the engine refused
    this.camera = null;           // {deviceId, label, facing}: the camera chosen (records.readCamera), null: default
    // The classroom assignment the project was made from (assignment-project.js): {text, hash,
    // assignment (the parsed normalised JSON)} or null; answers {question id: number}.
    this.assignment = null;
    this.answers = {};
  }

  get training() { return this.trainingState !== 'idle'; }
  get persistent() { return this.stores.persistent; }
  get storeError() { return this.stores.error; }
  // Something not yet on disk: a write in flight (here or in the store) or a checkpoint.
  get pendingWrites() { return this.writes + (this.stores?.pending?.() ?? 0); }

  setTrainingState(state) {
    this.trainingState = state;
    this.emit('training-state', { state });
  }

  guard(what) {
    if (this.training) throw new Error(`Training is running: stop it before you ${what}.`);
  }

  emit(name, detail = {}) { this.events.dispatchEvent(new CustomEvent(name, { detail })); }

  writable() { if (this.readOnly) throw new Error(READ_ONLY); }

  // Every write of this project: refused in a read-only tab, counted while in flight, and
  // announced to the other tabs once it is on disk.
  async write(keys, fn) {
    this.writable();
    this.writes++;
    try {
      const r = await fn();
      this.tabs?.changed(this.id, keys);
      return r;
    } finally {
      this.writes--;
    }
  }

  save(key, value) { return this.write([key], () => this.store.save(key, value)); }

  async defaultSpec(classes) { return (await this.engine.call('defaultSpec', { classes })).spec; }

  freshClasses() {
    this.classes = this.rules.classes.default_names.map((name, i) => ({ id: i + 1, name }));
    this.nextClassId = this.classes.length + 1;
    this.images = new Map(this.classes.map((c) => [c.id, []]));
    this.testImages = new Map();
  }

  async openStores() {
    // a stored or imported assignment is read again by the engine (normalised, hashed)
    const checkAssignment = (text) => this.engine.call('assignmentCheck', { text });
    this.stores = await ProjectStore.open(this.rules, { checkAssignment, engine: this.engine });
    return this.stores;
  }

  // Opens project `id` (this tab's last one, else the store's last one, else the newest,
  // else a new one), claiming it for this tab unless another tab edits it.
  async open(id) {
    const list = await this.stores.listProjects();
    // ids come back as the store made them; sessionStorage gives them back as text
    const find = (x) => (x === null || x === undefined ? undefined : list.find((p) => String(p.id) === String(x))?.id);
    id = find(id) ?? find(await this.stores.lastProjectId()) ?? list[0]?.id;
    if (id === undefined) id = await this.stores.createProject();
    this.id = id;
    this.store = this.stores.project(id);
    this.readOnly = this.tabs ? !(await this.tabs.claim(id)) : false;
    if (!this.readOnly) await this.stores.setLastProjectId(id);
    await this.load();
  }

  // The project's name as the list shows it.
  async name() {
    return (await this.stores.listProjects()).find((p) => p.id === this.id)?.name ?? '';
  }

  // Reads the whole project from storage (what is broken is named in this.skipped and
  // replaced by defaults) and hands it to the engine. partial: everything but the classes and
  // images, which stay as they are here and in the worker (refresh() after a notice that named
  // only such keys).
  async load({ partial = false } = {}) {
    const kept = await this.store.load({ images: !partial });
    this.skipped = [...(kept.skipped ?? [])];
    this.notes = [...(kept.notes ?? [])];
    const canWrite = !this.readOnly;
    const classes = Array.isArray(kept.classes) ? kept.classes : undefined;
    if (partial) {
      // the classes and images are this tab's already
    } else if (classes?.length >= this.rules.classes.min) {
      this.classes = classes.map((c) => ({ id: c.id, name: c.name }));
      this.nextClassId = Math.max(...classes.map((c) => c.id)) + 1;
      this.images = new Map(this.classes.map((c) => [c.id, []]));
    } else {
      this.freshClasses();
      if (canWrite) await this.save('classes', this.classes);
    }
    if (!partial) this.testImages = new Map(this.classes.map((c) => [c.id, []]));
    for (const im of partial ? [] : kept.images ?? []) {
      // a test image is kept apart: never in this.images, so never sent to the trainer
      const into = im.split === 'test' ? this.testImages : this.images;
      into.get(im.classId)?.push({ id: im.id, rgba: new Uint8Array(im.rgba), width: im.width, height: im.height });
    }
    const s = kept.settings && typeof kept.settings === 'object' && !Array.isArray(kept.settings) ? kept.settings : {};
    this.settings = { ...this.rules.train.defaults };
    for (const k of Object.keys(this.settings)) if (k in s) this.settings[k] = s[k];  // no junk keys
    this.result = kept.result ?? null;
    this.runs = kept.runs ?? [];
    this.draft = validDraft(kept.draft);
    this.camera = kept.camera ?? null;
    this.assignment = kept.assignment ? { ...kept.assignment, assignment: JSON.parse(kept.assignment.text) } : null;
    this.answers = kept.answers ?? {};
    if (kept.draft && !this.draft) this.skipped.push('The model being edited (a draft) was not readable and was dropped; the last good model is used.');
    if (!partial) this.imagesChanged(true);
    this.trained = false;
    this.modelProblem = '';

    const stored = typeof kept.spec === 'string' ? kept.spec : null;
    let r = stored ? await this.applySpec(stored, { persist: false }) : { ok: false };
    if (!r.ok) {
      if (stored) this.skipped.push('The stored model spec is no longer accepted by the engine; the default model is used.');
      r = await this.applySpec(await this.defaultSpec(this.classes.length), { persist: canWrite });
    }
    if (kept.weights && r.ok) await this.loadWeights(new Uint8Array(kept.weights));
    else if (this.result && !kept.weights) this.modelProblem = 'The trained model of this project is missing from storage: train again to get one.';
    if (canWrite && !this.training) await this.keepInterruptedRun();
    if (!partial) {
      this.emit('classes-changed', { classes: this.getClasses() });
      this.emit('images-changed', { classIndex: -1 });
    }
    this.emit('spec-changed', { spec: this.spec, info: this.info });
    this.emit('project-loaded', { id: this.id, skipped: this.skipped });
    if (this.trained) this.emit('model-loaded', {});
  }

  // Another tab changed this project: read it again (this tab only shows it), the images only
  // when the notice's keys name them or the classes (a training run writes weights and curves
  // each epoch: decoding every image again each time would be work for nothing).
  // Reads run one after another: a burst of notices never interleaves two loads.
  refresh(keys = ['images']) {
    const partial = keys.every((k) => k !== 'images' && k !== 'classes');
    this.reading = (this.reading ?? Promise.resolve()).catch(() => {}).then(() => {
      if (this.readOnly && !this.training) return this.load({ partial });
      return undefined;
    });
    return this.reading;
  }

  // This tab takes the project over from the tab that edits it (which becomes read-only).
  async takeOver() {
    await this.tabs.takeOver(this.id);
    this.readOnly = false;
    await this.stores.setLastProjectId(this.id);
    await this.load();
  }

  // ---- the camera chosen on this device (kept with the project, not in its file: another
  // machine has other cameras) ----
  async setCamera(choice) {
    this.camera = choice;
    if (!this.readOnly) await this.save('camera', choice ?? undefined);
  }

  // ---- the assignment's answers ----
  // value: a finite number, or undefined to clear the question's answer.
  async setAnswer(id, value) {
    this.writable();
    const next = { ...this.answers };
    if (value === undefined) delete next[id];
    else next[id] = value;
    this.answers = next;
    await this.save('answers', Object.keys(next).length ? next : undefined);
  }

  // ---- settings ----
  // The assignment's fixed settings always win (the Train tab shows them locked).
  async setSettings(s) {
    this.writable();
    this.settings = { ...this.settings, ...s, ...this.fixedSettings() };
    await this.save('settings', this.settings);
    this.emit('settings-changed', { settings: this.settings });
  }

  // {key: value} the open project's assignment fixes ({} without one).
  fixedSettings() {
    const f = this.assignment?.assignment.fixed_settings ?? {};
    return Object.fromEntries(Object.entries(f).filter(([k]) => k in this.settings));
  }

  // Empties this project: default classes, settings and model.
  async newProject() {
    this.writable();
    await this.write(['images', 'classes', 'spec', 'settings', 'weights', 'result', 'runs'], () => this.store.clearAll());
    this.freshClasses();
    this.runs = [];
    this.settings = { ...this.rules.train.defaults };
    this.result = null;
    this.trained = false;
    this.modelProblem = '';
    this.imagesChanged(true);
    this.draft = null;
    this.camera = null;
    this.assignment = null;
    this.answers = {};
    await this.save('classes', this.classes);
    await this.save('settings', this.settings);
    this.spec = '';
    await this.applySpec(await this.defaultSpec(this.classes.length));
    this.emit('classes-changed', { classes: this.getClasses() });
    this.emit('images-changed', { classIndex: -1 });
  }
}

// The methods of project-classes.js and project-model.js, copied onto Project as they are
// (non-enumerable, as a class's own): one object, one `this`, split only by subject.
for (const part of [ProjectClasses, ProjectModel])
  for (const key of Object.getOwnPropertyNames(part.prototype)) {
    if (key === 'constructor') continue;
    if (Object.hasOwn(Project.prototype, key)) throw new Error(`Project.${key} is defined twice`);
    Object.defineProperty(Project.prototype, key, Object.getOwnPropertyDescriptor(part.prototype, key));
  }
