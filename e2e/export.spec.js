// Issue 12: models out and in, in the page. A model trained in the page is downloaded as its
// three files (NAME.safetensors, NAME.py, NAME.onnx): their sizes and the safetensors header
// are checked, and ONNX Runtime (onnxruntime-web under node, never served to the page) runs
// the ONNX file on the very input the engine used for a Predict-tab image and must give the
// Predict tab's numbers. Then "Load model": a broken file and another model's file are
// refused with a message and nothing changes; the other model is adopted on request.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers.js');

const shots = path.join(__dirname, '..', 'build', 'screenshots');

function readSafetensors(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  return { n, header };
}

// A safetensors file of another model (a linear classifier on 16x16 images), as PyTorch
// or another ConvLab project would write it.
function otherModelFile() {
  const spec = { input: { channels: 3, height: 16, width: 16 }, layers: [{ type: 'flatten' }, { type: 'linear', out_features: 2 }] };
  const w = new Float32Array(2 * 768).map((_, i) => Math.sin(i) * 0.01), b = new Float32Array([0.1, -0.1]);
  let header = JSON.stringify({
    __metadata__: { format: 'pt', convlab_spec: JSON.stringify(spec) },
    '1.weight': { dtype: 'F32', shape: [2, 768], data_offsets: [0, w.byteLength] },
    '1.bias': { dtype: 'F32', shape: [2], data_offsets: [w.byteLength, w.byteLength + 8] },
  });
  header += ' '.repeat((8 - ((8 + header.length) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), Buffer.from(w.buffer), Buffer.from(b.buffer)]);
}

async function downloadOf(page, id) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(id).click()]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

test('download the three model files, ONNX Runtime gives the Predict tab\'s numbers; load, refuse, adopt', async ({ page }) => {
  const base = h.isolatedURL;
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.renameClass(page, 0, 'Cat');
  await h.renameClass(page, 1, 'Coffee');
  await h.upload(page, 0, h.copies('chelsea.png', 6));
  await h.upload(page, 1, h.copies('coffee.png', 6));
  await expect.poll(() => h.counts(page)).toEqual([6, 6]);
  // before training there is nothing to download
  await page.goto(`${base}/#train`);
  await expect(page.locator('#train-download-onnx')).toBeDisabled();
  await h.settings(page, { epochs: 10, batch_size: 4, seed: 3 });
  await h.trainToEnd(page);

  // ---- the three files from the Train tab ----
  await expect(page.locator('#train-download-onnx')).toBeEnabled();
  const info = await page.evaluate(() => globalThis.convlab.engine.call('info'));
  const st = await downloadOf(page, '#train-download-safetensors');
  const py = await downloadOf(page, '#train-download-py');
  const onnx = await downloadOf(page, '#train-download-onnx');
  // NAME is the project's name (the first project of a fresh profile is "Project 1")
  expect([st.name, py.name, onnx.name]).toEqual(['Project-1.safetensors', 'Project-1.py', 'Project-1.onnx']);
  const { n, header } = readSafetensors(st.bytes);
  expect(st.bytes.length).toBe(8 + n + 4 * info.params);  // header + every parameter as float32
  expect(header['0.weight'].shape).toEqual([8, 3, 3, 3]);
  expect(header['0.weight'].dtype).toBe('F32');
  const meta = header.__metadata__;
  expect(JSON.parse(meta.classes)).toEqual(['Cat', 'Coffee']);
  expect(JSON.parse(meta.convlab_spec).layers.length).toBe(info.layers.length);
  expect(JSON.parse(meta.convlab_preprocessing).input).toEqual({ channels: 3, height: 64, width: 64 });
  expect(JSON.parse(meta.convlab_training).epochs).toBe(10);
  expect(onnx.bytes.length).toBeGreaterThan(4 * info.params);
  expect(onnx.bytes.length).toBeLessThan(4 * info.params + 20_000);
  const script = py.bytes.toString('utf8');
  expect(script).toContain('strict=True');
  expect(script).toContain('WEIGHTS = "Project-1.safetensors"');
  expect(script).toContain('\\"Cat\\",\\"Coffee\\"');

  // ---- a photo on the Predict tab, and the same input through ONNX Runtime ----
  await page.goto(`${base}/#predict`);
  await page.locator('#predict-file').setInputFiles(h.fixture('chelsea.jpg'));
  await expect(page.locator('#predict-top')).toContainText('Cat');
  const shown = await page.locator('#predict-bars .value').allTextContents();
  // the input the engine made of that file (the page's decode at the stored size, then the
  // engine's preprocessing), and the engine's probabilities on it
  const ran = await page.evaluate(async (b64) => {
    const { decodeFiles } = await import('/js/image-files.js');
    const c = globalThis.convlab;
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const { images } = await decodeFiles([new File([bytes], 'chelsea.jpg', { type: 'image/jpeg' })], c.project.storedSize());
    const { rgba, width, height } = images[0];
    const probs = await c.engine.call('predict', { rgba: rgba.slice(), width, height });
    const run = await c.engine.call('learnRun', { rgba: rgba.slice(), width, height, layers: [] });
    return { probs: [...probs], input: [...run.input] };
  }, fs.readFileSync(h.fixture('chelsea.jpg')).toString('base64'));
  expect(ran.probs.map((p) => `${Math.round(p * 100)}%`)).toEqual(shown);
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(new Uint8Array(onnx.bytes));
  const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(ran.input), [1, 3, 64, 64]) });
  const got = [...out.probabilities.data];
  expect(got.length).toBe(2);
  for (let i = 0; i < 2; i++) expect(Math.abs(got[i] - ran.probs[i])).toBeLessThan(1e-5);
  expect(got.map((p) => `${Math.round(p * 100)}%`)).toEqual(shown);
  await session.release();

  fs.mkdirSync(shots, { recursive: true });
  for (const [w, hgt] of [[1280, 800], [768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.locator('#predict-model-files').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, `export-predict-${w}x${hgt}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // ---- Load model: a broken file changes nothing ----
  const before = await page.evaluate(() => globalThis.convlab.engine.call('predict', { rgba: new Uint8Array(64 * 64 * 4).fill(90), width: 64, height: 64 }));
  const spec = await page.evaluate(() => globalThis.convlab.getSpec());
  await page.locator('#predict-model-file').setInputFiles({ name: 'notes.safetensors', mimeType: 'application/octet-stream', buffer: fs.readFileSync(h.fixture('notes.txt')) });
  const msg = page.locator('#predict-model-message');
  await expect(msg).toContainText('notes.safetensors could not be loaded');
  // issue 28: the engine's message and the page's sentence are two sentences, not run together
  await expect(msg).toContainText('the file is truncated or not safetensors. Nothing was changed.');
  expect(await page.evaluate(async () => {
    const { sentences } = await import('/js/model-files.js');
    return [sentences('a: b', 'Nothing was changed.'), sentences('a: b.', 'Nothing was changed.'), sentences('Is it? ', ''), sentences('x')];
  })).toEqual(['a: b. Nothing was changed.', 'a: b. Nothing was changed.', 'Is it?', 'x.']);
  // ---- our own file loads back ----
  await page.locator('#predict-model-file').setInputFiles({ name: 'convlab-model.safetensors', mimeType: 'application/octet-stream', buffer: st.bytes });
  await expect(msg).toContainText('Loaded convlab-model.safetensors');
  // ---- another model's file: refused, naming the tensor; then adopted ----
  await page.locator('#predict-model-file').setInputFiles({ name: 'other.safetensors', mimeType: 'application/octet-stream', buffer: otherModelFile() });
  await expect(msg).toContainText('0.weight: the file has no such tensor, this project\'s model has it with shape [8,3,3,3]');
  await expect(page.locator('#predict-model-adopt')).toBeVisible();
  await page.locator('#predict-model-files').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, 'export-mismatch-1280x800.png') });
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(spec);
  const after = await page.evaluate(() => globalThis.convlab.engine.call('predict', { rgba: new Uint8Array(64 * 64 * 4).fill(90), width: 64, height: 64 }));
  expect([...after]).toEqual([...before]);
  await page.locator('#predict-model-adopt').click();
  await expect(msg).toContainText('The file\'s model is this project\'s model now');
  const adopted = await page.evaluate(() => JSON.parse(globalThis.convlab.getSpec()));
  expect(adopted.input).toEqual({ channels: 3, height: 16, width: 16 });
  expect(await page.evaluate(() => globalThis.convlab.isTrained())).toBe(true);
  // it predicts, and survives a reload (the project keeps the adopted spec and weights)
  await page.locator('#predict-file').setInputFiles(h.fixture('coffee.jpg'));
  await expect(page.locator('#predict-top')).toContainText('%');
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await page.evaluate(() => JSON.parse(globalThis.convlab.getSpec()).input)).toEqual({ channels: 3, height: 16, width: 16 });
  expect(await page.evaluate(() => globalThis.convlab.isTrained())).toBe(true);
  await page.goto(`${base}/#train`);
  await page.locator('#train-model-files').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, 'export-train-1280x800.png') });
  h.expectClean(problems);
});
