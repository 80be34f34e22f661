// A full disk: when the browser refuses to store more, the page says so and what to do, and
// the images already kept stay (in the page and after a reload).
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.plainURL;

test('a storage quota error is explained and loses nothing', async ({ page }) => {
  // once the test sets the flag, every IndexedDB add fails as a full disk does
  await page.addInitScript(() => {
    const add = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function (...args) {
      if (globalThis.diskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return add.apply(this, args);
    };
  });
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 3));
  await expect.poll(() => h.counts(page)).toEqual([3, 0]);
  await page.evaluate(() => { globalThis.diskFull = true; });
  await h.upload(page, 0, h.copies('chelsea.jpg', 2));
  await expect(h.card(page, 0).locator('.message')).toContainText('no storage left');
  await expect(page.locator('#status-line')).toContainText('delete some images');
  expect(await h.counts(page)).toEqual([3, 0]);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await h.counts(page)).toEqual([3, 0]);
  h.expectClean(problems);
});
