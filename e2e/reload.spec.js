// Issue 4, test 3: a reload in the middle of a training run loses nothing: images, spec and
// settings are all still there, the model and curves of the last finished epoch are kept
// (checkpointed as each epoch ends), and training can start again. Issue 15: the runs trained
// are kept for comparison and overlaid with a legend, across a reload; a hostile record is set aside.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.plainURL;

test('reload in the middle of training keeps images, spec and settings', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 5));
  await h.upload(page, 1, h.copies('coffee.jpg', 4));
  await h.renameClass(page, 1, 'Cup');
  await expect.poll(() => h.counts(page)).toEqual([5, 4]);
  // a spec of our own (another input size, wider first conv), slow enough to reload mid-run
  const spec = await page.evaluate(async () => {
    const s = JSON.parse(globalThis.convlab.getSpec());
    s.input = { channels: 3, height: 80, width: 80 };
    s.layers[0].out_channels = 12;
    const text = JSON.stringify(s, null, 2);
    const r = await globalThis.convlab.setSpec(text);
    if (!r.ok) throw new Error(r.error);
    return text;
  });
  await page.goto(`${base}/#train`);
  const wanted = { epochs: 500, batch_size: 4, lr: 0.002, val_fraction: 0.25, shift: 3, seed: 42, flip: true };
  await h.settings(page, wanted);
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText('Epoch', { timeout: 20_000 });
  await expect(page.locator('#train-pause')).toBeEnabled();
  await expect(page.locator('#train-progress-text')).toContainText(/Epoch ([4-9]|\d\d+) of/, { timeout: 30_000 });
  await page.evaluate(() => globalThis.convlab.project.pendingCheckpoint);  // the last write is done
  const kept = await page.evaluate(() => globalThis.convlab.project.store.get('result').then((r) => r.history.length));
  expect(kept).toBeGreaterThanOrEqual(3);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await h.counts(page)).toEqual([5, 4]);
  expect(await page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.name))).toEqual(['Class 1', 'Cup']);
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(spec);
  for (const [k, v] of Object.entries(wanted)) {
    if (typeof v === 'boolean') await expect(page.locator(`#set-${k}`)).toBeChecked({ checked: v });
    else await expect(page.locator(`#set-${k}`)).toHaveValue(String(v));
  }
  await expect(h.card(page, 0).locator('.thumb')).toHaveCount(5);
  // the checkpointed model: trained, with its curves, and it predicts
  expect(await page.evaluate(() => globalThis.convlab.project.trained)).toBe(true);
  expect(await page.evaluate(() => globalThis.convlab.project.result.history.length)).toBeGreaterThanOrEqual(kept);
  await expect(page.locator('#train-progress-text')).toContainText('interrupted');
  await page.goto(`${base}/#predict`);
  await expect(page.locator('#predict-untrained')).toBeHidden();
  await page.locator('#predict-file').setInputFiles(h.fixture('chelsea.jpg'));
  await expect(page.locator('#predict-top')).toContainText(/Class 1|Cup/);
  await page.goto(`${base}/#train`);
  // and it trains again from the restored state; the same seed gives the same curves
  await h.settings(page, { epochs: 2 });
  await h.trainToEnd(page);
  const first = await page.evaluate(() => JSON.stringify(globalThis.convlab.project.result.history));
  await page.evaluate(() => { globalThis.previousResult = globalThis.convlab.project.result; });
  await page.locator('#train-start').click();
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.result !== globalThis.previousResult), { timeout: 60_000 }).toBe(true);
  expect(await page.evaluate(() => JSON.stringify(globalThis.convlab.project.result.history))).toBe(first);
  // issue 15: the earlier runs overlaid, each named by what changed (here the learning rate)
  await expect(page.locator('#train-start')).toBeEnabled();
  await h.settings(page, { lr: 0.01 });
  await h.trainToEnd(page);
  // the runs: the one cut off by the reload (kept, marked), the two 2-epoch runs, this one
  const legend = page.locator('#runs-legend li');
  await expect(legend).toHaveCount(3);
  await expect(legend.first()).toContainText('cut off by a reload');
  await expect(legend.nth(1)).toContainText('lr 0.002 -> 0.01');
  await expect(legend.nth(2)).toContainText('lr 0.002 -> 0.01');
  // the page says "Trained after" before the run's record is kept (trainingFinished): poll
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.runs.length)).toBe(4);
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.pendingWrites)).toBe(0);  // on disk
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await page.goto(`${base}/#train`);
  await expect(legend).toHaveCount(3);
  await expect(legend.nth(1)).toContainText('lr 0.002 -> 0.01');
  // the runs go into the .convlab file (runs.json) and come back from it
  const copied = await page.evaluate(async () => {
    const p = globalThis.convlab.project, s = p.store.store;
    const { id } = await s.importFile(new Uint8Array(await (await s.exportFile(p.id)).arrayBuffer()));
    const kept = await s.project(id).load();
    await s.deleteProject(id);
    return JSON.stringify(kept.runs) === JSON.stringify(p.runs) ? kept.runs.length : -1;
  });
  expect(copied).toBe(4);
  // a run stopped before its end keeps its first-layer filter history (epoch 0 and each epoch end)
  await h.settings(page, { epochs: 500 });
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText(/Epoch ([3-9]|\d\d+) of/, { timeout: 30_000 });
  await page.locator('#train-stop').click();
  await expect(page.locator('#train-progress-text')).toContainText('Stopped after', { timeout: 30_000 });
  const stopped = await page.evaluate(() => { const r = globalThis.convlab.project.result; return { epochs: r.filters?.epochs, n: r.history.length }; });
  expect(stopped.epochs).toEqual(Array.from({ length: stopped.n + 1 }, (_, e) => e));
  await expect(legend).toHaveCount(4);
  await expect(legend.nth(3)).toContainText('epochs 2 -> 500');
  // a hostile stored runs record is set aside with a note, and the charts still draw
  await page.evaluate(() => globalThis.convlab.project.store.save('runs', [{ at: 1, settings: { lr: { toString: 'x' } }, summary: { params: -1, layers: 'conv' }, history: 'epoch 1' }]));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#notice')).toContainText('earlier training runs');
  await page.goto(`${base}/#train`);
  await expect(page.locator('#runs-legend')).toBeHidden();
  await expect(page.locator('#train-progress-text')).toContainText('Stopped after');
  h.expectClean(problems);
});
