// Issue 11's page defects, each tested: a diverging run (SGD lr 1, momentum 0.99), a corrupt
// stored draft and an unreadable stored model, what could not be read named once in a banner,
// the warning before leaving while a write is pending, every finished epoch checkpointed (the
// first one too), duplicate / invisible / long class names, the stretched-image note, and
// labels never cut inside an emoji.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const h = require('./helpers.js');

const shot = (page, name) => page.screenshot({ path: path.join(__dirname, '..', 'build', 'screenshots', `${name}-1280x800.png`) });

const base = h.plainURL;
const ready = (page) => expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });

async function twoClasses(page, n = 3) {
  await h.upload(page, 0, h.copies('chelsea.jpg', n));
  await h.upload(page, 1, h.copies('coffee.jpg', n));
  await expect.poll(() => h.counts(page)).toEqual([n, n]);
}

test('a diverging run stops, says so, suggests a smaller learning rate and keeps only finite weights', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await twoClasses(page, 6);
  // with these 12 images and the default seed, batch and shift the loss is no number in epoch 11
  await h.settings(page, { optimizer: 'sgd', lr: 1, momentum: 0.99, epochs: 30 });
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText('Training diverged in epoch', { timeout: 90_000 });
  await expect(page.locator('#train-progress-text')).toContainText('smaller learning rate, for example 0.1');
  await expect(page.locator('#train-progress-text')).toHaveClass(/error/);
  await expect(page.locator('#status-line')).toContainText('Training diverged');
  await expect(page.locator('#train-progress-text')).not.toContainText('Trained after');
  await expect(page.locator('#train-start')).toBeEnabled();
  await shot(page, 'train-diverged');
  const kept = await page.evaluate(async () => {
    const p = globalThis.convlab.project;
    const weights = await p.store.get('weights');
    return { epochs: p.result.history.length, finiteLoss: p.result.history.every((e) => Number.isFinite(e.train_loss)), weights: weights ? weights.byteLength : 0, trained: p.trained };
  });
  expect(kept.epochs).toBeLessThan(30);
  // the loss axis labels stay short enough to fit, however large the last good loss was
  const axis = await page.evaluate(async () => {
    const { axisNumber } = await import('/js/charts.js');
    return [0, 0.25, 1.5, 1200, 2.5e31, 1e-7].map(axisNumber);
  });
  expect(axis).toEqual(['0', '0.25', '1.5', '1200', '2.5e31', '1e-7']);
  expect(kept.finiteLoss).toBe(true);
  // a model is kept only when an epoch ended before the loss blew up; it loads after a reload
  expect(kept.trained).toBe(kept.epochs > 0);
  expect(kept.weights > 0).toBe(kept.epochs > 0);
  await page.reload();
  await ready(page);
  expect(await page.evaluate(() => globalThis.convlab.project.trained)).toBe(kept.epochs > 0);
  expect(await page.evaluate(() => globalThis.convlab.project.modelProblem)).toBe('');
  await expect(page.locator('#train-progress-text')).toContainText('diverged');
  h.expectClean(problems);
});

test('a corrupt stored draft does not break the Train button, and what was skipped is named once', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await twoClasses(page);
  await page.evaluate(() => globalThis.convlab.project.store.save('specDraft', { text: '{"input":', report: null }));
  await page.reload();
  await ready(page);
  await expect(page.locator('#notice')).toBeVisible();
  await expect(page.locator('#notice')).toContainText(/draft|editing/i);
  await expect(page.locator('.notice')).toHaveCount(1);
  await shot(page, 'notice-skipped');
  await h.settings(page, { epochs: 1, batch_size: 4 });
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText('Trained after 1 epoch(s)', { timeout: 60_000 });
  await page.locator('#notice button').click();
  await expect(page.locator('#notice')).toBeHidden();
  h.expectClean(problems);
});

test('an unreadable stored model is said so on the Train tab, not "Trained after"', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await twoClasses(page);
  await h.settings(page, { epochs: 2, batch_size: 4 });
  await h.trainToEnd(page);
  // a truncated model: the first half of the stored file
  await page.evaluate(async () => {
    const s = globalThis.convlab.project.store;
    const w = new Uint8Array(await s.get('weights'));
    await s.save('weights', w.slice(0, w.length >> 1));
  });
  await page.reload();
  await ready(page);
  expect(await page.evaluate(() => globalThis.convlab.project.trained)).toBe(false);
  await expect(page.locator('#train-progress-text')).toContainText(/could not be (used|read)|missing/);
  await expect(page.locator('#train-progress-text')).toContainText('Train again');
  await expect(page.locator('#train-progress-text')).not.toContainText('Trained after');
  await expect(page.locator('#notice')).toBeVisible();
  await shot(page, 'train-model-unreadable');
  h.expectClean(problems);
});

test('closing the tab while a write is pending asks first', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  const blocked = await page.evaluate(async () => {
    // another connection keeps every store busy, so the project's next write waits in line
    const db = await new Promise((res, rej) => { const r = indexedDB.open('convlab'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const names = [...db.objectStoreNames];
    const t = db.transaction(names, 'readwrite');
    globalThis.holdBusy = true;
    const spin = () => { if (globalThis.holdBusy) t.objectStore(names[0]).get('spin').onsuccess = spin; };
    spin();
    globalThis.writeDone = globalThis.convlab.project.setSettings({ epochs: 7 });
    await new Promise((r) => setTimeout(r, 100));
    const ask = () => { const e = new Event('beforeunload', { cancelable: true }); dispatchEvent(e); return e.defaultPrevented; };
    const during = ask();
    globalThis.holdBusy = false;
    await globalThis.writeDone;
    return { during, after: ask() };
  });
  expect(blocked).toEqual({ during: true, after: false });
  h.expectClean(problems);
});

test('every finished epoch is checkpointed, the first slice\'s too', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await twoClasses(page, 2);
  // 4 images, batch 16, no validation: one step per epoch, so the worker's first slice of two
  // steps ends two epochs at once
  const seen = await page.evaluate(async () => {
    const c = globalThis.convlab;
    await c.project.syncWorker();
    const config = { ...c.project.settings, epochs: 5, batch_size: 16, val_fraction: 0, shift: 0 };
    const out = [];
    await c.engine.call('train', { config, steps: 2, metadata: {} }, { onProgress: (p) => out.push({ epochs: p.history.length, checkpoint: !!p.checkpoint, done: p.done }) });
    return out;
  });
  expect(seen[0]).toEqual({ epochs: 2, checkpoint: true, done: false });
  for (const s of seen) expect(s.checkpoint).toBe(!s.done);
  h.expectClean(problems);
});

test('class names: duplicates and invisible characters are refused, a long name is cut with a note', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.renameClass(page, 0, 'Cat');
  const input = h.card(page, 1).locator('input.class-name');
  const tryName = async (name) => { await input.fill(name); await input.press('Enter'); };
  await tryName(' cat ');
  await expect(h.card(page, 1).locator('.message')).toContainText('already called "cat"');
  await expect(input).toHaveValue('Class 2');
  await tryName('Ca\u200Bt');
  await expect(h.card(page, 1).locator('.message')).toContainText('invisible characters');
  await tryName('\u200B\u200D');
  await expect(h.card(page, 1).locator('.message')).toContainText('a name you can see');
  expect(await page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.name))).toEqual(['Cat', 'Class 2']);
  const max = await page.evaluate(() => globalThis.convlab.rules.classes.name_max);
  const long = `${'🐈'.repeat(max - 1)}👩‍👩‍👧‍👦xyz`;
  await tryName(long);
  await expect(h.card(page, 1).locator('.message')).toContainText(`cut to ${max} characters`);
  const kept = await page.evaluate(() => globalThis.convlab.getClasses()[1].name);
  expect(kept).toBe(`${'🐈'.repeat(max - 1)}👩‍👩‍👧‍👦`);  // cut between graphemes, the family emoji whole
  h.expectClean(problems);
});

test('a tiny image is stretched with a note; a chart label is never cut inside an emoji', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  const tiny = await page.evaluate(async () => {
    const c = new OffscreenCanvas(1, 4000);
    c.getContext('2d').fillRect(0, 0, 1, 4000);
    const b = await c.convertToBlob({ type: 'image/png' });
    return Array.from(new Uint8Array(await b.arrayBuffer()));
  });
  await h.upload(page, 0, [{ name: 'thin.png', mimeType: 'image/png', buffer: Buffer.from(tiny) }, 'chelsea.jpg']);
  await expect(h.card(page, 0).locator('.message')).toContainText('"thin.png" (1×4000) is smaller than');
  await expect(h.card(page, 0).locator('.message')).toContainText('stretched');
  const cut = await page.evaluate(async () => {
    const { clip } = await import('./js/charts.js');
    const { graphemes } = await import('./js/format.js');
    const g = document.createElement('canvas').getContext('2d');
    g.font = '12px sans-serif';
    const text = '👩‍👩‍👧‍👦🇫🇷é'.repeat(6);
    const out = [];
    for (let w = 10; w < 200; w += 7) out.push(clip(g, text, w));
    return out.map((t) => ({ t, whole: graphemes(text).slice(0, graphemes(t.replace(/…$/, '')).length).join('') === t.replace(/…$/, '') }));
  });
  for (const c of cut) expect(c.whole, c.t).toBe(true);
  h.expectClean(problems);
});
