// The Train view: settings, start / pause / stop, progress (epoch, images/s, time left),
// live loss and accuracy curves, and at the end a confusion matrix with per-class accuracy.
// Training runs in the worker in slices of a few mini-batches, so the page stays responsive.
import { h, fill } from '../dom.js';
import { lineChart, confusionChart } from '../charts.js';
import { DEFAULT_SETTINGS } from '../project.js';

const STEPS_PER_SLICE = 2;

// [key, label, {min, max, step}, help]
const NUMBER_FIELDS = [
  ['epochs', 'Epochs', { min: 1, max: 500, step: 1 }, 'passes over the training images'],
  ['batch_size', 'Batch size', { min: 1, max: 256, step: 1 }, 'images per weight update'],
  ['lr', 'Learning rate', { min: 0.00001, max: 1, step: 'any' }, 'step size; Adam likes 0.001, SGD 0.01'],
  ['momentum', 'Momentum (SGD)', { min: 0, max: 0.99, step: 0.01 }, 'only used by SGD'],
  ['val_fraction', 'Validation fraction', { min: 0, max: 0.5, step: 0.05 }, 'held out per class to measure generalisation'],
  ['shift', 'Random shift (px)', { min: 0, max: 16, step: 1 }, 'augmentation: moves each image a little'],
  ['seed', 'Seed', { min: 0, max: 2 ** 31 - 1, step: 1 }, 'same seed, same data, same result'],
];

export function mountTrain(root, ctx) {
  const { project, engine, events } = ctx;
  const inputs = {};
  const fields = NUMBER_FIELDS.map(([key, label, lim, help]) => {
    const input = h('input', { type: 'number', id: `set-${key}`, name: key, ...lim, required: true });
    inputs[key] = input;
    return h('label', { class: 'field', title: help }, label, input, h('small', {}, help));
  });
  const optimizer = h('select', { id: 'set-optimizer', name: 'optimizer' },
    h('option', { value: 'adam' }, 'Adam'), h('option', { value: 'sgd' }, 'SGD with momentum'));
  const flip = h('input', { type: 'checkbox', id: 'set-flip', name: 'flip' });
  const settingsMsg = h('p', { class: 'message error', role: 'alert', hidden: true });
  const resetBtn = h('button', { type: 'button', class: 'ghost', onclick: () => { project.setSettings({ ...DEFAULT_SETTINGS }).then(showSettings); } }, 'Defaults');
  const form = h('form', { class: 'panel settings', 'aria-label': 'Training settings', onsubmit: (e) => e.preventDefault() },
    h('h3', {}, 'Settings'),
    h('label', { class: 'field' }, 'Optimiser', optimizer, h('small', {}, 'how the weights are updated')),
    ...fields,
    h('label', { class: 'check' }, flip, ' Random horizontal flip (augmentation)'),
    settingsMsg, h('div', { class: 'row' }, resetBtn));
  form.addEventListener('change', () => saveSettings());

  const startBtn = h('button', { type: 'button', id: 'train-start', class: 'primary', onclick: () => start() }, 'Train');
  const pauseBtn = h('button', { type: 'button', id: 'train-pause', disabled: true, onclick: () => pauseOrResume() }, 'Pause');
  const stopBtn = h('button', { type: 'button', id: 'train-stop', disabled: true, onclick: () => stop() }, 'Stop');
  const bar = h('progress', { id: 'train-progress', max: 1, value: 0, 'aria-label': 'Training progress' });
  const progressText = h('p', { id: 'train-progress-text', class: 'progress-text', role: 'status' }, 'Not trained yet.');
  const summary = h('p', { class: 'hint', id: 'train-data-summary' });
  const next = h('p', { class: 'next-step', hidden: true }, h('a', { href: '#predict' }, 'Next: try it live →'));
  const trainMsg = h('p', { class: 'message error', id: 'train-error', role: 'alert', hidden: true });
  const lossCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Loss per epoch' });
  const accCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Accuracy per epoch' });
  const legend = (a, b) => h('div', { class: 'legend' }, h('span', { class: 'key train' }, a), h('span', { class: 'key val' }, b));
  const confCanvas = h('canvas', { class: 'chart confusion', role: 'img', 'aria-label': 'Confusion matrix' });
  const perClass = h('ul', { class: 'per-class', id: 'per-class' });
  const results = h('div', { class: 'panel results', hidden: true },
    h('h3', {}, 'Where it goes wrong'),
    h('p', { class: 'hint', id: 'confusion-caption' }),
    h('div', { class: 'results-grid' }, confCanvas, perClass));

  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'Train the network'),
      h('p', { class: 'lead' }, 'The engine learns the filters and weights from your examples. Watch the loss fall and the accuracy rise; the validation curve shows how it does on images it never trained on.'))),
    h('div', { class: 'train-layout' }, form,
      h('div', { class: 'train-main' },
        h('div', { class: 'panel' },
          h('div', { class: 'row' }, startBtn, pauseBtn, stopBtn),
          bar, progressText, summary, trainMsg, next),
        h('div', { class: 'charts' },
          h('div', { class: 'panel' }, h('h3', {}, 'Loss'), legend('train', 'validation'), lossCanvas),
          h('div', { class: 'panel' }, h('h3', {}, 'Accuracy'), legend('train', 'validation'), accCanvas)),
        results)));

  function showSettings() {
    const s = project.settings;
    for (const [key] of NUMBER_FIELDS) inputs[key].value = s[key];
    optimizer.value = s.optimizer;
    flip.checked = s.flip;
    inputs.momentum.disabled = s.optimizer !== 'sgd';
  }

  // Reads the form; a bad field is named with its limits and nothing is saved.
  function readSettings() {
    const s = { optimizer: optimizer.value, flip: flip.checked };
    for (const [key, label, lim] of NUMBER_FIELDS) {
      const v = Number(inputs[key].value);
      const whole = lim.step === 1;
      if (inputs[key].value === '' || !Number.isFinite(v) || v < lim.min || v > lim.max || (whole && !Number.isInteger(v))) {
        throw Object.assign(new Error(`${label} must be ${whole ? 'a whole number' : 'a number'} from ${lim.min} to ${lim.max}.`), { input: inputs[key] });
      }
      s[key] = v;
    }
    return s;
  }

  async function saveSettings() {
    for (const i of Object.values(inputs)) i.removeAttribute('aria-invalid');
    try {
      const s = readSettings();
      settingsMsg.hidden = true;
      inputs.momentum.disabled = s.optimizer !== 'sgd';
      if (s.optimizer !== project.settings.optimizer && s.lr === (project.settings.optimizer === 'sgd' ? 0.01 : 0.001)) {
        s.lr = s.optimizer === 'sgd' ? 0.01 : 0.001;  // follow the usual default when it was untouched
        inputs.lr.value = s.lr;
      }
      await project.setSettings(s);
      return s;
    } catch (e) {
      settingsMsg.textContent = e.message;
      settingsMsg.hidden = false;
      e.input?.setAttribute('aria-invalid', 'true');
      return null;
    }
  }

  // ---- training ----
  let state = 'idle';  // 'running' | 'paused' | 'idle'
  let clock = { elapsed: 0, since: 0 };
  let total = 0;

  function setState(s) {
    state = s;
    project.training = s !== 'idle';
    startBtn.disabled = s !== 'idle';
    startBtn.textContent = project.trained ? 'Train again' : 'Train';
    pauseBtn.disabled = s === 'idle';
    stopBtn.disabled = s === 'idle';
    pauseBtn.textContent = s === 'paused' ? 'Resume' : 'Pause';
    if (s !== 'idle') next.hidden = true;
    form.querySelector('fieldset')?.toggleAttribute('disabled', s !== 'idle');
    for (const el of form.elements) el.disabled = s !== 'idle' || (el === inputs.momentum && optimizer.value !== 'sgd');
    events.dispatchEvent(new CustomEvent('training-state', { detail: { state: s } }));
  }

  function fail(text) {
    trainMsg.textContent = text;
    trainMsg.hidden = !text;
  }

  async function start() {
    fail('');
    const settings = await saveSettings();
    if (!settings) { fail('Fix the settings first: ' + settingsMsg.textContent); return; }
    const classes = project.getClasses();
    const empty = classes.filter((c) => c.count === 0);
    if (empty.length) {
      fail(`Every class needs images: ${empty.map((c) => `"${c.name}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} none. Add some on the Data tab.`);
      return;
    }
    const d = project.draft;
    if (d) {
      const where = d.report.error_layer >= 0 ? `layer ${d.report.error_layer}` : 'the spec';
      fail(`Training refused: the model typed on the Model tab has an error in ${where}: ${d.report.error}. Fix it there (or revert to the last good model) and train again.`);
      return;
    }
    setState('running');
    try {
      progressText.textContent = 'Sending the images to the engine…';
      await project.syncWorker();
      clock = { elapsed: 0, since: performance.now() };
      results.hidden = true;
      const { seed, ...rest } = settings;
      await run({ config: { ...rest, seed }, steps: STEPS_PER_SLICE, metadata: project.weightsMetadata() });
    } catch (e) {
      fail(e.message);
      setState('idle');
      progressText.textContent = 'Training did not run.';
    }
  }

  async function run(args) {
    const r = await engine.call('train', args, { onProgress: showProgress });
    clock.elapsed += performance.now() - clock.since;
    showProgress(r);
    if (r.paused) { setState('paused'); progressText.textContent += ' · paused'; return; }
    await finish(r);
  }

  async function finish(r) {
    setState('idle');
    await project.trainingFinished({ history: r.history, confusion: r.confusion, train_size: r.train_size, val_size: r.val_size, stopped: !!r.stopped, epochs: r.epochs });
    showResult();
    startBtn.textContent = 'Train again';
    ctx.status(r.stopped ? `Training stopped after ${r.epoch} epoch(s); the model is usable.` : 'Training finished: try it on the Predict tab.');
  }

  async function pauseOrResume() {
    if (state === 'running') { pauseBtn.disabled = true; await engine.call('pause'); return; }
    if (state === 'paused') {
      setState('running');
      clock.since = performance.now();
      try { await run({ resume: true, steps: STEPS_PER_SLICE, metadata: project.weightsMetadata() }); } catch (e) { fail(e.message); setState('idle'); }
    }
  }

  async function stop() {
    if (state === 'running') { stopBtn.disabled = true; await engine.call('stop'); return; }
    if (state === 'paused') {
      await engine.call('trainStop');
      await finish({ ...last, stopped: true });
    }
  }

  let last = null;
  function showProgress(p) {
    last = p;
    if (p.checkpoint) {
      // fire and forget: a slow disk must not stall the progress display
      project.checkpoint(p.checkpoint, { history: p.history, confusion: p.confusion, train_size: p.train_size, val_size: p.val_size, epochs: p.epochs })
        .catch((e) => fail(e.message));
      delete last.checkpoint;
    }
    total = p.epochs * p.train_size;
    const seen = p.images_seen;
    const secs = (clock.elapsed + (state === 'running' ? performance.now() - clock.since : 0)) / 1000;
    const rate = secs > 0 ? seen / secs : 0;
    const left = rate > 0 ? Math.max(0, (total - seen) / rate) : NaN;
    bar.value = total ? seen / total : 0;
    const epochNow = Math.min(p.epochs, p.epoch + (p.done ? 0 : 1));
    progressText.textContent = p.done
      ? `Done: ${p.epochs} epochs, ${seen} images in ${secs.toFixed(1)} s (${Math.round(rate)} images/s).`
      : `Epoch ${epochNow} of ${p.epochs} · ${Math.round(rate)} images/s · ${Number.isFinite(left) ? `${Math.ceil(left)} s left` : 'estimating…'}`;
    summary.textContent = `${p.train_size} training images, ${p.val_size} validation images, ${p.steps_per_epoch} steps per epoch.`;
    drawCurves(p.history, p.epochs);
  }

  function drawCurves(history, epochs) {
    lineChart(lossCanvas, [
      { label: 'train', color: '#3b5bdb', values: history.map((e) => e.train_loss) },
      { label: 'validation', color: '#e8590c', dashed: true, values: history.map((e) => e.val_loss) },
    ], { epochs });
    lineChart(accCanvas, [
      { label: 'train', color: '#3b5bdb', values: history.map((e) => e.train_acc) },
      { label: 'validation', color: '#e8590c', dashed: true, values: history.map((e) => e.val_acc) },
    ], { epochs, yMax: 1, percent: true });
  }

  function showResult() {
    next.hidden = !(state === 'idle' && project.trained);
    if (state === 'idle') startBtn.textContent = project.trained ? 'Train again' : 'Train';
    const r = project.result;
    if (!r) {
      results.hidden = true;
      drawCurves([], project.settings.epochs);
      bar.value = 0;
      progressText.textContent = project.trained ? 'Trained.' : 'Not trained yet.';
      return;
    }
    drawCurves(r.history, r.epochs ?? r.history.length);
    bar.value = r.stopped ? bar.value : 1;
    const lastE = r.history[r.history.length - 1];
    if (state === 'idle' && !lastE) progressText.textContent = 'Stopped before the first epoch ended: the model is barely trained.';
    if (state === 'idle' && lastE) {
      const how = r.interrupted ? 'Training was interrupted (the page was closed or reloaded); kept the model' : r.stopped ? 'Stopped' : 'Trained';
      progressText.textContent = `${how} after ${r.history.length} epoch(s): training accuracy ${pct(lastE.train_acc)}${lastE.val_acc === null ? '' : `, validation accuracy ${pct(lastE.val_acc)}`}.`;
    }
    const n = r.classes.length;
    if (!r.confusion || r.confusion.length !== n * n || !r.history.length) { results.hidden = true; return; }
    results.hidden = false;
    requestAnimationFrame(() => confusionChart(confCanvas, r.confusion, r.classes));
    document.getElementById('confusion-caption').textContent =
      `On the ${r.val_size ? `${r.val_size} validation` : `${r.train_size} training`} images: rows are the true class, columns what the network said.`;
    fill(perClass, r.classes.map((name, i) => {
      const row = r.confusion.slice(i * n, i * n + n);
      const sum = row.reduce((a, b) => a + b, 0);
      const acc = sum ? row[i] / sum : null;
      return h('li', {}, h('span', { class: 'name' }, name),
        h('span', { class: 'bar' }, h('span', { style: { width: `${(acc ?? 0) * 100}%` } })),
        h('span', { class: 'value' }, acc === null ? 'no images' : `${pct(acc)} (${row[i]}/${sum})`));
    }));
  }
  const pct = (v) => `${Math.round(v * 100)}%`;

  events.addEventListener('view-shown', (e) => { if (e.detail.view === 'train' && state === 'idle') showResult(); });
  for (const ev of ['spec-changed', 'classes-changed']) events.addEventListener(ev, () => { if (state === 'idle') showResult(); });
  showSettings();
  setState('idle');
  showResult();
}
