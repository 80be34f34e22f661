// Issue 4, test 5: no camera, or permission denied. A clear message says what happened and
// what to do, and the upload path still works.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.isolatedURL;

for (const [why, errorName, text] of [
  ['permission denied', 'NotAllowedError', 'permission was denied'],
  ['no camera', 'NotFoundError', 'No camera was found'],
]) {
  test(`${why}: a clear message and uploads still work`, async ({ page }) => {
    // the browser's answer to getUserMedia, as it gives it when the user blocks the camera
    // or none is plugged in
    await page.addInitScript((name) => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied by test', name));
    }, errorName);
    const problems = h.watch(page, base);
    await h.openApp(page, base);
    await page.locator('#camera-toggle').click();
    const panel = page.locator('.camera-panel .message');
    await expect(panel).toContainText(text);
    await expect(panel).toContainText('upload');
    await h.card(page, 0).locator('button.snap').click();
    await expect(h.card(page, 0).locator('.message')).toContainText(text);
    await page.goto(`${base}/#predict`);
    await page.locator('#predict-live').click();
    await expect(page.locator('#view-predict .message.error')).toContainText(text);
    await page.goto(`${base}/#data`);
    await h.upload(page, 0, h.copies('chelsea.jpg', 2));
    await h.upload(page, 1, ['coffee.webp']);
    await expect.poll(() => h.counts(page)).toEqual([2, 1]);
    h.expectClean(problems);
  });
}

// The same page opened by a host name over plain http (as a classroom server without TLS
// would be) is not a secure context: browsers hide the camera entirely. The message says
// why and what to do, and everything else works.
test('not a secure page: the camera message says why, uploads still work', async () => {
  const { chromium } = require('@playwright/test');
  const { chromiumArgs } = require('./playwright.config.js');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...chromiumArgs, '--host-resolver-rules=MAP convlab.test 127.0.0.1'],
  });
  try {
    const page = await browser.newPage();
    const insecure = h.plainURL.replace('localhost', 'convlab.test');
    const problems = h.watch(page, insecure);
    await h.openApp(page, insecure);
    expect(await page.evaluate(() => globalThis.isSecureContext)).toBe(false);
    await page.locator('#camera-toggle').click();
    const panel = page.locator('.camera-panel .message');
    await expect(panel).toContainText('only works on a secure page');
    await expect(panel).toContainText('http://localhost');
    await h.upload(page, 0, h.copies('chelsea.jpg', 2));
    await h.upload(page, 1, ['coffee.webp']);
    await expect.poll(() => h.counts(page)).toEqual([2, 1]);
    h.expectClean(problems);
  } finally {
    await browser.close();
  }
});
