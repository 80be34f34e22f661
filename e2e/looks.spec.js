// "Where it looks" (issue 15): occlusion and saliency on a stored image and on a webcam frame,
// the first-layer filters scrubbed across epochs (and still there after a reload), the stored
// filter record validated. One page, two tiny classes, 2 epochs. Screenshots of the new views
// at 1280x800 and 768x1024 go to build/screenshots/looks-*.png.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const h = require('./helpers.js');

const base = h.isolatedURL;
const EPOCHS = 8;  // tiny epochs (12 drawings): enough for the maps to show something
const shots = path.join(__dirname, '..', 'build', 'screenshots');
const call = (page, cmd, args) => page.evaluate(([c, a]) => globalThis.convlab.engine.call(c, a), [cmd, args]);
const setRange = (loc, v) => loc.evaluate((el, x) => {
  el.value = String(x);
  el.dispatchEvent(new Event('input'));
  el.dispatchEvent(new Event('change'));
}, v);

// A finger stroke through real touch input (CDP touch events: the page sees pointerType
// 'touch' pointer events, as on a tablet), in fractions of the element's box.
async function swipe(page, cdp, loc, pts) {
  const b = await loc.boundingBox();
  const at = ([x, y]) => [{ x: b.x + x * b.width, y: b.y + y * b.height, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(pts[0]) });
  for (const p of pts.slice(1)) {
    for (let k = 1; k <= 4; k++) {  // a few points between the corners, as a finger moves
      const q = pts[pts.indexOf(p) - 1];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at([q[0] + (p[0] - q[0]) * k / 4, q[1] + (p[1] - q[1]) * k / 4]) });
    }
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('where it looks: sketch pad by touch, occlusion and saliency on a stored image and a webcam frame, filters across epochs', async () => {
  const { chromium } = require('@playwright/test');
  const { chromiumArgs } = require('./playwright.config.js');
  const context = await chromium.launchPersistentContext(h.tempProfile(), {
    executablePath: '/usr/bin/chromium', args: [...chromiumArgs, `--use-file-for-fake-video-capture=${h.scene.cat}`],
    viewport: { width: 1280, height: 800 }, hasTouch: true,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = h.watch(context, base);
  const shot = async (name, w = 1280, hh = 800) => {
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(shots, `looks-${name}-${w}x${hh}.png`), fullPage: true });
  };
  await h.openApp(page, base);
  // The sketch pad, by finger: class 1 gets horizontal strokes, class 2 vertical ones.
  const cdp = await context.newCDPSession(page);
  const names = await page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.name));
  for (const i of [0, 1]) {
    await h.card(page, i).locator('button.draw').click();
    const pad = h.card(page, i).locator('.sketch-canvas');
    expect(await pad.evaluate((c) => getComputedStyle(c).touchAction)).toBe('none');
    const add = h.card(page, i).locator('.sketch-add');
    await expect(add).toBeDisabled();  // nothing drawn yet
    await expect(add).toHaveText(`Add to ${names[i]}`);
    const stroke = await page.evaluate(() => globalThis.convlab.rules.looks.sketch_stroke);  // the engine's range
    const width = h.card(page, i).locator('.sketch-width');
    expect([await width.getAttribute('min'), await width.getAttribute('max'), await width.inputValue()]).toEqual([stroke.min, stroke.max, stroke.default].map(String));
    for (let k = 0; k < 6; k++) {
      const a = 0.15 + 0.1 * k;
      await swipe(page, cdp, pad, i === 0 ? [[0.1, a], [0.9, a]] : [[a, 0.1], [a, 0.9]]);
      await swipe(page, cdp, pad, i === 0 ? [[0.2, a + 0.2], [0.8, a + 0.2]] : [[a + 0.2, 0.2], [a + 0.2, 0.8]]);
      if (k === 0) {  // undo takes the last stroke back, clear all of them
        const ink = () => pad.evaluate((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((v, j) => j % 4 === 0 && v < 128).length);
        const two = await ink();
        await h.card(page, i).locator('.sketch-undo').click();
        const one = await ink();
        expect(one).toBeGreaterThan(0);
        expect(one).toBeLessThan(two);
        await h.card(page, i).locator('.sketch-clear').click();
        expect(await ink()).toBe(0);
        await swipe(page, cdp, pad, i === 0 ? [[0.1, a], [0.9, a]] : [[a, 0.1], [a, 0.9]]);
        if (i === 1) await shot('sketch');
      }
      await add.click();
      await expect.poll(() => h.counts(page).then((c) => c[i])).toBe(k + 1);
    }
  }
  await expect(h.card(page, 0).locator('.thumbs canvas, .thumbs img')).toHaveCount(6);
  // the drawing is stored as the upload's images are: the stored size, black on white
  const drawn = await page.evaluate(async () => {
    const [im] = await globalThis.convlab.getImages(0);
    let dark = 0, light = 0;
    for (let j = 0; j < im.rgba.length; j += 4) (im.rgba[j] < 64 ? dark++ : im.rgba[j] > 192 ? light++ : 0);
    return { w: im.width, h: im.height, size: globalThis.convlab.project.storedSize(), dark, light };
  });
  expect([drawn.w, drawn.h]).toEqual([drawn.size.width, drawn.size.height]);
  expect(drawn.dark).toBeGreaterThan(0);
  expect(drawn.light).toBeGreaterThan(drawn.dark);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // a tablet and a phone: the pad is for fingers. (At 390 the Data tab's class cards already
  // scroll sideways before any pad opens, so only the tablet is held to no overflow.)
  for (const [w, hh] of [[768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hh });
    await page.waitForTimeout(150);
    await shot('sketch', w, hh);
    if (w === 768) expect(await overflow(), `the Data tab scrolls sideways at ${w}`).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await h.settings(page, { epochs: EPOCHS, batch_size: 4, lr: 0.003 });
  await h.trainToEnd(page);
  const filters = await page.evaluate(() => globalThis.convlab.project.result.filters);
  expect(filters.epochs).toEqual(Array.from({ length: EPOCHS + 1 }, (_, e) => e));
  expect(filters.weights[EPOCHS]).toEqual(Array.from(await call(page, 'param', { name: `${filters.layer}.weight` })));

  // View 8 on a stored image: what is drawn is what the engine computes for it.
  await page.goto(`${base}/#learn`);
  await page.locator('#learn-tab-looks').click();
  await page.locator('#learn-class').selectOption('0');
  await page.locator('.src-thumb').first().click();
  const stats = page.locator('#looks-occlusion-stats');
  await expect(stats).toContainText('patch positions');
  await expect(page.locator('#looks-saliency-stats')).toContainText('Largest');
  const info = await call(page, 'learnInfo', {});
  const [, H, W] = info.input;
  const occ = await call(page, 'learnOcclusion', { cls: -1, patch: 0, stride: 0 });  // the view's own call: defaults
  expect(occ.patch).toBe(Math.max(1, Math.floor(Math.min(H, W) / 6)));
  expect(Number(await page.locator('#looks-occlusion').getAttribute('data-max-drop'))).toBeCloseTo(occ.max_drop, 6);
  await expect(stats).toContainText(`${occ.rows}×${occ.cols} = ${occ.rows * occ.cols} patch positions`);
  const sal = await call(page, 'learnSaliency', { cls: -1 });
  expect(sal.max).toBeGreaterThan(0);
  expect(Number(await page.locator('#looks-saliency').getAttribute('data-max'))).toBeCloseTo(sal.max, 6);
  await expect(page.locator('#looks-saliency-text')).toContainText('red, green and blue');
  await expect(page.locator('#looks-occlusion-text')).toContainText('lowers the probability of');
  // a larger patch and stride: fewer positions, recomputed
  await setRange(page.locator('#looks-patch'), 16);
  await setRange(page.locator('#looks-stride'), 8);
  const n16 = Math.ceil((H - 16) / 8) + 1, m16 = Math.ceil((W - 16) / 8) + 1;
  await expect(stats).toContainText(`${n16}×${m16} = ${n16 * m16} patch positions`);
  await expect(page.locator('#looks-occlusion-text')).toContainText('16×16 pixels slides over the image in steps of 8');
  // another class explained
  await page.locator('#looks-class').selectOption('1');
  await expect(page.locator('#looks-occlusion-text')).toContainText(`probability of ${names[1]} most`);
  await shot('stored');

  // ... and on the fake webcam's frame
  await page.locator('#looks-class').selectOption('-1');
  await page.locator('#learn-webcam-frame').click();
  await expect(page.locator('#learn-source-name')).toHaveText('webcam frame');
  await expect.poll(async () => Number(await page.locator('#looks-occlusion').getAttribute('data-max-drop')))
    .toBeCloseTo((await call(page, 'learnOcclusion', { cls: -1, patch: 16, stride: 8 })).max_drop, 6);
  await shot('webcam');
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.waitForTimeout(200);
  expect(await overflow(), 'view 8 scrolls sideways').toBeLessThanOrEqual(0);
  await shot('webcam', 768, 1024);
  await page.setViewportSize({ width: 1280, height: 800 });

  // View 4: the slider scrubs the first-layer filters from the random start to the end.
  const pixels = () => page.locator('#maps-filters canvas').first().evaluate((c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).join(','));
  await page.locator('#learn-tab-maps').click();
  const slider = page.locator('#maps-epoch');
  await expect(slider).toBeVisible();
  await expect(slider).toHaveAttribute('max', String(EPOCHS));
  await expect(page.locator('#maps-epoch-value')).toHaveText(`${EPOCHS} of ${EPOCHS}`);
  const end = await pixels();
  await setRange(slider, 0);
  await expect(page.locator('#maps-epoch-value')).toContainText('random start');
  await expect(page.locator('#maps-epoch-note')).toContainText('random noise');
  expect(await pixels()).not.toBe(end);
  await setRange(slider, 1);
  await expect(page.locator('#maps-epoch-note')).toContainText('after 1 epoch:');
  await shot('filters');
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.waitForTimeout(200);
  expect(await overflow(), 'view 4 scrolls sideways').toBeLessThanOrEqual(0);
  await shot('filters', 768, 1024);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The stored record is outside input: a broken filters field is dropped with a note, the rest kept.
  const checked = await page.evaluate(async (f) => {
    const records = await import('/js/storage/records.js');
    const rules = globalThis.convlab.rules;
    const good = { history: [], filters: f };
    const bad = (g) => records.readResult({ history: [], filters: g }, rules);
    return {
      good: records.readResult(good, rules).value.filters === f,
      nan: bad({ ...f, weights: f.weights.map((w, i) => (i === 1 ? w.map(() => NaN) : w)) }),
      short: bad({ ...f, weights: f.weights.map((w) => w.slice(1)) }),
      order: bad({ ...f, epochs: [0, 2, 1] }),
      many: bad({ ...f, epochs: Array.from({ length: rules.looks.filter_epochs_kept + 1 }, (_, i) => i), weights: Array(rules.looks.filter_epochs_kept + 1).fill(f.weights[0]) }),
      notObject: bad('filters'),
    };
  }, filters);
  expect(checked.good).toBe(true);
  for (const k of ['nan', 'short', 'order', 'many', 'notObject']) {
    expect(checked[k].value, k).toBeTruthy();
    expect(checked[k].value.filters, k).toBeUndefined();
    expect(checked[k].note, k).toContain('filters kept across training were not readable');
  }

  // The history is stored with the project: after a reload the slider is back.
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await page.locator('#learn-tab-maps').click();
  await expect(page.locator('#maps-epoch')).toHaveAttribute('max', String(EPOCHS));
  h.expectClean(problems);
  await context.close();
});
