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
  h.expectClean(problems);
});
