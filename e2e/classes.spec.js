// Classes: add up to ten, rename, reorder, delete (never below two); names stay text, the
// model's last layer follows the class count and the page says so; "New project" asks first.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.plainURL;
const names = (page) => page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.name));
const outputs = (page) => page.evaluate(() => JSON.parse(globalThis.convlab.getSpec()).layers.at(-1).out_features);

test('add, rename, reorder and delete classes; the last layer follows', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  const add = page.locator('button.add-class');
  await add.click();
  await expect(page.locator('.class-card')).toHaveCount(3);
  await expect(page.locator('#status-line')).toContainText('3 outputs, one per class');
  expect(await outputs(page)).toBe(3);

  // a name that looks like HTML is shown as text
  const html = '<img src=x onerror=alert(1)>';
  await h.renameClass(page, 2, html);
  await expect(h.card(page, 2).locator('input.class-name')).toHaveValue(html);
  expect(await page.locator('.class-card img').count()).toBe(0);

  await h.upload(page, 2, h.copies('coffee.jpg', 2));
  await h.card(page, 2).locator('button[aria-label="Move class up"]').click();
  await expect.poll(() => names(page)).toEqual(['Class 1', html, 'Class 2']);
  expect(await h.counts(page)).toEqual([0, 2, 0]);

  for (let n = 4; n <= 10; n++) await add.click();
  await expect(page.locator('.class-card')).toHaveCount(10);
  await expect(add).toBeDisabled();
  expect(await outputs(page)).toBe(10);

  // deleting a class with images asks first
  await h.card(page, 1).locator('button[aria-label="Delete class"]').click();
  await page.locator('dialog.confirm button[value="no"]').click();
  await expect(page.locator('.class-card')).toHaveCount(10);
  await h.card(page, 1).locator('button[aria-label="Delete class"]').click();
  await page.locator('dialog.confirm button[value="yes"]').click();
  await expect(page.locator('.class-card')).toHaveCount(9);
  expect(await outputs(page)).toBe(9);
  for (let n = 9; n > 2; n--) {
    await h.card(page, 0).locator('button[aria-label="Delete class"]').click();
    await expect(page.locator('.class-card')).toHaveCount(n - 1);
  }
  await expect(h.card(page, 0).locator('button[aria-label="Delete class"]')).toBeDisabled();
  expect(await outputs(page)).toBe(2);

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('.class-card')).toHaveCount(2);
  h.expectClean(problems);
});

test('"New project" opens an empty project and keeps the one before', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 2));
  await h.renameClass(page, 0, 'Cat');
  await expect.poll(() => h.counts(page)).toEqual([2, 0]);
  const before = await page.evaluate(() => globalThis.convlab.project.id);
  await page.locator('#new-project').click();
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.id)).not.toBe(before);
  await expect.poll(() => h.counts(page)).toEqual([0, 0]);
  expect(await names(page)).toEqual(['Class 1', 'Class 2']);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await h.counts(page)).toEqual([0, 0]);
  // the one before is still there, as it was
  const list = await page.evaluate(() => globalThis.convlab.project.stores.listProjects());
  expect(list.map((p) => p.images).sort()).toEqual([0, 2]);
  expect(list.find((p) => p.id === before).classes).toEqual(['Cat', 'Class 2']);
  h.expectClean(problems);
});

test('a class name being typed survives an upload landing in another class', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  const name = h.card(page, 1).locator('input.class-name');
  await name.fill('Mug');  // typed, not yet confirmed
  await h.upload(page, 0, h.copies('chelsea.jpg', 3));
  await expect.poll(() => h.counts(page)).toEqual([3, 0]);
  await expect(name).toBeFocused();
  await name.press('Enter');
  await expect.poll(() => page.evaluate(() => globalThis.convlab.getClasses()[1].name)).toBe('Mug');
  h.expectClean(problems);
});
