// Issue 16: accessibility on every view. A tiny model is trained first (so the results views
// are shown: curves, confusion matrix, predictions, the lecture views on a trained model),
// then every view and every tab inside a view is checked with axe-core (zero serious or
// critical violations) and the keyboard is checked: the header and the lecture tabs work
// from the keyboard, focus is visible, and live regions announce training and predictions.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');
const a11y = require('./a11y.js');

const base = h.isolatedURL;

test('every view: axe-core finds nothing serious, the keyboard reaches and works everything', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 4));
  await h.upload(page, 1, h.copies('coffee.jpg', 4));
  await expect.poll(() => h.counts(page)).toEqual([4, 4]);
  await h.settings(page, { epochs: 1, batch_size: 4 });
  await h.trainToEnd(page);
  await page.locator('header a[data-view="predict"]').click();
  await page.locator('#predict-file').setInputFiles([h.file('chelsea.jpg')]);
  await expect(page.locator('#predict-top')).not.toHaveText('No prediction yet');

  const visited = [];
  const found = [];  // every view's serious findings, reported together
  await a11y.walk(page, async (name) => {
    visited.push(name);
    for (const v of await a11y.seriousAxe(page)) found.push(`${name}: ${v.id} (${v.impact}) ${v.help}\n      ${v.targets.join('\n      ')}`);
  });
  expect(found, `axe-core, serious or critical:\n  ${found.join('\n  ')}`).toEqual([]);
  // the walk reached the lecture's steps, not only the header's views
  expect(visited.filter((v) => v.startsWith('learn/')).length).toBeGreaterThanOrEqual(6);

  // keyboard: the header first, in reading order, then the view; every stop shows its focus
  await a11y.showView(page, 'data');
  const stops = await a11y.tabStops(page, 16);
  // then the engine's thread count when the build offers one (threads.js), then the view: its
  // camera (started before recording), then the classes
  const threads = (await page.locator('#engine-threads').count()) ? ['#engine-threads'] : [];
  expect(stops.slice(0, 6 + threads.length).map((s) => s.name)).toEqual(['#projects-link', 'view:data', 'view:model', 'view:train', 'view:predict', 'view:learn', ...threads]);
  expect(stops.slice(6 + threads.length, 9 + threads.length).map((s) => s.name)).toEqual(['#new-project', '#camera-toggle', '#camera-mirror']);
  expect(stops.filter((s) => !s.ring), 'focus stops without a visible focus ring').toEqual([]);
  expect(stops.map((s) => s.name)).toContain('button.record');

  // "Hold to record" held from the keyboard (Space down ... up), like a finger or the mouse
  const before = (await h.counts(page))[0];
  await h.card(page, 0).locator('button.record').focus();
  await page.keyboard.down(' ');
  await expect.poll(async () => (await h.counts(page))[0], { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);
  await page.keyboard.up(' ');
  await expect(h.card(page, 0).locator('button.record')).not.toHaveClass(/\bon\b/);

  // the lecture's tablist: arrow keys move between the steps; the selected one is the Tab stop
  await a11y.showView(page, 'learn');
  await page.locator('#learn-tab-fc').click();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#learn-tab-slide')).toBeFocused();
  await expect(page.locator('#learn-tab-slide')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#learn-slide')).toBeVisible();
  await page.keyboard.press('End');
  await expect(page.locator('.learn-tabs [role=tab]').last()).toHaveAttribute('aria-selected', 'true');  // End: the last step
  expect(await page.locator('.learn-tabs [role=tab][tabindex="0"]').count()).toBe(1);

  // the receptive field without hover: the arrow keys on the maps, and a tap
  await page.locator('#learn-tab-maps').click();
  await expect(page.locator('#maps-grid canvas.map').first()).toBeVisible();
  await page.locator('#maps-grid').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#maps-rf')).toContainText('Map 0, cell (1, 1)');
  await page.keyboard.press('PageDown');
  await expect(page.locator('#maps-rf')).toContainText('Map 1, cell (1, 1)');
  await page.locator('#maps-grid canvas.map').nth(2).click();
  await expect(page.locator('#maps-rf')).toContainText('Map 2, cell (');

  // screen readers: how training ended and the prediction are announced; charts have text
  await expect(page.locator('#train-announce')).toContainText('Trained after 1 epoch');
  await expect(page.locator('#predict-announce')).toContainText('Prediction:');
  await expect(page.locator('#view-train canvas.chart').first()).toHaveAttribute('aria-label', /training loss \d/);
  const [right, total] = await page.evaluate(() => {
    const r = globalThis.convlab.project.result, n = r.classes.length;
    return [r.confusion.filter((_, k) => k % (n + 1) === 0).reduce((a, b) => a + b, 0), r.confusion.reduce((a, b) => a + b, 0)];
  });
  await expect(page.locator('#confusion-summary')).toHaveText(new RegExp(`^Confusion matrix: ${right} of ${total} images classified right`));
  h.expectClean(problems);
});
