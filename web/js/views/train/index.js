// The Train tab: the settings (settings.js), start / pause / stop (run.js), progress
// (progress.js), and the curves and confusion matrix (results.js), wired together here.
import { h } from '../../dom.js';
import { createSettings } from './settings.js';
import { createProgress } from './progress.js';
import { createResults } from './results.js';
import { createRun } from './run.js';
import { createModelFiles } from '../../model-files.js';

export function mountTrain(root, ctx) {
  const { project, events } = ctx;
  const settings = createSettings(ctx);
  const progress = createProgress();
  const results = createResults({ onCell: (row, col) => events.dispatchEvent(new CustomEvent('validation-cell', { detail: { row, col } })) });
  const run = createRun(ctx, { settings, progress, results, onFinish: () => showResult() });
  const files = createModelFiles(ctx, 'train');  // Download model / Load model
  const next = h('p', { class: 'next-step', hidden: true }, h('a', { href: '#predict' }, 'Next: try it live →'));

  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'Train the network'),
      h('p', { class: 'lead' }, 'The engine learns the filters and weights from your examples. Watch the loss fall and the accuracy rise; the validation curve shows how it does on images it never trained on.'))),
    h('div', { class: 'train-layout' }, settings.form,
      h('div', { class: 'train-main' },
        h('div', { class: 'panel' },
          h('div', { class: 'row' }, ...run.buttons),
          progress.bar, progress.text, progress.announce, progress.summary, run.message, next),
        results.charts,
        results.panel,
        h('div', { class: 'panel' }, files.panel))));

  const idle = () => project.trainingState === 'idle';

  // The project's last result (or none), shown while no run is under way.
  function showResult() {
    next.hidden = !(idle() && project.trained);
    if (idle()) run.render();
    progress.final(project.result, project.trained, project.modelProblem);
    results.compare(project.earlierRuns(), project.runs.find((r) => r.at === project.result?.run_at) ?? { settings: project.settings, summary: project.runSummary() });
    results.show(project.result, project.settings.epochs);
  }

  events.addEventListener('training-state', () => { if (!idle()) next.hidden = true; });
  events.addEventListener('view-shown', (e) => { if (e.detail.view === 'train' && idle()) showResult(); });
  for (const ev of ['spec-changed', 'classes-changed', 'model-loaded']) events.addEventListener(ev, () => { if (idle()) showResult(); });
  // another project, or this one re-read after another tab's change
  events.addEventListener('project-loaded', () => { settings.show(); if (idle()) showResult(); });
  settings.show();
  run.setState('idle');
  showResult();
}
