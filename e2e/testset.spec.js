// Issue 15, part B: start from the built-in Fashion-MNIST with two classes, train an epoch, add a
// test folder (sub-folders named like the classes, one that matches none), evaluate on the test
// set kept apart, open a confusion cell and the hardest examples, open one in Inside the CNN,
// move one to the training set. One page load; screenshots at 1280x800 and 768x1024 go to
// build/screenshots/testset-*.png. Also: a stored image's split read back (a broken value is
// kept, in the test set, with a note) and the .convlab file keeping the split.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const h = require('./helpers.js');

const shots = path.join(__dirname, '..', 'build', 'screenshots');

async function shoot(page, name) {
  fs.mkdirSync(shots, { recursive: true });
  for (const [w, hh] of [[1280, 800], [768, 1024]]) {
    await page.setViewportSize({ width: w, height: hh });
    await page.screenshot({ path: path.join(shots, `testset-${name}-${w}x${hh}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('built-in dataset, test set kept apart, evaluate, confusion drilldown, hardest examples, move', async ({ page }) => {
  const base = h.plainURL;
  const problems = h.watch(page, base);
  await h.openApp(page, base, 'projects');

  // ---- split read-back (records.js) and the project file keeping it ----
  const split = await page.evaluate(async () => {
    const records = await import('/js/storage/records.js');
    const codec = await import('/js/storage/image-codec.js');
    const file = await import('/js/storage/project-file.js');
    const rules = globalThis.convlab.rules;
    const rgba = new Uint8Array(4 * 4 * 4).fill(200);
    const png = codec.encodePNG({ rgba, width: 4, height: 4 });
    const read = (s) => records.readImage({ id: 1, classId: 1, width: 4, height: 4, png, split: s }, rules.store.cap);
    const bytes = await file.writeProject(globalThis.convlab.engine, { name: 'S', created: 1, classes: [{ id: 1, name: 'A' }, { id: 2, name: 'B' }], images: [
      { classId: 1, width: 4, height: 4, png }, { classId: 2, width: 4, height: 4, png, split: 'test' }] }, rules);
    const back = await file.readProject(globalThis.convlab.engine, bytes, rules);
    return {
      none: read(undefined), train: read('train'), test: read('test'), junk: read('holdout'), num: read(3),
      file: back.images.map((im) => im.split),
    };
  });
  expect(split.none.value.split).toBe('train');
  expect(split.train.value.split).toBe('train');
  expect(split.test.value.split).toBe('test');
  expect(split.test.note).toBeUndefined();
  for (const r of [split.junk, split.num]) {
    expect(r.value.split).toBe('test');  // kept, never trained on
    expect(r.note).toContain('unreadable split');
  }
  expect(split.file).toEqual(['train', 'test']);

  // ---- start from Fashion-MNIST: Trouser and Bag ----
  await page.locator('#builtin-panel summary').click();
  const boxes = page.locator('#builtin-panel input[type=checkbox]');
  await expect(boxes).toHaveCount(10);
  await boxes.nth(0).uncheck();
  await boxes.nth(2).uncheck();
  await boxes.nth(8).check();
  await expect(page.locator('#builtin-start')).toHaveText('Start from Fashion-MNIST (2 classes)');
  await shoot(page, 'builtin');
  await page.locator('#builtin-start').click();
  await expect.poll(() => page.evaluate(() => globalThis.convlab.getClasses().map((c) => `${c.name} ${c.count}`)), { timeout: 30_000 })
    .toEqual(['Trouser 300', 'Bag 300']);
  expect(await page.evaluate(() => globalThis.convlab.project.testCount())).toBe(200);
  expect(await page.evaluate(() => JSON.parse(globalThis.convlab.getSpec()).input)).toEqual({ channels: 1, height: 28, width: 28 });

  // ---- train one epoch ----
  await h.settings(page, { epochs: 1 });
  await h.trainToEnd(page);
  await expect(page.locator('#testset-summary')).toContainText('200 test images');

  // ---- a test folder: Trouser/, bag/ (case differs) and Socks/ (no such class) ----
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-testset-'));
  const pngs = await page.evaluate(async () => {
    const { loadBuiltin } = await import('/js/builtin-dataset.js');
    const codec = await import('/js/storage/image-codec.js');
    const c = globalThis.convlab;
    const d = await loadBuiltin({ side: (await c.engine.call('testsetRules')).builtin_side, maxClasses: c.rules.classes.max, maxImages: c.rules.project.max_images });
    const pick = (c) => d.images(c, 'test').slice(0, 3).map((im) => Array.from(codec.encodePNG(im)));
    return { Trouser: pick(1), bag: pick(8), Socks: pick(0) };
  });
  for (const [folder, list] of Object.entries(pngs)) {
    fs.mkdirSync(path.join(dir, 'tests', folder), { recursive: true });
    list.forEach((b, i) => fs.writeFileSync(path.join(dir, 'tests', folder, `${i}.png`), Buffer.from(b)));
  }
  await page.locator('#testset-folder').setInputFiles(path.join(dir, 'tests'));
  await expect(page.locator('#testset-message')).toContainText('6 test images added');
  await expect(page.locator('#testset-message')).toContainText('Socks');
  expect(await page.evaluate(() => globalThis.convlab.project.testCount())).toBe(206);

  // ---- evaluate ----
  await page.locator('#testset-evaluate').click();
  await expect(page.locator('#testset-accuracy')).toContainText('Test set (never trained on)');
  const ev = await page.evaluate(async () => {
    const cells = [...document.querySelectorAll('#testset-confusion button.cell')].map((b) => Number(b.textContent));
    return { cells, sum: cells.reduce((a, b) => a + b, 0) };
  });
  expect(ev.sum).toBe(206);
  // trousers and bags after one epoch: most on the diagonal
  expect(ev.cells[0] + ev.cells[3]).toBeGreaterThan(150);
  await shoot(page, 'evaluated');

  // ---- a confusion cell: the diagonal cell of Trouser ----
  await page.locator('#testset-confusion button.cell[data-row="0"][data-col="0"]').click();
  await expect(page.locator('#testset-drill h4')).toContainText('Trouser predicted as Trouser');
  await expect(page.locator('#testset-drill .drill-item')).toHaveCount(ev.cells[0]);

  // ---- hardest examples of the validation split: the images core's trainer held out ----
  const rules = await page.evaluate(() => globalThis.convlab.engine.call('testsetRules'));
  const val = await page.evaluate(() => {
    const p = globalThis.convlab.project, ids = new Set();
    for (const c of globalThis.convlab.getClasses()) for (const im of p.images.get(c.id) ?? []) ids.add(im.id);
    return { size: p.result.val_size, n: p.result.val_ids.length, distinct: new Set(p.result.val_ids).size, trainIds: [...ids], unknown: p.result.val_ids.filter((id) => !ids.has(id)).length };
  });
  expect(val.size).toBeGreaterThan(0);
  expect(val.n).toBe(val.size);
  expect(val.distinct).toBe(val.size);
  expect(val.unknown).toBe(0);  // every one names a training-split image
  await page.locator('#testset-hard-split').selectOption('val');
  await page.locator('#testset-hardest').click();
  await expect(page.locator('#testset-drill h4')).toContainText('hardest examples of the validation set');
  await expect(page.locator('#testset-drill .drill-item')).toHaveCount(Math.min(rules.hardest_examples, val.size));
  const valIds = (await page.locator('#testset-drill .drill-item').evaluateAll((els) => els.map((e) => Number(e.dataset.imageId))));
  for (const id of valIds) expect(val.trainIds).toContain(id);  // training-split images, not test ones
  await expect(page.locator('#testset-drill .drill-facts .hint').first()).toContainText(/p\(.*\) \d\.\d\d/);
  await page.locator('#testset-hard-split').selectOption('test');
  // a validation confusion cell (the Train tab's matrix, the same table as the test set's): Trouser as Trouser, with probabilities
  const conf = await page.evaluate(() => globalThis.convlab.project.result.confusion);
  await page.locator('#val-confusion button.cell[data-row="0"][data-col="0"]').click();
  await expect(page.locator('#testset-drill h4')).toContainText('Trouser predicted as Trouser');
  await expect(page.locator('#testset-drill h4')).toContainText('validation set');
  await expect(page.locator('#testset-drill .drill-item')).toHaveCount(conf[0]);
  await expect(page.locator('#testset-drill .drill-facts .hint').first()).toContainText(/p\(Trouser\) \d\.\d\d/);

  // ---- hardest examples of the test set, one opened in Inside the CNN ----
  await page.locator('#testset-hardest').click();
  await expect(page.locator('#testset-drill h4')).toContainText('hardest examples of the test set');
  await expect(page.locator('#testset-drill .drill-item')).toHaveCount(rules.hardest_examples);
  const losses = await page.locator('#testset-drill .drill-facts .hint').allTextContents();
  const nums = losses.map((t) => Number(/loss ([\d.]+)/.exec(t)[1]));
  expect([...nums].sort((a, b) => b - a)).toEqual(nums);  // highest loss first
  await shoot(page, 'hardest');
  const firstId = Number(await page.locator('#testset-drill .drill-item').first().getAttribute('data-image-id'));
  await page.locator('#testset-drill .drill-item').first().locator('.drill-open').click();
  await expect(page.locator('#view-learn')).toBeVisible();
  await expect(page.locator('#learn-source-name')).toContainText(`image ${firstId} of the evaluation`);
  await expect(page.locator('#learn-maps')).toBeVisible();  // a view that shows the image
  await shoot(page, 'inside');

  // ---- move the hardest test image to the training set of Bag ----
  await page.goto(`${base}/#train`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await page.locator('#testset-hardest').click();
  const item = page.locator('#testset-drill .drill-item').first();
  const bagId = await page.evaluate(() => globalThis.convlab.getClasses()[1].id);
  await item.locator('select.move-to').selectOption(`train:${bagId}`);
  await expect(page.locator('#testset-message')).toContainText('Moved the image to Bag (training)');
  expect(await page.evaluate(() => globalThis.convlab.project.testCount())).toBe(205);
  expect(await page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.count))).toEqual([300, 301]);
  // and it is still so after a reload: the split is stored
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await page.evaluate(() => [globalThis.convlab.project.testCount(), ...globalThis.convlab.getClasses().map((c) => c.count)])).toEqual([205, 300, 301]);
  h.expectClean(problems);
});

// The built-in dataset's two files are outside input too: a broken index or a short image file
// is refused with a message saying what is wrong (and the real files still load after).
test('the built-in dataset: a broken index or image file is refused with a message', async ({ page }) => {
  const base = h.plainURL;
  let index = null, bin = null;  // null: serve the real file
  await page.route('**/gen/fashion-mnist.json', (r) => (index === null ? r.continue() : r.fulfill({ body: index, contentType: 'application/json' })));
  await page.route('**/gen/fashion-mnist.bin', (r) => (bin === null ? r.continue() : r.fulfill({ body: bin })));
  await h.openApp(page, base, 'projects');
  const real = await (await page.request.get(`${base}/gen/fashion-mnist.json`)).json();
  const load = () => page.evaluate(async () => {
    const { loadBuiltin } = await import('/js/builtin-dataset.js');
    const c = globalThis.convlab;
    const limits = { side: (await c.engine.call('testsetRules')).builtin_side, maxClasses: c.rules.classes.max, maxImages: c.rules.project.max_images };
    try { return `loaded ${(await loadBuiltin(limits)).classes.length} classes`; } catch (e) { return e.message; }
  });
  const results = [];
  for (const [body, short] of [
    ['{"width": 28', null],
    [JSON.stringify({ ...real, width: 29 }), null],
    [JSON.stringify({ ...real, classes: [...real.classes, 'Hat'] }), null],
    [JSON.stringify({ ...real, train_per_class: 5000 }), null],
    [JSON.stringify({ ...real, bytes: real.bytes + 1 }), null],
    [null, Buffer.alloc(10)],
  ]) {
    index = body;
    bin = short;
    results.push(await load());
  }
  expect(results[0]).toContain('its index is not JSON');
  expect(results[1]).toContain('its image size');
  expect(results[2]).toContain('its class names');
  expect(results[3]).toContain('its image counts');
  expect(results[4]).toContain('its index says');
  expect(results[5]).toContain('10 bytes of images');
  for (const r of results) expect(r).toContain('Rebuild the page with make web');
  index = null;
  bin = null;
  expect(await load()).toBe(`loaded ${real.classes.length} classes`);
});
