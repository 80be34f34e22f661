// The projects' persistence in IndexedDB (schema version 2):
//   projects    {id, name, created, updated, images, imageBytes}: one record per project; the
//               image count and bytes are kept in the same transactions as the images
//   kv          [projectId, key] -> value (classes, spec, specDraft, settings, result, weights)
//   images      {id, project, classId, width, height, png} (PNG bytes, image-codec.js), indexed
//               by project and by [project, classId]; records written by version 1 hold raw
//               `rgba` instead of `png` until they are rewritten compressed
//   quarantine  {id, project, what, key, value, reason, at}: records that could not be read,
//               set aside (never deleted) so nothing a student made is destroyed
//   app         key -> value (lastProject)
// Version 1 (one project: kv with string keys, images with raw rgba) becomes project 1 inside
// the upgrade transaction: it completes whole or not at all, so a failed upgrade leaves version
// 1 as it was. Every write is its own transaction, so a reload or a crash loses at most the
// write in flight. Quota errors become a message that says what to do.
const DB_NAME = 'convlab';
const DB_VERSION = 2;
export const V1_PROJECT_NAME = 'My project';

export function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function explain(e) {
  if (e?.name === 'QuotaExceededError')
    return new Error('The browser has no storage left for this page: delete some images (or other sites\' data) and try again. Nothing already saved was lost.');
  return new Error(`Saving to the browser's storage failed (${e?.name ?? 'error'}: ${e?.message ?? e}). Your work so far is kept.`);
}

// All keys of one project in kv: arrays sort after strings, so [id, []] is past [id, 'any key'].
const projectKeys = (id) => IDBKeyRange.bound([id], [id, []]);

export const byteSize = (v) => (v === undefined || v === null ? 0 : v.byteLength ?? (typeof v === 'string' ? v.length : JSON.stringify(v)?.length ?? 0));
const imageBytes = (rec) => byteSize(rec?.png ?? rec?.rgba);

function upgrade(db, tx, oldVersion) {
  if (oldVersion < 1) {
    db.createObjectStore('kv');
    db.createObjectStore('images', { keyPath: 'id', autoIncrement: true });
  }
  const images = tx.objectStore('images');
  if (images.indexNames.contains('classId')) images.deleteIndex('classId');
  images.createIndex('project', 'project');
  images.createIndex('projectClass', ['project', 'classId']);
  const projects = db.createObjectStore('projects', { keyPath: 'id', autoIncrement: true });
  db.createObjectStore('quarantine', { keyPath: 'id', autoIncrement: true });
  const app = db.createObjectStore('app');
  if (oldVersion !== 1) return;

  // Version 1's project becomes project 1. Keys are read first and rewritten after: the new
  // array keys would otherwise be visited by the same walk.
  const kv = tx.objectStore('kv');
  const now = Date.now();
  const meta = { id: 1, name: V1_PROJECT_NAME, created: now, updated: now, images: 0, imageBytes: 0 };
  req(kv.getAllKeys()).then((keys) => req(kv.getAll()).then((values) => {
    keys.forEach((k, i) => {
      if (Array.isArray(k)) return;
      kv.put(values[i], [1, k]);
      kv.delete(k);
    });
  }));
  const walk = images.openCursor();
  walk.onsuccess = () => {
    const c = walk.result;
    if (c) {
      const rec = c.value;
      if (rec && typeof rec === 'object') {
        c.update({ ...rec, project: 1 });
        meta.images++;
        meta.imageBytes += imageBytes(rec);
      } else {
        c.delete();
        tx.objectStore('quarantine').add({ project: 1, what: 'image', key: c.primaryKey, value: rec, reason: 'not an image record', at: now });
      }
      c.continue();
    } else {
      projects.put(meta);
      app.put(1, 'lastProject');
    }
  };
}

export class Store {
  static async open() {
    if (!globalThis.indexedDB) throw new Error('This browser has no IndexedDB (private mode?): the project cannot be kept across reloads.');
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = (ev) => upgrade(open.result, open.transaction, ev.oldVersion);
    // A tab of the previous version holds the database open and will not let go: say so now
    // rather than wait in silence (this tab then keeps its work for the session only; a reload
    // after closing that tab upgrades), and close the connection should it open later.
    let blocked = false;
    const db = await new Promise((resolve, reject) => {
      open.onsuccess = () => (blocked ? open.result.close() : resolve(open.result));
      open.onerror = () => reject(open.error);
      open.onblocked = () => {
        blocked = true;
        reject(new Error('Another ConvLab tab, of an older version, is open: close it and reload this page so the storage can be updated. Until then nothing is kept across reloads.'));
      };
    });
    // another tab upgrading the schema: let it (this tab's writes then fail with a message)
    db.onversionchange = () => db.close();
    return new Store(db);
  }

  constructor(db) {
    this.db = db;
    this.last = 0;
  }

  // A change time that never repeats in this tab, so the project list's order is the order of
  // the changes even within one millisecond.
  stamp() {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  async tx(stores, mode, fn) {
    try {
      const t = this.db.transaction(stores, mode);
      // listen before any request runs: the transaction may complete while fn awaits
      const done = new Promise((resolve, reject) => {
        t.oncomplete = resolve;
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error ?? new DOMException('aborted', 'AbortError'));
      });
      done.catch(() => {});  // when fn fails first, its error is the one reported
      const result = await fn(t);
      await done;
      return result;
    } catch (e) {
      throw mode === 'readwrite' ? explain(e) : e;
    }
  }

  // Runs fn(t, meta) with the project's record, then writes the record back with `updated`
  // bumped, in the same transaction. Refuses a project that no longer exists.
  touch(id, stores, fn) {
    return this.tx(['projects', ...stores], 'readwrite', async (t) => {
      const meta = await req(t.objectStore('projects').get(id));
      if (!meta) throw new Error('This project was deleted (in another tab?): open another one from the project list.');
      const r = await fn(t, meta);
      meta.updated = Math.max(this.stamp(), meta.updated + 1);
      t.objectStore('projects').put(meta);
      return r;
    });
  }

  // ---- projects ----
  projects() { return this.tx(['projects'], 'readonly', (t) => req(t.objectStore('projects').getAll())); }
  meta(id) { return this.tx(['projects'], 'readonly', (t) => req(t.objectStore('projects').get(id))); }
  kvAll(id) {
    return this.tx(['kv'], 'readonly', async (t) => {
      const s = t.objectStore('kv');
      const [keys, values] = await Promise.all([req(s.getAllKeys(projectKeys(id))), req(s.getAll(projectKeys(id)))]);
      return new Map(keys.map((k, i) => [k[1], values[i]]));
    });
  }

  // A new project with kv entries and images ({classId, width, height, png}) in one
  // transaction: it exists whole or not at all. -> its id
  createProject(name, kv = {}, images = []) {
    return this.tx(['projects', 'kv', 'images'], 'readwrite', async (t) => {
      const now = this.stamp();
      const id = await req(t.objectStore('projects').add({ name, created: now, updated: now, images: images.length, imageBytes: images.reduce((n, r) => n + imageBytes(r), 0) }));
      for (const [k, v] of Object.entries(kv)) if (v !== undefined) t.objectStore('kv').put(v, [id, k]);
      const s = t.objectStore('images');
      for (const im of images) s.add({ project: id, classId: im.classId, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}), ...(im.png ? { png: im.png } : { rgba: im.rgba }) });
      return id;
    });
  }

  renameProject(id, name) { return this.touch(id, [], (t, meta) => { meta.name = name; }); }

  deleteProject(id) {
    return this.tx(['projects', 'kv', 'images', 'quarantine'], 'readwrite', async (t) => {
      t.objectStore('projects').delete(id);
      t.objectStore('kv').delete(projectKeys(id));
      const keys = await req(t.objectStore('images').index('project').getAllKeys(id));
      for (const k of keys) t.objectStore('images').delete(k);
      const q = await req(t.objectStore('quarantine').getAll());
      for (const r of q) if (r.project === id) t.objectStore('quarantine').delete(r.id);
    });
  }

  // ---- one project's keys ----
  get(id, key) { return this.tx(['kv'], 'readonly', (t) => req(t.objectStore('kv').get([id, key]))); }
  set(id, key, value) { return this.touch(id, ['kv'], (t) => { t.objectStore('kv').put(value, [id, key]); }); }
  del(id, key) { return this.touch(id, ['kv'], (t) => { t.objectStore('kv').delete([id, key]); }); }

  // ---- one project's images ----
  // images: [{classId, width, height, png}] -> their ids, in one transaction.
  addImages(id, images) {
    return this.touch(id, ['images'], async (t, meta) => {
      const s = t.objectStore('images');
      const ids = await Promise.all(images.map((im) => req(s.add({ project: id, classId: im.classId, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}), png: im.png }))));
      meta.images += images.length;
      meta.imageBytes += images.reduce((n, r) => n + imageBytes(r), 0);
      return ids;
    });
  }

  // Replaces stored records by id (a version 1 raw record by its compressed form).
  replaceImages(id, recs) {
    return this.touch(id, ['images'], async (t, meta) => {
      const s = t.objectStore('images');
      for (const r of recs) {
        const old = await req(s.get(r.id));
        if (!old || old.project !== id) continue;  // deleted meanwhile
        meta.imageBytes += imageBytes(r) - imageBytes(old);
        s.put(r);
      }
    });
  }

  allImages(id) { return this.tx(['images'], 'readonly', (t) => req(t.objectStore('images').index('project').getAll(id))); }

  async removeImages(t, meta, keys) {
    const s = t.objectStore('images');
    for (const k of keys) {
      const old = await req(s.get(k));
      if (!old || old.project !== meta.id) continue;
      meta.images--;
      meta.imageBytes -= imageBytes(old);
      s.delete(k);
    }
  }

  deleteImages(id, ids) { return this.touch(id, ['images'], (t, meta) => this.removeImages(t, meta, ids)); }

  deleteClassImages(id, classId) {
    return this.touch(id, ['images'], async (t, meta) => {
      const keys = await req(t.objectStore('images').index('projectClass').getAllKeys([id, classId]));
      await this.removeImages(t, meta, keys);
    });
  }

  clearProject(id) {
    return this.touch(id, ['kv', 'images'], async (t, meta) => {
      t.objectStore('kv').delete(projectKeys(id));
      const keys = await req(t.objectStore('images').index('project').getAllKeys(id));
      for (const k of keys) t.objectStore('images').delete(k);
      meta.images = 0;
      meta.imageBytes = 0;
    });
  }

  // Moves unreadable records out of the way: items [{what: 'image', key: id, reason} or
  // {what: 'kv', key, reason}], each copied into quarantine and removed, in one transaction.
  quarantine(id, items) {
    return this.touch(id, ['kv', 'images', 'quarantine'], async (t, meta) => {
      const q = t.objectStore('quarantine');
      for (const it of items) {
        if (it.what === 'image') {
          const s = t.objectStore('images');
          const value = await req(s.get(it.key));
          if (value === undefined) continue;
          q.add({ project: id, what: 'image', key: it.key, value, reason: it.reason, at: Date.now() });
          meta.images--;
          meta.imageBytes -= imageBytes(value);
          s.delete(it.key);
        } else {
          const s = t.objectStore('kv');
          const value = await req(s.get([id, it.key]));
          if (value === undefined) continue;
          q.add({ project: id, what: 'kv', key: it.key, value, reason: it.reason, at: Date.now() });
          s.delete([id, it.key]);
        }
      }
    });
  }

  quarantined(id) {
    return this.tx(['quarantine'], 'readonly', async (t) => (await req(t.objectStore('quarantine').getAll())).filter((r) => r.project === id));
  }

  // ---- the page's own keys ----
  getApp(key) { return this.tx(['app'], 'readonly', (t) => req(t.objectStore('app').get(key))); }
  setApp(key, value) { return this.tx(['app'], 'readwrite', (t) => { t.objectStore('app').put(value, key); }); }
}
