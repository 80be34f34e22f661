// Project's model (project.js; the state is declared in its constructor): the spec, checked by
// the engine (a refused one kept as a draft), its weights (loaded, stored, forgotten), and the
// training results with the earlier runs compared (runs.js).
// Never constructed: its methods are copied onto Project (the end of project.js).
import { specSummary, makeRun, addRun } from './runs.js';

const TRAINING_REFUSAL = 'training is running: stop it on the Train tab before changing the model';

export class ProjectModel {
  // Loads stored weights for this.spec. Weights made for another spec, or unreadable ones,
  // are refused and stay stored as they are; modelProblem says why.
  async loadWeights(bytes) {
    try {
      // adopt: false, so the engine (core's Session::load) refuses weights made for another
      // spec, naming the tensor that differs, and keeps the project's model
      await this.engine.call('load', { bytes, adopt: false });
      this.trained = true;
    } catch (e) {
      this.modelProblem = `The saved model could not be used (${e.message}). Train again to get a model for this spec.`;
      this.skipped.push(this.modelProblem);
    }
  }

  // The worker now holds a model file's weights (Load model, model-files.js) and, when
  // adopted, its spec ({spec, ...info} = result): the project follows and keeps `bytes` (the
  // weights as the engine saves them). The curves were of another training.
  async modelLoaded(result, adopted, bytes) {
    if (adopted) {
      const { spec, ...info } = result;
      const oldInput = JSON.stringify(this.info?.input);
      this.spec = spec;
      this.info = info;
      if (JSON.stringify(info.input) !== oldInput) this.imagesChanged(true);  // the worker dropped its images
      await this.save('spec', spec);
      await this.setDraft(null);
    }
    this.trained = true;
    this.result = null;
    await this.save('result', undefined);
    await this.save('weights', bytes);
    if (adopted) this.emit('spec-changed', { spec: this.spec, info: this.info });
    this.emit('model-loaded', {});
  }

  // ---- spec ----
  // Checks a spec, and when it is good applies it to the worker and keeps it.
  async setSpec(text) {
    this.writable();
    const report = await this.checkSpec(text);
    if (!report.ok) {
      if (!this.training) await this.setDraft({ text, report });
      return report;
    }
    await this.setDraft(null);
    if (text === this.spec) return report;
    const applied = await this.applySpec(text);
    if (applied.ok) await this.forgetWeights();
    return { ...report, ...applied };
  }

  // A refused spec is kept (persisted) so the typed text is never lost, and training is
  // refused until it is fixed or reverted: the student meant that model, not the old one.
  async setDraft(d) {
    if (!d && !this.draft) return;
    if (this.readOnly) return;  // an editor's check in a tab that only shows the project
    this.draft = d;
    await this.save('specDraft', d ?? undefined);
    this.emit('draft-changed', { draft: d });
  }

  // The engine's report with the project's class rule, in one call.
  async checkSpec(text) {
    return this.refuseWhileTraining(await this.engine.call('checkSpec', { spec: text, classes: this.classes.length }));
  }

  // A good report becomes a refusal while training runs: the worker's model is in use.
  refuseWhileTraining(report) {
    if (!report.ok || !this.training) return report;
    return { ...report, ok: false, error_layer: -1, error_field: '', error: TRAINING_REFUSAL };
  }

  // persist: false when the text is what is stored already (loading).
  async applySpec(text, { persist = true } = {}) {
    let info;
    try {
      info = await this.engine.call('setSpec', { spec: text, seed: this.settings.seed });
    } catch (e) {
      return { ok: false, error_layer: -1, error_field: '', error: e.message };
    }
    const oldInput = JSON.stringify(this.info?.input);
    this.spec = text;
    this.info = info;
    this.trained = false;
    if (JSON.stringify(info.input) !== oldInput) this.imagesChanged(true);  // the worker dropped its images
    if (persist) await this.save('spec', text);
    this.emit('spec-changed', { spec: text, info });
    return { ok: true, ...info };
  }

  async forgetWeights() {
    if (this.trained || this.result) {
      this.trained = false;
      this.result = null;
      this.modelProblem = '';
      await this.save('weights', undefined);
      await this.save('result', undefined);
    }
  }

  // ---- training results ----
  weightsMetadata() { return { classes: this.classes.map((c) => c.name) }; }

  // An epoch ended mid-run: keep its weights and curves as an interrupted result, which the
  // run's end (trainingFinished) replaces. Only storage changes: this session goes on training.
  // The writes are chained in epoch order (a late one can never overwrite a newer one) and
  // counted in pendingWrites until both are on disk, so closing the tab warns first. Epochs
  // that end faster than the disk writes are coalesced: at most one write waits behind the one
  // in flight, and a newer epoch replaces the waiting one (tiny epochs never flood the disk).
  checkpoint(bytes, result) {
    const waiting = this.queuedCheckpoint;
    this.queuedCheckpoint = { bytes, result };
    if (waiting) return this.pendingCheckpoint;
    this.writes++;
    this.pendingCheckpoint = (this.pendingCheckpoint ?? Promise.resolve()).catch(() => {}).then(async () => {
      const { bytes, result } = this.queuedCheckpoint;
      this.queuedCheckpoint = null;
      await this.save('weights', bytes);
      await this.save('result', { ...result, stopped: true, interrupted: true, classes: this.classes.map((c) => c.name), spec: this.spec });
    }).finally(() => { this.writes--; });
    return this.pendingCheckpoint;
  }

  // result.diverged: core's message when the run stopped because the loss or the weights
  // stopped being finite; the worker then holds the last good epoch's weights (none when no
  // epoch ended, then nothing is kept as a model).
  async trainingFinished(result) {
    await this.pendingCheckpoint?.catch(() => {});
    const nothing = result.diverged && !result.history.length;
    const run = makeRun({ settings: this.settings, summary: this.runSummary(), history: result.history, stopped: result.stopped && !result.diverged ? 'stop' : undefined }, this.rules);
    this.result = { ...result, classes: this.classes.map((c) => c.name), spec: this.spec, run_at: run.at };
    this.modelProblem = '';
    if (result.history.length) {
      this.runs = addRun(this.runs, run, this.rules);
      await this.save('runs', this.runs);
    }
    if (nothing) {
      this.trained = false;
      await this.save('weights', undefined);
    } else {
      const bytes = await this.engine.call('save', { metadata: this.weightsMetadata() });
      this.trained = true;
      await this.save('weights', bytes);
    }
    await this.save('result', this.result);
    this.emit('model-trained', { history: result.history });
  }

  // A run cut off by a reload (or a closed tab) left only its checkpoint (an interrupted result
  // with no run_at): it joins the runs compared, marked as cut off at its last epoch, once, when
  // the project reopens. Its settings are the project's (they cannot change while training) and
  // its model the stored spec the checkpoint was trained with (result.spec).
  async keepInterruptedRun() {
    const r = this.result;
    if (!r?.interrupted || r.run_at !== undefined || !r.history?.length || r.spec !== this.spec) return;
    const run = makeRun({ settings: this.settings, summary: this.runSummary(), history: r.history, stopped: 'reload' }, this.rules);
    this.runs = addRun(this.runs, run, this.rules);
    this.result = { ...r, run_at: run.at };
    await this.save('runs', this.runs);
    await this.save('result', this.result);
  }

  // The model as a run remembers it: {params, layers: ["conv 8", ...]}.
  runSummary() { return specSummary(this.spec, this.info, this.rules); }

  // The runs before the one shown: all kept runs but the current result's own.
  earlierRuns() {
    const at = this.result?.run_at;
    return this.runs.filter((r) => r.at !== at);
  }
}
