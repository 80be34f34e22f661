// The grading view (issue 14), reached from the project list: a teacher needs no project of
// their own open. Choose the assignment (NAME.assignment.json, or a .convlab holding
// assignment.json), drop or pick the students' NAME-submission.convlab files and optionally a
// folder of held-out test images (a sub-folder per class); Grade retrains each submission in
// the worker (core's grade(): the recorded seed, settings and image order) one after another,
// with "n of N" and a Stop that takes effect after the submission being retrained. One row per
// student; every flag is a word and a sign, never a colour alone. "Download CSV" is the
// worker's gradeCsv: core's bytes, the same as `convlab grade --csv`.
// Everything read here is outside input: file names and messages are shown as text.
import { h, fill, say } from '../dom.js';
import { plural } from '../format.js';
import { readProject } from '../storage/project-file.js';
import { fileBase } from '../file-names.js';
import { readSubmission } from '../classroom/submission-file.js';
import { readTestFolder } from '../classroom/test-folder.js';

// The grades table's columns, in order (the first is each row's header).
const COLUMNS = ['Submission', 'Assignment', 'Constraints', 'Answers', 'Validation accuracy', 'Test accuracy', 'Target met', 'Reproduced bit for bit', 'Message'];
const YES = '✓', NO = '✗';
const pct = (x) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '—');  // null: not measured
const num = (x) => (typeof x === 'number' && Number.isFinite(x) ? String(Number(x.toPrecision(6))) : '—');
const isSubmission = (f) => /\.convlab$/i.test(f.name);

// A flag cell: a sign and a word, and a class for the colour on top.
const flag = (ok, yes = 'yes', no = 'NO') => h('span', { class: `flag ${ok ? 'ok' : 'bad'}` }, `${ok ? YES : NO} ${ok ? yes : no}`);

export function mountGrading(root, ctx) {
  const { engine, rules } = ctx;
  let assignment = null;     // {text, title, hash, classes}
  let files = [];            // submission File[]
  let test = null;           // readTestFolder's result, or null
  let grading = false, stopRequested = false, inCsv = 0;  // rows core holds (the CSV's)

  const pick = (id, attrs) => h('input', { type: 'file', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', id, ...attrs });
  const assignmentInput = pick('grade-assignment-input', { accept: '.json,.convlab,application/json' });
  const filesInput = pick('grade-files-input', { accept: '.convlab', multiple: true });
  const folderInput = pick('grade-test-input', { multiple: true, webkitdirectory: true });
  const assignmentBtn = h('button', { type: 'button', id: 'grade-assignment', onclick: () => assignmentInput.click() }, 'Choose the assignment…');
  const filesBtn = h('button', { type: 'button', id: 'grade-add-files', onclick: () => filesInput.click() }, 'Add submission files…');
  const clearBtn = h('button', { type: 'button', class: 'ghost', id: 'grade-clear-files', onclick: () => { files = []; renderSetup(); } }, 'Clear the list');
  const folderBtn = h('button', { type: 'button', id: 'grade-test-folder', onclick: () => folderInput.click() }, 'Choose a test folder…');
  const folderClear = h('button', { type: 'button', class: 'ghost', id: 'grade-test-clear', onclick: () => { test = null; renderSetup(); } }, 'No test folder');
  const gradeBtn = h('button', { type: 'button', class: 'primary', id: 'grade-start', onclick: () => act(gradeAll) }, 'Grade');
  const stopBtn = h('button', { type: 'button', class: 'danger', id: 'grade-stop', hidden: true, onclick: () => { stopRequested = true; stopBtn.disabled = true; progressText.textContent += ' Stopping after this one…'; } }, 'Stop');
  const csvBtn = h('button', { type: 'button', id: 'grade-csv', disabled: true, onclick: () => act(downloadCsv) }, 'Download CSV');
  const assignmentInfo = h('p', { class: 'hint', id: 'grade-assignment-info' }, 'No assignment chosen yet.');
  const filesInfo = h('p', { class: 'hint', id: 'grade-files-info' });
  const fileList = h('ul', { class: 'grade-file-list', id: 'grade-file-list', 'aria-label': 'Submission files' });
  const testInfo = h('div', { class: 'hint', id: 'grade-test-info' });
  const progress = h('progress', { id: 'grade-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Grading progress' });
  const progressText = h('p', { class: 'hint', id: 'grade-progress-text', role: 'status', 'aria-live': 'polite' });
  const msg = h('p', { class: 'message', role: 'status', hidden: true, id: 'grade-message' });
  const tbody = h('tbody', { id: 'grade-rows', role: 'rowgroup' });
  // Explicit roles: below 1000 px the rows are drawn as cards (grading.css), and a table whose
  // cells are display: block can lose its table semantics for screen readers.
  const table = h('table', { class: 'grade-table', id: 'grade-table', hidden: true, role: 'table' },
    h('caption', { class: 'visually-hidden' }, 'Grades, one row per submission'),
    h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, ...COLUMNS.map((t) => h('th', { scope: 'col', role: 'columnheader' }, t)))),
    tbody);

  const step = (n, title, ...body) => h('div', { class: 'grade-step' }, h('h3', {}, h('span', { class: 'step' }, String(n)), ' ', title), ...body);
  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'Grade submissions'),
      h('p', { class: 'lead' }, 'Each submission is trained again from its recorded seed, settings and image order; the handed-in weights must come out bit for bit, so a model cannot be swapped in. Nothing leaves this browser.')),
      h('a', { href: '#projects', class: 'back-link', id: 'grade-back' }, '← Projects')),
    h('div', { class: 'panel grade-setup', id: 'grade-setup', 'aria-label': 'What to grade', role: 'group' },
      step(1, 'The assignment', h('div', { class: 'row' }, assignmentBtn, assignmentInput), assignmentInfo),
      step(2, 'Submission files', h('div', { class: 'row' }, filesBtn, filesInput, clearBtn), h('p', { class: 'drop-hint' }, 'or drop NAME-submission.convlab files anywhere on this view'), filesInfo, fileList),
      step(3, 'Held-out test images (optional)', h('div', { class: 'row' }, folderBtn, folderInput, folderClear),
        h('p', { class: 'drop-hint' }, 'A folder with one sub-folder per class, named like the classes.'), testInfo),
      h('div', { class: 'row grade-actions' }, gradeBtn, stopBtn, csvBtn),
      progress, progressText, msg),
    h('div', { class: 'panel grade-results' }, h('h3', {}, 'Grades'),
      h('p', { class: 'hint', id: 'grade-empty' }, 'Grade the submissions to see one row per student here.'),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Grades table' }, table)));

  const show = (text, isError = false) => say(msg, text, isError);
  async function act(fn) {
    try { await fn(); } catch (e) { show(e.message, true); }
  }

  function renderSetup() {
    filesInfo.textContent = files.length ? `${plural(files.length, 'submission file')} to grade.` : 'No submission files yet.';
    fill(fileList, files.map((f) => h('li', {}, f.name)));
    clearBtn.hidden = !files.length;
    folderClear.hidden = !test;
    if (!test) fill(testInfo, assignment ? 'No test folder: the test accuracy is left empty.' : '');
    gradeBtn.disabled = grading || !assignment || !files.length;
    for (const b of [assignmentBtn, filesBtn, clearBtn, folderBtn, folderClear]) b.disabled = grading;
  }

  // ---- the assignment ----
  assignmentInput.addEventListener('change', () => {
    const f = assignmentInput.files[0];
    assignmentInput.value = '';
    if (f) act(() => chooseAssignment(f));
  });
  async function chooseAssignment(f) {
    show('');
    const bytes = new Uint8Array(await f.arrayBuffer());
    let text;
    if (/\.convlab$/i.test(f.name)) {
      text = (await readProject(engine, bytes, rules)).assignment;
      if (text === undefined) throw new Error(`${f.name} is a project file without an assignment (assignment.json): choose the assignment file the class was given.`);
    } else {
      if (bytes.length > rules.assignment.max_bytes) throw new Error(`${f.name} is ${plural(bytes.length, 'byte')}; an assignment is at most ${plural(rules.assignment.max_bytes, 'byte')}. Choose the NAME.assignment.json file.`);
      text = new TextDecoder().decode(bytes);
    }
    const r = await engine.call('assignmentCheck', { text });
    if (!r.ok) throw new Error(`${f.name} is not a valid assignment: ${r.error}${r.field ? ` (${r.field})` : ''}`);
    assignment = { text, title: r.assignment.title, hash: r.hash, classes: r.assignment.classes, file: f.name };
    assignmentInfo.textContent = `“${assignment.title}” (${f.name}), classes ${assignment.classes.join(', ')}; fingerprint ${assignment.hash.slice(0, 12)}…`;
    test = null;  // a folder is matched to these classes: pick it again for another assignment
    clearResults();
    renderSetup();
  }

  // ---- the submissions ----
  function addFiles(list) {
    const bad = list.filter((f) => !isSubmission(f));
    const known = new Set(files.map((f) => f.name));
    const fresh = list.filter((f) => isSubmission(f) && !known.has(f.name));
    files = [...files, ...fresh].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    renderSetup();
    const same = list.filter((f) => isSubmission(f) && known.has(f.name)).length;
    const notes = [];
    if (bad.length) notes.push(`Not submission files (NAME-submission.convlab), left out: ${bad.map((f) => f.name).join(', ')}.`);
    if (same) notes.push(`${plural(same, 'file')} of the same name ${same === 1 ? 'was' : 'were'} already in the list.`);
    show(notes.join(' '), !!bad.length);
  }
  filesInput.addEventListener('change', () => { const l = [...filesInput.files]; filesInput.value = ''; addFiles(l); });
  // app.js leaves drops on this view to it (a .convlab dropped elsewhere opens as a project)
  root.addEventListener('dragover', (e) => { if (!grading) { e.preventDefault(); root.classList.add('drag'); } });
  root.addEventListener('dragleave', (e) => { if (e.target === root) root.classList.remove('drag'); });
  root.addEventListener('drop', (e) => {
    e.preventDefault();
    root.classList.remove('drag');
    if (!grading) addFiles([...(e.dataTransfer?.files ?? [])]);
  });

  // ---- the test folder ----
  folderInput.addEventListener('change', () => { const l = [...folderInput.files]; folderInput.value = ''; act(() => chooseFolder(l)); });
  async function chooseFolder(list) {
    if (!assignment) throw new Error('Choose the assignment first: the test folder\'s sub-folders are matched to its classes.');
    fill(testInfo, 'Reading the test images…');
    test = await readTestFolder(list, assignment.classes, engine, rules.upload);
    const parts = [h('p', { id: 'grade-test-counts' }, `${plural(test.images.length, 'test image')}: ${assignment.classes.map((c, i) => `${c} ${test.perClass[i]}`).join(', ')}.`)];
    if (test.unmatched.length) parts.push(h('p', { class: 'warn', id: 'grade-test-unmatched' }, `${NO} Folders that match no class, left out: ${test.unmatched.join(', ')}. Name each folder like a class (${assignment.classes.join(', ')}).`));
    if (test.errors.length) parts.push(h('p', { class: 'warn', id: 'grade-test-errors' }, `${NO} ${plural(test.errors.length, 'file')} could not be read: ${test.errors.slice(0, 5).join('; ')}${test.errors.length > 5 ? '; …' : ''}`));
    if (!test.images.length) { test = null; parts.push(h('p', { class: 'warn' }, `${NO} No test images were found: the test accuracy is left empty.`)); }
    fill(testInfo, parts);
    renderSetup();
  }

  // ---- grading ----
  function clearResults() {
    fill(tbody);
    table.hidden = true;
    root.querySelector('#grade-empty').hidden = false;
    csvBtn.disabled = true;
    inCsv = 0;
  }

  async function gradeAll() {
    if (ctx.isTraining()) throw new Error('Training is running in this tab: stop it first (the engine grades one thing at a time).');
    show('');
    clearResults();
    const begun = await engine.call('gradeBegin', { assignment: assignment.text });
    if (!begun.ok) throw new Error(`The assignment cannot be graded: ${begun.error}`);
    grading = true; stopRequested = false;
    stopBtn.hidden = false; stopBtn.disabled = false;
    progress.hidden = false; progress.max = files.length; progress.value = 0;
    renderSetup();
    table.hidden = false;
    root.querySelector('#grade-empty').hidden = true;
    const todo = files.slice();
    try {
      for (let i = 0; i < todo.length && !stopRequested; i++) {
        const f = todo[i];
        progressText.textContent = `Grading ${i + 1} of ${todo.length}: ${f.name} (training it again)…`;
        tbody.append(await gradeOne(f));
        progress.value = i + 1;
      }
      const done = tbody.children.length;
      progressText.textContent = stopRequested && done < todo.length
        ? `Stopped: ${done} of ${todo.length} graded.`
        : `Graded ${plural(done, 'submission')}.`;
    } finally {
      grading = false;
      stopBtn.hidden = true;
      csvBtn.disabled = inCsv === 0;
      renderSetup();
    }
  }

  async function gradeOne(f) {
    const { name: student } = await engine.call('studentName', { fileName: f.name });
    let sub;
    try {
      sub = await readSubmission(engine, new Uint8Array(await f.arrayBuffer()), rules);
    } catch (e) {
      // anything else (out of memory while decoding, say) is a row of the page's, as before
      if (!e.kind) return brokenRow(student, `The file could not be read: ${e.message}`);
      // a row of core's (the CSV's words, as `convlab grade` writes them); the reader's finding beside it
      const { row } = await engine.call('gradeUnread', { student, kind: e.kind });
      inCsv++;
      return brokenRow(student, row.message, e.kind === 'damaged' ? e.message : '');
    }
    const notes = [];
    if (sub.assignmentText !== undefined) {
      const own = await engine.call('assignmentCheck', { text: sub.assignmentText });
      if (!own.ok) notes.push(`The file's assignment.json is not a valid assignment (${own.error}).`);
      else if (own.hash !== assignment.hash) notes.push(`The file holds another assignment (“${own.assignment.title}”).`);
    } else notes.push('The file holds no assignment.json.');
    const transfer = sub.images.filter((im) => im.rgba).map((im) => im.rgba.buffer);  // the worker keeps them; no copy
    let r;
    try {
      r = await engine.call('gradeAdd', {
        student, manifest: sub.manifest, spec: sub.spec, weights: sub.weights,
        train: sub.images, test: test?.images ?? [],
      }, { transfer });
    } catch (e) {
      return brokenRow(student, `The engine could not grade it: ${e.message}`);  // out of memory, say
    }
    if (!r.ok) return brokenRow(student, `${r.error}${r.field ? ` (${r.field})` : ''}`);
    inCsv++;
    return gradeRow(r.row, notes);
  }

  // One cell across the row: the reason reads as a line, not as a narrow last column far
  // to the right of seven empty ones.
  function brokenRow(name, why, found = '') {
    return h('tr', { class: 'broken', role: 'row', dataset: { student: name } },
      h('th', { scope: 'row', class: 'student', role: 'rowheader' }, name),
      // core's words begin "not graded: ...": the sign, then them
      h('td', { colspan: 8, class: 'broken-cell message-cell', role: 'cell' }, h('span', { class: 'flag bad' }, NO), ' ', why,
        found ? h('span', { class: 'found' }, ` What the reader found: ${found}`) : ''));
  }

  // core's answers: [{id, answered, given (number|null), right (number|null: not known, why in
  // message), correct, message}]
  function answersCell(answers) {
    if (!answers?.length) return h('td', { class: 'answers' }, '—');
    return h('td', { class: 'answers' }, h('ul', {}, answers.map((a) => {
      const right = typeof a.right === 'number' ? num(a.right) : `unknown${a.message ? ` (${a.message})` : ''}`;
      const given = a.answered ? num(a.given) : 'none';
      return h('li', { class: a.correct ? 'ok' : 'bad', dataset: { id: a.id, correct: String(!!a.correct) } },
        h('span', { class: 'answer-id' }, `${a.id}: `), `given ${given}, right ${right} `, flag(a.correct, 'correct', 'wrong'));
    })));
  }

  function constraintsCell(rows) {
    const failed = (rows ?? []).filter((c) => !c.ok);
    if (!failed.length) return h('td', { class: 'constraints', dataset: { ok: 'true' } }, flag(true, 'ok'));
    // one child: the card layout (grading.css) puts a cell's content in one grid column
    return h('td', { class: 'constraints', dataset: { ok: 'false' } }, h('div', {}, flag(false, '', 'failed'),
      h('ul', {}, failed.map((c) => h('li', { dataset: { rule: c.rule } }, c.message || c.rule)))));
  }

  function gradeRow(r, notes) {
    const message = [r.message, ...notes].filter(Boolean).join(' ');
    const row = h('tr', { role: 'row', dataset: { student: r.student } },
      h('th', { scope: 'row', class: 'student', role: 'rowheader' }, r.student),
      h('td', { class: 'hash', dataset: { ok: String(!!r.assignment_hash_ok) } }, flag(r.assignment_hash_ok, 'matches', 'NO: another assignment')),
      constraintsCell(r.constraints),
      answersCell(r.answers),
      h('td', { class: 'num val' }, pct(r.val_acc)),
      h('td', { class: 'num test' }, pct(r.test_acc)),
      h('td', { class: 'target', dataset: { ok: String(!!r.target_met) } }, flag(r.target_met, 'met', 'not met')),
      h('td', { class: 'reproduced', dataset: { ok: String(!!r.reproduced) } },
        r.reproduced ? flag(true, 'yes') : h('span', { class: 'flag bad' }, `${NO} NO: the weights are not what the recorded training gives`)),
      h('td', { class: 'message-cell' }, message || '—'));
    // each cell names its column: the card layout shows it before the value
    row.querySelectorAll('td').forEach((td, i) => { td.setAttribute('role', 'cell'); td.dataset.label = COLUMNS[i + 1]; });
    return row;
  }

  async function downloadCsv() {
    const { csv } = await engine.call('gradeCsv', {});
    const blob = new Blob([csv], { type: 'text/csv' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${fileBase(assignment?.title, 'grades', rules)}-grades.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  renderSetup();
  return { addFiles };
}
