// Issue 11, "Done when": on a fresh profile make three projects, save one as a file, delete
// it, open the file and find everything as it was (same images, same predictions on a fixed
// image, same curves), then open the same project in two tabs and see the second tab follow
// the first. Also: the list's facts and order, rename, duplicate, reopening the last project,
// a .convlab file dropped onto the page, and screenshots of the list at three sizes.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const fs = require('node:fs');
const h = require('./helpers.js');

const base = h.plainURL;
const outDir = path.join(__dirname, '..', 'build', 'screenshots');

const goProjects = async (page) => {
  await page.locator('#projects-link').click();
  await expect(page.locator('#view-projects')).toBeVisible();
  await expect(page.locator('#project-list li').first()).toBeVisible();
};
const listNames = (page) => page.locator('#project-list .project-name').allTextContents();
const rowOf = (page, name) => page.locator('#project-list li', { has: page.locator('.project-name', { hasText: new RegExp(`^${name}$`) }) });

// Everything the test compares before and after the file round trip: classes, image counts and
// bytes, the spec, settings, curves, confusion, and the class probabilities on a fixed image.
function snapshot(page) {
  return page.evaluate(async () => {
    const c = globalThis.convlab, p = c.project;
    const size = p.storedSize();
    const rgba = new Uint8Array(size.width * size.height * 4);
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 7) * 11) & 255;
    const probs = Array.from(await c.engine.call('predict', { rgba, width: size.width, height: size.height }));
    let sum = 0;
    for (const list of p.images.values()) for (const im of list) for (let i = 0; i < im.rgba.length; i += 97) sum = (sum + im.rgba[i] * (i + 1)) % 1000000007;
    return {
      classes: p.classes.map((x) => x.name), counts: c.getClasses().map((x) => x.count), imageSum: sum,
      spec: p.spec, settings: p.settings, trained: p.trained,
      history: p.result.history, confusion: p.result.confusion, probs,
    };
  });
}

test('three projects, one saved as a file, deleted, opened again as it was; two tabs follow each other', async ({ page, context }) => {
  const problems = h.watch(context, base);
  await h.openApp(page, base);
  await goProjects(page);
  // a fresh profile has one project; make two more by name
  await expect(page.locator('#project-list li')).toHaveCount(1);
  for (const name of ['Cats and cups', 'Empty one']) {
    await page.locator('#new-project-name').fill(name);
    await page.locator('#project-create').click();
    await expect(page.locator('#view-data')).toBeVisible();
    await expect(page.locator('#project-name')).toHaveText(name);
    await goProjects(page);
  }
  await expect(page.locator('#project-list li')).toHaveCount(3);
  // the newest change first
  await expect.poll(async () => (await listNames(page))[0]).toBe('Empty one');

  // fill "Cats and cups" and train it
  await rowOf(page, 'Cats and cups').locator('.project-open').click();
  await expect(page.locator('#project-name')).toHaveText('Cats and cups');
  await h.upload(page, 0, h.copies('chelsea.jpg', 4));
  await h.upload(page, 1, h.copies('coffee.jpg', 3));
  await h.renameClass(page, 0, 'Cat');
  await h.renameClass(page, 1, 'Cup');
  await expect.poll(() => h.counts(page)).toEqual([4, 3]);
  await h.settings(page, { epochs: 3, batch_size: 4, seed: 5 });
  await h.trainToEnd(page);
  const before = await snapshot(page);
  expect(before.trained).toBe(true);
  expect(before.history).toHaveLength(3);

  // the list says what each project holds; the trained one is first now
  await expect(page.locator('#status-line')).not.toHaveText('');  // "Training finished…"
  await goProjects(page);
  await expect(page.locator('#status-line')).toHaveText('');  // another view's news is not shown here
  await expect.poll(async () => (await listNames(page))[0]).toBe('Cats and cups');
  const row = rowOf(page, 'Cats and cups');
  await expect(row.locator('.classes')).toContainText('2 classes: Cat, Cup');
  await expect(row.locator('.images')).toHaveText('7 images');
  await expect(row.locator('.trained')).toHaveText('trained');
  await expect(row.locator('.bytes')).toHaveText(/\d+(\.\d)? (KB|MB)/);
  await expect(rowOf(page, 'Empty one').locator('.trained')).toHaveText('not trained');
  await expect(page.locator('#storage-usage')).toContainText('used of');

  // rename and duplicate
  await rowOf(page, 'Empty one').locator('.project-rename-btn').click();
  await rowOf(page, 'Empty one').locator('.project-rename').fill('Renamed one');
  await rowOf(page, 'Empty one').locator('.project-rename').press('Enter');
  await expect(rowOf(page, 'Renamed one')).toHaveCount(1);
  await rowOf(page, 'Renamed one').locator('.project-duplicate').click();
  await expect(page.locator('#project-list li')).toHaveCount(4);

  // save "Cats and cups" as a file
  const [download] = await Promise.all([page.waitForEvent('download'), row.locator('.project-save').click()]);
  expect(download.suggestedFilename()).toBe('Cats-and-cups.convlab');  // spaces become '-', as in Download model
  const file = path.join(test.info().outputDir, 'cats.convlab');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await download.saveAs(file);
  expect(fs.statSync(file).size).toBeGreaterThan(1000);

  // delete it: asked first, Cancel keeps it
  await row.locator('.project-delete').click();
  await expect(page.locator('dialog.confirm')).toContainText('cannot be undone');
  await page.locator('dialog.confirm button[value="no"]').click();
  await expect(rowOf(page, 'Cats and cups')).toHaveCount(1);
  await row.locator('.project-delete').click();
  await page.locator('dialog.confirm button[value="yes"]').click();
  await expect(rowOf(page, 'Cats and cups')).toHaveCount(0);
  await goProjects(page);
  await expect(page.locator('#project-list li')).toHaveCount(3);

  // open the file: a new project, everything as it was
  await page.locator('#project-file-input').setInputFiles(file);
  await expect(page.locator('#project-name')).toHaveText('Cats and cups');
  await expect(page.locator('#view-data')).toBeVisible();
  const after = await snapshot(page);
  expect(after).toEqual(before);
  await page.goto(`${base}/#train`);
  await expect(page.locator('#train-progress-text')).toContainText('Trained after 3 epoch(s)');

  // the page reopens the last project
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#project-name')).toHaveText('Cats and cups');

  // a second tab on the same project shows it read-only and follows the first
  const second = await context.newPage();
  await h.openApp(second, base);
  await expect(second.locator('#project-name')).toHaveText('Cats and cups');
  await expect(second.locator('#read-only')).toBeVisible();
  await expect(second.locator('#read-only')).toContainText('This project is open in another tab: this tab shows it read-only and follows its changes');
  await expect(page.locator('#read-only')).toBeHidden();
  expect(await h.counts(second)).toEqual([4, 3]);
  await page.locator('nav a[data-view="data"]').click();
  await second.locator('nav a[data-view="data"]').click();
  await h.renameClass(page, 1, 'Mug');
  await h.upload(page, 1, h.copies('coffee.jpg', 2));
  await expect.poll(() => second.evaluate(() => globalThis.convlab.getClasses().map((c) => `${c.name}:${c.count}`))).toEqual(['Cat:4', 'Mug:5']);
  await expect(h.card(second, 1).locator('input.class-name')).toHaveValue('Mug');
  await page.screenshot({ path: path.join(outDir, 'tabs-first-1280x800.png') });
  await second.screenshot({ path: path.join(outDir, 'tabs-second-1280x800.png') });
  await second.close();
  h.expectClean(problems);
});

test('a .convlab file dropped onto the page opens as a new project', async ({ page, context }) => {
  const problems = h.watch(context, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 2));
  await h.renameClass(page, 0, 'Dropped cat');
  await expect.poll(() => h.counts(page)).toEqual([2, 0]);
  const bytes = await page.evaluate(async () => {
    const p = globalThis.convlab.project;
    const blob = await p.stores.exportFile(p.id, 'Dropped');
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  });
  await page.evaluate((arr) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(arr)], 'Dropped.convlab'));
    document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  await expect(page.locator('#status-line')).toContainText('Opened "Dropped.convlab" as a new project');
  const list = await page.evaluate(() => globalThis.convlab.project.stores.listProjects());
  expect(list).toHaveLength(2);
  expect(await h.counts(page)).toEqual([2, 0]);
  expect(await page.evaluate(() => globalThis.convlab.getClasses()[0].name)).toBe('Dropped cat');
  h.expectClean(problems);
});

for (const viewport of [{ width: 1280, height: 800 }, { width: 768, height: 1024 }, { width: 390, height: 844 }]) {
  test(`the project list at ${viewport.width}x${viewport.height}`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const problems = h.watch(context, base);
    await h.openApp(page, base);
    await h.upload(page, 0, h.copies('chelsea.jpg', 3));
    await h.renameClass(page, 0, 'Cat');
    await goProjects(page);
    for (const name of ['Leaves of the park in autumn', 'Handwritten digits']) {
      await page.locator('#new-project-name').fill(name);
      await page.locator('#project-create').click();
      await expect(page.locator('#project-name')).toHaveText(name);
      await goProjects(page);
    }
    await expect(page.locator('#project-list li')).toHaveCount(3);
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'the list scrolls sideways').toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(outDir, `projects-${viewport.width}x${viewport.height}.png`), fullPage: true });
    h.expectClean(problems);
    await context.close();
  });
}
