// Screenshots of every view at the two sizes the issue names (desktop 1280x800, tablet
// 768x1024), saved under build/screenshots/ for a person to look at; each view must also fit
// its width (no sideways scrolling).
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const h = require('./helpers.js');

const base = h.isolatedURL;
const outDir = path.join(__dirname, '..', 'build', 'screenshots');

for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }]) {
  test(`every view at ${viewport.width}x${viewport.height}`, async () => {
    const ctx = await h.launchWithCamera(h.tempProfile(), h.scene.cat, viewport);
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const problems = h.watch(ctx, base);
    await h.openApp(page, base);
    await h.renameClass(page, 0, 'Cat');
    await h.renameClass(page, 1, 'Coffee cup');
    await page.locator('#camera-toggle').click();
    for (let i = 0; i < 8; i++) await h.card(page, 0).locator('button.snap').click();
    await h.upload(page, 1, h.copies('coffee.jpg', 8));
    await expect.poll(() => h.counts(page)).toEqual([8, 8]);
    await h.settings(page, { epochs: 15, batch_size: 8 });
    await h.trainToEnd(page);
    for (const view of ['data', 'model', 'train', 'predict', 'learn']) {
      await page.locator(`nav a[data-view="${view}"]`).click();
      await expect(page.locator(`#view-${view}`)).toBeVisible();
      if (view === 'predict') {
        await h.ensureLive(page);
        await expect(page.locator('#predict-top')).toContainText('Cat');
      }
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${view} scrolls sideways`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(outDir, `page-${view}-${viewport.width}x${viewport.height}.png`), fullPage: true });
    }
    h.expectClean(problems);
    await ctx.close();
  });
}
