// Issue 4, test 1: the webcam flow. Class "Cat" is recorded from the cat scene, the browser
// is closed and relaunched (same profile) with the coffee scene as its camera: the cat images
// must still be there. Class "Coffee" is recorded, the model trains, and live prediction names
// the scene in front of the camera; a third launch back on the cat scene checks the other way
// round with the trained model restored from IndexedDB.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.isolatedURL;

async function record(page, classIndex, ms) {
  const btn = h.card(page, classIndex).locator('button.record');
  await btn.hover();
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}

// The count once the last frames in flight are stored (two equal reads 300 ms apart).
async function settled(page, classIndex) {
  let before = -1;
  for (;;) {
    const now = (await h.counts(page))[classIndex];
    if (now === before) return now;
    before = now;
    await page.waitForTimeout(300);
  }
}

async function livePrediction(page) {
  await page.goto(`${base}/#predict`);
  await h.ensureLive(page);
  await expect(page.locator('#predict-fps')).toContainText('predictions/s', { timeout: 10_000 });
  return page.locator('#predict-top');
}

test('webcam capture across a browser restart, train, live prediction of each scene', async () => {
  const profile = h.tempProfile();
  let ctx = await h.launchWithCamera(profile, h.scene.cat);
  let page = ctx.pages()[0] ?? await ctx.newPage();
  let problems = h.watch(ctx, base);
  await h.openApp(page, base);
  await h.renameClass(page, 0, 'Cat');
  await h.renameClass(page, 1, 'Coffee');
  await page.locator('#camera-toggle').click();
  await expect(page.locator('.camera .crop-box')).toBeVisible();
  await record(page, 0, 3000);  // hold to record: a few frames a second
  await h.card(page, 0).locator('button.snap').click();
  await expect.poll(async () => (await h.counts(page))[0]).toBeGreaterThanOrEqual(12);
  const catCount = await settled(page, 0);
  h.expectClean(problems);
  await ctx.close();

  ctx = await h.launchWithCamera(profile, h.scene.coffee);
  page = ctx.pages()[0] ?? await ctx.newPage();
  problems = h.watch(ctx, base);
  await h.openApp(page, base);
  expect(await h.counts(page)).toEqual([catCount, 0]);  // survived the restart
  await expect(h.card(page, 0).locator('input.class-name')).toHaveValue('Cat');
  await page.locator('#camera-toggle').click();
  await record(page, 1, 3000);
  await expect.poll(async () => (await h.counts(page))[1]).toBeGreaterThanOrEqual(12);
  await page.goto(`${base}/#train`);
  await h.settings(page, { epochs: 10, seed: 3 });
  await h.trainToEnd(page);
  await expect(await livePrediction(page)).toContainText('Coffee');
  h.expectClean(problems);
  await ctx.close();

  ctx = await h.launchWithCamera(profile, h.scene.cat);
  page = ctx.pages()[0] ?? await ctx.newPage();
  problems = h.watch(ctx, base);
  await h.openApp(page, base);
  expect(await page.evaluate(() => globalThis.convlab.isTrained())).toBe(true);
  await expect(await livePrediction(page)).toContainText('Cat');
  h.expectClean(problems);
  await ctx.close();
});
