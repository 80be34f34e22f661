// The lecture views: the architecture editor (Model tab) and "Inside the CNN", driven with
// uploaded photos and the fake webcam on a trained model. Every number on screen is checked
// against what the engine itself computes; screenshots of each view at both sizes go to
// build/screenshots/learn-*.png.
const { test, expect } = require('@playwright/test');
const path = require('node:path');
const h = require('./helpers.js');

const base = h.isolatedURL;
const shots = path.join(__dirname, '..', 'build', 'screenshots');
const call = (page, cmd, args) => page.evaluate(([c, a]) => globalThis.convlab.engine.call(c, a), [cmd, args]);
const fmt = (n) => Number(n).toLocaleString('en-US');

test('architecture editor: presets, both-way sync, live table, errors at the layer', async ({ page }) => {
  const problems = h.watch(page, base);
  await page.setViewportSize({ width: 1280, height: 800 });
  await h.openApp(page, base, 'model');
  const table = page.locator('#layer-table');
  // The webcam preset is the page's own default net (the engine gives both).
  const same = await page.evaluate(async () => {
    const { spec } = await globalThis.convlab.engine.call('defaultSpec', { classes: 2 });
    const presets = await globalThis.convlab.engine.call('learnPresets');
    const web = JSON.parse(presets.find((p) => p.id === 'webcam').spec);
    return JSON.stringify(web) === JSON.stringify(JSON.parse(spec));
  });
  expect(same).toBe(true);

  // AlexNet: the real shapes and the real parameter count, shown although too big to train.
  await page.locator('[data-preset="alexnet"]').click();
  await expect(page.locator('#model-summary')).toContainText('62,378,344 parameters');
  const alex = await call(page, 'learnCheckSpec', { spec: await page.locator('#spec-text').inputValue() });
  expect(alex.over_budget).toBe(true);
  for (const l of alex.layers) {
    const row = table.locator(`tbody tr[data-index="${l.index}"]`);
    await expect(row.locator('td.shape')).toHaveText(l.out.length === 3 ? l.out.join('×') : fmt(l.out[0]));
    if (l.params) await expect(row.locator('td.params')).toContainText(`${fmt(l.params)} = ${l.params_formula}`);
    if (!l.rf_full) await expect(row.locator('.rf')).toHaveText(`${l.rf}×${l.rf}`);
    if (!l.rf_full) await expect(row.locator('.jump')).toHaveText(`j = ${l.jump}`);
  }
  await expect(table.locator('tr[data-index="0"]')).toContainText('(227 + 2·0 − 11)/4 + 1 = 55');
  await expect(table.locator('tr[data-index="0"] td.shape')).toHaveText('96×55×55');
  await expect(table.locator('tr[data-index="12"] td.shape')).toHaveText('256×6×6');
  await expect(page.locator('#spec-error')).toContainText('for reading');
  const inUse = await page.evaluate(() => globalThis.convlab.getSpec());
  await page.locator('#spec-apply').click();  // refused by the engine's budget: nothing changes
  await expect(page.locator('#spec-error')).toContainText('for reading');
  expect(await page.evaluate(() => globalThis.convlab.getSpec())).toBe(inUse);
  await page.screenshot({ path: path.join(shots, 'learn-model-alexnet-1280x800.png'), fullPage: true });

  // Visual edit -> JSON: layer 0 kernel 5, the table follows.
  await page.locator('[data-preset="lenet"]').click();
  await expect(table.locator('tr[data-index="5"] td.shape')).toHaveText('16×5×5');
  const k = page.locator('.layer-card[data-index="0"] input[name="kernel"]');
  await k.fill('3');
  await expect.poll(async () => JSON.parse(await page.locator('#spec-text').inputValue()).layers[0].kernel).toBe(3);
  await expect(table.locator('tr[data-index="0"] td.shape')).toHaveText('6×30×30');
  await expect(table.locator('tr[data-index="0"]')).toContainText('(32 + 2·0 − 3)/1 + 1 = 30');
  // 30 -> pool 2 -> 15 -> conv 5 -> 11 -> pool 2: 11/2 is not whole: marked at layer 5 with a fix.
  await expect(page.locator('.layer-card[data-index="5"]')).toHaveClass(/bad/);
  await expect(page.locator('.layer-card[data-index="5"] .card-error')).toContainText('not a whole number');
  await expect(page.locator('.layer-card[data-index="5"] .card-error')).toContainText('use kernel 3 (→ 5)');
  await expect(table.locator('tr.bad')).toContainText('layer 5');

  // JSON -> visual: fix it by typing in the text.
  const text = JSON.parse(await page.locator('#spec-text').inputValue());
  text.layers[0].padding = 1;
  await page.locator('#spec-text').fill(JSON.stringify(text, null, 1));
  await expect(page.locator('.layer-card[data-index="0"] input[name="padding"]')).toHaveValue('1');
  await expect(page.locator('.layer-card.bad')).toHaveCount(0);
  // 32 -> 32 -> pool 16 -> conv 5 -> 12 -> pool 6
  await expect(table.locator('tr[data-index="5"] td.shape')).toHaveText('16×6×6');

  // Reorder, remove, add.
  const nLayers = text.layers.length;
  await page.locator('button[aria-label="move layer 1 down"]').click();
  await expect.poll(async () => JSON.parse(await page.locator('#spec-text').inputValue()).layers[2].type).toBe('relu');
  await page.locator('button[aria-label="move layer 2 up"]').click();
  await page.locator('button[aria-label="remove layer 1"]').click();
  await expect(page.locator('.layer-card')).toHaveCount(nLayers - 1);
  await page.getByRole('button', { name: '+ conv + ReLU' }).click();
  await expect(page.locator('.layer-card')).toHaveCount(nLayers + 1);

  // The webcam preset applies; the page then uses it.
  await page.locator('[data-preset="webcam"]').click();
  await expect(page.locator('#lecture-form')).toContainText('input → [[conv+relu]*1 → pool]*3 → flatten → [linear+relu]*1 → linear');
  const webText = await page.locator('#spec-text').inputValue();
  if (await page.locator('#spec-apply').isEnabled()) await page.locator('#spec-apply').click();
  await expect.poll(() => page.evaluate(() => globalThis.convlab.getSpec())).toBe(webText);
  await page.screenshot({ path: path.join(shots, 'learn-model-1280x800.png'), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.screenshot({ path: path.join(shots, 'learn-model-768x1024.png'), fullPage: true });

  // Before any data or training: the views run on the built-in sample pattern and say so.
  await page.locator('nav a[data-view="learn"]').click();
  await page.locator('#learn-tab-slide').click();
  await expect(page.locator('#learn-model-note')).toContainText('not trained yet');
  await expect(page.locator('#learn-source-name')).toHaveText('sample pattern');
  await expect(page.locator('#slide-pos')).toContainText('Output cell (0, 0)');
  const dot = Number(await page.locator('#slide-dot').textContent());
  const value = Number(await page.locator('#slide-value').textContent());
  const bias = Number(await page.locator('#slide-bias').textContent());
  expect(dot + bias).toBeCloseTo(value, 3);
  h.expectClean(problems);
});

test('inside the CNN: every view on a trained model, uploaded images and the fake webcam', async () => {
  const context = await h.launchWithCamera(h.tempProfile(), h.scene.cat);
  const page = context.pages()[0] ?? await context.newPage();
  const problems = h.watch(context, base);
  await h.openApp(page, base);
  await h.upload(page, 0, h.copies('chelsea.jpg', 6));
  await h.upload(page, 1, h.copies('coffee.jpg', 6));
  await expect.poll(() => h.counts(page)).toEqual([6, 6]);
  await page.locator('nav a[data-view="train"]').click();
  await h.settings(page, { epochs: 3, batch_size: 8 });
  await h.trainToEnd(page);
  await page.goto(`${base}/#learn`);
  const learn = page.locator('#view-learn');
  const shot = async (name) => {
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(shots, `learn-${name}-1280x800.png`), fullPage: true });
  };
  const info = await call(page, 'learnInfo', {});

  // View 2: the lecture's examples and the current input, from the engine.
  await page.locator('#learn-tab-fc').click();
  await expect(page.locator('#fc-examples')).toContainText('1,024');
  await expect(page.locator('#fc-examples')).toContainText('270,000');
  await expect(page.locator('#fc-per-neuron')).toHaveText(fmt(info.input[0] * info.input[1] * info.input[2]));
  await expect(page.locator('#conv-per-filter')).toHaveText(String(3 * 3 * info.input[0]));
  await shot('fc');

  // Pick the first cat photo as the image for the next views.
  await page.locator('#learn-tab-slide').click();
  await page.locator('#learn-class').selectOption('0');
  await page.locator('.src-thumb').first().click();
  await expect(page.locator('#learn-source-name')).toContainText('image 1');

  // View 3: the numbers shown equal the engine's feature map at that cell.
  await page.locator('#slide-step').click();
  await page.locator('#slide-step').click();
  await expect(page.locator('#slide-pos')).toContainText('Output cell (0, 2)');
  const shown = Number(await page.locator('#slide-value').textContent());
  const engineValue = await page.evaluate(async () => {
    const { engine, getImages } = globalThis.convlab;
    const im = (await getImages(0))[0];
    const r = await engine.call('learnRun', { rgba: im.rgba, width: im.width, height: im.height, layers: [0] });
    return r.acts[0][2];  // filter 0, cell (0, 2)
  });
  expect(shown).toBeCloseTo(engineValue, 3);
  const dot = Number(await page.locator('#slide-dot').textContent());
  const bias = Number(await page.locator('#slide-bias').textContent());
  expect(dot + bias).toBeCloseTo(shown, 3);
  await expect(page.locator('#slide-numbers table.patch td.pad').first()).toBeVisible();  // the top row is padding
  await page.locator('#slide-speed').fill('3');
  await page.locator('#slide-play').click();
  await expect(page.locator('#slide-pos')).not.toContainText('Output cell (0, 2)');
  await page.locator('#slide-play').click();
  await shot('slide');

  // View 4: filters, maps, the receptive field on hover, then live on the webcam.
  await page.locator('#learn-tab-maps').click();
  const conv0 = info.layers[0];
  await expect(page.locator('#maps-filters canvas')).toHaveCount(conv0.out[0]);
  await page.locator('#maps-layer').selectOption(String(3));
  await expect(page.locator('#maps-grid canvas')).toHaveCount(info.layers[3].out[0]);
  const map = page.locator('#maps-grid canvas').nth(1);
  await map.scrollIntoViewIfNeeded();  // the mouse only reaches what is in the viewport (the epoch slider moves the maps down)
  const box = await map.boundingBox();
  const [H, W] = [info.layers[3].out[1], info.layers[3].out[2]];
  await page.mouse.move(box.x + box.width * (5.5 / W), box.y + box.height * (4.5 / H));
  const rf = await call(page, 'learnReceptiveField', { layer: 3, oy: 4, ox: 5 });
  expect(rf.y1 - rf.y0).toBe(info.layers[3].rf);
  await expect(page.locator('#maps-rf')).toContainText(`cell (4, 5)`);
  await expect(page.locator('#maps-rf')).toContainText(`rows ${rf.y0}..${rf.y1 - 1}, columns ${rf.x0}..${rf.x1 - 1}`);
  await shot('maps');
  await page.locator('#maps-live').click();
  await expect.poll(async () => Number(await page.locator('#maps-fps').getAttribute('data-fps') ?? 0), { timeout: 10_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(2000);
  const fps = await page.locator('#maps-fps').textContent();
  console.log(`live feature maps (layer 3): ${fps}`);
  await expect(page.locator('#maps-probs')).toContainText('Prediction:');
  await page.locator('#maps-live').click();

  // View 5: equivariance exact inside, broken at the borders; pooling; prediction vs shift.
  await page.locator('#learn-tab-shift').click();
  await page.locator('#shift-layer').selectOption('0');
  await expect(page.locator('#shift-stats')).toContainText('largest difference 0.00');
  await expect(page.locator('#shift-stats')).toHaveAttribute('data-max-interior', '0');
  const eq = await call(page, 'learnEquivariance', { layer: 0, dx: 2, dy: 0 });
  expect(eq.max_interior).toBe(0);
  expect(eq.border_nonzero).toBeGreaterThan(0);
  await expect(page.locator('#shift-stats')).toContainText(`${fmt(eq.border_nonzero)} differ`);
  const pool = await call(page, 'learnPoolInvariance', { layer: 2, maxShift: 4 });
  await expect(page.locator('#pool-table tbody tr')).toHaveCount(5);
  const pct = (a, b) => `${(100 * a / b).toFixed(1)}%`;
  await expect(page.locator('#pool-table tbody tr').nth(1).locator('td.max')).toHaveText(pct(pool[1].max_unchanged, pool[1].cells));
  await expect(page.locator('#pool-table tbody tr').nth(0).locator('td.max')).toHaveText('100.0%');
  await expect.poll(async () => JSON.parse(await page.locator('#shift-chart').getAttribute('data-probs') ?? '[]').length).toBeGreaterThan(10);
  await shot('shift');

  // An uploaded file as the image: the views follow it.
  await page.locator('#learn-file').setInputFiles(h.fixture('coffee.png'));
  await expect(page.locator('#learn-source-name')).toHaveText('coffee.png');
  await expect(page.locator('#shift-stats')).toHaveAttribute('data-max-interior', '0');

  // View 6: the receptive field table is the engine's.
  await page.locator('#learn-tab-rf').click();
  for (const l of info.layers.filter((x) => x.type === 'conv2d' || x.type.endsWith('pool2d')))
    await expect(page.locator(`#rf-table tr[data-layer="${l.index}"] b.rf`)).toHaveText(String(l.rf));
  await expect(page.locator('#rf-stack')).toContainText('7×7');
  await expect(page.locator('#rf-stride')).toContainText('(7 + 2·0 − 3)/2 + 1 = 3');
  await shot('rf');

  // View 7: coverage counts and inexact division.
  await page.locator('#learn-tab-stride').click();
  await expect(page.locator('#pg-explain')).toContainText('corner pixel is read 4 times');
  await page.getByRole('button', { name: 'not exact: stride 3' }).click();
  await expect(page.locator('#pg-formula')).toContainText('(7 + 2·0 − 3)/3 + 1 = 2.33333');
  await expect(page.locator('#pg-formula')).toHaveAttribute('data-wout', '2');
  await expect(page.locator('#pg-explain')).toContainText('1 column');
  await page.locator('#pg-p').fill('1');
  const cov = await call(page, 'learnCoverage', { w: 7, k: 3, s: 3, p: 1 });
  await expect(page.locator('#pg-formula')).toHaveAttribute('data-wout', String(cov.w_out));
  await shot('stride');

  // Tablet size: every view again.
  await page.setViewportSize({ width: 768, height: 1024 });
  for (const id of ['fc', 'slide', 'maps', 'shift', 'rf', 'stride']) {
    await page.locator(`#learn-tab-${id}`).click();
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${id} scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(shots, `learn-${id}-768x1024.png`), fullPage: true });
  }
  h.expectClean(problems);
  await context.close();
});
