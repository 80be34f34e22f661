// Earlier training runs kept for comparison (issue 15): the last rules.runs.kept runs, each with
// its settings, a summary of its model and its validation curves, so the Train tab can overlay
// them faintly and name what changed ("lr 0.001 -> 0.01, flip on, conv 8 -> 16").
// The record (project kv 'runs', runs.json in the .convlab file: a few KB) is checked on read
// by records.readRuns.

const SHORT = { learning_rate: 'lr', batch_size: 'batch', weight_decay: 'decay' };

// One layer in a few characters: "conv 8", "linear 32", "relu", "maxpool".
function layerLabel(l) {
  const t = String(l?.type ?? '?').replace(/2d$/, '');
  const n = l?.out_channels ?? l?.out_features;
  return Number.isInteger(n) ? `${t === 'conv' ? 'conv' : t} ${n}` : t;
}

// {params, layers: ["conv 8", ...]} of a spec text (and the engine's info for the count).
export function specSummary(specText, info, rules) {
  let layers = [];
  try { layers = JSON.parse(specText)?.layers ?? []; } catch { /* an unreadable spec: no layers */ }
  if (!Array.isArray(layers)) layers = [];
  return { params: Number.isInteger(info?.params) ? info.params : 0, layers: layers.slice(0, rules.runs.layers_kept).map(layerLabel) };
}

// A run as kept: its settings (numbers, booleans and short strings only), summary and
// validation curves (at most rules.runs.epochs_kept epochs). A run that ended before its planned
// epochs says where: stopped "stop" (the Stop button) or "reload" (the page was closed or
// reloaded mid-run; the run is kept from its last checkpoint when the project reopens), at
// epoch history.length.
export function makeRun({ settings, summary, history, at = Date.now(), stopped }, rules) {
  const s = {};
  for (const [k, v] of Object.entries(settings ?? {})) if (['number', 'boolean', 'string'].includes(typeof v)) s[k] = v;
  const h = (history ?? []).slice(0, rules.runs.epochs_kept).map((e) => ({ val_loss: e.val_loss ?? null, val_acc: e.val_acc ?? null, train_loss: e.train_loss, train_acc: e.train_acc }));
  return { at, settings: s, summary, history: h, ...(stopped ? { stopped: { by: stopped, epoch: (history ?? []).length } } : {}) };
}

// How a run ended early, for its legend: "stopped at epoch 4", "cut off by a reload at epoch 4", or ''.
export function stoppedText(run) {
  if (!run.stopped) return '';
  return `${run.stopped.by === 'reload' ? 'cut off by a reload' : 'stopped'} at epoch ${run.stopped.epoch}`;
}

// runs with `run` appended, the oldest dropped beyond rules.runs.kept.
export function addRun(runs, run, rules) {
  return [...(runs ?? []), run].slice(-rules.runs.kept);
}

const show = (v) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

// What differs from `from` to `to`: ["lr 0.001 -> 0.01", "flip on", "conv 8 -> 16"], or [].
export function runChanges(from, to) {
  const out = [];
  const keys = new Set([...Object.keys(from.settings), ...Object.keys(to.settings)]);
  for (const k of keys) {
    if (k === 'seed') continue;
    const a = from.settings[k], b = to.settings[k];
    if (a === b) continue;
    const name = SHORT[k] ?? k.replace(/_/g, ' ');
    if (typeof b === 'boolean' && (a === undefined || typeof a === 'boolean')) out.push(`${name} ${show(b)}`);
    else out.push(`${name} ${a === undefined ? '?' : show(a)} -> ${b === undefined ? '?' : show(b)}`);
  }
  const la = from.summary.layers, lb = to.summary.layers;
  if (la.length === lb.length) {
    la.forEach((l, i) => {
      if (l === lb[i]) return;
      const [ta, na] = l.split(' '), [tb, nb] = lb[i].split(' ');
      out.push(ta === tb && na && nb ? `${ta} ${na} -> ${nb}` : `layer ${i + 1} ${l} -> ${lb[i]}`);
    });
  } else out.push(`${la.length} -> ${lb.length} layers`);
  return out;
}

// The legend text of an earlier run: what changed from it to the current one,
// "run 1: lr 0.01 -> 0.001, flip on", or "run 1: same settings".
// A run stopped early says so first: "run 2 (cut off by a reload at epoch 4): same settings".
export function runLegend(earlier, current, index) {
  const c = runChanges(earlier, current);
  const early = stoppedText(earlier);
  return `run ${index + 1}${early ? ` (${early})` : ''}: ${c.length ? c.join(', ') : 'same settings'}`;
}
