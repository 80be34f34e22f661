// Issue 14's proof, as one class: a teacher and two students, each in their own browser.
// The teacher writes an assignment in the editor (a parameter budget, a fixed seed and epochs,
// two questions on the model, an accuracy target) and copies its link. Ana opens the link, adds
// photos from files, trains, answers both questions and hands in. Ben opens it too, widens the
// first layer past the budget, answers a question wrong (the default net's count, not his
// model's), trains and hands in, then swaps in another run's weights and makes the manifest's
// hash name them (so only retraining can tell). The teacher grades both files with a held-out
// folder in the grading view: Ana's row is clean; Ben's flags exactly his three changes and
// nothing else. `convlab grade` on the same files gives the same CSV, byte for byte.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { unzipSync, zipSync, strFromU8, strToU8 } = require('fflate');
const h = require('./helpers.js');

const base = h.plainURL;
const cli = path.join(__dirname, '..', 'build', 'native', 'convlab');
const shots = '/tmp/shots/classroom';
const contextOptions = { serviceWorkers: 'block', viewport: { width: 1280, height: 800 }, acceptDownloads: true };

async function browserOf(browser, url, options = {}) {
  const context = await browser.newContext({ ...contextOptions, ...options });
  await h.recordClipboard(context);
  const page = await context.newPage();
  const problems = h.watch(page, base);
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  return { context, page, problems };
}

// The student's photos: the cat and the cup in every format the page reads, several copies.
const photos = (cls) => (cls === 'Cat' ? ['chelsea.jpg', 'chelsea.png'] : ['coffee.jpg', 'coffee.png', 'coffee.webp'])
  .flatMap((f) => h.copies(f, cls === 'Cat' ? 5 : 4));

// A student opens the link, adds the photos, (optionally changes the model), trains, answers and
// hands in under their name -> the handed-in file's path.
async function student(browser, link, { name, answers, change, dir }) {
  const s = await browserOf(browser, link);
  const { page } = s;
  await expect(page.locator('#project-name')).toHaveText('Pooling lab');
  await expect(page.locator('#assignment')).toContainText('Collect photos of a cat and a cup.');
  await page.goto(`${base}/#data`);
  await h.upload(page, 0, photos('Cat'));
  await h.upload(page, 1, photos('Cup'));
  await expect.poll(() => h.counts(page), { timeout: 30_000 }).toEqual([10, 12]);
  if (change) {
    await page.goto(`${base}/#model`);
    const spec = JSON.parse(await page.locator('#spec-text').inputValue());
    change(spec);
    await page.locator('#spec-text').fill(JSON.stringify(spec, null, 2));
    await page.locator('#spec-apply').click();
    await expect(page.locator('#assignment-constraints .check-item[data-rule="max_parameters"]')).toHaveAttribute('data-state', 'bad');
  }
  // the fixed settings are the assignment's, locked
  await page.goto(`${base}/#train`);
  await expect(page.locator('#set-seed')).toBeDisabled();
  await expect(page.locator('#set-seed')).toHaveValue('7');
  await h.trainToEnd(page);
  for (const [id, v] of Object.entries(answers)) await page.locator(`#answer-${id}`).fill(String(v));
  await expect(page.locator('#hand-in')).toBeEnabled({ timeout: 10_000 });
  await page.locator('#hand-in-name').fill(name);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#hand-in').click()]);
  expect(download.suggestedFilename()).toBe(`${name}-submission.convlab`);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { ...s, file };
}

test('a teacher hands out an assignment by link, two students hand in, one tampered; the page and convlab grade agree', async ({ browser }) => {
  test.setTimeout(420_000);
  fs.mkdirSync(shots, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-class-'));

  // ---- the teacher writes the assignment ----
  const teacher = await browserOf(browser, `${base}/#projects`, { permissions: ['clipboard-read', 'clipboard-write'] });
  const t = teacher.page;
  // the budget: exactly the starting net's size, as the Model tab counts it
  const budget = await t.evaluate(async () => {
    const { engine } = globalThis.convlab;
    return (await engine.call('checkSpec', { spec: (await engine.call('defaultSpec', { classes: 2 })).spec, classes: 2 })).params;
  });
  await t.locator('#project-new-assignment').click();
  await expect(t.locator('#view-assignment-editor')).toBeVisible();
  await t.locator('#ae-title').fill('Pooling lab');
  await t.locator('#ae-instructions').fill('Collect photos of a cat and a cup.\nTrain, then answer both questions.');
  await t.locator('#ae-changes-constraints').check();
  await t.locator('#ae-max-params').fill(String(budget));
  await t.locator('#ae-fix-seed').check();
  await t.locator('#ae-val-seed').fill('7');
  await t.locator('#ae-fix-epochs').check();
  await t.locator('#ae-val-epochs').fill('8');
  await t.locator('#ae-classes').fill('Cat\nCup');
  await t.locator('#ae-target').fill('0.75');
  await t.locator('#ae-add-question').click();
  await t.locator('#ae-add-question').click();
  const q = t.locator('#ae-questions > li');
  await q.nth(0).locator('.ae-q-kind').selectOption('output_width');
  await q.nth(0).locator('.ae-q-layer').fill('0');
  await q.nth(1).locator('.ae-q-kind').selectOption('layer_parameters');
  await q.nth(1).locator('.ae-q-layer').fill('0');
  await expect(t.locator('#ae-status')).toContainText('2 questions, 2 classes');
  const [saved] = await Promise.all([t.waitForEvent('download'), t.locator('#ae-download').click()]);
  const assignmentFile = path.join(dir, saved.suggestedFilename());
  await saved.saveAs(assignmentFile);
  const ids = JSON.parse(fs.readFileSync(assignmentFile, 'utf8')).questions.map((x) => x.id);
  expect(ids).toHaveLength(2);
  await t.locator('#ae-link').click();
  // the engine checks the assignment before the field is filled: read it once the page says copied
  await expect(t.locator('#ae-save-message')).toContainText('copied');
  const link = await t.locator('#ae-link-field').inputValue();
  expect(await h.copiedText(t)).toBe(link);  // 'copied' is said once the write has resolved
  expect(link).toMatch(/#assignment=[A-Za-z0-9_-]+$/);

  // ---- Ana: honest work; layer 0 of the default net is 64 wide ('same') with 3*8*9+8 parameters ----
  const first = await t.evaluate(async () => JSON.parse((await globalThis.convlab.engine.call('defaultSpec', { classes: 2 })).spec).layers[0]);
  const c0 = first.out_channels, k = first.kernel;
  const ana = await student(browser, link, { name: 'Ana', dir, answers: { [ids[0]]: 64, [ids[1]]: 3 * c0 * k * k + c0 } });
  await expect(ana.page.locator(`#answer-${ids[1]}-status`)).toHaveText('right');
  await ana.page.screenshot({ path: `${shots}/ana-handed-in-1280x800.png` });
  h.expectClean(ana.problems);
  await ana.context.close();

  // ---- Ben: twice the filters (over the budget), the default net's count as his answer ----
  const ben = await student(browser, link, {
    name: 'Ben', dir, answers: { [ids[0]]: 64, [ids[1]]: 3 * c0 * k * k + c0 },
    change: (spec) => { spec.layers[0].out_channels = 2 * c0; },
  });
  await expect(ben.page.locator(`#answer-${ids[1]}-status`)).toHaveText('wrong: look again');
  // then another run's weights (his engine, another seed), the manifest made to name them
  const other = await ben.page.evaluate(async () => {
    const { engine, project } = globalThis.convlab;
    await engine.call('setSpec', { spec: project.spec, seed: 8 });
    const p = await engine.call('train', { config: { ...project.result.settings, seed: 8 }, steps: 8 });
    if (!p.done) throw new Error('the second run did not finish');
    return Array.from(await engine.call('save', { metadata: {} }));
  });
  const entries = unzipSync(fs.readFileSync(ben.file));
  const weights = Uint8Array.from(other);
  expect(Buffer.compare(Buffer.from(weights), Buffer.from(entries['weights.safetensors']))).not.toBe(0);
  const manifest = JSON.parse(strFromU8(entries['submission.json']));
  manifest.weights_sha256 = crypto.createHash('sha256').update(weights).digest('hex');
  entries['weights.safetensors'] = weights;
  entries['submission.json'] = strToU8(JSON.stringify(manifest));
  fs.writeFileSync(ben.file, zipSync(entries));
  h.expectClean(ben.problems);
  await ben.context.close();

  // ---- the teacher's held-out photos: a folder per class ----
  const testDir = path.join(dir, 'held-out');
  for (const [cls, f] of [['Cat', 'chelsea.png'], ['Cup', 'coffee.png']]) {
    fs.mkdirSync(path.join(testDir, cls), { recursive: true });
    for (let n = 0; n < 2; n++) fs.copyFileSync(h.fixture(f), path.join(testDir, cls, `${n}.png`));
  }

  // ---- the teacher grades ----
  await t.goto(`${base}/#projects`);
  await t.locator('#project-grade').click();
  await t.locator('#grade-assignment-input').setInputFiles(assignmentFile);
  await t.locator('#grade-files-input').setInputFiles([ana.file, ben.file]);
  await t.locator('#grade-test-input').setInputFiles(testDir);
  await expect(t.locator('#grade-test-counts')).toHaveText('4 test images: Cat 2, Cup 2.');
  await t.locator('#grade-start').click();
  await expect(t.locator('#grade-progress-text')).toHaveText('Graded 2 submissions.', { timeout: 240_000 });
  const flags = (who) => t.locator(`#grade-rows tr[data-student="${who}"]`).evaluate((tr) => ({
    hash: tr.querySelector('.hash').dataset.ok, constraints: tr.querySelector('.constraints').dataset.ok,
    rules: [...tr.querySelectorAll('.constraints li')].map((li) => li.dataset.rule),
    answers: [...tr.querySelectorAll('.answers li')].map((li) => li.dataset.correct),
    target: tr.querySelector('.target').dataset.ok, reproduced: tr.querySelector('.reproduced').dataset.ok,
  }));
  const clean = { hash: 'true', constraints: 'true', rules: [], answers: ['true', 'true'], target: 'true', reproduced: 'true' };
  expect(await flags('Ana')).toEqual(clean);
  expect(await flags('Ben')).toEqual({ ...clean, constraints: 'false', rules: ['max_parameters'], answers: ['true', 'false'], reproduced: 'false' });
  await expect(t.locator('#grade-rows tr[data-student="Ana"] .message-cell')).toHaveText('—');
  await expect(t.locator('#grade-rows tr[data-student="Ben"] .message-cell')).toContainText('retraining from the recorded seed gives other weights');
  for (const who of ['Ana', 'Ben']) await expect(t.locator(`#grade-rows tr[data-student="${who}"] .val`)).toHaveText(/^(7[5-9]|8\d|9\d|100)\.\d%$/);
  await t.screenshot({ path: `${shots}/grading-1280x800.png`, fullPage: true });

  // ---- the same table from the command line ----
  const [dl] = await Promise.all([t.waitForEvent('download'), t.locator('#grade-csv').click()]);
  const pageCsv = fs.readFileSync(await dl.path());
  expect(fs.existsSync(cli), `${cli} is built by make native`).toBe(true);
  const out = path.join(dir, 'grades.csv');
  const r = spawnSync(cli, ['grade', assignmentFile, ana.file, ben.file, '--test', testDir, '--csv', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('Ben');
  expect(Buffer.compare(fs.readFileSync(out), pageCsv), `the CLI's CSV:\n${fs.readFileSync(out)}\nthe page's:\n${pageCsv}`).toBe(0);
  h.expectClean(teacher.problems);
  await teacher.context.close();
});
