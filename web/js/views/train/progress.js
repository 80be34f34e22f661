// The Train tab's progress: the bar, the line saying where the run is (epoch, images/s,
// time left) or how the last one ended, and the data summary.
import { h } from '../../dom.js';
import { pct, plural } from '../../format.js';
import { createAnnouncer } from '../../announce.js';

export function createProgress() {
  const bar = h('progress', { id: 'train-progress', max: 1, value: 0, 'aria-label': 'Training progress' });
  // the line changes many times a second while training: screen readers hear the epoch
  // through the announcer (at most every 5 s) and how the run ended at once
  const text = h('p', { id: 'train-progress-text', class: 'progress-text' }, 'Not trained yet.');
  const announcer = createAnnouncer({ gap: 5000, id: 'train-announce' });
  const summary = h('p', { class: 'hint', id: 'train-data-summary' });

  // p: the worker's progress; secs: the run's training time so far.
  function live(p, secs) {
    const total = p.epochs * p.train_size;
    const seen = p.images_seen;
    const rate = secs > 0 ? seen / secs : 0;
    const left = rate > 0 ? Math.max(0, (total - seen) / rate) : NaN;
    bar.value = total ? seen / total : 0;
    text.classList.remove('error');  // a new run: the last one's problem is history
    const epochNow = Math.min(p.epochs, p.epoch + (p.done ? 0 : 1));
    text.textContent = p.done
      ? `Done: ${p.epochs} epochs, ${seen} images in ${secs.toFixed(1)} s (${Math.round(rate)} images/s).`
      : `Epoch ${epochNow} of ${p.epochs} · ${Math.round(rate)} images/s · ${Number.isFinite(left) ? `${Math.ceil(left)} s left` : 'estimating…'}`;
    if (p.done) announcer.final(text.textContent);
    else announcer.say(`Training: epoch ${epochNow} of ${p.epochs}`);
    summary.textContent = `${plural(p.train_size, 'training image')}, ${plural(p.val_size, 'validation image')}, ${plural(p.steps_per_epoch, 'step')} per epoch.`;
  }

  // How the last run ended (r: the project's result, or null; problem: why the stored
  // model could not be used, which is said instead of what the curves would suggest).
  function final(r, trained, problem = '') {
    ending(r, trained, problem);
    announcer.final(text.textContent);
  }

  function ending(r, trained, problem) {
    text.classList.toggle('error', !!problem || !!r?.diverged);
    if (problem) {
      bar.value = 0;
      text.textContent = problem;
      return;
    }
    if (!r) {
      bar.value = 0;
      text.textContent = trained ? 'Trained.' : 'Not trained yet.';
      return;
    }
    if (r.diverged) {
      bar.value = 0;
      text.textContent = `${r.diverged[0].toUpperCase()}${r.diverged.slice(1)}`;
      return;
    }
    if (!trained) {
      bar.value = 0;
      text.textContent = 'Not trained yet: the curves below are of a run whose model was not kept.';
      return;
    }
    if (!r.stopped) bar.value = 1;
    const last = r.history.at(-1);
    if (!last) { text.textContent = 'Stopped before the first epoch ended: the model is barely trained.'; return; }
    const how = r.interrupted ? 'Training was interrupted (the page was closed or reloaded); kept the model' : r.stopped ? 'Stopped' : 'Trained';
    text.textContent = `${how} after ${r.history.length} epoch(s): training accuracy ${pct(last.train_acc)}${last.val_acc === null ? '' : `, validation accuracy ${pct(last.val_acc)}`}.`;
  }

  return {
    bar, text, summary, live, final, announce: announcer.el,
    say(t) { text.textContent = t; announcer.final(t); },
    append(t) { text.textContent += t; announcer.final(text.textContent); },
  };
}
