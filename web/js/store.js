// The project's persistence in IndexedDB: one key-value store (classes, spec, settings,
// weights, history) and one image store. Every write is its own transaction, so a reload
// or a crash loses at most the write in flight. Quota errors become a message that says
// what to do.
const DB_NAME = 'convlab';
const DB_VERSION = 1;

function req(r) {
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

export class Store {
  static async open() {
    if (!globalThis.indexedDB) throw new Error('This browser has no IndexedDB (private mode?): the project cannot be kept across reloads.');
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore('kv');
      const images = db.createObjectStore('images', { keyPath: 'id', autoIncrement: true });
      images.createIndex('classId', 'classId');
    };
    return new Store(await req(open));
  }

  constructor(db) { this.db = db; }

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

  get(key) { return this.tx(['kv'], 'readonly', (t) => req(t.objectStore('kv').get(key))); }
  set(key, value) { return this.tx(['kv'], 'readwrite', (t) => { t.objectStore('kv').put(value, key); }); }
  del(key) { return this.tx(['kv'], 'readwrite', (t) => { t.objectStore('kv').delete(key); }); }

  // images: [{classId, rgba: Uint8Array, width, height}] -> the same objects with ids set.
  addImages(images) {
    return this.tx(['images'], 'readwrite', async (t) => {
      const s = t.objectStore('images');
      const ids = await Promise.all(images.map((im) => req(s.add({ classId: im.classId, rgba: im.rgba, width: im.width, height: im.height }))));
      images.forEach((im, i) => { im.id = ids[i]; });
      return images;
    });
  }

  allImages() { return this.tx(['images'], 'readonly', (t) => req(t.objectStore('images').getAll())); }

  deleteImages(ids) {
    return this.tx(['images'], 'readwrite', (t) => { const s = t.objectStore('images'); for (const id of ids) s.delete(id); });
  }

  deleteClassImages(classId) {
    return this.tx(['images'], 'readwrite', async (t) => {
      const s = t.objectStore('images');
      const keys = await req(s.index('classId').getAllKeys(classId));
      for (const k of keys) s.delete(k);
    });
  }

  clearAll() {
    return this.tx(['kv', 'images'], 'readwrite', (t) => { t.objectStore('kv').clear(); t.objectStore('images').clear(); });
  }
}
