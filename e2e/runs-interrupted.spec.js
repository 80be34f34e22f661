// Issue 15: a run cut off by a reload joins the runs compared when the project reopens with its
// checkpoint, marked as cut off at its last checkpointed epoch (once: a second reload adds
// nothing), and a run ended by Stop is marked too. Then the runs legend with three earlier
// runs is photographed at 1280x800, 768x1024 and 390x844 (build/screenshots/runs-legend-*.png).
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers.js');

const shots = path.join(__dirname, '..', 'build', 'screenshots');
const base = h.plainURL;

async function reopen(page) {
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

test('a run cut off by a reload is compared, marked as cut off at its epoch', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 4));
  await h.upload(page, 1, h.copies('coffee.jpg', 4));
  await expect.poll(() => h.counts(page)).toEqual([4, 4]);
  await page.goto(`${base}/#train`);
  await h.settings(page, { epochs: 2, val_fraction: 0.25 });
  await h.trainToEnd(page);
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.runs.length)).toBe(1);

  // a long run, reloaded once a few epochs are checkpointed
  await h.settings(page, { epochs: 500 });
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText(/Epoch ([3-9]|\d\d+) of/, { timeout: 30_000 });
  await page.evaluate(() => globalThis.convlab.project.pendingCheckpoint);
  await reopen(page);
  await expect(page.locator('#train-progress-text')).toContainText('interrupted');
  const after = await page.evaluate(() => {
    const p = globalThis.convlab.project;
    return { runs: p.runs, epochs: p.result.history.length, runAt: p.result.run_at };
  });
  expect(after.epochs).toBeGreaterThanOrEqual(2);
  expect(after.runs).toHaveLength(2);
  expect(after.runs[1].stopped).toEqual({ by: 'reload', epoch: after.epochs });
  expect(after.runs[1].history).toHaveLength(after.epochs);
  expect(after.runs[1].settings.epochs).toBe(500);
  expect(after.runAt).toBe(after.runs[1].at);  // the run shown is that run
  // the finished run is compared with it
  const legend = page.locator('#runs-legend li');
  await expect(legend).toHaveCount(1);
  await expect(legend.first()).toHaveText('run 1: epochs 2 -> 500');
  // kept on disk, and only once
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.pendingWrites)).toBe(0);
  await reopen(page);
  expect(await page.evaluate(() => globalThis.convlab.project.runs.length)).toBe(2);

  // the next run compares with it, marked
  await page.goto(`${base}/#train`);
  await h.settings(page, { epochs: 2, lr: 0.02 });
  await h.trainToEnd(page);
  await expect(legend).toHaveCount(2);
  await expect(legend.nth(1)).toContainText(`run 2 (cut off by a reload at epoch ${after.epochs}): `);
  await expect(legend.nth(1)).toContainText('epochs 500 -> 2');
  await expect(legend.nth(1)).toContainText('-> 0.02');
  // a stopped run is marked as stopped
  await h.settings(page, { epochs: 500, flip: true });
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText(/Epoch ([2-9]|\d\d+) of/, { timeout: 30_000 });
  await page.locator('#train-stop').click();
  await expect(page.locator('#train-progress-text')).toContainText('Stopped after', { timeout: 30_000 });
  const stoppedAt = await page.evaluate(() => globalThis.convlab.project.result.history.length);
  await expect.poll(() => page.evaluate(() => globalThis.convlab.project.runs.at(-1).stopped)).toEqual({ by: 'stop', epoch: stoppedAt });
  await expect(legend).toHaveCount(3);
  // the x axis spans the epochs run (and the earlier runs'), not the 500 planned
  const longest = await page.evaluate(() => Math.max(globalThis.convlab.project.result.history.length, ...globalThis.convlab.project.earlierRuns().map((r) => r.history.length)));
  expect(longest).toBeLessThan(500);
  await expect(page.locator('#view-train canvas.chart').first()).toHaveAttribute('data-epochs', String(longest));
  await expect(legend.nth(1)).toContainText('run 2 (cut off by a reload at epoch');
  await expect(legend.nth(2)).toContainText('run 3: ');
  await expect(legend.nth(2)).toContainText('epochs 2 -> 500');
  await expect(legend.nth(2)).toContainText('flip on');

  // ---- the legend at three sizes ----
  fs.mkdirSync(shots, { recursive: true });
  for (const [w, hh] of [[1280, 800], [768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hh });
    await page.waitForTimeout(200);  // the charts redraw on resize
    const box = page.locator('.charts');
    await box.scrollIntoViewIfNeeded();
    await box.screenshot({ path: path.join(shots, `runs-legend-${w}x${hh}.png`) });
    // the legend fits its width: nothing sticks out sideways
    const over = await page.locator('#runs-legend').evaluate((ul) => [...ul.children].some((li) => li.scrollWidth > li.clientWidth + 1 || li.getBoundingClientRect().right > document.documentElement.clientWidth));
    expect(over, `legend cut off at ${w}x${hh}`).toBe(false);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // the mark is outside input too (IndexedDB, runs.json): a bad one sets the record aside
  const read = await page.evaluate(async () => {
    const { readRuns } = await import('/js/storage/records.js');
    const p = globalThis.convlab.project;
    const ok = (stopped) => readRuns(p.runs.map((r, i) => (i ? r : { ...r, stopped })), p.rules).value !== undefined;
    return [{ by: 'reload', epoch: 3 }, { by: 'stop', epoch: 0 }, { by: 'crash', epoch: 3 }, { by: 'stop', epoch: -1 }, { by: 'stop', epoch: 2.5 }, 'reload', null, { by: 'stop', epoch: 1e9 }].map(ok);
  });
  expect(read).toEqual([true, true, false, false, false, false, false, false]);
  h.expectClean(problems);
});
