// Issue 13, "the page as fast as the engine": the worker's copy of the training images is kept up
// to date in the background (web/js/engine/worker-sync.js), an added or deleted image inserted or
// removed at its place, so a Train click sends nothing. The worker must then hold exactly what a
// full resend gives: the same model trains to the same bytes either way.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

test('imagesDiff: inserts at their final places, removals from the end, reordering refused', async ({ page }) => {
  await h.openApp(page, h.plainURL);
  const r = await page.evaluate(async () => {
    const { imagesDiff } = await import('/js/engine/worker-sync.js');
    const w = (...ids) => ids.map((id) => ({ id }));
    const show = (d) => d && { removes: d.removes, inserts: d.inserts.map((x) => [x.at, x.im.id]) };
    return {
      grow: show(imagesDiff([1, 2, 3], w(1, 4, 2, 3, 5))),
      shrink: show(imagesDiff([1, 2, 3, 4], w(1, 3))),
      both: show(imagesDiff([1, 2, 3], w(7, 1, 3, 8))),
      same: show(imagesDiff([1, 2], w(1, 2))),
      moved: show(imagesDiff([1, 2, 3], w(3, 1, 2))),
      fromNothing: show(imagesDiff([], w(1, 2))),
    };
  });
  expect(r.grow).toEqual({ removes: [], inserts: [[1, 4], [4, 5]] });
  expect(r.shrink).toEqual({ removes: [3, 1], inserts: [] });
  expect(r.both).toEqual({ removes: [1], inserts: [[0, 7], [3, 8]] });
  expect(r.same).toEqual({ removes: [], inserts: [] });
  expect(r.moved).toBeNull();
  expect(r.fromNothing).toEqual({ removes: [], inserts: [[0, 1], [1, 2]] });
});

test('the worker gets added and deleted images in the background and trains as after a full resend', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = h.watch(page, h.plainURL);
  await h.openApp(page, h.plainURL);
  const r = await page.evaluate(async () => {
    const { project, engine } = globalThis.convlab;
    const calls = [];
    const call = engine.call.bind(engine);
    // the calls that change the worker's images (the views' own calls, learnCheckSpec and the like, are not counted)
    const imageCalls = new Set(['clearImages', 'addImages', 'insertImages', 'removeImages']);
    engine.call = (cmd, args, o) => { if (imageCalls.has(cmd)) calls.push(cmd); return call(cmd, args, o); };
    const settle = async () => {
      await new Promise((res) => setTimeout(res, 2000));  // past the background update's pause
      await project.worker.queue;
    };
    const img = (k) => ({ rgba: new Uint8Array(16 * 16 * 4).map((_, j) => (j % 4 === 3 ? 255 : (j * (k + 3) * 7 + k * 40) % 251)), width: 16, height: 16 });
    const held = async () => call('removeImages', { positions: [] });  // -> the number the worker holds
    const train = async () => {
      const p = await call('train', { config: { epochs: 2, batch_size: 2, seed: 3, val_fraction: 0.25 }, steps: 64 });
      if (!p.done) throw new Error('training did not finish');
      return Array.from(await call('save', { metadata: {} }));
    };
    const full = async () => {  // what the page did before every run: every image sent again
      project.worker.markStale();
      await project.syncWorker();
      return train();
    };
    const ids = project.getClasses().map((c) => c.id);
    const out = {};
    await settle();  // the opened project's own update has come and gone (no images: nothing sent)
    out.idle = calls.splice(0);
    await project.addImages(ids[0], [img(1), img(2), img(3)]);
    await project.addImages(ids[1], [img(4), img(5)]);
    await settle();
    out.first = { held: await held(), calls: calls.splice(0) };
    // class 0 grows (an insert in the middle of the worker's list), class 1 loses one
    await project.addImages(ids[0], [img(6), img(7)]);
    await project.deleteImages(ids[1], [project.images.get(ids[1])[0].id]);
    await settle();
    out.second = { held: await held(), calls: calls.splice(0) };
    await project.syncWorker();  // what a Train click does: nothing is left to send
    out.atTrain = calls.splice(0);
    out.kept = await train();
    out.full = await full();
    out.differs = out.kept.join() !== (await (async () => {  // the check can fail: another order trains otherwise
      const order = project.trainingOrder();
      await call('clearImages');
      await call('addImages', { images: order.reverse().map(({ rgba, width, height, label }) => ({ rgba, width, height, label })) });
      return train();
    })()).join();
    return out;
  });
  expect(r.idle).toEqual([]);
  expect(r.first.held).toBe(5);
  expect(r.first.calls).toEqual(['clearImages', 'addImages']);  // the first time: everything
  expect(r.second.held).toBe(6);
  expect(r.second.calls).toEqual(['removeImages', 'insertImages']);  // then only what changed
  expect(r.atTrain).toEqual([]);
  expect(r.kept.length).toBeGreaterThan(1000);
  expect(r.kept).toEqual(r.full);
  expect(r.differs).toBe(true);
  h.expectClean(problems);
});
