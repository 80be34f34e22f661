// Issue 16: the core flow on a phone and two tablets (mobile emulation: isMobile, hasTouch).
// One page per size: the fake camera records a class by touch-holding "Hold to record"
// (real touch events through the DevTools protocol, so the page sees pointerType "touch"),
// the other class is uploaded, one epoch trains, a file is predicted; then every view and
// every tab inside a view is checked and screenshot into build/screenshots/: no sideways
// page scroll, nothing cut off on the right, every control at least 44x44 CSS px.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const h = require('./helpers.js');
const a11y = require('./a11y.js');

const base = h.isolatedURL;
const outDir = path.join(__dirname, '..', 'build', 'screenshots');

// Touch-holds the centre of locator for ms milliseconds.
async function touchHold(page, locator, ms) {
  const box = await locator.boundingBox();
  const x = box.x + box.width / 2, y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
  await page.waitForTimeout(ms);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet-portrait', width: 768, height: 1024 },
  { name: 'tablet-landscape', width: 1024, height: 768 },
];

for (const size of sizes) {
  test(`core flow by touch on a ${size.name} (${size.width}x${size.height})`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const problems = h.watch(page, base);
    await h.openApp(page, base);
    expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);

    // hold to record by touch: frames arrive while the finger is down, and stop after
    const rec = h.card(page, 0).locator('button.record');
    await rec.scrollIntoViewIfNeeded();
    await touchHold(page, rec, 1500);
    await expect.poll(async () => (await h.counts(page))[0], { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await page.waitForTimeout(600);
    const held = (await h.counts(page))[0];
    await page.waitForTimeout(600);
    expect((await h.counts(page))[0], 'recording stopped when the finger lifted').toBe(held);
    await expect(rec).not.toHaveClass(/\bon\b/);

    await h.upload(page, 1, h.copies('coffee.jpg', 4));
    await expect.poll(async () => (await h.counts(page))[1]).toBe(4);
    await h.settings(page, { epochs: 1, batch_size: 4 });
    await h.trainToEnd(page);
    await page.locator('header a[data-view="predict"]').click();
    await page.locator('#predict-file').setInputFiles([h.file('coffee.jpg')]);
    await expect(page.locator('#predict-top')).not.toHaveText('No prediction yet');

    const found = [];
    await a11y.walk(page, async (name) => {
      const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (over > 0) found.push(`${name}: the page scrolls sideways by ${over}px`);
      for (const c of await a11y.cutOff(page)) found.push(`${name}: cut off: ${c}`);
      for (const s of await a11y.smallTargets(page)) found.push(`${name}: small touch target: ${s}`);
      // the whole page through a viewport as tall as it: Playwright's fullPage capture drops
      // the touch emulation (the page would be shot with a mouse's layout)
      const tall = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({ width: size.width, height: Math.max(size.height, tall) });
      await page.screenshot({ path: path.join(outDir, `mobile-${name.replace('/', '-')}-${size.width}x${size.height}.png`) });
      await page.setViewportSize({ width: size.width, height: size.height });
    });
    expect(found, found.join('\n')).toEqual([]);
    h.expectClean(problems);
    await context.close();
  });
}
