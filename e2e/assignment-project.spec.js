// Issue 14: a project made from an assignment keeps it. createProjectFromAssignment makes a
// project with the assignment's spec, classes, fixed settings, title and starting images; the
// record ({text, hash}) and the answers survive a reload and a .convlab round trip
// (assignment.json, answers.json); a stored assignment that no longer reads (changed text,
// wrong hash, wrong shape) opens the project without it, with a banner, set aside, the rest kept.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.plainURL;

// An assignment on the default webcam net (two classes) with fixed settings and questions.
async function assignmentText(page) {
  return page.evaluate(async () => {
    const spec = JSON.parse((await globalThis.convlab.engine.call('defaultSpec', { classes: 2 })).spec);
    return JSON.stringify({
      format: 'convlab-assignment', version: 1, title: 'Pooling lab',
      instructions: 'Train the net.\nThen answer <b>both</b> questions: https://example.org/notes',
      spec, changes: { max_parameters: 40000 }, fixed_settings: { seed: 7, epochs: 3, lr: 0.005 },
      classes: ['Cat', 'Cup'], accuracy_target: 0.5, show_correctness: true,
      questions: [{ id: 'w0', kind: 'output_width', layer: 0 }, { id: 'all', kind: 'total_parameters' }],
    });
  });
}

// n images of w×w, class by class: [{label, rgba, width, height}] made in the page.
const makeImages = (page, counts, w = 24) => page.evaluate(({ counts, w }) => {
  globalThis.startImages = counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => {
    const rgba = new Uint8Array(w * w * 4);
    for (let p = 0; p < w * w; p++) rgba.set([label ? 200 : 30, (p * 7 + i * 13) % 256, label ? 40 : 220, 255], p * 4);
    return { label, rgba, width: w, height: w };
  }));
}, { counts, w });

async function createFromAssignment(page, text) {
  return page.evaluate(async (text) => {
    const m = await import('/js/classroom/assignment-project.js');
    const r = await m.createProjectFromAssignment(globalThis.convlab, text, { images: globalThis.startImages });
    const p = globalThis.convlab.project;
    return { id: r.id, hash: r.hash, projectId: p.id, assignment: p.assignment, settings: p.settings, spec: p.spec, classes: p.getClasses() };
  }, text);
}

test('a project made from an assignment keeps it across a reload and a .convlab round trip', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  const text = await assignmentText(page);
  await makeImages(page, [3, 2]);
  const made = await createFromAssignment(page, text);
  expect(made.projectId).toBe(made.id);
  expect(made.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(made.assignment.hash).toBe(made.hash);
  expect(made.assignment.assignment.title).toBe('Pooling lab');
  expect(made.classes).toEqual([{ id: 1, name: 'Cat', count: 3 }, { id: 2, name: 'Cup', count: 2 }]);
  expect(made.settings).toMatchObject({ seed: 7, epochs: 3, lr: 0.005 });
  // the assignment's spec as the engine normalised it (defaults written out): the same net
  expect(JSON.parse(made.spec)).toEqual(made.assignment.assignment.spec);
  expect(JSON.parse(made.spec).layers.map((l) => l.type)).toEqual(JSON.parse(text).spec.layers.map((l) => l.type));
  await expect(page.locator('#project-name')).toHaveText('Pooling lab');
  // the stored record is the normalised text and the engine's hash of it
  const stored = await page.evaluate(() => globalThis.convlab.project.store.get('assignment'));
  const check = await page.evaluate((t) => globalThis.convlab.engine.call('assignmentCheck', { text: t }), stored.text);
  expect(check.ok).toBe(true);
  expect(check.hash).toBe(stored.hash);
  await page.evaluate(() => globalThis.convlab.project.setAnswer('w0', 64));

  // reload: the assignment, the answers, the images and the settings are all still there
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const after = await page.evaluate(() => {
    const p = globalThis.convlab.project;
    return { id: p.id, hash: p.assignment?.hash, title: p.assignment?.assignment.title, answers: p.answers, counts: p.getClasses().map((c) => c.count), seed: p.settings.seed, skipped: p.skipped };
  });
  expect(after).toEqual({ id: made.id, hash: made.hash, title: 'Pooling lab', answers: { w0: 64 }, counts: [3, 2], seed: 7, skipped: [] });

  // the .convlab file: assignment.json and answers.json, read back into a new project
  const round = await page.evaluate(async () => {
    const p = globalThis.convlab.project;
    const file = new Uint8Array(await (await p.stores.exportFile(p.id)).arrayBuffer());
    const { unzipSync, strFromU8 } = await import('/gen/fflate.js');
    const entries = unzipSync(file);
    const { id, skipped } = await p.stores.importFile(file);
    const kept = await p.stores.project(id).load();
    return {
      names: Object.keys(entries).filter((n) => !n.startsWith('images/')).sort(),
      assignment: JSON.parse(strFromU8(entries['assignment.json'])), answers: JSON.parse(strFromU8(entries['answers.json'])),
      skipped, hash: kept.assignment?.hash, keptAnswers: kept.answers, images: kept.images.length,
    };
  });
  expect(round.names).toEqual(['answers.json', 'assignment.json', 'convlab.json', 'settings.json', 'spec.json']);
  expect(round.assignment.title).toBe('Pooling lab');
  expect(round.answers).toEqual({ w0: 64 });
  expect(round.skipped).toEqual([]);
  expect(round.hash).toBe(made.hash);
  expect(round.keptAnswers).toEqual({ w0: 64 });
  expect(round.images).toBe(5);
  h.expectClean(problems);
});

test('a file whose assignment.json does not read opens without it, with a note', async ({ page }) => {
  await h.openApp(page, base);
  const text = await assignmentText(page);
  await makeImages(page, [2, 2]);
  await createFromAssignment(page, text);
  const r = await page.evaluate(async () => {
    const p = globalThis.convlab.project;
    const { unzipSync, zipSync, strToU8 } = await import('/gen/fflate.js');
    const entries = unzipSync(new Uint8Array(await (await p.stores.exportFile(p.id)).arrayBuffer()));
    entries['assignment.json'] = strToU8('{"format": "convlab-assignment", "version": 1, "title": "x"}');
    const { id, skipped } = await p.stores.importFile(zipSync(entries));
    const kept = await p.stores.project(id).load();
    return { skipped, assignment: kept.assignment, images: kept.images.length, classes: kept.classes.map((c) => c.name) };
  });
  expect(r.skipped).toHaveLength(1);
  expect(r.skipped[0]).toMatch(/assignment \(assignment\.json\) is not valid \(.+\); the project opens without it/);
  expect(r.assignment).toBeUndefined();
  expect(r.images).toBe(4);
  expect(r.classes).toEqual(['Cat', 'Cup']);
});

// A stored record that no longer reads: each is set aside (quarantine), the project opens
// without an assignment, with the banner, and its images, classes and answers are kept.
for (const [what, spoil] of [
  ['a changed text (the hash no longer matches)', 'text'],
  ['a text the engine refuses', 'refused'],
  ['a record of the wrong shape', 'shape'],
]) {
  test(`a broken stored assignment: ${what}`, async ({ page }) => {
    await h.openApp(page, base);
    const text = await assignmentText(page);
    await makeImages(page, [2, 1]);
    const made = await createFromAssignment(page, text);
    await page.evaluate(async ({ spoil }) => {
      const p = globalThis.convlab.project;
      const a = await p.store.get('assignment');
      const bad = spoil === 'text' ? { ...a, text: a.text.replace('Pooling lab', 'Pooling lab!') }
        : spoil === 'refused' ? { ...a, text: '{"format": "convlab-assignment"' } : ['not', 'a', 'record'];
      await p.store.save('assignment', bad);
      await p.setAnswer('all', 12);
    }, { spoil });
    await page.reload();
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(page.locator('#notice')).toBeVisible();
    await expect(page.locator('#notice')).toContainText(/assignment this project was made from could not be read/i);
    const r = await page.evaluate(async () => {
      const p = globalThis.convlab.project;
      return { id: p.id, assignment: p.assignment, counts: p.getClasses().map((c) => c.count), answers: p.answers,
        aside: (await p.stores.db.quarantined(p.id)).map((q) => q.key), stored: await p.store.get('assignment') };
    });
    expect(r.id).toBe(made.id);
    expect(r.assignment).toBeNull();
    expect(r.counts).toEqual([2, 1]);
    expect(r.answers).toEqual({ all: 12 });
    expect(r.aside).toEqual(['assignment']);  // kept aside, not deleted
    expect(r.stored).toBeUndefined();
  });
}
