// Issue 14: the grading view flags exactly the tampering. The test builds the class's files in
// the page itself: a tiny project (8x8 images of two classes) trained in the worker, handed in
// through the worker's assignmentSubmission (core writes the manifest) and the project-file
// writer, then tampered copies: the weights swapped for another run's (with the manifest's hash
// made to match, so only the retraining can tell), a spec outside the constraints (trained
// honestly), a wrong answer, a damaged zip. A test folder of PNGs (one folder named unlike any
// class) is picked with the folder input. The view grades them; each row must show exactly its
// file's flags. Then `convlab grade` (build/native/convlab) runs on the same files and folder,
// and its CSV must equal the page's "Download CSV" byte for byte.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const h = require('./helpers.js');
const { expectNoSeriousAxe } = require('./a11y.js');

const cli = path.join(__dirname, '..', 'build', 'native', 'convlab');
const shots = '/tmp/shots/gradeview';

const SPEC = {
  input: { channels: 3, height: 8, width: 8 },
  layers: [{ type: 'conv2d', out_channels: 4, kernel: 3, padding: 'same' }, { type: 'relu' },
    { type: 'maxpool2d', kernel: 2 }, { type: 'flatten' }, { type: 'linear', out_features: 2 }],
};
// the same net with 16 filters: 3*16*9+16 + 16*4*4*2+2 = 962 parameters, over the limit
const BIG = { ...SPEC, layers: SPEC.layers.map((l, i) => (i === 0 ? { ...l, out_channels: 16 } : l)) };
const ASSIGNMENT = {
  format: 'convlab-assignment', version: 1, title: 'Pooling <b>lab</b>',
  instructions: 'Train the net, then answer.', spec: SPEC,
  changes: { max_parameters: 400, forbidden_types: ['avgpool2d'] },
  fixed_settings: { seed: 7, epochs: 10 }, classes: ['cat', 'cup'], accuracy_target: 0.01,
  questions: [{ id: 'w', kind: 'output_width', layer: 2 }, { id: 'p', kind: 'layer_parameters', layer: 0 }],
  show_correctness: true,
};
const SETTINGS = { seed: 7, epochs: 10, batch_size: 4, shift: 0, flip: false, val_fraction: 0.25 };

// In the page: n 8x8 images (class 1 brighter on its left half, seeded noise), trains `spec`
// with `settings` in the worker in the order `order`, hands in -> {bytes of the submission
// file (number[]), manifest text}. answers: {id: number}.
async function handIn(page, { spec, settings, answers, swapSeed }) {
  return page.evaluate(async ({ assignment, spec, settings, answers, swapSeed }) => {
    const { writeProject } = await import('/js/storage/project-file.js');
    const { encodePNG } = await import('/js/storage/image-codec.js');
    // the full library (the test re-zips; the page's one import point exports only what it uses)
    const { unzipSync, zipSync, strToU8 } = await import('/gen/fflate.js');
    const { engine, rules } = globalThis.convlab;
    let s = 12345;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; };
    const images = Array.from({ length: 12 }, (_, i) => {
      const label = i % 2, rgba = new Uint8Array(8 * 8 * 4);
      for (let p = 0; p < 64; p++) for (let c = 0; c < 4; c++) rgba[p * 4 + c] = c === 3 ? 255 : (rnd() % 80) + (label && p % 8 < 4 ? 150 : 0);
      return { rgba, width: 8, height: 8, label };
    });
    // the engine gets the images in another order than the file lists them
    const order = [3, 0, 7, 1, 10, 5, 2, 11, 4, 9, 6, 8];
    const train = async (seed) => {
      const specText = JSON.stringify(spec);
      await engine.call('setSpec', { spec: specText, seed });
      await engine.call('clearImages');
      await engine.call('addImages', { images: order.map((k) => ({ ...images[k], rgba: images[k].rgba.slice() })) });
      const p = await engine.call('train', { config: { ...settings, seed }, steps: 4 });
      if (!p.done) throw new Error('training did not finish');
      return engine.call('save', { metadata: { classes: assignment.classes } });
    };
    // a swapped model: another run's weights (another seed), the manifest naming them
    const weights = await train(swapSeed ?? settings.seed);
    const text = JSON.stringify(assignment);
    const sub = await engine.call('assignmentSubmission', { assignment: text, spec: JSON.stringify(spec), settings, answers, imageOrder: order, weights });
    if (!sub.ok) throw new Error(`assignmentSubmission: ${sub.error}`);
    const file = await writeProject(engine, {
      name: 'Pooling lab', created: 1, classes: assignment.classes.map((name, i) => ({ id: i + 1, name })),
      settings, spec: JSON.stringify(spec), weights,
      images: images.map((im) => ({ classId: im.label + 1, width: 8, height: 8, png: encodePNG(im) })),
    }, rules);
    const z = unzipSync(file);
    z['assignment.json'] = strToU8(text);
    z['submission.json'] = strToU8(sub.manifest);
    return { bytes: Array.from(zipSync(z, { mtime: new Date(1980, 0, 1, 12) })), manifest: sub.manifest };
  }, { assignment: ASSIGNMENT, spec, settings, answers, swapSeed });
}

// The teacher's held-out images as PNG files in dir/<folder>/<n>.png: 3 per class, made in the
// page like the training ones (other noise), and one folder that matches no class.
async function testFolder(page, dir) {
  const files = await page.evaluate(async () => {
    const { encodePNG } = await import('/js/storage/image-codec.js');
    let s = 999;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; };
    const out = [];
    for (const [folder, label] of [['Cat', 0], ['cup', 1], ['dog', 0]]) {
      for (let n = 0; n < 3; n++) {
        const rgba = new Uint8Array(8 * 8 * 4);
        for (let p = 0; p < 64; p++) for (let c = 0; c < 4; c++) rgba[p * 4 + c] = c === 3 ? 255 : (rnd() % 80) + (label && p % 8 < 4 ? 150 : 0);
        out.push({ name: `${folder}/${n}.png`, bytes: Array.from(encodePNG({ rgba, width: 8, height: 8 })) });
      }
    }
    return out;
  });
  for (const f of files) {
    fs.mkdirSync(path.join(dir, path.dirname(f.name)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.name), Buffer.from(f.bytes));
  }
}

const cell = (page, student, cls) => page.locator(`#grade-rows tr[data-student="${student}"] .${cls}`);

test('the grading view flags exactly the tampering, and convlab grade gives the same CSV', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = h.watch(page, h.isolatedURL);
  await page.setViewportSize({ width: 1280, height: 800 });
  await h.openApp(page, h.isolatedURL, 'projects');

  // ---- the class's files ----
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-grade-'));
  const put = (name, bytes) => { fs.writeFileSync(path.join(dir, name), Buffer.from(bytes)); return path.join(dir, name); };
  const assignmentFile = put('pooling.assignment.json', Buffer.from(JSON.stringify(ASSIGNMENT)));
  const right = { w: 4, p: 3 * 4 * 9 + 4 };
  const alice = await handIn(page, { spec: SPEC, settings: SETTINGS, answers: right });
  const bob = await handIn(page, { spec: SPEC, settings: SETTINGS, answers: right, swapSeed: 8 });
  const carol = await handIn(page, { spec: BIG, settings: SETTINGS, answers: { w: 4, p: 3 * 16 * 9 + 16 } });
  const dave = await handIn(page, { spec: SPEC, settings: SETTINGS, answers: { ...right, w: 5 } });
  expect(JSON.parse(bob.manifest).weights_sha256).not.toBe(JSON.parse(alice.manifest).weights_sha256);
  const damaged = alice.bytes.slice();
  damaged.length = Math.floor(damaged.length * 0.6);  // cut short, as a broken download is
  const files = {
    'alice-submission.convlab': alice.bytes, 'bob-submission.convlab': bob.bytes, 'carol-submission.convlab': carol.bytes,
    'dave-submission.convlab': dave.bytes, 'erin-submission.convlab': damaged,
  };
  const paths = Object.entries(files).map(([n, b]) => put(n, b));
  const testDir = path.join(dir, 'held-out');
  await testFolder(page, testDir);

  // ---- the teacher: from the project list to the grading view ----
  await page.locator('#project-grade').click();
  await expect(page.locator('#view-grading')).toBeVisible();
  await expect(page.locator('#grade-start')).toBeDisabled();
  await page.locator('#grade-assignment-input').setInputFiles(assignmentFile);
  // the title is outside input: shown as text
  await expect(page.locator('#grade-assignment-info')).toContainText('“Pooling <b>lab</b>”');
  await page.locator('#grade-files-input').setInputFiles(paths);
  await expect(page.locator('#grade-file-list li')).toHaveCount(5);
  await page.locator('#grade-test-input').setInputFiles(testDir);
  await expect(page.locator('#grade-test-counts')).toHaveText('6 test images: cat 3, cup 3.');
  await expect(page.locator('#grade-test-unmatched')).toContainText('dog');
  await page.locator('#grade-start').click();
  await expect(page.locator('#grade-progress-text')).toHaveText('Graded 5 submissions.', { timeout: 120_000 });
  await expect(page.locator('#grade-rows tr')).toHaveCount(5);

  // ---- exactly the tampering is flagged ----
  const flags = async (student) => ({
    hash: await cell(page, student, 'hash').getAttribute('data-ok'),
    constraints: await cell(page, student, 'constraints').getAttribute('data-ok'),
    answers: await page.locator(`#grade-rows tr[data-student="${student}"] .answers li`).evaluateAll((els) => els.map((e) => `${e.dataset.id}:${e.dataset.correct}`)),
    target: await cell(page, student, 'target').getAttribute('data-ok'),
    reproduced: await cell(page, student, 'reproduced').getAttribute('data-ok'),
  });
  const clean = { hash: 'true', constraints: 'true', answers: ['w:true', 'p:true'], target: 'true', reproduced: 'true' };
  expect(await flags('alice')).toEqual(clean);
  expect(await flags('bob')).toEqual({ ...clean, reproduced: 'false' });
  expect(await flags('carol')).toEqual({ ...clean, constraints: 'false' });
  expect(await flags('dave')).toEqual({ ...clean, answers: ['w:false', 'p:true'] });
  // the flags read as words, not colour alone
  await expect(cell(page, 'bob', 'reproduced')).toHaveText('✗ NO: the weights are not what the recorded training gives');
  await expect(cell(page, 'alice', 'reproduced')).toHaveText('✓ yes');
  await expect(cell(page, 'carol', 'constraints')).toContainText('✗ failed');
  await expect(cell(page, 'carol', 'constraints').locator('li[data-rule="max_parameters"]')).toContainText('962');
  await expect(page.locator('#grade-rows tr[data-student="dave"] .answers li[data-id="w"]')).toHaveText('w: given 5, right 4 ✗ wrong');
  for (const s of ['alice', 'bob', 'carol', 'dave']) {
    await expect(cell(page, s, 'test')).toHaveText(/^\d+\.\d%$/);
    await expect(cell(page, s, 'val')).toHaveText(/^\d+\.\d%$/);
  }
  await expect(cell(page, 'alice', 'message-cell')).toHaveText('—');
  // the damaged file is a row saying what is wrong; the others were graded
  const erin = page.locator('#grade-rows tr[data-student="erin"]');
  await expect(erin).toHaveClass(/broken/);
  await expect(erin.locator('.message-cell')).toContainText('not a readable submission (damaged');
  await expect(erin.locator('.message-cell .found')).toContainText('What the reader found:');

  await expectNoSeriousAxe(page, 'the grading view with rows');
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: `${shots}/grading-1280x800.png`, fullPage: true });
  // a tablet and a phone: each submission a card, every value beside its column's name, nothing
  // cut off at the right
  for (const [w, hgt] of [[768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(200);
    const fit = await page.evaluate(() => {
      const t = document.querySelector('#grade-table'), box = t.parentElement;
      const labels = [...t.querySelectorAll('tbody tr:not(.broken) td')].map((td) => getComputedStyle(td, '::before').content);
      return { over: box.scrollWidth - box.clientWidth, head: getComputedStyle(t.querySelector('thead')).position, labels: [...new Set(labels)] };
    });
    expect(fit.over, `the grades table at ${w} px is ${fit.over} px wider than its box`).toBeLessThanOrEqual(0);
    expect(fit.head).toBe('absolute');  // the header row is there for screen readers only
    expect(fit.labels).toEqual(['"Assignment"', '"Constraints"', '"Answers"', '"Validation accuracy"', '"Test accuracy"', '"Target met"', '"Reproduced bit for bit"', '"Message"']);
    await page.screenshot({ path: `${shots}/grading-${w}x${hgt}.png`, fullPage: true });
  }

  // ---- Download CSV: core's bytes; convlab grade on the same files gives the same ----
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#grade-csv').click()]);
  const pageCsv = fs.readFileSync(await dl.path());
  // header + a row per file: the damaged one too, in core's words (the reader's finding stays in the view)
  expect(pageCsv.toString('utf8').split('\n').filter(Boolean)).toHaveLength(1 + 5);
  expect(pageCsv.toString('utf8')).toContain('erin,');
  expect(fs.existsSync(cli), `${cli} is built by make native`).toBe(true);
  const out = path.join(dir, 'cli.csv');
  const r = spawnSync(cli, ['grade', assignmentFile, ...paths, '--test', testDir, '--csv', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toContain('dog');  // the folder that matches no class is named there too
  expect(r.stderr).toMatch(/erin: .+/);  // and what its reader found in the damaged file
  expect(fs.readFileSync(out).toString('utf8')).toBe(pageCsv.toString('utf8'));
  expect(Buffer.compare(fs.readFileSync(out), pageCsv), 'the CLI\'s CSV and the page\'s, byte for byte').toBe(0);
  h.expectClean(problems);
});
