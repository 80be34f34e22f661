// Issue 13's goals, judged from make bench's results: which figure each goal reads, its
// threshold, and whether this run met it. Pure functions of the JSON run.mjs writes (no I/O),
// so that e2e/bench-goals.spec.js can check the verdicts on made-up runs: this table decides
// whether the issue is done, and a slip here (a ratio of medians instead of the median of
// within-rep ratios, a threshold off) would pass or fail it silently.

// The interleaved run's workloads, in the order of the tables.
export const IWORKLOADS = ['A', 'B', 'default'];

// Median over reps of f(rep) (a ratio taken within each rep), with the range; null when no rep
// gives a finite figure (a cell that was not measured, or an engine that failed).
export function perRep(reps, f) {
  const v = reps.map(f).filter((x) => Number.isFinite(x));
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b), n = s.length;
  return { median: n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]), min: s[0], max: s[n - 1], n };
}

// engine x ÷ engine y on one cell ('A/infer32'), within each rep of the interleaved run `il`.
export function repRatio(il, cell, x, y) {
  return perRep(il.reps, (r) => r[cell]?.[x] / r[cell]?.[y]);
}

const netName = (w) => (w === 'default' ? 'default net' : `workload ${w}`);

// Every goal of issue 13 as { goal, q (perRep of its figure, or null), min, met }, plus `text`
// for the two whose figure is not one ratio (the page's training rounds, the thread count).
// `il`: results.browser.interleaved; `page`: results.browser.page (may be missing or failed).
export function issue13Goals(il, page) {
  const rows = [];
  const ratioGoal = (goal, q, min) => rows.push({ goal, q, min, met: !!q && q.median >= min });
  for (const w of IWORKLOADS)
    ratioGoal(`32-image inference ≥ 1.5× TF.js wasm SIMD, 1 thread, ${netName(w)}`, repRatio(il, `${w}/infer32`, 'convlab-1t', 'tfjs-wasm-1t'), 1.5);
  for (const w of IWORKLOADS)
    ratioGoal(`32-image inference on 2 threads ≥ 1.8× ConvLab's 1 thread, ${netName(w)}`, repRatio(il, `${w}/infer32`, 'convlab-2t', 'convlab-1t'), 1.8);
  ratioGoal('one-image inference on 2 threads ≥ 1.6× 1 thread, default net', repRatio(il, 'default/infer1', 'convlab-2t', 'convlab-1t'), 1.6);
  if (page && !page.error) {
    const q = perRep(page.rounds, (x) => x.ratio);
    rows.push({
      goal: `the page's training ≥ 0.85× the engine's on the same net (the real page: ${page.images} stored images of the default net, 3 classes, Train clicked 2 s after the last image was stored, timed to the last epoch's progress; ${page.epochs} epochs, batch ${page.batch}, ${page.threads} threads, validation included in both)`,
      q, min: 0.85, met: !!q && q.median >= 0.85, rounds: page.rounds,
    });
  } else {
    rows.push({ goal: "the page's training within 15% of the engine's", q: null, min: 0.85, met: false,
      text: page ? `failed: ${page.error.split('\n')[0]}` : 'not measured' });
  }
  const mt = il.engines?.['convlab-2t'] ?? {};
  const cores = mt.hardware_concurrency;
  rows.push({
    goal: 'threads: the pool sized from navigator.hardwareConcurrency, capped at 8',
    q: null, min: null,
    met: Number.isInteger(cores) && cores > 0 && mt.threads_default === Math.min(8, cores),
    text: `the threaded module started with ${mt.threads_default ?? '?'} threads, hardwareConcurrency ${cores ?? '?'} (the page's status line says the count)`,
  });
  return rows;
}
