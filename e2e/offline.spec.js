// Issue 16, offline: after one visit the page, its modules and both engine builds come from the
// service worker's cache (web/sw.js). Offline, a reload still gives a cross-origin isolated page
// (the worker keeps the COOP/COEP headers) running the threaded engine, which trains and
// predicts; every file the page asked for is in the precache list. A new build is offered by
// a polite notice and taken only on the user's Reload, which waits while training runs.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const fs = require('node:fs');
const h = require('./helpers.js');
const sh = require('./static-host.js');

test.use({ serviceWorkers: 'allow' });
const shots = path.join(__dirname, '..', 'build', 'screenshots');

test('after one visit the page reloads offline, threaded, and trains and predicts', async ({ page, context }) => {
  const base = `${h.isolatedURL}/`;
  const problems = h.watch(page, base);
  const files = sh.recordFiles(context, base);
  await h.openApp(page, h.isolatedURL);
  await sh.controlled(page);
  await expect(page.locator('#engine-status')).toContainText('works offline');
  const manifest = await sh.servedManifest(page.request, base);

  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  expect((await page.evaluate(() => globalThis.convlab.engine.call('hello'))).threaded).toBe(true);
  // really offline: what the cache does not hold cannot be fetched
  const before = problems.errors.length;
  expect(await page.evaluate(() => fetch('not-cached.txt').then(() => 'reached', () => 'failed'))).toBe('failed');
  await expect.poll(() => problems.errors.length).toBe(before + 1);  // the browser logs the failed fetch
  expect(problems.errors.splice(before)).toEqual(['Failed to load resource: net::ERR_FAILED']);
  files.delete('not-cached.txt');

  await h.renameClass(page, 0, 'Cat');
  await h.renameClass(page, 1, 'Coffee');
  await h.upload(page, 0, h.copies('chelsea.png', 4));
  await h.upload(page, 1, h.copies('coffee.png', 4));
  await expect.poll(() => h.counts(page)).toEqual([4, 4]);
  await h.settings(page, { epochs: 1, batch_size: 4, seed: 3 });
  await h.trainToEnd(page);
  await page.goto(`${h.isolatedURL}/#predict`);
  await page.locator('#predict-file').setInputFiles(h.fixture('chelsea.jpg'));
  await expect(page.locator('#predict-top')).toContainText(/Cat|Coffee/);
  // the views that load their modules on their own, and the project list
  for (const view of ['model', 'learn', 'projects']) {
    await page.goto(`${h.isolatedURL}/#${view}`);
    await expect(page.locator(`#view-${view}`)).toBeVisible();
    await expect(page.locator(`#view-${view}`)).not.toContainText('failed to load');
    await expect(page.locator(`#view-${view} button`).first()).toBeVisible();
  }

  // the precache list is complete: every file asked for, online or off, is in it
  expect(files.size).toBeGreaterThan(20);
  expect([...files].filter((f) => !manifest.files.includes(f)), 'files the page loads that the worker does not cache').toEqual([]);
  expect(files.has('gen/convlab-mt.wasm')).toBe(true);
  h.expectClean(problems);
});

test('a new build is offered ("ready — Reload") and taken only on Reload', async ({ page }) => {
  const host = await sh.serveDist({ isolate: true });
  try {
    const problems = h.watch(page, host.url);
    await page.goto(host.url);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await sh.controlled(page);
    const first = host.manifest.version;
    const notice = page.locator('#update-ready');
    await expect(notice).toHaveAttribute('role', 'status');
    await expect(notice).toBeEmpty();

    // a new build on the server: one changed file, so a new version
    const index = path.join(host.dir, 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<title>', '<meta name="convlab-test-build" content="second">\n  <title>'));
    const second = (await host.rebuild()).version;
    expect(second).not.toBe(first);
    await page.reload();  // the navigation makes the browser look for a new worker
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(notice).toHaveText('A new version of ConvLab is ready — Reload', { timeout: 30_000 });
    // still the old build until the user says so
    await expect(page.locator('meta[name="convlab-test-build"]')).toHaveCount(0);
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'update-ready-1280x800.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, 'update-ready-390x844.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // never while training: Reload then says why and waits
    await h.upload(page, 0, h.copies('chelsea.png', 2));
    await h.upload(page, 1, h.copies('coffee.png', 2));
    await expect.poll(() => h.counts(page)).toEqual([2, 2]);
    await page.goto(`${host.url}#train`);
    await h.settings(page, { epochs: 500, batch_size: 2 });
    await page.locator('#train-start').click();
    await expect.poll(() => page.evaluate(() => globalThis.convlab.isTraining())).toBe(true);
    await notice.getByRole('button', { name: 'Reload' }).click();
    await expect(page.locator('#status-line')).toHaveText('Training is running. Reload once it is done.');
    await page.locator('#train-stop').click();
    await expect.poll(() => page.evaluate(() => globalThis.convlab.isTraining())).toBe(false);
    await expect.poll(() => page.evaluate(() => globalThis.convlab.project.pendingWrites)).toBe(0);  // nor while saving
    await expect(page.locator('meta[name="convlab-test-build"]')).toHaveCount(0);

    await Promise.all([page.waitForEvent('load'), notice.getByRole('button', { name: 'Reload' }).click()]);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(page.locator('meta[name="convlab-test-build"]')).toHaveCount(1);
    await expect(notice).toBeEmpty();
    // the old version's cache is gone, the new one holds every file
    const caches = await page.evaluate(async () => Promise.all((await caches.keys()).map(async (k) => [k, (await (await caches.open(k)).keys()).length])));
    expect(caches).toEqual([[`convlab / ${second}`, host.manifest.files.length]]);
    h.expectClean(problems);
  } finally {
    await host.close();
  }
});
