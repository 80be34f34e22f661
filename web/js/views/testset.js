// The Train tab's test set panel: images kept apart from training and validation (split
// "test"), added from a folder with one sub-folder per class or moved from the training set;
// Evaluate runs them through the engine in one batched call and shows accuracy, per-class
// accuracy and a confusion matrix (core's evaluation, testset.h), labelled apart from the
// validation results. A confusion cell (of the test set, or of validation on the Train tab) opens
// the images in it; the hardest examples (highest
// loss, core's top N) of the test, validation or training set can be opened in Inside the CNN, moved
// to another class or split, or deleted.
import { h, fill, say, newId } from '../dom.js';
import { rovingGrid } from '../roving.js';
import { plural } from '../format.js';
import { decodeFiles, rgbaCanvas } from '../image-files.js';
import { confusionTable, CELL_HINT } from './confusion-table.js';

const LIST_HINT = 'Tab reaches the list once; the arrow keys move between the images (up, down) and their buttons (left, right).';
const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

// files (with webkitRelativePath "top/<class>/<file>") -> {byClass: Map(classId -> File[]),
// unmatched: [folder names]}. Which class a folder stands for is core's rule (folder_class, the
// worker's folderClass, shared with `convlab grade --test`): its name equal to a class name
// ignoring case, else ignoring everything but letters and digits, since a folder cannot be called
// "T-shirt/top" ("T-shirt_top" matches it); a name two classes match matches none. One engine
// call per distinct folder name.
export async function groupByFolder(files, classes, engine) {
  const names = classes.map((c) => c.name);
  const idOf = new Map();  // folder name -> class id, or undefined
  const byClass = new Map(), unmatched = new Set();
  for (const f of files) {
    const parts = String(f.webkitRelativePath || f.name).split('/').filter(Boolean);
    if (parts.length < 2) { unmatched.add('(files outside a class folder)'); continue; }
    const folder = parts[parts.length - 2];
    if (!idOf.has(folder)) {
      const k = await engine.call('folderClass', { name: folder, classes: names });
      idOf.set(folder, k >= 0 ? classes[k].id : undefined);
    }
    const id = idOf.get(folder);
    if (id === undefined) { unmatched.add(folder); continue; }
    if (!byClass.has(id)) byClass.set(id, []);
    byClass.get(id).push(f);
  }
  return { byClass, unmatched: [...unmatched] };
}

export function mountTestSet(root, ctx) {
  const { project, events } = ctx;
  const summary = h('p', { class: 'hint', id: 'testset-summary' });
  const folder = h('input', { type: 'file', multiple: true, webkitdirectory: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', id: 'testset-folder' });
  const folderBtn = h('button', { type: 'button', id: 'testset-add-folder', onclick: () => folder.click() }, 'Add a test folder…');
  const evalBtn = h('button', { type: 'button', class: 'primary', id: 'testset-evaluate', onclick: () => act(evaluate) }, 'Evaluate on the test set');
  const msg = h('p', { class: 'message', role: 'status', hidden: true, id: 'testset-message' });
  const result = h('div', { class: 'testset-result', id: 'testset-result', hidden: true });
  const drill = h('div', { class: 'testset-drill', id: 'testset-drill', hidden: true, 'aria-live': 'polite' });
  const hardSel = h('select', { id: 'testset-hard-split', 'aria-label': 'Hardest examples of' },
    h('option', { value: 'test' }, 'the test set'), h('option', { value: 'val' }, 'the validation set'), h('option', { value: 'train' }, 'the training set'));
  const hardBtn = h('button', { type: 'button', id: 'testset-hardest', onclick: () => act(hardest) }, 'Show the hardest examples');
  const panel = h('section', { class: 'panel testset', id: 'testset-panel', 'aria-labelledby': 'testset-title' },
    h('h3', { id: 'testset-title' }, 'Test set (never trained on)'),
    h('p', { class: 'hint' }, 'Images kept apart: never used for training or validation, so they show how the model does on new data. Add a folder with one sub-folder per class (named like the classes), or move images here from the training set.'),
    summary,
    h('div', { class: 'row' }, folderBtn, folder, evalBtn),
    msg, result,
    h('div', { class: 'row' }, h('span', {}, 'Hardest examples (highest loss) of'), hardSel, hardBtn),
    drill);
  root.append(panel);

  let last = null;  // {split, eval, items: [{id, classId}] in evaluation order}
  let hardestN = null;

  const show = (text, isError = false) => say(msg, text, isError);
  async function act(fn) {
    try { await fn(); } catch (e) { show(e.message, true); }
  }

  function render() {
    const classes = ctx.getClasses();
    const n = project.testCount();
    summary.textContent = n
      ? `${plural(n, 'test image')}: ${classes.map((c, i) => `${c.name} ${project.getTestImages(i).length}`).join(', ')}.`
      : 'No test images yet.';
    evalBtn.disabled = !n || !ctx.isTrained() || ctx.isTraining();
    evalBtn.title = !ctx.isTrained() ? 'Train the model first' : '';
  }

  folder.addEventListener('change', () => {
    const files = [...folder.files];
    folder.value = '';
    act(() => addFolder(files));
  });

  async function addFolder(files) {
    const { byClass, unmatched } = await groupByFolder(files, ctx.getClasses(), ctx.engine);
    let added = 0;
    const errors = [];
    for (const [classId, list] of byClass) {
      const { images, errors: e } = await decodeFiles(list, project.storedSize(), ctx.rules.upload);
      errors.push(...e);
      if (images.length) added += await project.addTestImages(classId, images);
    }
    const parts = [`${plural(added, 'test image')} added.`];
    if (unmatched.length) parts.push(`Folders that match no class (not added): ${unmatched.slice(0, 8).join(', ')}${unmatched.length > 8 ? '…' : ''}.`);
    if (errors.length) parts.push(`Not readable: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? '…' : ''}.`);
    show(parts.join(' '), added === 0);
    render();
  }

  // What the engine evaluates for one split, and the images it names, in class order. The test
  // images are sent (the worker holds only the training set); the training and validation
  // images are already in the worker, in the order worker-sync.js added them (class by class,
  // each in stored order), so they go by index and no pixels cross to the worker again.
  // "val": the images the last training held out (core's val_indices, turned into image ids when
  // the run ended: run.js), each under the class it is in now; one deleted since is left out.
  async function collect(split) {
    const items = [];
    if (split === 'test') {
      const images = [];
      ctx.getClasses().forEach((c, label) => {
        for (const im of project.getTestImages(label)) {
          images.push({ rgba: im.rgba, width: im.width, height: im.height, label });
          items.push({ id: im.id, classId: c.id, label, im });
        }
      });
      return { request: { images }, items };
    }
    await project.syncWorker();  // a no-op unless the images changed since the worker got them
    const stored = new Map();  // image id -> its index in the worker and where it is now
    ctx.getClasses().forEach((c, label) => { for (const im of project.images.get(c.id) ?? []) stored.set(im.id, { index: stored.size, im, c, label }); });
    const ids = split === 'val' ? project.result?.val_ids ?? [] : [...stored.keys()];
    const indices = [];
    for (const id of ids) {
      const s = stored.get(id);
      if (!s) continue;  // deleted, or moved to the test set, since training
      indices.push(s.index);
      items.push({ id: s.im.id, classId: s.c.id, label: s.label, im: s.im });
    }
    return { request: { indices }, items };
  }

  async function run(split) {
    if (!ctx.isTrained()) throw new Error('Train the model first: there is nothing to evaluate yet.');
    if (ctx.isTraining()) throw new Error('Wait until training ends: the engine is busy.');
    const { request, items } = await collect(split);
    if (!items.length) throw new Error(split === 'test' ? 'The test set is empty: add a test folder first.' : split === 'val' ? 'No validation images: train again (validation needs a validation fraction above 0).' : 'The training set is empty.');
    const t0 = performance.now();
    const ev = await ctx.engine.call('evaluate', request);
    return { split, ev, items, ms: performance.now() - t0 };
  }

  async function evaluate() {
    show('Evaluating…');
    last = await run('test');
    show(`Evaluated ${plural(last.ev.n, 'test image')} in ${(last.ms / 1000).toFixed(1)} s.`);
    showResult(last);
  }

  function showResult(r) {
    const classes = ctx.getClasses();
    const { ev } = r;
    const table = confusionTable({ matrix: ev.confusion, names: classes.map((c) => c.name), id: 'testset-confusion',
      label: 'Test set confusion matrix', perClass: ev.per_class.map((c) => pct(c.accuracy)), onCell: (i, j) => showCell(i, j, r) });
    fill(result,
      h('p', { class: 'testset-accuracy', id: 'testset-accuracy' }, h('strong', {}, `Test set (never trained on): ${pct(ev.accuracy)}`), ` — ${ev.correct} of ${plural(ev.n, 'image')} right, mean loss ${ev.loss.toFixed(3)}.`),
      h('p', { class: 'hint' }, `Rows: the true class; columns: what the model said. ${CELL_HINT}`),
      h('div', { class: 'table-scroll' }, table));
    result.hidden = false;
  }

  function showCell(i, j, r = last) {
    const classes = ctx.getClasses();
    const list = r.items.map((it, n) => ({ ...it, r: r.ev.images[n] })).filter((x) => x.label === i && x.r.predicted === j);
    showList(`${classes[i].name} predicted as ${classes[j].name} (${list.length}, ${r.split === 'val' ? 'validation' : 'test'} set)`, list, r.split);
  }

  // A click on the Train tab's validation confusion matrix: its images, evaluated now.
  events.addEventListener('validation-cell', (e) => act(async () => {
    const r = await run('val');
    showCell(e.detail.row, e.detail.col, r);
    drill.scrollIntoView({ block: 'nearest' });
  }));

  async function hardest() {
    const split = hardSel.value;
    show('Evaluating…');
    const r = split === 'test' && last?.split === 'test' ? last : await run(split);
    if (split === 'test') { last = r; showResult(r); }
    hardestN ??= (await ctx.engine.call('testsetRules')).hardest_examples;
    const list = r.ev.hardest.map((n) => ({ ...r.items[n], r: r.ev.images[n] }));
    show('');
    msg.hidden = true;
    showList(`The ${list.length} hardest examples of the ${{ test: 'test', val: 'validation', train: 'training' }[split]} set (highest loss first; at most ${hardestN})`, list, split);
  }

  // The list is one Tab stop (roving.js): Up/Down go from image to image, Left/Right between an
  // image's buttons, so 24 images are not 72 Tab stops. Each button is described by its image's
  // facts (a screen reader says which image "Delete" deletes); after a move or delete the focus
  // stays in the list, on the image that took the removed one's place.
  function showList(title, list, split) {
    const classes = ctx.getClasses();
    const name = (label) => classes[label]?.name ?? '?';
    const heading = h('h4', { tabindex: '-1' }, title);
    const ul = h('ul', { class: 'drill-list', 'aria-label': title });
    const grid = rovingGrid(ul, () => [...ul.children].map((li) => [...li.querySelectorAll('.drill-tools button, .drill-tools select')]));
    const removeItem = (li) => {
      if (!grid.removeRow([...ul.children].indexOf(li), () => li.remove())) {
        fill(drill, heading, h('p', { class: 'hint' }, 'No images left.'));
        heading.focus();
      }
      stale();
    };
    const items = list.map((x) => {
      const facts = newId('drill-facts');
      const moveSel = h('select', { class: 'move-to', 'aria-label': 'Move to', 'aria-describedby': facts },
        h('option', { value: '' }, 'Move to…'),
        ...classes.map((c) => h('option', { value: `train:${c.id}` }, `${c.name} (training)`)),
        ...classes.map((c) => h('option', { value: `test:${c.id}` }, `${c.name} (test set)`)));
      const li = h('li', { class: 'drill-item', dataset: { imageId: x.id } },
        rgbaCanvas(x.im, 'drill-thumb'),
        h('div', { class: 'drill-facts', id: facts },
          h('span', {}, `${name(x.label)} → ${name(x.r.predicted)}`),
          h('span', { class: 'hint' }, `p(${name(x.label)}) ${x.r.prob.toFixed(2)}, p(${name(x.r.predicted)}) ${x.r.prob_predicted.toFixed(2)}, loss ${x.r.loss.toFixed(2)}`)),
        h('div', { class: 'drill-tools' },
          h('button', { type: 'button', class: 'drill-open', 'aria-describedby': facts, onclick: () => open(x) }, 'Inside the CNN'),
          moveSel,
          h('button', { type: 'button', class: 'danger drill-delete', 'aria-describedby': facts, onclick: () => act(async () => { await project.deleteAnyImage(x.id); removeItem(li); }) }, 'Delete')));
      moveSel.addEventListener('change', () => act(async () => {
        const [to, cid] = moveSel.value.split(':');
        if (!to) return;
        await project.moveImage(x.id, Number(cid), to);
        removeItem(li);
        show(`Moved the image to ${classes.find((c) => c.id === Number(cid)).name} (${to === 'test' ? 'test set' : 'training'}).`);
      }));
      return li;
    });
    ul.append(...items);
    grid.refresh();
    fill(drill, heading, items.length ? [h('p', { class: 'hint' }, LIST_HINT), ul] : h('p', { class: 'hint' }, 'No images.'));
    drill.hidden = false;
    drill.dataset.split = split;
  }

  function stale() {
    render();
    const note = result.querySelector('.stale');
    if (!note && !result.hidden) result.append(h('p', { class: 'hint stale' }, 'The images changed since this evaluation: evaluate again to update it.'));
  }

  function open(x) {
    const name = `${ctx.getClasses()[x.label]?.name ?? ''}: image ${x.id} of the evaluation`;
    ctx.inspectImage({ rgba: x.im.rgba, width: x.im.width, height: x.im.height, id: x.id, name });
  }

  for (const ev of ['images-changed', 'classes-changed', 'project-loaded', 'model-trained', 'model-loaded', 'training-state']) events.addEventListener(ev, render);
  events.addEventListener('project-loaded', () => { last = null; result.hidden = true; drill.hidden = true; msg.hidden = true; });
  render();
  return { render };
}
