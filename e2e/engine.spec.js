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

// Handing in and grading through the worker: core writes the manifest (the weights' SHA-256),
// gradeAdd retrains as the page trained, in the manifest's image order over the file's list;
// an honest submission reproduces, a swapped weights file and a wrong answer are flagged, a
// manifest that does not read is a row; the CSV is every row; folder names match classes.
test('grading: the worker writes a manifest and grades an honest and a tampered submission', async ({ page }) => {
  await page.goto(plainURL + '/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const r = await page.evaluate(async () => {
    const { engine } = globalThis.convlab;
    const spec = JSON.stringify({ input: { channels: 1, height: 8, width: 8 }, layers: [{ type: 'conv2d', out_channels: 2, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'linear', out_features: 2 }] });
    const assignment = JSON.stringify({ format: 'convlab-assignment', version: 1, title: 'Tiny', spec: JSON.parse(spec), classes: ['cat', 'cup'],
      questions: [{ id: 'w', kind: 'output_width', layer: 2 }] });
    const settings = { seed: 4, epochs: 2, batch_size: 2, val_fraction: 0.25 };
    // the project file's list: image f is bright for class 1; the engine got them in reverse
    const file = [];
    for (let f = 0; f < 8; f++) {
      const rgba = new Uint8Array(8 * 8 * 4);
      for (let i = 0; i < rgba.length; i++) rgba[i] = i % 4 === 3 ? 255 : ((i * 7 + f * 13) % 60) + (f % 2 ? 150 : 0);
      file.push({ rgba, width: 8, height: 8, label: f % 2 });
    }
    const imageOrder = [7, 6, 5, 4, 3, 2, 1, 0];
    await engine.call('clearImages');
    await engine.call('setSpec', { spec, seed: 1 });
    await engine.call('addImages', { images: imageOrder.map((i) => ({ ...file[i], rgba: file[i].rgba.slice() })) });
    await engine.call('train', { config: settings, steps: 3 });
    const weights = await engine.call('save', { metadata: { classes: ['cat', 'cup'] } });
    const honest = await engine.call('assignmentSubmission', { assignment, spec, settings, answers: { w: 4 }, imageOrder, weights });
    const wrong = await engine.call('assignmentSubmission', { assignment, spec, settings, answers: { w: 5 }, imageOrder, weights });
    const refused = await engine.call('assignmentSubmission', { assignment, spec, settings, answers: { nope: 1 }, imageOrder, weights });
    const swapped = weights.slice();
    swapped[swapped.length - 4] ^= 1;  // the lowest mantissa bit of the last weight: still a valid file
    const copy = () => file.map((im) => ({ ...im, rgba: im.rgba.slice() }));
    const begin = await engine.call('gradeBegin', { assignment });
    const badBegin = await engine.call('gradeBegin', { assignment: '{}' });
    await engine.call('gradeBegin', { assignment });
    const rows = [];
    rows.push(await engine.call('gradeAdd', { student: 'alice', manifest: honest.manifest, spec, weights, train: copy(), test: copy() }));
    // the tampered one: other weights under a manifest that names them, and a wrong answer
    const forged = await engine.call('assignmentSubmission', { assignment, spec, settings, answers: { w: 5 }, imageOrder, weights: swapped });
    rows.push(await engine.call('gradeAdd', { student: 'mallory', manifest: forged.manifest, spec, weights: swapped, train: copy(), test: [] }));
    rows.push(await engine.call('gradeAdd', { student: 'eve', manifest: honest.manifest, spec, weights: swapped, train: copy(), test: [] }));
    rows.push(await engine.call('gradeAdd', { student: 'bob', manifest: '{', spec, weights, train: copy(), test: [] }));
    const { csv } = await engine.call('gradeCsv');
    const folders = [];
    for (const name of ['CAT', 'c-u-p', 'dog']) folders.push(await engine.call('folderClass', { name, classes: ['cat', 'cup'] }));
    return { honest, wrong, refused, begin, badBegin, rows: rows.map((x) => x.row), csv, folders };
  });
  expect(r.honest.ok).toBe(true);
  const manifest = JSON.parse(r.honest.manifest);
  expect(manifest.weights_sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(manifest.image_order).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  expect(r.wrong.ok).toBe(true);
  expect(r.refused).toMatchObject({ ok: false, field: 'answers.nope' });
  expect(r.begin.ok).toBe(true);
  expect(r.badBegin.ok).toBe(false);
  const [alice, mallory, eve, bob] = r.rows;
  expect(alice).toMatchObject({ student: 'alice', assignment_hash_ok: true, weights_hash_ok: true, constraints_ok: true, reproduced: true, message: '' });
  expect(alice.answers[0]).toMatchObject({ id: 'w', given: 4, right: 4, correct: true });
  expect(alice.test_acc).not.toBeNull();
  expect(mallory).toMatchObject({ weights_hash_ok: true, reproduced: false });
  expect(mallory.answers[0].correct).toBe(false);
  expect(mallory.message).toContain('retraining from the recorded seed gives other weights');
  expect(eve.weights_hash_ok).toBe(false);
  expect(bob.message).toContain('not graded: the submission manifest');
  const lines = r.csv.split('\r\n');
  expect(lines[0]).toBe('student,assignment_hash_ok,weights_hash_ok,constraints_ok,constraints_failed,w given,w right,w correct,val_acc,test_acc,target_met,reproduced,message');
  expect(lines.length).toBe(6);  // header, 4 rows, the empty tail
  expect(lines[1]).toMatch(/^alice,yes,yes,yes,,4,4,yes,/);
  expect(r.folders).toEqual([0, 1, -1]);
});
