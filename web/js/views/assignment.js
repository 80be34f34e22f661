// Student mode (issue 14): while the open project has an assignment, a collapsible panel beside
// every view shows its title and instructions (text with line breaks kept, its http(s) addresses
// as links: markup stays text, linkify.js) and a checklist that follows the project live:
//   - each constraint, as the engine checks the spec and settings (assignmentConstraints);
//   - each question with an answer box (a number, kept with the project); right or wrong only
//     when the assignment shows correctness, from the engine's answers for the student's own
//     model (assignmentAnswers, core's answer_matches);
//   - the accuracy target against the last run's validation accuracy;
// and "Hand in" (hand-in.js), enabled once a trained model can be handed in.
import { fill, h, say } from '../dom.js';
import { linkified } from '../linkify.js';
import { handIn, handInBlocker } from '../classroom/hand-in.js';

const ANSWER_DELAY_MS = 300;  // typing pauses this long before the answer is kept and checked
const pct = (x) => `${Math.round(x * 1000) / 10}%`;

function download(bytes, name) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// One checklist row: a mark (✓, ✗ or …), the words, and what follows them (an answer box).
function item(state, ...content) {
  const words = { ok: 'done', bad: 'not yet', wait: 'not checked yet' }[state];
  return h('li', { class: 'check-item', dataset: { state } },
    h('span', { class: 'check-mark', 'aria-hidden': 'true' }, { ok: '✓', bad: '✗', wait: '…' }[state]),
    h('span', { class: 'visually-hidden' }, `${words}: `), ...content);
}

// The name typed for hand-ins, as this browser kept it (outside input: a string of a sane
// length, or nothing); storage may be refused (a private window), which loses only the default.
// Its length limit is the file name's, from core (rules.file_names.name_max).
const NAME_KEY = 'convlab-student-name';
function storedName(max) {
  try {
    const v = globalThis.localStorage?.getItem(NAME_KEY);
    return typeof v === 'string' && v.length <= max ? v : '';
  } catch { return ''; }
}
function keepName(v, max) {
  try { globalThis.localStorage?.setItem(NAME_KEY, v.slice(0, max)); } catch { /* not kept: typed again next time */ }
}

export function mountAssignment(root, ctx) {
  const { project, engine, events } = ctx;
  const title = h('span', { class: 'assignment-title' });
  const progress = h('span', { class: 'assignment-progress' });
  const instructions = h('div', { class: 'assignment-instructions', id: 'assignment-instructions' });
  const constraintList = h('ul', { class: 'checklist', id: 'assignment-constraints', 'aria-label': 'What the model and settings must meet' });
  const questionList = h('ul', { class: 'checklist', id: 'assignment-questions', 'aria-label': 'Questions' });
  const targetList = h('ul', { class: 'checklist', id: 'assignment-target', 'aria-label': 'Accuracy target' });
  // the student's name names the file (the teacher gets one per student: the grading table's
  // rows are named by it); kept in this browser for the next assignment
  const nameMax = ctx.rules.file_names.name_max;
  const nameInput = h('input', { type: 'text', id: 'hand-in-name', autocomplete: 'name', maxlength: String(nameMax), value: storedName(nameMax),
    oninput: () => keepName(nameInput.value, nameMax) });
  const handBtn = h('button', { type: 'button', class: 'primary', id: 'hand-in', onclick: () => submit() }, 'Hand in');
  const handNote = h('p', { class: 'hint', id: 'hand-in-note' });
  const handMsg = h('p', { class: 'message', id: 'hand-in-message', role: 'status', hidden: true });
  const details = h('details', { class: 'assignment-box', open: true },
    h('summary', {}, h('span', { class: 'assignment-kicker' }, 'Assignment'), title, progress),
    h('div', { class: 'assignment-body' },
      instructions,
      h('h3', {}, 'Checklist'),
      constraintList, questionList, targetList,
      h('div', { class: 'row hand-in-row' }, h('label', { for: 'hand-in-name' }, 'Your name'), nameInput, handBtn), handNote, handMsg));
  root.replaceChildren(details);
  // a phone or a tablet starts with the panel folded: the instructions are one tap away
  if (globalThis.matchMedia?.('(max-width: 1000px)').matches) details.open = false;

  let shown = null;     // the hash of the assignment whose rows are built
  let boxes = new Map();  // question id -> {input, status, timer}
  let seq = 0;
  const state = { constraints: null, answers: null, answersNote: '' };

  function build(a) {
    title.textContent = a.title;
    fill(instructions, ...linkified(a.instructions));  // text and links, never HTML; CSS keeps the line breaks
    instructions.hidden = !a.instructions;
    boxes = new Map();
    questionList.replaceChildren(...a.questions.map((q) => {
      const id = `answer-${q.id}`;
      const input = h('input', { type: 'number', step: 'any', id, class: 'answer', inputmode: 'decimal', dataset: { question: q.id } });
      const status = h('span', { class: 'answer-status', id: `${id}-status`, 'aria-live': 'polite' });
      input.setAttribute('aria-describedby', status.id);
      const row = item('wait', h('label', { for: id, class: 'question-text' }, q.text), h('span', { class: 'answer-line' }, input, status));
      const box = { input, status, row, timer: 0, saving: null };
      input.addEventListener('input', () => {
        clearTimeout(box.timer);
        box.timer = setTimeout(() => keepNow(q.id, box), ANSWER_DELAY_MS);
      });
      // leaving the field keeps what was typed at once (a click on Hand in leaves it too)
      input.addEventListener('change', () => keepNow(q.id, box));
      boxes.set(q.id, box);
      return row;
    }));
    questionList.hidden = !a.questions.length;
  }

  function keepNow(id, box) {
    clearTimeout(box.timer);
    box.timer = 0;
    box.saving = keepAnswer(id, box);
    return box.saving;
  }

  // Every answer typed is kept before a hand-in reads them (the pause after typing may not be over).
  async function keepTyped() {
    for (const [id, box] of boxes) {
      if (box.timer) await keepNow(id, box);
      else if (box.saving) await box.saving;
    }
  }

  async function keepAnswer(id, box) {
    const raw = box.input.value.trim();
    const v = raw === '' ? undefined : Number(raw);
    if (v !== undefined && !Number.isFinite(v)) {
      box.input.setAttribute('aria-invalid', 'true');
      box.status.textContent = 'type a number';
      return;
    }
    box.input.removeAttribute('aria-invalid');
    try {
      await project.setAnswer(id, v);
    } catch (e) {
      box.status.textContent = e.message;
      return;
    }
    refresh();
  }

  // The training images the pool question needs, in the trainer's order (only up to the
  // highest image a question names: the rest need not cross to the worker).
  function questionImages(a) {
    const need = a.questions.filter((q) => q.kind === 'pool_unchanged_fraction').reduce((m, q) => Math.max(m, q.image + 1), 0);
    return need ? project.trainingOrder().slice(0, need).map(({ rgba, width, height, label }) => ({ rgba, width, height, label })) : [];
  }

  async function refresh() {
    const a = project.assignment?.assignment;
    root.hidden = !a;
    document.body.dataset.assignment = a ? 'true' : 'false';
    if (!a) { shown = null; return; }
    if (shown !== project.assignment.hash) {
      shown = project.assignment.hash;
      build(a);
    }
    for (const [id, box] of boxes) {
      const v = project.answers[id];
      if (document.activeElement !== box.input) box.input.value = v === undefined ? '' : String(v);
    }
    const mine = ++seq;
    const text = project.assignment.text;
    // the model the student means is the one the Model tab shows: a draft the engine refused (the
    // lecture's AlexNet, a typo being fixed) is judged, and its shapes answer the questions
    const draft = project.draft?.text;
    let constraints, answers, answersNote = '';
    try {
      constraints = await engine.call('assignmentConstraints', { assignment: text, spec: draft ?? project.spec, settings: project.settings });
    } catch (e) {
      constraints = { ok: false, rules: [], error: e.message };
    }
    if (project.training) answersNote = 'checked again when training ends';
    else {
      try {
        const ask = (spec) => engine.call('assignmentAnswers', { assignment: text, images: questionImages(a), given: project.answers, spec });
        answers = await ask(draft);
        // a draft that does not even parse: the running model's answers, until it is fixed
        if (draft && !answers.ok && answers.field === 'spec') answers = await ask();
        if (!answers.ok) { answersNote = answers.error; answers = null; }
      } catch (e) {
        answersNote = e.message;
      }
    }
    if (mine !== seq) return;  // a newer refresh is under way
    state.constraints = constraints;
    state.answers = answers ?? state.answers;  // while training: the last answers stay
    state.answersNote = answersNote;
    render(a);
  }

  function render(a) {
    let done = 0, total = 0;
    const c = state.constraints;
    const rows = c?.rules ?? [];
    constraintList.replaceChildren(...rows.map((r) => {
      const li = item(r.ok ? 'ok' : 'bad', h('span', { class: 'check-text' }, r.message));
      li.dataset.rule = r.rule;
      return li;
    }));
    if (c?.error) constraintList.append(item('bad', h('span', { class: 'check-text' }, c.error)));
    constraintList.hidden = !constraintList.children.length;
    total += rows.length;
    done += rows.filter((r) => r.ok).length;

    const right = new Map((state.answers?.answers ?? []).map((x) => [x.id, x]));
    for (const q of a.questions) {
      const box = boxes.get(q.id);
      const given = project.answers[q.id];
      const r = right.get(q.id);
      let s, words;
      if (given === undefined) { s = 'bad'; words = 'not answered yet'; }
      else if (!a.show_correctness) { s = 'ok'; words = 'answered'; }
      else if (state.answersNote && !r) { s = 'wait'; words = state.answersNote; }
      else if (r && !r.known) { s = 'wait'; words = `cannot be checked for this model: ${r.message}`; }
      else if (r?.correct === true) { s = 'ok'; words = 'right'; }
      else if (r?.correct === false) { s = 'bad'; words = 'wrong: look again'; }
      else { s = 'wait'; words = 'not checked yet'; }
      box.row.dataset.state = s;
      box.row.querySelector('.check-mark').textContent = { ok: '✓', bad: '✗', wait: '…' }[s];
      box.row.querySelector('.visually-hidden').textContent = `${{ ok: 'done', bad: 'not yet', wait: 'not checked yet' }[s]}: `;
      box.status.textContent = words;
      box.status.dataset.state = s;
      total++;
      if (s === 'ok') done++;
    }

    if (a.accuracy_target !== null && a.accuracy_target !== undefined) {
      const last = project.result?.history?.at(-1);
      const acc = project.trained && typeof last?.val_acc === 'number' ? last.val_acc : null;
      const met = acc !== null && acc >= a.accuracy_target;
      const words = acc === null
        ? `Validation accuracy of at least ${pct(a.accuracy_target)}: train (with a validation fraction above 0) to measure it`
        : `Validation accuracy ${pct(acc)} of at least ${pct(a.accuracy_target)}`;
      targetList.replaceChildren(item(met ? 'ok' : 'bad', h('span', { class: 'check-text' }, words)));
      total++;
      if (met) done++;
    } else targetList.replaceChildren();
    targetList.hidden = !targetList.children.length;
    progress.textContent = total ? `${done} of ${total} done` : '';
    const blocker = handInBlocker(project);
    handBtn.disabled = !!blocker || project.readOnly;
    handNote.textContent = blocker || 'Writes a submission file with your project, answers and what a grader needs to retrain it. Hand it to your teacher.';
  }

  async function submit() {
    handBtn.disabled = true;
    say(handMsg, 'Writing the submission…', false);
    try {
      await keepTyped();
      const { bytes, name } = await handIn(ctx, { student: nameInput.value });
      download(bytes, name);
      say(handMsg, `Handed in: ${name} was saved to your downloads. Give that file to your teacher.`, false);
    } catch (e) {
      say(handMsg, e.message, true);
    } finally {
      render(project.assignment?.assignment ?? { questions: [] });
    }
  }

  for (const ev of ['project-loaded', 'spec-changed', 'draft-changed', 'settings-changed', 'model-trained', 'model-loaded', 'classes-changed', 'images-changed'])
    events.addEventListener(ev, () => refresh());
  events.addEventListener('training-state', (e) => { if (e.detail.state === 'idle' || e.detail.state === 'running') refresh(); });
  refresh();
  return { refresh };
}
