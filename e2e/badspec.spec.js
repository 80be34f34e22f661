// Issue 4, test 4: a bad spec typed by hand. The message names the layer and the fix, the
// model in use does not change, training is refused until the spec is fixed, and nothing is
// lost (images, the last good spec, and the typed text itself survive a reload).
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.isolatedURL;

test('a bad spec is explained at its layer, refused for training, and loses nothing', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 3));
  await h.upload(page, 1, h.copies('coffee.jpg', 3));
  await expect.poll(() => h.counts(page)).toEqual([3, 3]);
  const good = await page.evaluate(() => globalThis.convlab.getSpec());

  // typed by hand into the Model tab's JSON box: layer 6 is the third conv, and at 16x16 a
  // 20x20 kernel does not fit
  const bad = good.replace('{"type":"conv2d","out_channels":32,"kernel":3,"padding":"same"}', '{"type":"conv2d","out_channels":32,"kernel":20}');
  expect(bad).not.toBe(good);
  await page.locator('nav a[data-view="model"]').click();
  await page.locator('#spec-text').fill(bad);
  await expect(page.locator('#spec-error')).toContainText('layer 6');
  await expect(page.locator('#spec-error')).toContainText(/use a kernel of at most 16|more padding/);
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(good);
  const report = await page.evaluate(() => globalThis.convlab.getSpecDraft()?.report);
  expect(report?.ok).toBe(false);
  expect(report?.error_layer).toBe(6);

  // training is refused while the typed spec is wrong, and says where
  await page.locator('nav a[data-view="train"]').click();
  await page.locator('#train-start').click();
  await expect(page.locator('#train-error')).toContainText('Training refused');
  await expect(page.locator('#train-error')).toContainText('layer 6');
  await expect(page.locator('#train-progress-text')).toContainText('Not trained yet');
  expect(await page.evaluate(() => globalThis.convlab.isTrained())).toBe(false);

  // the wrong number of outputs for the classes is a bad spec too, named at the last layer
  const wrongOut = good.replace('{"type":"linear","out_features":2}', '{"type":"linear","out_features":5}');
  await page.locator('nav a[data-view="model"]').click();
  await page.locator('#spec-text').fill(wrongOut);
  await page.locator('#spec-apply').click();
  await expect(page.locator('#spec-error')).toContainText('set out_features to 2');
  const r2 = await page.evaluate(() => globalThis.convlab.getSpecDraft().report);
  expect(r2.ok).toBe(false);
  expect(r2.error_layer).toBe(12);
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(good);
  await page.locator('nav a[data-view="train"]').click();
  await page.locator('#train-start').click();
  await expect(page.locator('#train-error')).toContainText('layer 12');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await h.counts(page)).toEqual([3, 3]);
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(good);
  expect(await page.evaluate(() => globalThis.convlab.getSpecDraft()?.text)).toBe(wrongOut);

  await page.locator('nav a[data-view="model"]').click();
  await expect(page.locator('#spec-text')).toHaveValue(wrongOut);  // the typed text survived
  // fixing it (here: the editor's Revert) lets training run
  await page.locator('#spec-revert').click();
  await expect(page.locator('#spec-text')).toHaveValue(good);
  await h.settings(page, { epochs: 2 });
  await h.trainToEnd(page);
  h.expectClean(problems);
});
