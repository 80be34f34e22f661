// The project the student works on: classes, images, spec, settings, trained weights and
// curves. IndexedDB (store.js) is the source of truth; the worker holds a copy of the
// images and the model. Sync strategy: images live in memory here too (they are small),
// every change is written to IndexedDB first, and the worker's copy is marked stale and
// re-sent in one batch just before it is needed (training), so labels always follow the
// current class order.
import { Store } from './store.js';

// Images are stored as RGBA bytes with the model input's aspect ratio and this many pixels
// on the longer side (or the input's own size when larger, up to 224): small enough that
// thousands fit (96x96x4 = 36 KB), and a spec change to a different input size needs no
// recapture (the engine's one preprocessing path crops and resizes).
export const STORED_MAX = 96;
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 10;

export const DEFAULT_SETTINGS = Object.freeze({
  epochs: 15, batch_size: 16, optimizer: 'adam', lr: 0.001, momentum: 0.9,
  val_fraction: 0.2, shift: 4, flip: false, seed: 1,
});

// The lecture's form input -> [[conv+relu] -> pool]x3 -> linear+relu -> linear: 64x64 RGB
// keeps enough detail for webcam scenes and trains in seconds.
export function defaultSpec(numClasses) {
  const conv = (c) => [{ type: 'conv2d', out_channels: c, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 }];
  return specText({
    input: { channels: 3, height: 64, width: 64 },
    layers: [...conv(8), ...conv(16), ...conv(32), { type: 'flatten' },
      { type: 'linear', out_features: 32 }, { type: 'relu' }, { type: 'linear', out_features: numClasses }],
  });
}

// One layer per line: readable and still plain JSON.
export function specText(spec) {
  const layers = spec.layers.map((l) => `    ${JSON.stringify(l)}`).join(',\n');
  return `{\n  "input": ${JSON.stringify(spec.input)},\n  "layers": [\n${layers}\n  ]\n}\n`;
}

export class Project {
  constructor(engine, events) {
    this.engine = engine;
    this.events = events;
    this.store = null;
    this.classes = [];            // [{id, name}] in label order
    this.images = new Map();      // classId -> [{id, rgba, width, height}]
    this.spec = '';
    this.info = null;             // the engine's per-layer table of this.spec
    this.settings = { ...DEFAULT_SETTINGS };
    this.trained = false;         // the worker holds weights trained for this.spec
    this.result = null;           // {history, confusion, classes, ...} of the last training
    this.workerStale = true;      // the worker's images differ from ours
    this.nextClassId = 1;
    this.persistent = true;
    this.training = false;        // set by the Train view: the model and labels are frozen meanwhile
    this.draft = null;            // {text, report}: the last spec typed that the engine refused
  }

  guard(what) {
    if (this.training) throw new Error(`Training is running: stop it before you ${what}.`);
  }

  emit(name, detail = {}) { this.events.dispatchEvent(new CustomEvent(name, { detail })); }

  async open() {
    try {
      this.store = await Store.open();
    } catch (e) {
      this.persistent = false;
      this.storeError = e.message;
    }
    const kv = async (k) => (this.store ? this.store.get(k) : undefined);
    const classes = await kv('classes');
    if (classes?.length >= MIN_CLASSES) {
      this.classes = classes;
      this.nextClassId = Math.max(...classes.map((c) => c.id)) + 1;
    } else {
      this.classes = [{ id: 1, name: 'Class 1' }, { id: 2, name: 'Class 2' }];
      this.nextClassId = 3;
      await this.save('classes', this.classes);
    }
    for (const c of this.classes) this.images.set(c.id, []);
    for (const im of (this.store ? await this.store.allImages() : [])) {
      this.images.get(im.classId)?.push({ id: im.id, rgba: new Uint8Array(im.rgba), width: im.width, height: im.height });
    }
    this.settings = { ...DEFAULT_SETTINGS, ...((await kv('settings')) ?? {}) };
    this.result = (await kv('result')) ?? null;
    this.draft = (await kv('specDraft')) ?? null;

    const spec = (await kv('spec')) ?? defaultSpec(this.classes.length);
    const r = await this.applySpec(spec);
    if (!r.ok) await this.applySpec(defaultSpec(this.classes.length));  // a stored spec the engine no longer accepts
    const weights = await kv('weights');
    if (weights && r.ok) {
      try {
        await this.engine.call('load', { bytes: new Uint8Array(weights) });
        this.trained = true;
      } catch {
        await this.save('weights', undefined);
      }
    }
  }

  // Writes one key; without storage the project still works for this session.
  async save(key, value) {
    if (!this.store) return;
    if (value === undefined) await this.store.del(key);
    else await this.store.set(key, value);
  }

  // ---- classes ----
  getClasses() { return this.classes.map((c) => ({ id: c.id, name: c.name, count: this.images.get(c.id).length })); }
  classIndex(id) { return this.classes.findIndex((c) => c.id === id); }

  async addClass(name) {
    this.guard('add a class');
    if (this.classes.length >= MAX_CLASSES) throw new Error(`ConvLab supports at most ${MAX_CLASSES} classes: delete one before adding another.`);
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
    c.name = clean.slice(0, 60);
    await this.save('classes', this.classes);
    this.emit('classes-changed', { classes: this.getClasses() });
  }

  async deleteClass(id) {
    this.guard('delete a class');
    if (this.classes.length <= MIN_CLASSES) throw new Error(`A classifier needs at least ${MIN_CLASSES} classes: add another class before deleting this one.`);
    this.classes = this.classes.filter((c) => c.id !== id);
    this.images.delete(id);
    if (this.store) await this.store.deleteClassImages(id);
    await this.classesChanged();
  }

  async moveClass(id, delta) {
    this.guard('reorder the classes');
    const i = this.classIndex(id), j = i + delta;
    if (j < 0 || j >= this.classes.length) return;
    [this.classes[i], this.classes[j]] = [this.classes[j], this.classes[i]];
    this.workerStale = true;
    await this.save('classes', this.classes);
    // labels are positions: a trained model's outputs no longer match the names
    await this.forgetWeights();
    this.emit('classes-changed', { classes: this.getClasses() });
  }

  // The class count changed: the last linear layer must have one output per class.
  async classesChanged() {
    this.workerStale = true;
    await this.save('classes', this.classes);
    const n = this.classes.length;
    let spec;
    try { spec = JSON.parse(this.spec); } catch { spec = null; }
    const last = spec?.layers?.findLast?.((l) => l.type === 'linear');
    let note = '';
    if (last && last.out_features !== n) {
      last.out_features = n;
      const r = await this.applySpec(specText(spec));
      if (r.ok) note = `The model's last layer now has ${n} outputs, one per class; train again.`;
    }
    await this.forgetWeights();
    this.emit('classes-changed', { classes: this.getClasses(), note });
  }

  // ---- images ----
  // The stored size for the current input: its aspect ratio, at most STORED_MAX a side.
  storedSize() {
    const inp = this.info?.input ?? [3, 64, 64];
    const [h, w] = [inp[1], inp[2]];
    // a bigger input than STORED_MAX gets its own size (up to 224) so nothing is upscaled
    const s = Math.min(224, Math.max(STORED_MAX, h, w)) / Math.max(h, w);
    return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
  }

  getImages(classIndex) { return Promise.resolve(this.images.get(this.classes[classIndex]?.id) ?? []); }

  async addImages(classId, list) {
    const recs = list.map((im) => ({ classId, rgba: im.rgba, width: im.width, height: im.height }));
    if (this.store) await this.store.addImages(recs);
    else recs.forEach((r) => { r.id = `m${Math.random()}`; });
    const arr = this.images.get(classId);
    for (const r of recs) arr.push({ id: r.id, rgba: r.rgba, width: r.width, height: r.height });
    this.workerStale = true;
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
    return recs.length;
  }

  async deleteImages(classId, ids) {
    if (this.store) await this.store.deleteImages(ids);
    const set = new Set(ids);
    this.images.set(classId, this.images.get(classId).filter((im) => !set.has(im.id)));
    this.workerStale = true;
    this.emit('images-changed', { classIndex: this.classIndex(classId) });
  }

  // Re-sends every image to the worker, labelled by its class's position.
  async syncWorker() {
    if (!this.workerStale) return;
    await this.engine.call('clearImages');
    let batch = [];
    const flush = async () => {
      if (batch.length) await this.engine.call('addImages', { images: batch });
      batch = [];
    };
    for (const [label, c] of this.classes.entries()) {
      for (const im of this.images.get(c.id)) {
        batch.push({ rgba: im.rgba, width: im.width, height: im.height, label });
        if (batch.length >= 200) await flush();
      }
    }
    await flush();
    this.workerStale = false;
  }

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

  // The engine's report plus the project's own rules (one output per class).
  async checkSpec(text) {
    const report = await this.engine.call('checkSpec', { spec: text });
    if (!report.ok) return report;
    if (this.training) return { ...report, ok: false, error_layer: -1, error_field: '', error: 'training is running: stop it on the Train tab before changing the model' };
    const n = this.classes.length;
    const layers = report.layers;
    const lastIdx = layers.length - 1;
    const last = layers[lastIdx];
    if (!last || last.type !== 'linear') {
      return { ...report, ok: false, error_layer: Math.max(lastIdx, -1), error_field: 'type',
        error: `the last layer must be a linear layer with out_features ${n} (one output per class): add {"type": "linear", "out_features": ${n}} at the end` };
    }
    if (last.out[0] !== n) {
      return { ...report, ok: false, error_layer: lastIdx, error_field: 'out_features',
        error: `layer ${lastIdx} (linear) has out_features ${last.out[0]} but the project has ${n} classes: set out_features to ${n}` };
    }
    return report;
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
    if (JSON.stringify(info.input) !== oldInput) this.workerStale = true;  // the worker dropped its images
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
    if (this.store) await this.store.clearAll();
    this.classes = [{ id: 1, name: 'Class 1' }, { id: 2, name: 'Class 2' }];
    this.nextClassId = 3;
    this.images = new Map([[1, []], [2, []]]);
    this.settings = { ...DEFAULT_SETTINGS };
    this.result = null;
    this.trained = false;
    this.workerStale = true;
    this.draft = null;
    await this.save('classes', this.classes);
    await this.save('settings', this.settings);
    this.spec = '';
    await this.applySpec(defaultSpec(2));
    this.emit('classes-changed', { classes: this.getClasses() });
    this.emit('images-changed', { classIndex: -1 });
  }
}
