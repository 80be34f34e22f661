// Issue 14 (part B): the native command-line tool trains a project file bit for bit as the page
// does. A tiny project is made and trained in the page (2 classes x 6 images, 2 epochs), saved as
// a .convlab file and its model downloaded; then build/native/convlab trains the file and its
// model file must equal the page's: the tensor data byte for byte, and the whole file (same
// metadata). The same model then predicts a PNG and a JPEG in the page and with `convlab predict`: the
// same probabilities. make test-e2e builds the native tool first (Makefile).
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const h = require('./helpers.js');

const cli = path.join(__dirname, '..', 'build', 'native', 'convlab');

async function downloadOf(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

// A safetensors file's header length, header and tensor data.
function split(bytes) {
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), data: bytes.subarray(8 + n) };
}

function run(args) {
  const r = spawnSync(cli, args, { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('convlab train on the page\'s project file gives the page\'s model bit for bit; convlab predict gives its probabilities', async ({ page }) => {
  expect(fs.existsSync(cli), `${cli} is built by make native`).toBe(true);
  const base = h.isolatedURL;
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.renameClass(page, 0, 'Cat');
  await h.renameClass(page, 1, 'Coffee');
  // different pictures in each class (PNG and JPEG decodes of two photos), in different orders,
  // so a wrong image order or label changes the weights
  await h.upload(page, 0, ['chelsea.png', 'coffee.jpg', 'chelsea.jpg', ...h.copies('chelsea.png', 2), 'coffee.webp']);
  await h.upload(page, 1, ['coffee.png', 'chelsea.jpg', 'coffee.jpg', 'coffee.webp', ...h.copies('coffee.png', 2)]);
  await expect.poll(() => h.counts(page)).toEqual([6, 6]);
  await h.settings(page, { epochs: 2, batch_size: 4, seed: 11, flip: true });
  await h.trainToEnd(page);
  const model = await downloadOf(page, () => page.locator('#train-download-safetensors').click());

  await page.goto(`${base}/#projects`);
  const project = await downloadOf(page, () => page.locator('.project-save').first().click());
  expect(project.name).toMatch(/\.convlab$/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-cli-'));
  const file = path.join(dir, project.name), out = path.join(dir, 'cli.safetensors');
  fs.writeFileSync(file, project.bytes);
  const r = run(['train', file, '--out', out, '--threads', '2']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toContain('12 images, 2 classes');
  expect(r.out).toMatch(/epoch 2\/2 /);
  const mine = fs.readFileSync(out);
  const [a, b] = [split(model.bytes), split(mine)];
  expect(b.data.length).toBe(a.data.length);
  expect(Buffer.compare(a.data, b.data), 'tensor data of the page and the CLI').toBe(0);
  expect(b.header).toEqual(a.header);  // names, shapes, offsets and metadata
  expect(Buffer.compare(model.bytes, mine)).toBe(0);
  // and another seed gives other weights (the comparison can fail)
  const other = path.join(dir, 'other.safetensors');
  expect(run(['train', file, '--out', other, '--seed', '12']).code).toBe(0);
  expect(Buffer.compare(split(fs.readFileSync(other)).data, a.data)).not.toBe(0);

  // ---- predict: the page's engine on Chromium's decode of a PNG and a JPEG, the CLI on the
  // files (libpng, libjpeg-turbo): the same probabilities (Chromium decodes JPEG with
  // libjpeg-turbo too; the README says what other browsers may do) ----
  for (const name of ['chelsea.png', 'coffee.jpg']) {
    const img = h.fixture(name);
    const pageProbs = await page.evaluate(async ([bytes, type]) => {
      const bmp = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
      c.drawImage(bmp, 0, 0);
      const rgba = new Uint8Array(c.getImageData(0, 0, bmp.width, bmp.height).data.buffer);
      return Array.from(await globalThis.convlab.engine.call('predict', { rgba, width: bmp.width, height: bmp.height }));
    }, [[...fs.readFileSync(img)], name.endsWith('.png') ? 'image/png' : 'image/jpeg']);
    const p = run(['predict', out, img, '--json']);
    expect(p.code).toBe(0);
    const [res] = JSON.parse(p.out);
    expect(res.probabilities.map(Math.fround), name).toEqual(pageProbs);
    expect(res.class).toBe(pageProbs[0] > pageProbs[1] ? 'Cat' : 'Coffee');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  h.expectClean(problems);
});
