// Issue 16: a device that cannot give the threaded engine its shared memory (iPads and phones
// refuse a large WebAssembly.Memory at start-up) still gets a working page: the worker falls
// back to the single-threaded build and the page says why. The refusal is played by serving a
// threaded build that throws the RangeError such a device throws.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.isolatedURL;

test('the threaded engine refused at start-up: the single-threaded one runs, and the page says why', async ({ page }) => {
  await page.route('**/gen/convlab-mt.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: "export default () => { throw new RangeError('WebAssembly.Memory(): could not allocate memory'); };",
  }));
  await h.openApp(page, base);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);  // threads were possible
  await expect(page.locator('#engine-status')).toContainText('single-threaded build');
  await expect(page.locator('#engine-status')).toContainText('could not allocate memory');
  const hello = await page.evaluate(() => globalThis.convlab.engine.call('hello'));
  expect(hello.threaded).toBe(false);
  expect(hello.threads).toBe(1);
  // and it works: a prediction with the untrained default model
  const probs = await page.evaluate(() => globalThis.convlab.engine.call('predict', { rgba: new Uint8Array(64 * 64 * 4).fill(128), width: 64, height: 64 }));
  expect(Object.keys(probs).length).toBe(2);
});
