// The Train tab's run: the start / pause / stop state machine over the worker's `train`
// command, which trains in slices of a few mini-batches so the page stays responsive. The
// state lives in one place, project.trainingState ('running' | 'paused' | 'idle'); this
// module is the only one that changes it.
import { h, say } from '../../dom.js';

// settings, progress: the tab's modules; onFinish(): a run ended (its result is kept).
export function createRun(ctx, { settings, progress, results, onFinish }) {
  const { project, engine } = ctx;
  const startBtn = h('button', { type: 'button', id: 'train-start', class: 'primary', onclick: () => start() }, 'Train');
  const pauseBtn = h('button', { type: 'button', id: 'train-pause', disabled: true, onclick: () => pauseOrResume() }, 'Pause');
  const stopBtn = h('button', { type: 'button', id: 'train-stop', disabled: true, onclick: () => stop() }, 'Stop');
  const msg = h('p', { class: 'message error', id: 'train-error', role: 'alert', hidden: true });
  const fail = (text) => say(msg, text);

  let order = [];  // image ids in the worker's order, set when a run starts
  let trainedWith = null;  // the settings the run started with

  let clock = { elapsed: 0, since: 0 };  // training time, without pauses
  let last = null;                        // the last progress seen

  function setState(s) {
    project.setTrainingState(s);
    render();
    settings.setEnabled(s === 'idle');
  }

  function render() {
    const s = project.trainingState;
    startBtn.disabled = s !== 'idle';
    startBtn.textContent = project.trained ? 'Train again' : 'Train';
    pauseBtn.disabled = s === 'idle';
    stopBtn.disabled = s === 'idle';
    pauseBtn.textContent = s === 'paused' ? 'Resume' : 'Pause';
  }

  async function start() {
    fail('');
    const config = await settings.save();
    if (!config) { fail('Fix the settings first: ' + settings.message()); return; }
    const classes = project.getClasses();
    const empty = classes.filter((c) => c.count === 0);
    if (empty.length) {
      fail(`Every class needs images: ${empty.map((c) => `"${c.name}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} none. Add some on the Data tab.`);
      return;
    }
    const d = project.draft;
    if (d) {
      // project.js drops a malformed stored draft; a report without a layer names the spec
      const layer = d.report?.error_layer;
      const where = Number.isInteger(layer) && layer >= 0 ? `layer ${layer}` : 'the spec';
      fail(`Training refused: the model typed on the Model tab has an error in ${where}: ${d.report?.error ?? 'it is not a valid spec'}. Fix it there (or revert to the last good model) and train again.`);
      return;
    }
    setState('running');
    results.compare(project.runs, { settings: project.settings, summary: project.runSummary() });  // every kept run is earlier now
    try {
      progress.say('Sending the images to the engine…');
      await project.syncWorker();
      // the ids in the order the worker holds the images (worker-sync.js: class by class, each in
      // stored order), so core's val_indices can name images that later edits cannot shift
      order = project.trainingOrder().map((im) => im.id);
      trainedWith = { ...config };  // a hand-in records the settings and order the run used
      clock = { elapsed: 0, since: performance.now() };
      results.hide();
      await run({ config, metadata: project.weightsMetadata() });
    } catch (e) {
      fail(e.message);
      setState('idle');
      progress.say('Training did not run.');
    }
  }

  async function run(args) {
    const r = await engine.call('train', args, { onProgress: showProgress });
    clock.elapsed += performance.now() - clock.since;
    showProgress(r);
    if (r.paused) { setState('paused'); progress.append(' · paused'); return; }
    await finish(r);
  }

  async function finish(r) {
    setState('idle');
    const diverged = r.diverged ? r.diverged_message : undefined;
    await project.trainingFinished({ history: r.history, confusion: r.confusion, train_size: r.train_size, val_size: r.val_size, stopped: !!r.stopped, epochs: r.epochs, diverged, filters: r.filters, train_ids: order, settings: trainedWith, val_ids: (r.val_indices ?? []).map((i) => order[i]).filter((id) => id !== undefined) });  // filters: where it looks
    onFinish();
    render();
    if (diverged) {  // the progress line says what happened and what to do
      ctx.status('Training diverged: try a smaller learning rate.', true);
      return;
    }
    ctx.status(r.stopped ? `Training stopped after ${r.epoch} epoch(s); the model is usable.` : 'Training finished: try it on the Predict tab.');
  }

  async function pauseOrResume() {
    const s = project.trainingState;
    if (s === 'running') { pauseBtn.disabled = true; await engine.call('pause'); return; }
    if (s === 'paused') {
      setState('running');
      clock.since = performance.now();
      try { await run({ resume: true, metadata: project.weightsMetadata() }); } catch (e) { fail(e.message); setState('idle'); }
    }
  }

  async function stop() {
    const s = project.trainingState;
    if (s === 'running') { stopBtn.disabled = true; await engine.call('stop'); return; }
    if (s === 'paused') {
      const filters = await engine.call('trainStop');  // where it looks: the filters so far
      await finish({ ...last, stopped: true, filters });
    }
  }

  function showProgress(p) {
    last = p;
    if (p.checkpoint) {
      // fire and forget: a slow disk must not stall the progress display
      project.checkpoint(p.checkpoint, { history: p.history, confusion: p.confusion, train_size: p.train_size, val_size: p.val_size, epochs: p.epochs })
        .catch((e) => fail(e.message));
      delete last.checkpoint;
    }
    const ms = clock.elapsed + (project.trainingState === 'running' ? performance.now() - clock.since : 0);
    progress.live(p, ms / 1000);
    results.curves(p.history, p.epochs);
  }

  return { buttons: [startBtn, pauseBtn, stopBtn], message: msg, setState, render };
}
