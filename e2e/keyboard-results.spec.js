// Issue 15 by keyboard: the validation confusion matrix on the Train tab is the same table of
// buttons as the test set's (views/confusion-table.js), one Tab stop with the arrow keys inside;
// Enter on a cell lists its images. The image list is one Tab stop too (roving.js): Up/Down
// between images, Left/Right between an image's buttons, an arrow on the "Move to" select never
// moves the image, and a deleted image's place takes the focus. axe finds nothing serious.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');
const a11y = require('./a11y.js');
const fs = require('node:fs');
const path = require('node:path');

const shots = path.join(__dirname, '..', 'build', 'screenshots');

const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const li = el?.closest('.drill-item');
  return {
    cell: el?.matches('#val-confusion button.cell') ? [Number(el.dataset.row), Number(el.dataset.col)] : null,
    item: li ? [...li.parentElement.children].indexOf(li) : -1,
    cls: el?.className ?? '',
  };
});

test('validation matrix and image lists by keyboard', async ({ page }) => {
  const base = h.plainURL;
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, [...h.copies('chelsea.jpg', 6), ...h.copies('coffee.jpg', 2)]);
  await h.upload(page, 1, h.copies('coffee.jpg', 8));
  await expect.poll(() => h.counts(page)).toEqual([8, 8]);
  await page.goto(`${base}/#train`);
  await h.settings(page, { epochs: 2, val_fraction: 0.5 });
  await h.trainToEnd(page);
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.result?.val_ids?.length ?? 0)).toBeGreaterThan(0);

  const conf = await page.evaluate(() => globalThis.convlab.project.result.confusion);
  const n = Math.round(Math.sqrt(conf.length));
  const matrix = page.locator('#val-confusion');
  await expect(matrix.locator('button.cell')).toHaveCount(n * n);
  expect(await matrix.locator('button.cell').allTextContents()).toEqual(conf.map(String));
  // one Tab stop: exactly one cell has tabindex 0
  await expect(matrix.locator('button.cell[tabindex="0"]')).toHaveCount(1);

  // Tab into the matrix from the line above it: the first cell
  await page.locator('#confusion-caption').evaluate((el) => { el.tabIndex = -1; el.focus(); });
  await page.keyboard.press('Tab');
  expect((await focused(page)).cell).toEqual([0, 0]);
  // the fullest cell (at least 2 images with 8 validation images in n*n <= 4 cells)
  const best = conf.indexOf(Math.max(...conf));
  const [row, col] = [Math.floor(best / n), best % n];
  for (let i = 0; i < row; i++) await page.keyboard.press('ArrowDown');
  for (let j = 0; j < col; j++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');  // past the last row: stays in it
  await page.keyboard.press('ArrowDown');
  expect((await focused(page)).cell).toEqual([n - 1, col]);
  for (let i = n - 1; i > row; i--) await page.keyboard.press('ArrowUp');
  expect((await focused(page)).cell).toEqual([row, col]);
  // Tab leaves the matrix in one step, Shift+Tab comes back to the same cell
  await page.keyboard.press('Tab');
  expect((await focused(page)).cell).toBeNull();
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).cell).toEqual([row, col]);

  // Enter opens the cell: its images, from the validation set
  await page.keyboard.press('Enter');
  const names = await page.evaluate(() => globalThis.convlab.project.result.classes);
  const drill = page.locator('#testset-drill');
  await expect(drill.locator('h4')).toContainText(`${names[row]} predicted as ${names[col]}`);
  await expect(drill.locator('h4')).toContainText('validation set');
  await expect(drill.locator('.drill-item')).toHaveCount(conf[best]);
  expect(conf[best]).toBeGreaterThanOrEqual(2);
  // each button says which image it acts on
  const described = await drill.locator('.drill-delete').first().evaluate((b) => document.getElementById(b.getAttribute('aria-describedby'))?.textContent);
  expect(described).toMatch(/→.*loss \d/);
  await a11y.expectNoSeriousAxe(page, 'train: validation matrix and its images');
  fs.mkdirSync(shots, { recursive: true });
  for (const [w, hh] of [[1280, 800], [768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hh });
    await page.locator('#val-confusion').screenshot({ path: path.join(shots, `val-confusion-${w}x${hh}.png`) });
    await page.screenshot({ path: path.join(shots, `val-drill-${w}x${hh}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#testset-hardest').scrollIntoViewIfNeeded();

  // ---- the list: one Tab stop ----
  const list = drill.locator('.drill-list');
  const controls = await list.locator('button, select').count();
  expect(controls).toBe(3 * conf[best]);
  await expect(list.locator('[tabindex="0"]')).toHaveCount(1);
  await page.locator('#testset-hardest').focus();
  await page.keyboard.press('Tab');
  expect(await focused(page)).toMatchObject({ item: 0, cls: 'drill-open' });
  await page.keyboard.press('ArrowDown');
  expect(await focused(page)).toMatchObject({ item: 1, cls: 'drill-open' });
  await page.keyboard.press('ArrowRight');
  expect(await focused(page)).toMatchObject({ item: 1, cls: 'move-to' });
  // an arrow on the select moves the focus, never the image
  await page.keyboard.press('ArrowUp');
  expect(await focused(page)).toMatchObject({ item: 0, cls: 'move-to' });
  expect(await list.locator('select.move-to').evaluateAll((s) => s.map((x) => x.value))).toEqual(Array(conf[best]).fill(''));
  await expect(drill.locator('.drill-item')).toHaveCount(conf[best]);
  await page.keyboard.press('End');
  expect(await focused(page)).toMatchObject({ item: 0, cls: 'danger drill-delete' });
  await page.keyboard.press('Tab');
  expect((await focused(page)).item).toBe(-1);  // out of the list in one step
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toMatchObject({ item: 0, cls: 'danger drill-delete' });

  // Enter on Delete: the image goes, the next image's Delete takes the focus
  const before = (await h.counts(page)).reduce((a, b) => a + b, 0);
  const secondId = await drill.locator('.drill-item').nth(1).getAttribute('data-image-id');
  await page.keyboard.press('Enter');
  await expect(drill.locator('.drill-item')).toHaveCount(conf[best] - 1);
  await expect.poll(async () => (await h.counts(page)).reduce((a, b) => a + b, 0)).toBe(before - 1);
  expect(await focused(page)).toMatchObject({ item: 0, cls: 'danger drill-delete' });
  await expect(drill.locator('.drill-item').first()).toHaveAttribute('data-image-id', secondId);
  await expect(list.locator('[tabindex="0"]')).toHaveCount(1);
  h.expectClean(problems);
});
