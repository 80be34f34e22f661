// The project's persistence over store.js (IndexedDB): what is kept under which key, and a
// project that still works for the session when the browser gives no storage.
// Keys: classes [{id, name}], spec (text), specDraft {text, report}, settings, result,
// weights (safetensors bytes); images live in their own store, one record per image.
import { Store } from './store.js';

export class ProjectStore {
  static async open() {
    try {
      return new ProjectStore(await Store.open());
    } catch (e) {
      return new ProjectStore(null, e.message);
    }
  }

  constructor(db, error = '') {
    this.db = db;
    this.error = error;  // why nothing is kept across reloads
  }

  get persistent() { return this.db !== null; }

  get(key) { return this.db ? this.db.get(key) : Promise.resolve(undefined); }

  // Writes one key (undefined deletes it).
  async save(key, value) {
    if (!this.db) return;
    if (value === undefined) await this.db.del(key);
    else await this.db.set(key, value);
  }

  // Everything kept of the project, as stored (the Project checks it against the rules).
  async load() {
    const [classes, settings, result, draft, spec, weights, images] = await Promise.all([
      this.get('classes'), this.get('settings'), this.get('result'), this.get('specDraft'), this.get('spec'),
      this.get('weights'), this.db ? this.db.allImages() : [],
    ]);
    return { classes, settings, result, draft, spec, weights, images };
  }

  // recs: [{classId, rgba, width, height}] -> the same records with ids set (session-only
  // ids without storage).
  async addImages(recs) {
    if (this.db) await this.db.addImages(recs);
    else recs.forEach((r) => { r.id = `m${Math.random()}`; });
    return recs;
  }

  async deleteImages(ids) { if (this.db) await this.db.deleteImages(ids); }
  async deleteClassImages(classId) { if (this.db) await this.db.deleteClassImages(classId); }
  async clearAll() { if (this.db) await this.db.clearAll(); }
}
