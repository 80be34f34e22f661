// The engine in its module worker, in both builds: reports SIMD and trains.
const { test, expect } = require('@playwright/test');
const { isolatedURL, plainURL } = require('./playwright.config.js');

for (const [name, base, threaded] of [['isolated', isolatedURL, true], ['not isolated', plainURL, false]]) {
  test(`engine worker (${name}) reports SIMD and trains one step`, async ({ page }) => {
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await expect(page.locator('#engine-status')).toContainText('Engine ready', { timeout: 30_000 });
    // The page syncs its (empty) project into the worker after the engine is ready, clearing the
    // worker's images: drive the engine only once that is done, or the sync can land in between.
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    const r = await page.evaluate(async () => {
      const { engine } = globalThis.convlab;
      const hello = await engine.call('hello');
      const spec = JSON.stringify({
        input: { channels: 1, height: 8, width: 8 },
        layers: [{ type: 'conv2d', out_channels: 2, kernel: 3, padding: 1 }, { type: 'relu' },
          { type: 'flatten' }, { type: 'linear', out_features: 2 }],
      });
      await engine.call('setSpec', { spec, seed: 3 });
      const images = [];
      for (let i = 0; i < 4; i++) {
        const rgba = new Uint8Array(8 * 8 * 4).fill(i % 2 ? 230 : 20);
        images.push({ rgba, width: 8, height: 8, label: i % 2 });
      }
      await engine.call('addImages', { images });
      const before = await engine.call('param', { name: '3.weight' });
      const progress = await engine.call('train', { config: { epochs: 1, batch_size: 4, val_fraction: 0, seed: 3 }, steps: 1 });
      const after = await engine.call('param', { name: '3.weight' });
      let changed = 0;
      for (let i = 0; i < before.length; i++) changed += before[i] !== after[i];
      return { hello, progress, changed, isolated: crossOriginIsolated };
    });
    expect(r.hello.simd).toBe(true);
    expect(r.hello.threaded).toBe(threaded);
    expect(r.isolated).toBe(threaded);
    expect(r.progress.done).toBe(true);
    expect(r.progress.images_seen).toBe(4);
    expect(r.changed).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
}
