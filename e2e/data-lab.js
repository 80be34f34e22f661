// The storage tests' bench: a bare page of the app's origin (no app.js running, so nothing
// touches IndexedDB until a test says so) with the data modules and the engine's rules on
// globalThis.lab, and a profile written exactly as version 1 of the page wrote it.
const { expect } = require('@playwright/test');
const { plainURL } = require('./playwright.config.js');

// Opens the bare page and loads records.js, image-codec.js, project-file.js, store.js,
// project-store.js and an engine (for rules and real weights) into globalThis.lab.
async function openLab(page, base = plainURL) {
  await page.goto(`${base}/js/storage/records.js`);  // any document of the origin
  await page.evaluate(async () => {
    const [records, codec, file, store, pstore, { EngineClient }] = await Promise.all([
      import('/js/storage/records.js'), import('/js/storage/image-codec.js'), import('/js/storage/project-file.js'),
      import('/js/storage/store.js'), import('/js/storage/project-store.js'), import('/js/engine/engine-client.js')]);
    const engine = new EngineClient();
    const rules = await engine.call('rules');
    globalThis.lab = { records, codec, file, store, pstore, engine, rules };
  });
}

// Writes the database exactly as the page's version 1 did (store.js of before issue 11:
// DB 'convlab' version 1, kv with string keys, images {classId, rgba, width, height} with an
// autoIncrement id and a classId index), with the records a student's project had: two
// renamed classes, images of each (raw 96x96 RGBA of a seeded photo-like pattern), the engine's
// default spec, settings, a result with curves and a confusion matrix, and trained weights.
// extra: more kv records to write as they are; extraImages: more image records
// [{classId, width, height, len}] whose rgba is `len` zero bytes (null: rgba null): broken ones.
async function writeV1Profile(page, { images = [3, 2], extra = {}, extraImages = [] } = {}) {
  return page.evaluate(async ({ images, extra, extraImages }) => {
    const { engine } = globalThis.lab;
    const spec = (await engine.call('defaultSpec', { classes: 2 })).spec;
    await engine.call('setSpec', { spec, seed: 7 });
    const weights = await engine.call('save', { metadata: { classes: ['Cat', 'Cup'] } });
    const pixels = (seed, w = 96, h = 96) => {
      const rgba = new Uint8Array(w * h * 4);
      let s = seed;
      for (let i = 0; i < rgba.length; i += 4) {
        s = (s * 1103515245 + 12345) >>> 0;
        const x = (i / 4) % w, y = Math.floor(i / 4 / w);
        rgba[i] = (x * 2 + seed * 40 + (s >>> 29)) & 255;
        rgba[i + 1] = (y * 2 + (s >>> 28)) & 255;
        rgba[i + 2] = ((x + y) + seed * 13) & 255;
        rgba[i + 3] = 255;
      }
      return rgba;
    };
    const kv = {
      classes: [{ id: 1, name: 'Cat' }, { id: 2, name: 'Cup' }],
      spec,
      settings: { epochs: 3, batch_size: 8, optimizer: 'sgd', lr: 0.02, momentum: 0.9, val_fraction: 0.2, shift: 2, flip: true, seed: 7 },
      result: {
        epochs: 2, history: [{ epoch: 1, train_loss: 0.9, train_acc: 0.5, val_loss: 0.8, val_acc: 0.5 }, { epoch: 2, train_loss: 0.4, train_acc: 0.9, val_loss: null, val_acc: null }],
        confusion: [2, 1, 0, 2], classes: ['Cat', 'Cup'], spec, stopped: false,
      },
      weights,
      ...extra,
    };
    const recs = [];
    images.forEach((n, k) => { for (let i = 0; i < n; i++) recs.push({ classId: k + 1, rgba: pixels(k * 10 + i + 1), width: 96, height: 96 }); });
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('convlab', 1);
      open.onupgradeneeded = () => {
        const d = open.result;
        d.createObjectStore('kv');
        const s = d.createObjectStore('images', { keyPath: 'id', autoIncrement: true });
        s.createIndex('classId', 'classId');
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise((resolve, reject) => {
      const t = db.transaction(['kv', 'images'], 'readwrite');
      for (const [k, v] of Object.entries(kv)) t.objectStore('kv').put(v, k);
      for (const r of recs) t.objectStore('images').add(r);
      for (const { len, ...r } of extraImages) t.objectStore('images').add({ ...r, rgba: len === null ? null : new Uint8Array(len) });
      t.oncomplete = resolve;
      t.onerror = () => reject(t.error);
    });
    db.close();
    // what the test compares against after the migration
    const hex = (b) => Array.from(b.slice(0, 64)).join(',') + `#${b.length}`;
    return { kv: { ...kv, weights: Array.from(weights) }, images: recs.map((r) => ({ classId: r.classId, sum: r.rgba.reduce((a, b) => (a * 31 + b) >>> 0, 0), head: hex(r.rgba) })) };
  }, { images, extra, extraImages });
}

// The rolling hash writeV1Profile reports per image, to compare decoded pixels with.
const HASH = '(rgba) => rgba.reduce((a, b) => (a * 31 + b) >>> 0, 0)';

async function expectReady(page) {
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

module.exports = { openLab, writeV1Profile, HASH, expectReady };
