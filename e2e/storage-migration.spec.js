// Storage schema 2 (many projects) from a profile that version 1 of the page wrote: the one
// project becomes the first project with every class, image, setting, curve and weight, and
// its raw images are rewritten compressed (PNG) without changing a pixel.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');
const { openLab, writeV1Profile, expectReady } = require('./data-lab.js');

test('a version 1 profile becomes the first project, losing nothing, and its images are stored compressed', async ({ page }) => {
  await openLab(page);
  const before = await writeV1Profile(page, { images: [3, 2] });

  const after = await page.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const hash = (rgba) => rgba.reduce((a, b) => (a * 31 + b) >>> 0, 0);
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    const list = await s.listProjects();
    const p = s.project(list[0].id);
    const kept = await p.load();
    await p.compressing;  // the raw images are rewritten as PNG in the background
    const raw = await new Promise((resolve) => {
      const r = indexedDB.open('convlab');
      r.onsuccess = () => {
        const t = r.result.transaction('images').objectStore('images').getAll();
        t.onsuccess = () => { r.result.close(); resolve(t.result); };
      };
    });
    const again = await (await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine })).project(list[0].id).load();
    return {
      list, last: await s.lastProjectId(), skipped: kept.skipped,
      classes: kept.classes, settings: kept.settings, result: kept.result, spec: kept.spec, weights: Array.from(kept.weights),
      images: kept.images.map((im) => ({ classId: im.classId, sum: hash(im.rgba), w: im.width, h: im.height })),
      stored: raw.map((r) => ({ project: r.project, png: r.png?.length ?? 0, rgba: r.rgba === undefined ? 0 : 1 })),
      again: again.images.map((im) => ({ classId: im.classId, sum: hash(im.rgba) })),
      pending: s.pending(),
    };
  });

  expect(after.list).toHaveLength(1);
  expect(after.list[0]).toMatchObject({ id: 1, name: 'My project', classes: ['Cat', 'Cup'], images: 5, trained: true });
  expect(after.last).toBe(1);
  expect(after.skipped).toEqual([]);
  expect(after.classes).toEqual(before.kv.classes);
  expect(after.settings).toEqual(before.kv.settings);
  expect(after.result).toEqual(before.kv.result);
  expect(after.spec).toBe(before.kv.spec);
  expect(after.weights).toEqual(before.kv.weights);
  expect(after.images.map(({ classId, sum }) => ({ classId, sum }))).toEqual(before.images.map(({ classId, sum }) => ({ classId, sum })));
  expect(after.images.every((im) => im.w === 96 && im.h === 96)).toBe(true);
  // compressed: every record is PNG now, of this project, smaller than 96x96x4 raw bytes
  expect(after.stored).toHaveLength(5);
  for (const r of after.stored) {
    expect(r).toMatchObject({ project: 1, rgba: 0 });
    expect(r.png).toBeGreaterThan(0);
    expect(r.png).toBeLessThan(96 * 96 * 4);
  }
  expect(after.again).toEqual(after.images.map(({ classId, sum }) => ({ classId, sum })));
  expect(after.pending).toBe(0);

  // the page itself opens the migrated project
  const problems = h.watch(page, h.plainURL);
  await page.goto(`${h.plainURL}/#data`);
  await expectReady(page);
  await expect.poll(() => h.counts(page)).toEqual([3, 2]);
  expect(await page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.name))).toEqual(['Cat', 'Cup']);
  h.expectClean(problems);
});

test('a fresh profile gets one empty project, and projects are listed newest first', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    const first = await s.listProjects();
    const a = await s.createProject('Second');
    const b = await s.createProject();
    await s.project(a).save('classes', [{ id: 1, name: 'Dog' }, { id: 2, name: 'Cat' }]);
    await s.project(a).addImages([{ classId: 1, rgba: new Uint8Array(4 * 4 * 4).fill(200), width: 4, height: 4 }]);
    const copy = await s.duplicateProject(a);
    await s.renameProject(b, '  Third  ');
    let refused = '';
    try { await s.renameProject(b, '\u200b\u200d'); } catch (e) { refused = e.message; }
    const listed = await s.listProjects();
    await s.deleteProject(a);
    const afterDelete = await s.listProjects();
    const copyKept = await s.project(copy).load();
    return { first, listed, afterDelete, refused, copyImages: copyKept.images.length, copyClasses: copyKept.classes };
  });
  expect(r.first).toHaveLength(1);
  expect(r.first[0]).toMatchObject({ name: 'Project 1', images: 0, trained: false, classes: [] });
  expect(r.listed.map((p) => p.name)).toEqual(['Third', 'Second (copy)', 'Second', 'Project 1']);
  expect(r.listed[1]).toMatchObject({ images: 1, classes: ['Dog', 'Cat'] });
  expect(r.listed[1].bytes).toBeGreaterThan(0);
  expect(r.refused).toContain('name you can see');
  expect(r.afterDelete.map((p) => p.name)).toEqual(['Third', 'Second (copy)', 'Project 1']);
  expect(r.copyImages).toBe(1);
  expect(r.copyClasses.map((c) => c.name)).toEqual(['Dog', 'Cat']);
});

test('a tab of version 1 holding the database open: the new page says so instead of waiting in silence', async ({ page, context }) => {
  await openLab(page);
  await writeV1Profile(page, { images: [1, 1] });
  // version 1's store.js never closed its connection on a version change
  await page.evaluate(() => new Promise((resolve) => { const r = indexedDB.open('convlab', 1); r.onsuccess = () => { globalThis.v1 = r.result; resolve(); }; }));
  const other = await context.newPage();
  await openLab(other);
  const r = await other.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    return { persistent: s.persistent, error: s.error, projects: (await s.listProjects()).length };
  });
  expect(r.persistent).toBe(false);
  expect(r.error).toContain('Another ConvLab tab, of an older version, is open');
  expect(r.projects).toBe(1);  // the session still has a project to work in
  // once the old tab has gone, the upgrade runs and loses nothing
  await page.evaluate(() => globalThis.v1.close());
  const after = await other.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    return { persistent: s.persistent, images: (await s.listProjects())[0].images };
  });
  expect(after).toEqual({ persistent: true, images: 2 });
});
