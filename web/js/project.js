// The project the student works on: classes, images, spec, settings, the training state,
// trained weights and curves, held in memory and checked against the engine's rules
// (rules.classes, rules.train; fetched once, see rules.js). Every change is written to
// storage first (project-store.js); the worker's copy of the images is re-sent when stale
// (worker-sync.js). The class rule on the spec (one output per class) is the engine's too:
// checkSpec and fitSpec take the class count.
import { ProjectStore } from './project-store.js';
import { WorkerSync } from './worker-sync.js';

const TRAINING_REFUSAL = 'training is running: stop it on the Train tab before changing the model';

export class Project {
  constructor(engine, events, rules) {
    this.engine = engine;
    this.events = events;
    this.rules = rules;
    this.store = null;            // ProjectStore, set by open()
    this.worker = new WorkerSync(engine);
    this.classes = [];            // [{id, name}] in label order
    this.images = new Map();      // classId -> [{id, rgba, width, height}]
    this.spec = '';
    this.info = null;             // the engine's per-layer table of this.spec, with stored_size
    this.settings = { ...rules.train.defaults };
    this.trained = false;         // the worker holds weights trained for this.spec
    this.result = null;           // {history, confusion, classes, ...} of the last training
    this.nextClassId = 1;
    // The one training state ('running' | 'paused' | 'idle'): set by the Train view's run,
    // read by every view (the model and labels are frozen while it is not idle).
    this.trainingState = 'idle';
    this.draft = null;            // {text, report}: the last spec typed that the engine refused
  }

  get training() { return this.trainingState !== 'idle'; }
  get persistent() { return this.store.persistent; }
  get storeError() { return this.store.error; }

  setTrainingState(state) {
    this.trainingState = state;
    this.emit('training-state', { state });
  }

  guard(what) {
    if (this.training) throw new Error(`Training is running: stop it before you ${what}.`);
  }

  emit(name, detail = {}) { this.events.dispatchEvent(new CustomEvent(name, { detail })); }

  save(key, value) { return this.store.save(key, value); }

  async defaultSpec(classes) { return (await this.engine.call('defaultSpec', { classes })).spec; }

  freshClasses() {
    this.classes = this.rules.classes.default_names.map((name, i) => ({ id: i + 1, name }));
    this.nextClassId = this.classes.length + 1;
    this.images = new Map(this.classes.map((c) => [c.id, []]));
  }

  async open() {
    this.store = await ProjectStore.open();
    const kept = await this.store.load();
    if (kept.classes?.length >= this.rules.classes.min) {
      this.classes = kept.classes;
      this.nextClassId = Math.max(...kept.classes.map((c) => c.id)) + 1;
      this.images = new Map(this.classes.map((c) => [c.id, []]));
    } else {
      this.freshClasses();
      await this.save('classes', this.classes);
    }
    for (const im of kept.images) {
      this.images.get(im.classId)?.push({ id: im.id, rgba: new Uint8Array(im.rgba), width: im.width, height: im.height });
    }
    this.settings = { ...this.rules.train.defaults, ...(kept.settings ?? {}) };
    this.result = kept.result ?? null;
    this.draft = kept.draft ?? null;

    const r = await this.applySpec(kept.spec ?? await this.defaultSpec(this.classes.length));
    if (!r.ok) await this.applySpec(await this.defaultSpec(this.classes.length));  // a stored spec the engine no longer accepts
    if (kept.weights && r.ok) {
      try {
        await this.engine.call('load', { bytes: new Uint8Array(kept.weights) });
        this.trained = true;
      } catch {
        await this.save('weights', undefined);
      }
    }
  }

  // ---- classes ----
  getClasses() { return this.classes.map((c) => ({ id: c.id, name: c.name, count: this.images.get(c.id).length })); }
  classIndex(id) { return this.classes.findIndex((c) => c.id === id); }

  async addClass(name) {
    this.guard('add a class');
    const { max } = this.rules.classes;
    if (this.classes.length >= max) throw new Error(`ConvLab supports at most ${max} classes: delete one before adding another.`);
    const id = this.nextClassId++;
    this.classes.push({ id, name: name || `Class ${this.classes.length + 1}` });
    this.images.set(id, []);
    await this.classesChanged();
    return id;
  }

  async renameClass(id, name) {
    const c = this.classes.find((x) => x.id === id);
    const clean = String(name).trim();
    if (!clean) throw new Error('A class needs a name: type at least one character.');
    c.name = clean.slice(0, this.rules.classes.name_max);
    await this.save('classes', this.classes);
    this.emit('classes-changed', { classes: this.getClasses() });
  }

  async deleteClass(id) {
    this.guard('delete a class');
    const { min } = this.rules.classes;
    if (this.classes.length <= min) throw new Error(`A classifier needs at least ${min} classes: add another class before deleting this one.`);
    this.classes = this.classes.filter((c) => c.id !== id);
    this.images.delete(id);
    await this.store.deleteClassImages(id);
    await this.classesChanged();
  }

  async moveClass(id, delta) {
    this.guard('reorder the classes');
    const i = this.classIndex(id), j = i + delta;
    if (j < 0 || j >= this.classes.length) return;
    [this.classes[i], this.classes[j]] = [this.classes[j], this.classes[i]];
    this.worker.markStale();
    await this.save('classes', this.classes);
    // labels are positions: a trained model's outputs no longer match the names
    await this.forgetWeights();
    this.emit('classes-changed', { classes: this.getClasses() });
  }

  // The class count changed: the engine fits the last linear layer to one output per class.
  async classesChanged() {
    this.worker.markStale();
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
    const recs = await this.store.addImages(list.map((im) => ({ classId, rgba: im.rgba, width: im.width, height: im.height })));
    const arr = this.images.get(classId);
    for (const r of recs) arr.push({ id: r.id, rgba: r.rgba, width: r.width, height: r.height });
    this.worker.markStale();
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
    return recs.length;
  }

  async deleteImages(classId, ids) {
    await this.store.deleteImages(ids);
    const set = new Set(ids);
    this.images.set(classId, this.images.get(classId).filter((im) => !set.has(im.id)));
    this.worker.markStale();
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
  }

  // Re-sends every image to the worker if its copy is stale.
  syncWorker() { return this.worker.sync(this.classes, this.images); }

  // ---- spec ----
  // Checks a spec, and when it is good applies it to the worker and keeps it.
  async setSpec(text) {
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
    this.draft = d;
    await this.save('specDraft', d ?? undefined);
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

  async applySpec(text) {
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
    if (JSON.stringify(info.input) !== oldInput) this.worker.markStale();  // the worker dropped its images
    await this.save('spec', text);
    this.emit('spec-changed', { spec: text, info });
    return { ok: true, ...info };
  }

  async forgetWeights() {
    if (this.trained || this.result) {
      this.trained = false;
      this.result = null;
      await this.save('weights', undefined);
      await this.save('result', undefined);
    }
  }

  // ---- settings ----
  async setSettings(s) {
    this.settings = { ...this.settings, ...s };
    await this.save('settings', this.settings);
  }

  // ---- training results ----
  weightsMetadata() { return { classes: this.classes.map((c) => c.name) }; }

  // An epoch ended mid-run: keep its weights and curves as an interrupted result, which the
  // run's end (trainingFinished) replaces. Only storage changes: this session goes on training.
  checkpoint(bytes, result) {
    // chained, so a late checkpoint can never overwrite the finished run's result
    this.pendingCheckpoint = (this.pendingCheckpoint ?? Promise.resolve()).catch(() => {}).then(async () => {
      await this.save('weights', bytes);
      await this.save('result', { ...result, stopped: true, interrupted: true, classes: this.classes.map((c) => c.name), spec: this.spec });
    });
    return this.pendingCheckpoint;
  }

  async trainingFinished(result) {
    await this.pendingCheckpoint?.catch(() => {});
    const bytes = await this.engine.call('save', { metadata: this.weightsMetadata() });
    this.trained = true;
    this.result = { ...result, classes: this.classes.map((c) => c.name), spec: this.spec };
    await this.save('weights', bytes);
    await this.save('result', this.result);
    this.emit('model-trained', { history: result.history });
  }

  async newProject() {
    await this.store.clearAll();
    this.freshClasses();
    this.settings = { ...this.rules.train.defaults };
    this.result = null;
    this.trained = false;
    this.worker.markStale();
    this.draft = null;
    await this.save('classes', this.classes);
    await this.save('settings', this.settings);
    this.spec = '';
    await this.applySpec(await this.defaultSpec(this.classes.length));
    this.emit('classes-changed', { classes: this.getClasses() });
    this.emit('images-changed', { classIndex: -1 });
  }
}
