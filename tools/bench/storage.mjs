// make bench's storage part: bytes per stored image and the size of a 1,000-image project file,
// measured with the page's own modules (web/js/storage/image-codec.js: plain JS that runs the same in
// node as in the page; the project file is written in headless Chromium by core's writer, as
// Save project as file writes it).
//   webcam-like photos: 96x96 crops of the two fake-webcam scenes (e2e/fixtures/*.y4m, 320x240
//     frames of real photos) at seeded offsets and zooms, each with its own seeded sensor noise
//     at the camera's resolution (uniform +-4 levels per channel) before the page's downscale
//   Fashion-MNIST (Debian's dataset-fashion-mnist, `make bench-data`): the first 2,000 test
//     images, at the size the page stores them for a 28x28 model (96x96, grey, bilinear) and at
//     28x28
//   the project file: those 1,000 photos in 2 classes, with the page's default net's weights
//     from the real engine (headless Chromium, skipped with a note if it cannot start)
// usage: node tools/bench/storage.mjs [--port 8790] [--json build/bench-storage.json]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const port = Number(opt('--port', 8790));
const jsonPath = resolve(root, opt('--json', 'build/bench-storage.json'));

// the page's fflate, where the page loads it from (make web copies it)
if (!existsSync(join(root, 'web/gen/fflate.js'))) {
  mkdirSync(join(root, 'web/gen'), { recursive: true });
  copyFileSync(join(root, 'node_modules/fflate/esm/browser.js'), join(root, 'web/gen/fflate.js'));
}
const codec = await import(join(root, 'web/js/storage/image-codec.js'));

let seed = 2026;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };

// One y4m frame (4:2:0, limited range, BT.601) -> RGB floats.
function y4mFrame(path) {
  const b = readFileSync(path);
  const nl = b.indexOf(10);
  const hdr = b.subarray(0, nl).toString();
  const W = Number(/ W(\d+)/.exec(hdr)[1]), H = Number(/ H(\d+)/.exec(hdr)[1]);
  const f = b.indexOf(10, nl + 1) + 1;
  const Y = b.subarray(f, f + W * H), U = b.subarray(f + W * H, f + (W * H * 5) / 4), V = b.subarray(f + (W * H * 5) / 4);
  const rgb = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const yy = 1.164 * (Y[y * W + x] - 16), u = U[(y >> 1) * (W >> 1) + (x >> 1)] - 128, v = V[(y >> 1) * (W >> 1) + (x >> 1)] - 128;
      const o = (y * W + x) * 3;
      rgb[o] = yy + 1.596 * v;
      rgb[o + 1] = yy - 0.392 * u - 0.813 * v;
      rgb[o + 2] = yy + 2.017 * u;
    }
  }
  return { rgb, W, H, channels: 3 };
}

// Seeded sensor noise of one photo at a source pixel: uniform in [-amp, amp], from a hash of
// (photo, x, y, channel), so each photo has its own noise and none is stored.
function noiseAt(photo, x, y, c, amp) {
  let h = Math.imul(photo + 1, 0x9e3779b1) ^ Math.imul(x + 1, 0x85ebca6b) ^ Math.imul(y + 1, 0xc2b2ae35) ^ Math.imul(c + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return ((h >>> 0) / 2 ** 32) * (2 * amp + 1) - amp - 0.5;
}

// The square (x0, y0, side) of an image scaled to size x size by averaging 4x4 bilinear samples
// per output pixel (about what the page's high-quality canvas downscale does), with the
// photo's sensor noise added at the source resolution (amp 0: none) -> RGBA.
function sample(img, x0, y0, side, size, amp = 0, photo = 0) {
  const { rgb, W, H, channels } = img;
  const rgba = new Uint8Array(size * size * 4);
  const px = (xx, yy, c) => rgb[(yy * W + xx) * channels + (channels === 1 ? 0 : c)] + (amp ? noiseAt(photo, xx, yy, c, amp) : 0);
  const S = side / size > 1 ? 4 : 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let j = 0; j < S; j++) {
          for (let i = 0; i < S; i++) {
            const sx = Math.min(W - 1.001, Math.max(0, x0 + ((x + (i + 0.5) / S) * side) / size - 0.5));
            const sy = Math.min(H - 1.001, Math.max(0, y0 + ((y + (j + 0.5) / S) * side) / size - 0.5));
            const ix = Math.floor(sx), iy = Math.floor(sy), fx = sx - ix, fy = sy - iy;
            acc += (1 - fy) * ((1 - fx) * px(ix, iy, c) + fx * px(ix + 1, iy, c)) + fy * ((1 - fx) * px(ix, iy + 1, c) + fx * px(ix + 1, iy + 1, c));
          }
        }
        rgba[(y * size + x) * 4 + c] = Math.max(0, Math.min(255, Math.round(acc / (S * S))));
      }
      rgba[(y * size + x) * 4 + 3] = 255;
    }
  }
  return { rgba, width: size, height: size };
}

let photoId = 0;
function webcamPhotos(n) {
  const scenes = ['chelsea', 'coffee'].map((s) => y4mFrame(join(root, `e2e/fixtures/${s}-320x240.y4m`)));
  const out = [];
  for (let i = 0; i < n; i++) {
    const img = scenes[i % 2];
    const side = 200 + rand() * 40;  // the page's centre crop of a 320x240 frame is 240x240
    out.push({ ...sample(img, rand() * (img.W - side), rand() * (img.H - side), side, 96, 4, photoId++), classId: (i % 2) + 1 });
  }
  return out;
}

function fashionMnist(n) {
  const r = spawnSync('dpkg', ['-L', 'dataset-fashion-mnist'], { encoding: 'utf8' });
  const file = r.status === 0 ? r.stdout.split('\n').find((f) => /t10k-images-idx3-ubyte(\.gz)?$/.test(f)) : null;
  if (!file) return null;
  let b = readFileSync(file);
  if (file.endsWith('.gz')) b = gunzipSync(b);
  const count = Math.min(n, b.readUInt32BE(4)), rows = b.readUInt32BE(8), cols = b.readUInt32BE(12);
  const out = [];
  for (let i = 0; i < count; i++) {
    const px = b.subarray(16 + i * rows * cols, 16 + (i + 1) * rows * cols);
    const img = { rgb: Float32Array.from(px), W: cols, H: rows, channels: 1 };
    out.push({ stored: sample(img, 0, 0, rows, 96), native: sample(img, 0, 0, rows, 28) });
  }
  return out;
}

const stats = (sizes) => {
  const s = [...sizes].sort((a, b) => a - b);
  return { images: s.length, mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length), median: s[s.length >> 1], max: s[s.length - 1] };
};

function measure(list, label) {
  const t = performance.now();
  const pngs = list.map((im) => codec.encodePNG(im));
  const ms = (performance.now() - t) / list.length;
  let exact = true;
  for (let i = 0; i < list.length; i++) {
    const d = codec.decodePNG(pngs[i], Math.max(list[i].width, list[i].height));
    if (d.rgba.length !== list[i].rgba.length || d.rgba.some((v, k) => v !== list[i].rgba[k])) exact = false;
  }
  return { label, raw: list[0].rgba.length, ...stats(pngs.map((p) => p.length)), encode_ms: Number(ms.toFixed(2)), bit_exact: exact, pngs };
}

// In headless Chromium: the page's default net's weights from the real engine, and what
// IndexedDB really uses on disk for the photos that the page's store.js writes into a fresh
// profile (the whole IndexedDB folder after the browser closed).
async function inBrowser(pngs, classIds) {
  const server = spawn(process.execPath, [join(root, 'tools/serve.mjs'), '--port', String(port), '--no-isolation'], { cwd: root, stdio: 'ignore' });
  try {
    const { chromium } = await import('@playwright/test');
    await new Promise((r) => setTimeout(r, 500));
    // a persistent profile, so that what IndexedDB wrote can be measured on disk afterwards
    // (navigator.storage.estimate lags behind the writes)
    const profile = mkdtempSync(join(tmpdir(), 'convlab-bench-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    let result;
    try {
      const page = await browser.newPage();
      await page.goto(`http://localhost:${port}/js/storage/records.js`);
      result = await page.evaluate(async ({ b64, classIds }) => {
        const { EngineClient } = await import('/js/engine/engine-client.js');
        const { Store } = await import('/js/storage/store.js');
        const e = new EngineClient();
        const spec = (await e.call('defaultSpec', { classes: 2 })).spec;
        const info = await e.call('setSpec', { spec, seed: 1 });
        const w = await e.call('save', { metadata: { classes: ['Class 1', 'Class 2'] } });
        const st = await Store.open();
        const id = await st.createProject('bench');
        const recs = b64.map((x) => ({ classId: 1, width: 96, height: 96, png: Uint8Array.from(atob(x), (c) => c.charCodeAt(0)) }));
        for (let i = 0; i < recs.length; i += 50) await st.addImages(id, recs.slice(i, i + 50));
        st.db.close();
        // opening a project decodes every image: decodePNGs (the browser's decoder, verified)
        // against decodePNG (inflating in JS)
        const codec = await import('/js/storage/image-codec.js');
        const pngs = recs.map((r) => r.png);
        let t = performance.now();
        await codec.decodePNGs(pngs, 224);
        const manyMs = (performance.now() - t) / pngs.length;
        t = performance.now();
        for (const p of pngs) codec.decodePNG(p, 224);
        const jsMs = (performance.now() - t) / pngs.length;
        // the 1,000-image project file, as Save project as file writes it (core's writer, in the worker)
        const pf = await import('/js/storage/project-file.js');
        const file = await pf.writeProject(e, {
          name: 'bench', created: 0, classes: [{ id: 1, name: 'cat' }, { id: 2, name: 'cup' }], settings: { epochs: 15, seed: 1 }, spec, weights: w,
          images: recs.map((r, i) => ({ ...r, classId: classIds[i] })),
          result: { history: Array.from({ length: 15 }, (_, i) => ({ epoch: i + 1, train_loss: 1 / (i + 1), train_acc: 0.5, val_loss: 1, val_acc: 0.5 })), confusion: [100, 0, 0, 100], classes: ['cat', 'cup'] },
        });
        return { spec, params: info.params, weights: Array.from(w), idb_images: recs.length, open_ms: manyMs, js_ms: jsMs, file_bytes: file.length };
      }, { b64: pngs.map((p) => Buffer.from(p).toString('base64')), classIds });
    } finally {
      await browser.close();
    }
    // every file of the origin's IndexedDB folder (LevelDB tables, log, manifest)
    const du = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? du(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
    const idb = join(profile, 'Default', 'IndexedDB');
    result.idb_bytes = existsSync(idb) ? du(idb) : 0;
    rmSync(profile, { recursive: true, force: true });
    return result;
  } catch (err) {
    return { error: err.message.split('\n')[0] };
  } finally {
    server.kill();
  }
}

const photoList = webcamPhotos(1000);
const photos = measure(photoList, 'webcam-like photo, 96x96');
const fm = fashionMnist(2000);
const rows = [photos];
if (fm) {
  rows.push(measure(fm.map((x) => x.stored), 'Fashion-MNIST, stored 96x96 (28x28 model)'));
  rows.push(measure(fm.map((x) => x.native), 'Fashion-MNIST at 28x28'));
}
const eng = await inBrowser(photos.pngs, photoList.map((im) => im.classId));
const file = { length: eng.file_bytes ?? 0 };
const imagesInFile = photos.pngs.reduce((a, b) => a + b.length, 0);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const lines = ['\n## Storage: bytes per stored image (lossless PNG, web/js/storage/image-codec.js; decoded bit-exact)\n',
  '| images | raw RGBA | stored (mean) | median | max | ratio | encode ms/image | bit-exact |', '|---|---|---|---|---|---|---|---|'];
for (const r of rows) lines.push(`| ${r.label} (${r.images}) | ${r.raw} | ${r.mean} | ${r.median} | ${r.max} | ${(r.raw / r.mean).toFixed(2)}× | ${r.encode_ms} | ${r.bit_exact ? 'yes' : 'NO'} |`);
// IndexedDB's own cost per record: version 1 took 37,270 bytes for 36,864 bytes of RGBA
const RECORD = 37270 - 36864;
lines.push(`\n5,000 webcam-like photos: ${(5000 * photos.mean / 1e6).toFixed(1)} MB of PNG, about ${(5000 * (photos.mean + RECORD) / 1e6).toFixed(1)} MB in IndexedDB with its ~${RECORD} bytes per record (version 1: ${(5000 * 37270 / 1e6).toFixed(1)} MB, 37,270 bytes each).`);
if (eng.idb_bytes) lines.push(`In Chromium's IndexedDB on disk (${eng.idb_images} photos written by store.js into a fresh profile): ${Math.round(eng.idb_bytes / eng.idb_images)} bytes per photo, so 5,000 take about ${(5000 * eng.idb_bytes / eng.idb_images / 1e6).toFixed(1)} MB.`);
if (eng.open_ms) lines.push(`Decoding a photo when a project opens (Chromium): ${eng.open_ms.toFixed(2)} ms with the browser's PNG decoder (decodePNGs), ${eng.js_ms.toFixed(2)} ms inflating in JS (decodePNG).`);
lines.push(`A 1,000-image project file (.convlab): ${(file.length / 1e6).toFixed(2)} MB (${file.length} bytes: images ${kb(imagesInFile)}, ` +
  (eng.weights ? `weights of the default net ${kb(eng.weights.length)} (${eng.params} parameters, from the engine)` : `no weights: the engine did not start (${eng.error})`) + ', spec, settings, curves, zip overhead).');
console.log(lines.join('\n'));
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({
  images: rows.map(({ pngs, ...r }) => r), indexeddb: { bytes: eng.idb_bytes, images: eng.idb_images }, open_ms_per_photo: { browser_decoder: eng.open_ms, js: eng.js_ms }, project_file_1000: { bytes: file.length, image_bytes: imagesInFile, weights_bytes: eng.weights?.length ?? 0, params: eng.params, engine_error: eng.error },
}, null, 2)}\n`);
console.log(`\nJSON: ${jsonPath}`);
