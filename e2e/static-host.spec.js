// Issue 16, static hosting: what `make dist` writes works from any static server. Served under a
// sub-path (as GitHub Pages serves https://user.github.io/convlab/) with a host's caching and
// without the isolation headers, the page runs the single-threaded engine; once its service
// worker controls it (one reload on the first visit, never a loop) it is cross-origin isolated
// and runs the threaded one. And the precache list holds every file the page's code refers to.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const fs = require('node:fs');
const h = require('./helpers.js');
const sh = require('./static-host.js');

// Every file the page's code and markup name: static and dynamic imports (each string of a
// conditional one), workers and files located by new URL(..., import.meta.url), the page's
// src/href attributes, the web app manifest's icons. Paths relative to web/.
function referencedFiles(web) {
  const refs = new Set();
  const add = (from, spec) => refs.add(path.relative(web, path.resolve(path.dirname(path.join(web, from)), spec)).split(path.sep).join('/'));
  const walk = (dir) => fs.readdirSync(path.join(web, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? (rel === 'gen' ? [] : walk(rel)) : [rel];
  });
  for (const f of walk('').filter((x) => x.endsWith('.js'))) {
    const src = fs.readFileSync(path.join(web, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) add(f, m[1]);
    for (const m of src.matchAll(/\bimport\s*\(([^)]*)\)/g)) for (const s of m[1].matchAll(/['"]([^'"]+)['"]/g)) add(f, s[1]);
    for (const m of src.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g)) add(f, m[1]);
    for (const m of src.matchAll(/importScripts\(\s*['"]([^'"]+)['"]/g)) add(f, m[1]);
  }
  const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8');
  for (const m of html.matchAll(/\b(?:src|href)="([^"#:]+)"/g)) add('index.html', m[1]);
  for (const icon of JSON.parse(fs.readFileSync(path.join(web, 'manifest.webmanifest'), 'utf8')).icons) add('manifest.webmanifest', icon.src);
  return refs;
}

test('the precache list holds every module, worker, engine file and icon the page refers to', async () => {
  const { buildManifest, MANIFEST } = await sh.tool('precache.mjs');
  const web = path.join(sh.repo, 'web');
  const { files } = await buildManifest(web, sh.gen);
  const refs = referencedFiles(web);
  // the scan itself finds what it must (a scan that finds nothing would pass anything)
  for (const f of ['js/app.js', 'js/offline.js', 'js/engine/engine.worker.js', 'js/views/model/index.js', 'gen/convlab-mt.js', 'gen/convlab.js', 'gen/fflate.js', 'icons/icon-512.png', 'manifest.webmanifest']) {
    expect(refs.has(f), `${f} found by the scan`).toBe(true);
  }
  // the worker script and its manifest are fetched by the browser itself, never from the cache
  const missing = [...refs].filter((f) => f !== 'sw.js' && f !== MANIFEST && !files.includes(f));
  expect(missing, 'referred to but not precached').toEqual([]);
  // and the emscripten pthread worker, which the threaded build locates by name at run time
  expect(files).toContain('gen/convlab-mt.worker.js');
});

test('dist/ under a sub-path without isolation headers: single-threaded, then threaded once the worker adds them', async ({ browser }) => {
  const host = await sh.serveDist({ isolate: false, base: '/convlab/' });
  try {
    // Before any service worker (as in a browser without one): the single-threaded build.
    const plain = await browser.newContext({ serviceWorkers: 'block' });
    const first = await plain.newPage();
    const problems = h.watch(first, host.url);
    await first.goto(host.url);
    await expect(first.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    expect(await first.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    expect((await first.evaluate(() => globalThis.convlab.engine.call('hello'))).threaded).toBe(false);
    await expect(first.locator('#engine-status')).toContainText('single-threaded build: the page is not cross-origin isolated');
    for (const vp of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {  // for a person to look at
      await first.setViewportSize(vp);
      await first.screenshot({ path: path.join(__dirname, '..', 'build', 'screenshots', `static-host-single-threaded-${vp.width}x${vp.height}.png`) });
    }
    await h.upload(first, 0, h.copies('chelsea.png', 2));
    await expect.poll(() => h.counts(first)).toEqual([2, 0]);
    // the web app manifest and its icons resolve under the sub-path
    const manifest = await first.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]').href;
      const m = await (await fetch(href)).json();
      const icons = await Promise.all(m.icons.map(async (i) => (await fetch(new URL(i.src, href))).status));
      return { href, start: new URL(m.start_url, href).href, scope: new URL(m.scope, href).href, display: m.display, icons };
    });
    expect(manifest).toEqual({ href: `${host.url}manifest.webmanifest`, start: host.url, scope: host.url, display: 'standalone', icons: [200, 200, 200] });
    h.expectClean(problems);
    await plain.close();

    // With the service worker: it takes control, the page reloads itself once and is isolated.
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    const page = await context.newPage();
    const problems2 = h.watch(page, host.url);
    let loads = 0;
    page.on('load', () => { loads++; });
    await page.goto(host.url);
    await expect.poll(() => page.evaluate(() => globalThis.crossOriginIsolated).catch(() => null), { timeout: 30_000 }).toBe(true);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    expect((await page.evaluate(() => globalThis.convlab.engine.call('hello'))).threaded).toBe(true);
    await expect(page.locator('#engine-status')).toContainText('works offline');
    await expect(page.locator('#engine-status')).not.toContainText('single-threaded');
    await expect.poll(() => loads).toBe(2);
    // a later visit is controlled from the start: isolated without another reload
    await page.reload();
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    await expect.poll(() => loads).toBe(3);
    // its caches are named after the sub-path, so another copy on the origin keeps its own
    expect(await page.evaluate(() => caches.keys())).toEqual([`convlab /convlab/ ${host.manifest.version}`]);
    h.expectClean(problems2);
    await context.close();
  } finally {
    await host.close();
  }
});
