// A small in-memory stand-in for IndexedDB (private mode, storage refused): the same calls as
// store.js's Store, kept for this session only. ProjectStore.open falls back to it.
import { byteSize } from './store.js';

export class MemoryStore {
  constructor() {
    this.metas = new Map();
    this.kv = new Map();
    this.imgs = new Map();
    this.app = new Map();
    this.next = 1;
    this.nextImage = 1;
    this.last = 0;
  }

  stamp() {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  async projects() { return [...this.metas.values()].map((m) => ({ ...m })); }
  async meta(id) { return this.metas.get(id); }
  async kvAll(id) { return new Map(this.kv.get(id) ?? []); }
  async createProject(name, kv = {}, images = []) {
    const id = this.next++, now = this.stamp();
    this.metas.set(id, { id, name, created: now, updated: now, images: 0, imageBytes: 0 });
    this.kv.set(id, new Map(Object.entries(kv).filter(([, v]) => v !== undefined)));
    this.imgs.set(id, new Map());
    await this.addImages(id, images);
    return id;
  }

  m(id) {
    const meta = this.metas.get(id);
    if (!meta) throw new Error('This project was deleted: open another one from the project list.');
    meta.updated = Math.max(this.stamp(), meta.updated + 1);
    return meta;
  }

  async renameProject(id, name) { this.m(id).name = name; }
  async deleteProject(id) { this.metas.delete(id); this.kv.delete(id); this.imgs.delete(id); }
  async get(id, key) { return this.kv.get(id)?.get(key); }
  async set(id, key, value) { this.m(id); this.kv.get(id).set(key, value); }
  async del(id, key) { this.m(id); this.kv.get(id).delete(key); }
  async addImages(id, images) {
    const meta = this.m(id);
    return images.map((im) => {
      const rec = { ...im, id: this.nextImage++, project: id };
      this.imgs.get(id).set(rec.id, rec);
      meta.images++;
      meta.imageBytes += byteSize(im.png ?? im.rgba);
      return rec.id;
    });
  }

  async replaceImages() {}
  async allImages(id) { return [...(this.imgs.get(id)?.values() ?? [])]; }
  async deleteImages(id, ids) {
    const meta = this.m(id), s = this.imgs.get(id);
    for (const k of ids) {
      const r = s.get(k);
      if (!r) continue;
      meta.images--;
      meta.imageBytes -= byteSize(r.png ?? r.rgba);
      s.delete(k);
    }
  }

  async deleteClassImages(id, classId) { await this.deleteImages(id, [...this.imgs.get(id).values()].filter((r) => r.classId === classId).map((r) => r.id)); }
  async clearProject(id) { const meta = this.m(id); this.kv.get(id).clear(); this.imgs.get(id).clear(); meta.images = 0; meta.imageBytes = 0; }
  async quarantine(id, items) {
    for (const it of items) {
      if (it.what === 'image') await this.deleteImages(id, [it.key]);
      else this.kv.get(id).delete(it.key);
    }
  }

  async getApp(key) { return this.app.get(key); }
  async setApp(key, value) { this.app.set(key, value); }
}
