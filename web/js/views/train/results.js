// The Train tab's results: loss and accuracy curves per epoch (train and validation), and at
// the end a confusion matrix with per-class accuracy.
import { h, fill } from '../../dom.js';
import { pct } from '../../format.js';
import { lineChart } from '../../charts.js';
import { runLegend } from '../../runs.js';
import { confusionTable, CELL_HINT } from '../confusion-table.js';

// Earlier runs' validation curves, faint, one shade each (the oldest palest).
const EARLIER = ['#c3cad6', '#a9b3c4', '#8f9bb1', '#75849e', '#5b6d8b'];

// onCell(row, col): a validation confusion cell chosen (click or Enter) (its images: the test set panel's drilldown).
export function createResults({ onCell } = {}) {
  const lossCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Loss per epoch' });
  const accCanvas = h('canvas', { class: 'chart', role: 'img', 'aria-label': 'Accuracy per epoch' });
  const legend = (a, b) => h('div', { class: 'legend' }, h('span', { class: 'key train' }, a), h('span', { class: 'key val' }, b));
  const matrix = h('div', { class: 'table-scroll', id: 'val-confusion-wrap' });
  const caption = h('p', { class: 'hint', id: 'confusion-caption' });
  const summary = h('p', { class: 'hint', id: 'confusion-summary' });
  const perClass = h('ul', { class: 'per-class', id: 'per-class' });
  // the earlier runs overlaid, each named by what changed from it to the current run
  // (a box of its own under both charts, with a visible title: a bare list on the page's
  // background read as stray text, and its wrapped lines ran under the swatches)
  const runsLegend = h('ul', { class: 'runs-legend', id: 'runs-legend', 'aria-labelledby': 'runs-legend-title', hidden: true });
  const runsBox = h('div', { class: 'runs-box', hidden: true },
    h('p', { class: 'runs-title', id: 'runs-legend-title' }, 'Earlier runs, the faint lines under the validation curves (what changed since each):'),
    runsLegend);
  const charts = h('div', { class: 'charts' },
    h('div', { class: 'panel' }, h('h3', {}, 'Loss'), legend('train', 'validation'), lossCanvas),
    h('div', { class: 'panel' }, h('h3', {}, 'Accuracy'), legend('train', 'validation'), accCanvas),
    runsBox);
  let earlier = [];  // [{run, color}] overlaid

  // runs: the earlier runs to overlay (records.readRuns' shape); current: {settings, summary}
  // of the run shown, to say what changed.
  function compare(runs, current) {
    const list = runs.slice(-EARLIER.length);
    earlier = list.map((run, i) => ({ run, color: EARLIER[EARLIER.length - list.length + i] }));
    drawn = '';  // other faint lines: draw again
    runsLegend.hidden = runsBox.hidden = !earlier.length;
    fill(runsLegend, earlier.map(({ run, color }, i) =>
      h('li', { class: 'key run', style: `--key: ${color}` }, runLegend(run, current, i))));
  }
  const panel = h('div', { class: 'panel results', hidden: true },
    h('h3', {}, 'Where it goes wrong'),
    caption,
    h('div', { class: 'results-grid' }, h('div', {}, matrix, summary), perClass));

  // The charts' text equivalents: the figures a reader would take from the picture.
  function describe(history) {
    const last = history.at(-1);
    const f = (v, as) => (v === null || v === undefined || !Number.isFinite(v) ? 'none' : as(v));
    const num = (v) => v.toFixed(3);
    if (!last) {
      lossCanvas.setAttribute('aria-label', 'Loss per epoch: no epoch yet');
      accCanvas.setAttribute('aria-label', 'Accuracy per epoch: no epoch yet');
      return;
    }
    const first = history[0];
    lossCanvas.setAttribute('aria-label', `Loss per epoch, ${history.length} epoch(s): training loss ${f(first.train_loss, num)} after epoch 1, ${f(last.train_loss, num)} after the last; validation loss ${f(last.val_loss, num)} after the last`);
    accCanvas.setAttribute('aria-label', `Accuracy per epoch, ${history.length} epoch(s): training accuracy ${f(last.train_acc, pct)}, validation accuracy ${f(last.val_acc, pct)} after the last epoch`);
  }

  // Drawn when there is something new to draw: progress comes ten times a second, an epoch's
  // point far less often, and on a two-core machine every redraw of the page is time the
  // engine's threads do not get.
  let drawn = '';
  function curves(history, epochs) {
    // (the size too: drawn while the tab was hidden, the charts are drawn again once it shows)
    const key = `${history.length}|${epochs}|${earlier.length}|${JSON.stringify(history.at(-1) ?? null)}|${lossCanvas.clientWidth}x${accCanvas.clientWidth}`;
    if (key === drawn) return;
    drawn = key;
    describe(history);
    const span = Math.max(epochs, ...earlier.map((e) => e.run.history.length));
    lossCanvas.dataset.epochs = accCanvas.dataset.epochs = String(span);  // the x axis's extent (tests read it)
    const faint = (key) => earlier.map(({ run, color }) => ({ label: 'earlier', color, width: 1.5, dots: false, values: run.history.map((e) => e[key]) }));
    lineChart(lossCanvas, [
      ...faint('val_loss'),
      { label: 'train', color: '#3b5bdb', values: history.map((e) => e.train_loss) },
      { label: 'validation', color: '#e8590c', dashed: true, values: history.map((e) => e.val_loss) },
    ], { epochs: span });
    lineChart(accCanvas, [
      ...faint('val_acc'),
      { label: 'train', color: '#3b5bdb', values: history.map((e) => e.train_acc) },
      { label: 'validation', color: '#e8590c', dashed: true, values: history.map((e) => e.val_acc) },
    ], { epochs: span, yMax: 1, percent: true });
  }

  // r: the project's result, or null (then empty curves over `epochs`).
  function show(r, epochs) {
    if (!r) {
      panel.hidden = true;
      curves([], epochs);
      return;
    }
    // a run ended early spans the epochs it ran, not the ones planned (4 of 500 squeezed into
    // the left edge showed nothing)
    curves(r.history, r.stopped ? r.history.length : r.epochs ?? r.history.length);
    const n = r.classes.length;
    if (!r.confusion || r.confusion.length !== n * n || !r.history.length) { panel.hidden = true; return; }
    panel.hidden = false;
    fill(matrix, confusionTable({ matrix: r.confusion, names: r.classes, id: 'val-confusion', label: 'Validation confusion matrix', onCell }));
    summary.textContent = confusionText(r.confusion, r.classes);
    caption.textContent =
      `On the ${r.val_size ? `${r.val_size} validation` : `${r.train_size} training`} images: rows are the true class, columns what the network said. ${onCell ? CELL_HINT : ''}`;
    fill(perClass, r.classes.map((name, i) => {
      const row = r.confusion.slice(i * n, i * n + n);
      const sum = row.reduce((a, b) => a + b, 0);
      const acc = sum ? row[i] / sum : null;
      return h('li', {}, h('span', { class: 'name' }, name),
        h('span', { class: 'bar' }, h('span', { style: { width: `${(acc ?? 0) * 100}%` } })),
        h('span', { class: 'value' }, acc === null ? 'no images' : `${pct(acc)} (${row[i]}/${sum})`));
    }));
  }

  // "Confusion matrix: 7 of 8 right; most confused: Cat taken for Coffee 1 time(s)"
  function confusionText(m, names) {
    const n = names.length;
    let right = 0, total = 0, worst = null;
    for (let t = 0; t < n; t++) {
      for (let p = 0; p < n; p++) {
        const v = m[t * n + p];
        total += v;
        if (t === p) right += v;
        else if (v > 0 && (!worst || v > worst.v)) worst = { t, p, v };
      }
    }
    return `Confusion matrix: ${right} of ${total} images classified right; ${worst ? `most confused: ${names[worst.t]} taken for ${names[worst.p]} ${worst.v} time(s)` : 'no mistakes'}. The per-class list has each class's figures.`;
  }

  return { charts, panel, curves, show, compare, hide() { panel.hidden = true; } };
}
