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
      // batched prediction, of sent images and of stored ones, equals one call per image, on
      // every thread count the build allows
      const sent = images.map(({ rgba, width, height }) => ({ rgba, width, height }));
      const single = [];
      for (const im of sent) single.push([...await engine.call('predict', { ...im, rgba: im.rgba.slice() })]);
      const batches = [];
      for (const threads of [1, hello.max_threads]) {
        const set = await engine.call('setThreads', { threads });
        const rows = await engine.call('predictBatch', { images: sent });
        const stored = await engine.call('predictBatch', { indices: [3, 2, 1, 0] });
        batches.push({ set, rows: rows.map((r) => [...r]), stored: stored.map((r) => [...r]).reverse() });
      }
      const errs = [];
      for (const args of [{ threads: 9 }, { threads: 0 }])
        await engine.call('setThreads', args).catch((e) => errs.push(e.message));
      await engine.call('predictBatch', { images: [{ rgba: new Uint8Array(7), width: 8, height: 8 }] }).catch((e) => errs.push(e.message));
      await engine.call('predictBatch', { indices: [4] }).catch((e) => errs.push(e.message));
      const rules = await engine.call('rules');
      return { hello, progress, changed, isolated: crossOriginIsolated, single, batches, errs, rules,
               cores: navigator.hardwareConcurrency };
    });
    expect(r.hello.simd).toBe(true);
    expect(r.hello.threaded).toBe(threaded);
    expect(r.isolated).toBe(threaded);
    expect(r.progress.done).toBe(true);
    expect(r.progress.images_seen).toBe(4);
    expect(r.changed).toBeGreaterThan(0);
    // threads: the machine's cores up to the rule's cap in the threaded build, settable
    expect(r.rules.threads.max).toBe(8);
    expect(r.hello.max_threads).toBe(threaded ? 8 : 1);
    expect(r.hello.threads).toBe(threaded ? Math.min(r.cores, 8) : 1);
    expect(r.batches.map((b) => b.set.threads)).toEqual(threaded ? [1, 8] : [1, 1]);
    for (const b of r.batches) {
      expect(b.rows).toEqual(r.single);
      expect(b.stored).toEqual(r.single);
    }
    expect(r.errs[0]).toContain('threads must be a whole number from 1 to 8');
    expect(r.errs[1]).toContain('not 0');
    expect(r.errs[2]).toContain('image 1 of 1: image data has 7 bytes');
    expect(r.errs[3]).toContain('no stored image 4: the engine holds 4 images');
    expect(errors).toEqual([]);
  });
}

// Classroom assignments through the worker (core's assignment.h): a file's text is checked and
// normalised, a script in the title stays inert text, and a student's spec is held to the
// assignment's constraints with core's messages.
test('assignments: the worker checks an assignment and a spec against its constraints', async ({ page }) => {
  await page.goto(plainURL + '/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const r = await page.evaluate(async () => {
    const { engine } = globalThis.convlab;
    const spec = { input: { channels: 1, height: 8, width: 8 }, layers: [{ type: 'conv2d', out_channels: 4, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'linear', out_features: 2 }] };
    const assignment = JSON.stringify({ format: 'convlab-assignment', version: 1, title: 'Pooling <script>alert(1)</script>', spec, changes: { max_parameters: 200 }, classes: ['cat', 'cup'] });
    const wider = { ...spec, layers: [{ ...spec.layers[0], out_channels: 16 }, ...spec.layers.slice(1)] };
    return {
      ok: await engine.call('assignmentCheck', { text: assignment }),
      bad: await engine.call('assignmentCheck', { text: '{"format": "convlab-assignment", "version": 2}' }),
      within: await engine.call('assignmentConstraints', { assignment, spec: JSON.stringify(spec), settings: {} }),
      outside: await engine.call('assignmentConstraints', { assignment, spec: JSON.stringify(wider), settings: {} }),
    };
  });
  expect(r.ok.ok).toBe(true);
  expect(r.ok.assignment.title).toBe('Pooling <script>alert(1)</script>');
  expect(r.ok.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(r.bad.ok).toBe(false);
  expect(r.bad.error).toContain('newer than this engine');
  expect(r.within.ok).toBe(true);
  expect(r.outside.ok).toBe(false);
  expect(r.outside.rules.find((x) => !x.ok).message).toContain('of at most 200');
});
