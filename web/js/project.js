// The project the student works on: classes, images, spec, settings, the training state,
// trained weights and curves, held in memory and checked against the engine's rules
// (rules.classes, rules.train; fetched once, see rules.js). Every change is written to
// storage first (project-store.js, one handle per project), then announced to the other tabs
// (tabs.js); the worker's copy of the images is re-sent when stale (worker-sync.js). The class
// rule on the spec (one output per class) is the engine's too: checkSpec and fitSpec take the
// class count. A tab that does not hold the project's lock is read-only: every write is
// refused with a message, and refresh() follows what the editing tab writes.
import { ProjectStore } from './storage/project-store.js';
import { WorkerSync, trainingOrder } from './engine/worker-sync.js';
import { specSummary, makeRun, addRun } from './runs.js';

const TRAINING_REFUSAL = 'training is running: stop it on the Train tab before changing the model';
export const READ_ONLY = 'This project is open in another tab, which edits it: this tab only shows it. Use "Edit here" to take over.';

// A class name as kept: core's one rule (project_file.h check_class_name, the same that reads a
// project file's classes): trimmed, visible, no invisible character hidden inside, not another
// class's name, cut between characters with a note. -> {name, note} or throws Error with what to do.
export const cleanClassName = (engine, name, others) => engine.call('className', { name, others });

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

  // Loads stored weights for this.spec. Weights made for another spec, or unreadable ones,
  // are refused and stay stored as they are; modelProblem says why.
  async loadWeights(bytes) {
    try {
      // adopt: false, so the engine (core's Session::load) refuses weights made for another
      // spec, naming the tensor that differs, and keeps the project's model
      await this.engine.call('load', { bytes, adopt: false });
      this.trained = true;
    } catch (e) {
      this.modelProblem = `The saved model could not be used (${e.message}). Train again to get a model for this spec.`;
      this.skipped.push(this.modelProblem);
    }
  }

  // The worker now holds a model file's weights (Load model, model-files.js) and, when
  // adopted, its spec ({spec, ...info} = result): the project follows and keeps `bytes` (the
  // weights as the engine saves them). The curves were of another training.
  async modelLoaded(result, adopted, bytes) {
    if (adopted) {
      const { spec, ...info } = result;
      const oldInput = JSON.stringify(this.info?.input);
      this.spec = spec;
      this.info = info;
      if (JSON.stringify(info.input) !== oldInput) this.imagesChanged(true);  // the worker dropped its images
      await this.save('spec', spec);
      await this.setDraft(null);
    }
    this.trained = true;
    this.result = null;
    await this.save('result', undefined);
    await this.save('weights', bytes);
    if (adopted) this.emit('spec-changed', { spec: this.spec, info: this.info });
    this.emit('model-loaded', {});
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

  // ---- classes ----
  getClasses() { return this.classes.map((c) => ({ id: c.id, name: c.name, count: this.images.get(c.id).length })); }
  classIndex(id) { return this.classes.findIndex((c) => c.id === id); }

  // A free default name ("Class 3", or "Class 3 (2)" when taken).
  defaultClassName() {
    const taken = new Set(this.classes.map((c) => c.name.toLocaleLowerCase()));
    const base = `Class ${this.classes.length + 1}`;
    for (let k = 2, n = base; ; n = `${base} (${k++})`) if (!taken.has(n.toLocaleLowerCase())) return n;
  }

  async addClass(name) {
    this.writable();
    this.guard('add a class');
    const { max } = this.rules.classes;
    if (this.classes.length >= max) throw new Error(`ConvLab supports at most ${max} classes: delete one before adding another.`);
    const clean = await cleanClassName(this.engine, name || this.defaultClassName(), this.classes.map((c) => c.name));
    const id = this.nextClassId++;
    this.classes.push({ id, name: clean.name });
    this.images.set(id, []);
    this.testImages.set(id, []);
    await this.classesChanged();
    return id;
  }

  // -> a note ('' or what was changed about the name); throws when the name is refused.
  async renameClass(id, name) {
    this.writable();
    const c = this.classes.find((x) => x.id === id);
    const clean = await cleanClassName(this.engine, name, this.classes.filter((x) => x !== c).map((x) => x.name));
    c.name = clean.name;
    await this.save('classes', this.classes);
    this.emit('classes-changed', { classes: this.getClasses(), note: clean.note });
    return clean.note;
  }

  async deleteClass(id) {
    this.writable();
    this.guard('delete a class');
    const { min } = this.rules.classes;
    if (this.classes.length <= min) throw new Error(`A classifier needs at least ${min} classes: add another class before deleting this one.`);
    this.classes = this.classes.filter((c) => c.id !== id);
    this.images.delete(id);
    this.testImages.delete(id);  // deleteClassImages deletes the class's test images too
    await this.write(['images'], () => this.store.deleteClassImages(id));
    await this.classesChanged();
  }

  async moveClass(id, delta) {
    this.writable();
    this.guard('reorder the classes');
    const i = this.classIndex(id), j = i + delta;
    if (j < 0 || j >= this.classes.length) return;
    [this.classes[i], this.classes[j]] = [this.classes[j], this.classes[i]];
    this.imagesChanged(true);  // the labels (class positions) moved
    await this.save('classes', this.classes);
    // labels are positions: a trained model's outputs no longer match the names
    await this.forgetWeights();
    this.emit('classes-changed', { classes: this.getClasses() });
  }

  // The class count changed: the engine fits the last linear layer to one output per class.
  async classesChanged() {
    this.imagesChanged(true);  // the labels (class positions) may have moved
    await this.save('classes', this.classes);
    const n = this.classes.length;
    let note = '';
    let fitted = null;
    try {
      fitted = (await this.engine.call('fitSpec', { spec: this.spec, classes: n })).spec;
    } catch { /* a spec without a linear layer: nothing to fit */ }
    const same = (a, b) => JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
    if (fitted !== null && !same(fitted, this.spec)) {
      const r = await this.applySpec(fitted);
      if (r.ok) note = `The model's last layer now has ${n} outputs, one per class; train again.`;
    }
    await this.forgetWeights();
    this.emit('classes-changed', { classes: this.getClasses(), note });
  }

  // ---- images ----
  // The size images are stored at for the current input (the engine's rule, with the spec's
  // table): its aspect ratio, small enough that thousands fit.
  storedSize() { return this.info.stored_size; }

  getImages(classIndex) { return Promise.resolve(this.images.get(this.classes[classIndex]?.id) ?? []); }

  async addImages(classId, list) {
    const recs = await this.write(['images'], () => this.store.addImages(list.map((im) => ({ classId, rgba: im.rgba, width: im.width, height: im.height }))));
    const arr = this.images.get(classId);
    for (const r of recs) arr.push({ id: r.id, rgba: r.rgba, width: r.width, height: r.height });
    this.imagesChanged();
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
    return recs.length;
  }

  async deleteImages(classId, ids) {
    await this.write(['images'], () => this.store.deleteImages(ids));
    const set = new Set(ids);
    this.images.set(classId, this.images.get(classId).filter((im) => !set.has(im.id)));
    this.imagesChanged();
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
  }

  // ---- test set and evaluation ----
  // The test set: images per class kept apart from training and validation (split "test").
  getTestImages(classIndex) { return this.testImages.get(this.classes[classIndex]?.id) ?? []; }
  testCount() { let n = 0; for (const l of this.testImages.values()) n += l.length; return n; }

  // list: [{rgba, width, height}] -> images added to class classId's test set.
  async addTestImages(classId, list) {
    if (!this.testImages.has(classId)) this.testImages.set(classId, []);
    const recs = await this.write(['images'], () => this.store.addImages(list.map((im) => ({ classId, rgba: im.rgba, width: im.width, height: im.height, split: 'test' }))));
    for (const r of recs) this.testImages.get(classId).push({ id: r.id, rgba: r.rgba, width: r.width, height: r.height });
    this.emit('images-changed', { classIndex: this.classIndex(classId), split: 'test' });
    return recs.length;
  }

  // Moves one stored image (by id) to another class and/or split ('train' | 'test'): written
  // anew, then the old record deleted, so a failure in between keeps a copy rather than none.
  async moveImage(id, toClassId, toSplit) {
    this.writable();
    this.guard('move an image');
    let found = null;
    for (const [split, map] of [['train', this.images], ['test', this.testImages]])
      for (const [classId, list] of map) {
        const im = list.find((x) => x.id === id);
        if (im) found = { split, classId, im, list };
      }
    if (!found) throw new Error('That image is no longer in the project.');
    if (!this.classes.some((c) => c.id === toClassId)) throw new Error('That class no longer exists.');
    const { im } = found;
    const [rec] = await this.write(['images'], () => this.store.addImages([{ classId: toClassId, rgba: im.rgba, width: im.width, height: im.height, split: toSplit }]));
    await this.write(['images'], () => this.store.deleteImages([id]));
    found.list.splice(found.list.indexOf(im), 1);
    const to = toSplit === 'test' ? this.testImages : this.images;
    if (!to.has(toClassId)) to.set(toClassId, []);
    to.get(toClassId).push({ id: rec.id, rgba: rec.rgba, width: rec.width, height: rec.height });
    if (found.split === 'train' || toSplit === 'train') this.imagesChanged();
    this.emit('images-changed', { classIndex: -1 });
    return rec.id;
  }

  // Deletes one stored image of either split.
  async deleteAnyImage(id) {
    for (const map of [this.images, this.testImages])
      for (const [classId, list] of map)
        if (list.some((x) => x.id === id)) {
          if (map === this.images) return this.deleteImages(classId, [id]);
          await this.write(['images'], () => this.store.deleteImages([id]));
          map.set(classId, list.filter((x) => x.id !== id));
          this.emit('images-changed', { classIndex: this.classIndex(classId), split: 'test' });
          return undefined;
        }
    return undefined;
  }

  // Brings the worker's copy of the training images up to date (worker-sync.js: what changed, or
  // all of them when its copy is unknown); resolves once it holds trainingOrder().
  syncWorker() { return this.worker.sync(this.classes, this.images); }

  // The training images changed: the worker is updated soon, in the background (full: its copy
  // cannot be patched, every image goes again).
  imagesChanged(full = false) {
    if (full) this.worker.markStale();
    this.worker.soon(() => [this.classes, this.images]);
  }

  // ---- spec ----
  // Checks a spec, and when it is good applies it to the worker and keeps it.
  async setSpec(text) {
    this.writable();
    const report = await this.checkSpec(text);
    if (!report.ok) {
      if (!this.training) await this.setDraft({ text, report });
      return report;
    }
    await this.setDraft(null);
    if (text === this.spec) return report;
    const applied = await this.applySpec(text);
    if (applied.ok) await this.forgetWeights();
    return { ...report, ...applied };
  }

  // A refused spec is kept (persisted) so the typed text is never lost, and training is
  // refused until it is fixed or reverted: the student meant that model, not the old one.
  async setDraft(d) {
    if (!d && !this.draft) return;
    if (this.readOnly) return;  // an editor's check in a tab that only shows the project
    this.draft = d;
    await this.save('specDraft', d ?? undefined);
    this.emit('draft-changed', { draft: d });
  }

  // The engine's report with the project's class rule, in one call.
  async checkSpec(text) {
    return this.refuseWhileTraining(await this.engine.call('checkSpec', { spec: text, classes: this.classes.length }));
  }

  // A good report becomes a refusal while training runs: the worker's model is in use.
  refuseWhileTraining(report) {
    if (!report.ok || !this.training) return report;
    return { ...report, ok: false, error_layer: -1, error_field: '', error: TRAINING_REFUSAL };
  }

  // persist: false when the text is what is stored already (loading).
  async applySpec(text, { persist = true } = {}) {
    let info;
    try {
      info = await this.engine.call('setSpec', { spec: text, seed: this.settings.seed });
    } catch (e) {
      return { ok: false, error_layer: -1, error_field: '', error: e.message };
    }
    const oldInput = JSON.stringify(this.info?.input);
    this.spec = text;
    this.info = info;
    this.trained = false;
    if (JSON.stringify(info.input) !== oldInput) this.imagesChanged(true);  // the worker dropped its images
    if (persist) await this.save('spec', text);
    this.emit('spec-changed', { spec: text, info });
    return { ok: true, ...info };
  }

  async forgetWeights() {
    if (this.trained || this.result) {
      this.trained = false;
      this.result = null;
      this.modelProblem = '';
      await this.save('weights', undefined);
      await this.save('result', undefined);
    }
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

  // The training images in the order the worker hands them to the trainer (worker-sync.js):
  // class by class in label order, each class's images in stored order.
  trainingOrder() { return trainingOrder(this.classes, this.images); }

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

  // ---- training results ----
  weightsMetadata() { return { classes: this.classes.map((c) => c.name) }; }

  // An epoch ended mid-run: keep its weights and curves as an interrupted result, which the
  // run's end (trainingFinished) replaces. Only storage changes: this session goes on training.
  // The writes are chained in epoch order (a late one can never overwrite a newer one) and
  // counted in pendingWrites until both are on disk, so closing the tab warns first. Epochs
  // that end faster than the disk writes are coalesced: at most one write waits behind the one
  // in flight, and a newer epoch replaces the waiting one (tiny epochs never flood the disk).
  checkpoint(bytes, result) {
    const waiting = this.queuedCheckpoint;
    this.queuedCheckpoint = { bytes, result };
    if (waiting) return this.pendingCheckpoint;
    this.writes++;
    this.pendingCheckpoint = (this.pendingCheckpoint ?? Promise.resolve()).catch(() => {}).then(async () => {
      const { bytes, result } = this.queuedCheckpoint;
      this.queuedCheckpoint = null;
      await this.save('weights', bytes);
      await this.save('result', { ...result, stopped: true, interrupted: true, classes: this.classes.map((c) => c.name), spec: this.spec });
    }).finally(() => { this.writes--; });
    return this.pendingCheckpoint;
  }

  // result.diverged: core's message when the run stopped because the loss or the weights
  // stopped being finite; the worker then holds the last good epoch's weights (none when no
  // epoch ended, then nothing is kept as a model).
  async trainingFinished(result) {
    await this.pendingCheckpoint?.catch(() => {});
    const nothing = result.diverged && !result.history.length;
    const run = makeRun({ settings: this.settings, summary: this.runSummary(), history: result.history, stopped: result.stopped && !result.diverged ? 'stop' : undefined }, this.rules);
    this.result = { ...result, classes: this.classes.map((c) => c.name), spec: this.spec, run_at: run.at };
    this.modelProblem = '';
    if (result.history.length) {
      this.runs = addRun(this.runs, run, this.rules);
      await this.save('runs', this.runs);
    }
    if (nothing) {
      this.trained = false;
      await this.save('weights', undefined);
    } else {
      const bytes = await this.engine.call('save', { metadata: this.weightsMetadata() });
      this.trained = true;
      await this.save('weights', bytes);
    }
    await this.save('result', this.result);
    this.emit('model-trained', { history: result.history });
  }

  // A run cut off by a reload (or a closed tab) left only its checkpoint (an interrupted result
  // with no run_at): it joins the runs compared, marked as cut off at its last epoch, once, when
  // the project reopens. Its settings are the project's (they cannot change while training) and
  // its model the stored spec the checkpoint was trained with (result.spec).
  async keepInterruptedRun() {
    const r = this.result;
    if (!r?.interrupted || r.run_at !== undefined || !r.history?.length || r.spec !== this.spec) return;
    const run = makeRun({ settings: this.settings, summary: this.runSummary(), history: r.history, stopped: 'reload' }, this.rules);
    this.runs = addRun(this.runs, run, this.rules);
    this.result = { ...r, run_at: run.at };
    await this.save('runs', this.runs);
    await this.save('result', this.result);
  }

  // The model as a run remembers it: {params, layers: ["conv 8", ...]}.
  runSummary() { return specSummary(this.spec, this.info, this.rules); }

  // The runs before the one shown: all kept runs but the current result's own.
  earlierRuns() {
    const at = this.result?.run_at;
    return this.runs.filter((r) => r.at !== at);
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
