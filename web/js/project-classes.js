// Project's classes and images (project.js; the state is declared in its constructor): the
// classes (add, rename, delete, reorder; the class count fits the spec's last layer), the
// training and test images, and the worker's copy of the training images (worker-sync.js).
// Never constructed: its methods are copied onto Project (the end of project.js).
import { trainingOrder } from './engine/worker-sync.js';

// A class name as kept: core's one rule (project_file.h check_class_name, the same that reads a
// project file's classes): trimmed, visible, no invisible character hidden inside, not another
// class's name, cut between characters with a note. -> {name, note} or throws Error with what to do.
export const cleanClassName = (engine, name, others) => engine.call('className', { name, others });

export class ProjectClasses {
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

  // The training images in the order the worker hands them to the trainer (worker-sync.js):
  // class by class in label order, each class's images in stored order.
  trainingOrder() { return trainingOrder(this.classes, this.images); }
}
