// Issue 14, the teacher's side: the assignment editor (views/assignment-editor.js) and the
// ways an assignment arrives (assignment-link.js, assignment-open.js). The teacher writes an
// assignment (a constraint, a fixed seed and epochs, two questions), sees the engine's message
// next to the field it names, keeps the draft across a reload, downloads it and copies its
// link; a new browser context opens the link and gets the student's project, once (the
// fragment is removed, a second visit asks first). Hostile links create nothing and say why;
// the lecture's AlexNet opens with its questions and says why it cannot train here.
// Links are made here with node's own zlib (raw deflate) and base64url, not the page's
// encoder, so the format is checked from outside.
const { test, expect } = require('@playwright/test');
const zlib = require('node:zlib');
const fs = require('node:fs');
const h = require('./helpers.js');
const a11y = require('./a11y.js');

const base = h.plainURL;
const shots = '/tmp/shots/editor';
const contextOptions = { serviceWorkers: 'block', viewport: { width: 1280, height: 800 } };

const linkOf = (text) => `${base}/#assignment=${zlib.deflateRawSync(Buffer.from(text, 'utf8')).toString('base64url')}`;
const projectCount = (page) => page.evaluate(async () => (await globalThis.convlab.project.stores.listProjects()).length);
const slotOf = (page, field) => page.locator(`#view-assignment-editor .field-error[data-field="${field}"]`);

async function openEditor(page) {
  await h.openApp(page, base, 'projects');
  await page.locator('#project-new-assignment').click();
  await expect(page.locator('#view-assignment-editor')).toBeVisible();
  await expect(page.locator('#ae-status')).not.toBeEmpty();
}

// Opens a link in a fresh context; -> {context, page} once the page is ready.
async function openLink(browser, link) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const problems = h.watch(page, base);
  await page.goto(link);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  return { context, page, problems };
}

async function presetSpec(page, id) {
  return page.evaluate(async (id) => (await globalThis.convlab.engine.call('learnPresets')).find((p) => p.id === id).spec, id);
}

test('the teacher writes an assignment, copies its link, and a student opens it once', async ({ browser }) => {
  fs.mkdirSync(shots, { recursive: true });
  const teacher = await browser.newContext({ ...contextOptions, permissions: ['clipboard-read', 'clipboard-write'] });
  await h.recordClipboard(teacher);
  const page = await teacher.newPage();
  const problems = h.watch(page, base);
  await openEditor(page);

  // an empty title is the engine's first complaint, shown beside the title field
  await expect(slotOf(page, 'title')).toBeVisible();
  await expect(slotOf(page, 'title')).toContainText('title');
  await expect(page.locator('#ae-download')).toBeDisabled();
  await page.locator('#ae-title').fill('Pooling lab');
  await expect(slotOf(page, 'title')).toBeHidden();
  await page.locator('#ae-instructions').fill('Collect 20 images of each class.\nTrain, then answer both questions.');

  // what the student may change: constraints, one of them wrong first (core's range for layers)
  await page.locator('#ae-changes-constraints').check();
  await expect(page.locator('#ae-constraints')).toBeVisible();
  await page.locator('#ae-max-layers').fill('0');
  await expect(slotOf(page, 'changes.max_layers')).toBeVisible();
  await expect(slotOf(page, 'changes.max_layers')).toContainText('max_layers');
  await expect(page.locator('#ae-max-layers')).toHaveAttribute('aria-invalid', 'true');
  await page.locator('#ae-max-layers').fill('');
  await expect(slotOf(page, 'changes.max_layers')).toBeHidden();
  await page.locator('#ae-max-params').fill('40000');
  await page.locator('#ae-required-maxpool2d').check();
  // required and forbidden at once: core says so, beside the forbidden list
  await page.locator('#ae-forbidden-maxpool2d').check();
  await expect(slotOf(page, 'changes.forbidden_types')).toContainText('both required and forbidden');
  await page.locator('#ae-forbidden-maxpool2d').uncheck();
  await page.locator('#ae-forbidden-avgpool2d').check();

  // fixed seed and epochs
  await page.locator('#ae-fix-seed').check();
  await page.locator('#ae-val-seed').fill('7');
  await page.locator('#ae-fix-epochs').check();
  await page.locator('#ae-val-epochs').fill('3');
  await page.locator('#ae-classes').fill('Cat\nCup');

  // two questions: the first layer's output width, the whole model's parameters
  await page.locator('#ae-add-question').click();
  await page.locator('#ae-add-question').click();
  const q = page.locator('#ae-questions > li');
  await expect(q).toHaveCount(2);
  await q.nth(0).locator('.ae-q-kind').selectOption('output_width');
  await q.nth(0).locator('.ae-q-layer').fill('');
  await q.nth(0).locator('.ae-q-text').fill('How wide is the first layer\'s output?');
  await q.nth(1).locator('.ae-q-kind').selectOption('total_parameters');
  await expect(q.nth(1).locator('.ae-q-layer')).toHaveCount(0);  // this kind takes no layer
  await expect(slotOf(page, 'questions[0].layer')).toContainText('needs "layer"');  // core's rule for this kind
  await q.nth(0).locator('.ae-q-layer').fill('0');
  await expect(page.locator('#ae-status')).toContainText('2 questions, 2 classes');

  // the draft survives a reload
  await page.waitForTimeout(400);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#view-assignment-editor')).toBeVisible();
  await expect(page.locator('#ae-title')).toHaveValue('Pooling lab');
  await expect(page.locator('#ae-val-seed')).toHaveValue('7');
  await expect(page.locator('#ae-questions > li')).toHaveCount(2);
  await expect(page.locator('#ae-status')).toContainText('2 questions, 2 classes');
  await a11y.expectNoSeriousAxe(page, 'assignment editor');

  // download: NAME.assignment.json, core's normalised JSON
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#ae-download').click()]);
  expect(download.suggestedFilename()).toBe('Pooling-lab.assignment.json');
  const saved = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  expect(saved).toMatchObject({
    format: 'convlab-assignment', title: 'Pooling lab', classes: ['Cat', 'Cup'],
    changes: { max_parameters: 40000, required_types: ['maxpool2d'], forbidden_types: ['avgpool2d'] },
    fixed_settings: { seed: 7, epochs: 3 },
  });
  expect(saved.questions.map((x) => [x.kind, x.layer])).toEqual([['output_width', 0], ['total_parameters', undefined]]);

  // copy link: the field shows it; the clipboard holds the same text
  await page.locator('#ae-link').click();
  await expect(page.locator('#ae-link-field')).toBeVisible();
  const link = await page.locator('#ae-link-field').inputValue();
  expect(link).toMatch(/#assignment=[A-Za-z0-9_-]+$/);
  await expect(page.locator('#ae-save-message')).toContainText('copied');  // the write is async: said once done
  expect(await h.copiedText(page)).toBe(link);
  for (const [w, hgt] of [[1280, 800], [768, 1024], [390, 844]]) {
    await page.setViewportSize({ width: w, height: hgt });
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${shots}/editor-${w}x${hgt}.png`, fullPage: true });
    // what sticks out past the window, named (empty: no sideways scroll)
    expect(await page.evaluate(() => [...document.querySelectorAll('#view-assignment-editor *')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 1).map((e) => `${e.tagName}#${e.id}.${e.className}`).slice(0, 8)), `sideways at ${w}`).toEqual([]);
  }
  h.expectClean(problems);

  // the student: a new browser opens the link
  const student = await openLink(browser, link);
  const s = student.page;
  await expect(s.locator('#project-name')).toHaveText('Pooling lab');
  expect(s.url()).not.toContain('assignment=');  // read once, then removed from the address bar
  const made = await s.evaluate(() => {
    const p = globalThis.convlab.project;
    return { title: p.assignment?.assignment.title, questions: p.assignment?.assignment.questions.length, settings: p.settings, classes: p.getClasses().map((c) => c.name) };
  });
  expect(made).toMatchObject({ title: 'Pooling lab', questions: 2, settings: { seed: 7, epochs: 3 }, classes: ['Cat', 'Cup'] });
  await expect(s.locator('#assignment')).toBeVisible();
  await expect(s.locator('#assignment')).toContainText('Collect 20 images');
  const count = await projectCount(s);
  await s.reload();
  await expect(s.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  expect(await projectCount(s)).toBe(count);  // a reload makes no second project
  // the same link again: the page asks; Cancel keeps the one made before
  await s.goto(link);
  await expect(s.locator('dialog.confirm')).toBeVisible({ timeout: 30_000 });
  await expect(s.locator('dialog.confirm')).toContainText('already have this assignment');
  await s.locator('dialog.confirm button[value=no]').click();
  await expect(s.locator('body')).toHaveAttribute('data-ready', 'true');
  // (the status line may be taken by the tab-coordination notice of the reload: check the project)
  await expect(s.locator('#project-name')).toHaveText('Pooling lab');
  expect(await projectCount(s)).toBe(count);
  // and "Make another copy" makes one
  await s.goto(link);
  await s.locator('dialog.confirm button[value=yes]').click();
  await expect.poll(() => projectCount(s)).toBe(count + 1);
  h.expectClean(student.problems);
  await student.context.close();
  await teacher.close();
});

test('hostile links create nothing and say what is wrong; script in the title stays text', async ({ browser }) => {
  const { context, page } = await openLink(browser, `${base}/#projects`);
  const before = await projectCount(page);
  const spec = await presetSpec(page, 'webcam');
  const valid = (extra) => JSON.stringify({ format: 'convlab-assignment', version: 1, title: 'T', spec: JSON.parse(spec), classes: ['a', 'b'], ...extra });
  const rules = await page.evaluate(() => globalThis.convlab.rules.assignment);

  const refused = async (link, words) => {
    await page.goto(link);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(page.locator('#status-line')).toContainText(words);
    expect(page.url()).not.toContain('assignment=');
    expect(await projectCount(page)).toBe(before);
  };
  // longer than core's link limit (a 10 MB address is beyond what Chromium navigates to, so the
  // page's reader gets the 10 MB case directly below): refused by length
  await refused(`${base}/#assignment=${'A'.repeat(rules.link_max_chars + 1000)}`, 'more than the');
  const tenMB = await page.evaluate(async (max) => {
    const m = await import('/js/classroom/assignment-link.js');
    try { m.decodeAssignment('A'.repeat(10 * 2 ** 20), globalThis.convlab.rules.assignment); return 'opened'; } catch (e) { return e.message; }
  }, rules.link_max_chars);
  expect(tenMB).toContain('more than the');
  // not base64url, not deflate, not UTF-8, a deflate bomb past core's max_bytes
  await refused(`${base}/#assignment=<script>`, 'damaged');
  await refused(`${base}/#assignment=${Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x13, 0x77]).toString('base64url')}`, 'damaged');
  await refused(`${base}/#assignment=${zlib.deflateRawSync(Buffer.from([0xc3, 0x28, 0xa0, 0xa1])).toString('base64url')}`, 'UTF-8');
  await refused(`${base}/#assignment=${zlib.deflateRawSync(Buffer.alloc(rules.max_bytes + 10, 32)).toString('base64url')}`, 'unpacks to more than');
  await refused(`${base}/#assignment=`, 'empty');
  // JSON the engine refuses: not an assignment; a spec that does not validate (core's message)
  await refused(linkOf('{"title": 1}'), 'cannot be opened');
  const bad = JSON.parse(spec);
  bad.layers[0].kernel = 99;
  await refused(linkOf(valid({ spec: bad })), 'the starting spec');

  // mutation: 300 damaged copies of a good link (seeded) each give text or a message, never a
  // throw of anything else, and the engine checks every text that came out
  const fuzz = await page.evaluate(async (value) => {
    const m = await import('/js/classroom/assignment-link.js');
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/!';
    let seed = 1234567;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const out = { text: 0, message: 0, odd: [] };
    for (let i = 0; i < 300; i++) {
      const c = [...value];
      for (let k = 0, n = 1 + rnd(4); k < n; k++) {
        const at = rnd(c.length), op = rnd(3);
        if (op === 0) c[at] = abc[rnd(abc.length)]; else if (op === 1) c.splice(at, 1); else c.splice(at, 0, abc[rnd(abc.length)]);
      }
      try {
        const text = m.decodeAssignment(c.join(''), globalThis.convlab.rules.assignment);
        const r = await globalThis.convlab.engine.call('assignmentCheck', { text });
        if (r.ok || (typeof r.error === 'string' && r.error)) out.text++; else out.odd.push(r);
      } catch (e) {
        if (e instanceof Error && /assignment link/.test(e.message)) out.message++; else out.odd.push(String(e));
      }
    }
    return out;
  }, linkOf(valid({})).split('=')[1]);
  expect(fuzz.odd).toEqual([]);
  expect(fuzz.message).toBeGreaterThan(50);
  expect(fuzz.text + fuzz.message).toBe(300);

  // script in the title and the instructions: a project named by it, shown as text, nothing injected
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await page.goto(linkOf(valid({ title: hostile, instructions: `Read this: ${hostile}` })));
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#project-name')).toHaveText(hostile);
  await expect(page.locator('#assignment')).toContainText(hostile);
  expect(await page.evaluate(() => ({
    pwned: globalThis.__pwned, imgs: document.querySelectorAll('img[src=x]').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
  }))).toEqual({ pwned: undefined, imgs: 0, scripts: 0 });
  expect(await projectCount(page)).toBe(before + 1);
  await context.close();
});

test('an assignment on the lecture\'s AlexNet opens with its questions and says why it cannot train here', async ({ browser }) => {
  const { context, page, problems } = await openLink(browser, `${base}/#projects`);
  const alexnet = JSON.parse(await presetSpec(page, 'alexnet'));
  const text = JSON.stringify({
    format: 'convlab-assignment', version: 1, title: 'Reading AlexNet', instructions: 'Answer from the Model tab.',
    spec: alexnet, changes: 'none', classes: ['cat', 'dog'], show_correctness: true,
    questions: [{ id: 'w', kind: 'output_width', layer: 0 }, { id: 'all', kind: 'total_parameters' }, { id: 'rf', kind: 'receptive_field' }],
  });
  const link = linkOf(text);
  expect(link.length).toBeLessThan(4000);  // AlexNet's spec is small as a link
  await page.goto(link);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#project-name')).toHaveText('Reading AlexNet');
  await expect(page.locator('#status-line')).toContainText('cannot be trained in this page');
  const p = await page.evaluate(() => {
    const pr = globalThis.convlab.project;
    return { questions: pr.assignment?.assignment.questions.map((q) => q.id), draft: pr.draft && JSON.parse(pr.draft.text).input, error: pr.draft?.report.error };
  });
  expect(p.questions).toEqual(['w', 'all', 'rf']);
  expect(p.draft).toEqual({ channels: 3, height: 227, width: 227 });  // the Model tab shows AlexNet
  expect(p.error).toMatch(/parameter/i);
  await expect(page.locator('#assignment')).toContainText('output width of layer 0');
  // the checklist answers for AlexNet (the model the Model tab shows), not for the default net
  // the project runs: 55 wide, not 64, and the lecture's receptive field of the last pool
  await page.locator('#answer-w').fill('64');
  await expect(page.locator('#answer-w-status')).toHaveText('wrong: look again');
  await page.locator('#answer-w').fill('55');
  await expect(page.locator('#answer-w-status')).toHaveText('right');
  await page.locator('#answer-rf').fill('195');
  await expect(page.locator('#answer-rf-status')).toHaveText('right');
  await expect(page.locator('#assignment-constraints .check-item[data-state="bad"]')).toHaveCount(0);
  await expect(page.locator('#hand-in-note')).toContainText('has not built');
  h.expectClean(problems);
  await context.close();
});
