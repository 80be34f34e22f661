// The header's thread count: offered from 1 to the engine's max_threads by the threaded build,
// kept for the browser across reloads, not offered by the single-threaded build, and a stored
// count the engine does not offer is ignored.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const hello = (page) => page.evaluate(() => globalThis.convlab.engine.call('hello'));

test('the thread count is said, settable, kept across a reload, and refused from storage when not offered', async ({ page }) => {
  const problems = h.watch(page, h.isolatedURL);
  await h.openApp(page, h.isolatedURL);
  const first = await hello(page);
  expect(first.threaded).toBe(true);
  const select = page.locator('#engine-threads');
  if (first.max_threads < 2) {  // a one-core machine: nothing to choose, the text says the count
    await expect(page.locator('#engine-status')).toContainText('1 thread');
    await expect(select).toHaveCount(0);
    return;
  }
  // the select says the count, beside the engine's status
  await expect(page.locator('#engine-status')).toHaveText(/^Engine ready( \(works offline\))?: WebAssembly SIMD on$/);
  await expect(select.locator('option')).toHaveCount(first.max_threads);
  await expect(select).toHaveValue(String(first.threads));
  await select.selectOption('1');
  await expect(page.locator('#status-line')).toHaveText('The engine now uses 1 thread.');
  expect((await hello(page)).threads).toBe(1);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(select).toHaveValue('1');
  expect((await hello(page)).threads).toBe(1);
  // a count from storage that this engine does not offer is outside input: ignored
  await page.evaluate(() => globalThis.convlab.project.stores.db.setApp('threads', 999));
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect((await hello(page)).threads).toBe(first.threads);
  await expect(select).toHaveValue(String(first.threads));
  h.expectClean(problems);
});

test('the single-threaded build offers no thread count', async ({ page }) => {
  await h.openApp(page, h.plainURL);
  await expect(page.locator('#engine-status')).toContainText('1 thread (single-threaded build: the page is not cross-origin isolated)');
  await expect(page.locator('#engine-threads')).toHaveCount(0);
});
