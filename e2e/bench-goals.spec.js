// Issue 13's done-when is make bench's goals table, so the code that judges it is tested here on
// made-up runs (no browser), as is `run.mjs --report`, which prints a saved run's tables and so
// reads a file someone points it at. tools/bench/goals.mjs takes each ratio within a rep and its median
// over reps, compares it with the goal's threshold, and reads the page's rounds and the thread
// count. Each run below is built so that a plausible slip (ratio of medians, mean instead of
// median, >= read as >, a failed engine counted as met) gives a different verdict.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const goalsUrl = pathToFileURL(path.join(__dirname, '..', 'tools', 'bench', 'goals.mjs')).href;
const load = () => import(goalsUrl);

const CELLS = ['A/infer32', 'B/infer32', 'default/infer32', 'default/infer1'];

// An interleaved run where, in every cell, convlab-1t runs `one[rep]` images/s, convlab-2t
// `two[rep]` and tfjs-wasm-1t `tf[rep]`.
function run({ one, two, tf, threads = 2, cores = 2 }) {
  const reps = one.map((_, i) => Object.fromEntries(CELLS.map((c) => [c, { 'convlab-1t': one[i], 'convlab-2t': two[i], 'tfjs-wasm-1t': tf[i] }])));
  return { engines: { 'convlab-2t': { threads_default: threads, hardware_concurrency: cores } }, reps };
}
const page = (ratios) => ({ images: 3000, epochs: 3, batch: 16, threads: 2, rounds: ratios.map((ratio) => ({ ratio })) });
const verdicts = (rows) => rows.map((r) => r.met);

test('perRep: the median of the finite figures, odd and even counts, with the range', async () => {
  const { perRep } = await load();
  expect(perRep([3, 1, 2], (x) => x)).toEqual({ median: 2, min: 1, max: 3, n: 3 });
  expect(perRep([4, 1, 3, 2], (x) => x)).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
  // a rep whose engine failed (undefined / undefined) is left out, not counted as 0
  expect(perRep([{ a: 2, b: 1 }, {}, { a: 6, b: 2 }], (r) => r.a / r.b)).toEqual({ median: 2.5, min: 2, max: 3, n: 2 });
  expect(perRep([{}, {}], (r) => r.a / r.b)).toBeNull();
});

test('the 2-thread goals read the median of the ratios taken within each rep, not the ratio of the medians', async () => {
  const { issue13Goals } = await load();
  // 2t ÷ 1t per rep: 1.9, 1.9, 0.65 (a rep the second core was away): the median 1.9 meets the
  // 1.8 goals; the medians' ratio, 1950 ÷ 1100 = 1.77, and the mean, 1.48, would miss them
  const rows = issue13Goals(run({ one: [1000, 1100, 3000], two: [1900, 2090, 1950], tf: [500, 500, 500] }), page([0.9, 0.9]));
  expect(rows).toHaveLength(9);
  expect(rows[3].q.median).toBeCloseTo(1.9, 12);
  expect(verdicts(rows)).toEqual([true, true, true, true, true, true, true, true, true]);
  // ratios 1.0, 1.85, 1.9: the mean (1.58) would miss 1.6 and 1.8, the median (1.85) meets both
  const r2 = issue13Goals(run({ one: [1000, 1000, 1000], two: [1000, 1850, 1900], tf: [500, 500, 500] }), page([0.9]));
  expect(verdicts(r2).slice(3, 7)).toEqual([true, true, true, true]);
});

test('each goal has its own threshold, and a figure exactly on it is met', async () => {
  const { issue13Goals } = await load();
  // 1t ÷ TF.js exactly 1.5 (met); 2t ÷ 1t exactly 1.6: the one-image goal met, the 32-image
  // goals (1.8) missed; the page's 0.85 met
  const rows = issue13Goals(run({ one: [1500], two: [2400], tf: [1000] }), page([0.85]));
  expect(verdicts(rows)).toEqual([true, true, true, false, false, false, true, true, true]);
  expect(rows.map((r) => r.min)).toEqual([1.5, 1.5, 1.5, 1.8, 1.8, 1.8, 1.6, 0.85, null]);
  // just under each threshold: all missed but the thread count
  const under = issue13Goals(run({ one: [1499], two: [2398], tf: [1000] }), page([0.84]));
  expect(verdicts(under)).toEqual([false, false, false, false, false, false, false, false, true]);
});

test('a failed or missing measurement is missed, never met', async () => {
  const { issue13Goals } = await load();
  const il = run({ one: [1000], two: [2000], tf: [500] });
  delete il.reps[0]['default/infer1']['convlab-2t'];  // the 2-thread engine failed on one cell
  const rows = issue13Goals(il, { error: 'Error: timed out\n  at stack' });
  expect(rows[6].q).toBeNull();
  expect(rows[6].met).toBe(false);
  expect(rows[7]).toMatchObject({ met: false, text: 'failed: Error: timed out' });
  expect(issue13Goals(il, undefined)[7]).toMatchObject({ met: false, text: 'not measured' });
});

test('the thread count is met only when the pool took min(8, hardwareConcurrency)', async () => {
  const { issue13Goals } = await load();
  const at = (threads, cores) => issue13Goals(run({ one: [1], two: [2], tf: [1], threads, cores }), page([1]))[8].met;
  expect(at(2, 2)).toBe(true);
  expect(at(8, 16)).toBe(true);
  expect(at(2, 4)).toBe(false);  // a pool fixed at 2 on a 4-core machine
  expect(at(16, 16)).toBe(false);  // not capped
  expect(at(null, null)).toBe(false);  // the engine did not say
});

// A saved run as run.mjs writes build/bench.json, with only the interleaved run and the page's
// training measured (the other sections print as not measured).
function savedRun(il, pg) {
  return { date: '2026-12-07T00:00:00.000Z', quick: false, reps: il.reps.length, batch: 32, optimizer: 'SGD',
    machine: { cpu: 'test', cores: 2 }, default_net: { source: 'test', spec: '' },
    browser: { interleaved: il, page: pg }, load: { text: 'test' }, seconds: 1 };
}
// The page's training rounds as run.mjs records them: the page's and the engine's figures.
const pageRounds = (ratios) => ({ ...page(ratios), rounds: ratios.map((ratio) => ({
  ratio, page: { images_per_s: 1000 * ratio, seconds: 1 / ratio, upload_seconds: 0.1 }, engine: { images_per_s: 1000, seconds: 1 } })) });
function report(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
  const file = path.join(dir, 'bench.json');
  if (text !== null) fs.writeFileSync(file, text);
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'tools', 'bench', 'run.mjs'), '--report', file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { file, code: r.status, out: r.stdout, err: r.stderr };
}

test('run.mjs --report prints a saved run\'s goals table with the verdicts goals.mjs gives', async () => {
  const r = report(JSON.stringify(savedRun(run({ one: [1000, 1100, 3000], two: [1900, 2090, 1950], tf: [500, 500, 500] }), pageRounds([0.9, 0.8]))));
  expect(r.code, r.err).toBe(0);
  expect(r.out).toContain('| one-image inference on 2 threads ≥ 1.6× 1 thread, default net | 1.90× (reps 0.65–1.90) | met |');
  // the page's rounds 0.9 and 0.8: median 0.85, met
  expect(r.out).toMatch(/median ratio 0\.85× \| met \|/);
});

test('run.mjs --report refuses a missing, cut, foreign or broken file by name, and prints no table', async () => {
  const whole = JSON.stringify(savedRun(run({ one: [1000], two: [2000], tf: [500] }), pageRounds([0.9])));
  const broken = savedRun(run({ one: [1000], two: [2000], tf: [500] }), pageRounds([0.9]));
  broken.browser.interleaved.reps = [];  // an interleaved run with no rep in it
  for (const [text, why] of [[null, 'no such file'], [whole.slice(0, whole.length / 2), 'not JSON'], ['{}', 'not a make bench result'],
    ['[1, 2]', 'not a make bench result'], [JSON.stringify(broken), 'not a whole make bench result']]) {
    const r = report(text);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${r.file}: ${why}`);
    expect(r.err).toContain('Give --report a build/bench.json that make bench wrote.');
    expect(r.out).not.toContain('Issue 13 goals');
  }
});
