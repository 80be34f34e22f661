// Issue 4, tests 2 and 6: the upload flow on both engine builds. Images go to two classes by
// file upload (PNG, JPEG, WebP), a corrupt file and a non-image are reported by name and
// skipped without losing anything, the model trains, and uploaded photos are classified right.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

for (const [name, base, threaded] of [['isolated, threaded build', h.isolatedURL, true], ['not isolated, single-threaded build', h.plainURL, false]]) {
  test(`upload, train and predict uploaded images (${name})`, async ({ page }) => {
    const problems = h.watch(page, base);
    await h.openApp(page, base);
    expect((await page.evaluate(() => globalThis.convlab.engine.call('hello'))).threaded).toBe(threaded);
    await h.renameClass(page, 0, 'Cat');
    await h.renameClass(page, 1, 'Coffee');

    await h.upload(page, 0, h.copies('chelsea.png', 6));
    await expect.poll(() => h.counts(page)).toEqual([6, 0]);
    // a damaged PNG and a text file among good ones: both named, both skipped, the rest kept
    await h.upload(page, 0, ['broken.png', 'notes.txt', 'chelsea.jpg', ...h.copies('chelsea.png', 3)]);
    const msg = h.card(page, 0).locator('.message');
    await expect(msg).toContainText('broken.png');
    await expect(msg).toContainText('notes.txt');
    await expect(msg).toContainText('4 images added');
    await expect.poll(() => h.counts(page)).toEqual([10, 0]);
    await h.upload(page, 1, [...h.copies('coffee.png', 9), 'coffee.webp']);
    await expect.poll(() => h.counts(page)).toEqual([10, 10]);
    // drag and drop of a file onto a class card
    const bytes = [...require('node:fs').readFileSync(h.fixture('coffee.jpg'))];
    await page.evaluate((b) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], 'dropped-coffee.jpg', { type: 'image/jpeg' }));
      const card = document.querySelectorAll('.class-card')[1];
      card.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      card.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await expect.poll(() => h.counts(page)).toEqual([10, 11]);
    await expect(h.card(page, 1).locator('.thumb')).toHaveCount(11);

    await page.goto(`${base}/#train`);
    await h.settings(page, { epochs: 8, batch_size: 8, seed: 5 });
    await h.trainToEnd(page);
    await expect(page.locator('#per-class li')).toHaveCount(2);

    await page.goto(`${base}/#predict`);
    await expect(page.locator('#predict-untrained')).toBeHidden();
    await page.locator('#predict-file').setInputFiles(h.fixture('chelsea.jpg'));
    await expect(page.locator('#predict-top')).toContainText('Cat');
    await page.locator('#predict-file').setInputFiles(h.fixture('coffee.jpg'));
    await expect(page.locator('#predict-top')).toContainText('Coffee');
    // several files at once: one batched engine call, a result per file, the bars show the first
    await page.locator('#predict-file').setInputFiles([h.fixture('chelsea.jpg'), h.fixture('coffee.jpg')]);
    await expect(page.locator('.file-result')).toHaveCount(2);
    await expect(page.locator('.file-result').nth(0)).toContainText('chelsea.jpg');
    await expect(page.locator('.file-result').nth(0)).toContainText('Cat');
    await expect(page.locator('.file-result').nth(1)).toContainText('Coffee');
    await expect(page.locator('#predict-top')).toContainText('Cat');
    // for a person to look at: the results of several files at the three widths
    for (const vp of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(vp);
      await page.screenshot({ path: require('node:path').join(__dirname, '..', 'build', 'screenshots', `predict-files-${vp.width}x${vp.height}${threaded ? '' : '-st'}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    // a bad file to predict is named, and the page keeps working
    await page.locator('#predict-file').setInputFiles(h.fixture('notes.txt'));
    await expect(page.locator('#view-predict .message.error')).toContainText('notes.txt');
    h.expectClean(problems);
  });
}
