// Entry of the benchmark page: runs the suite named in the URL and leaves the result in
// globalThis.benchResult (or benchError) for tools/bench/run.mjs to collect.
//   ?suite=convlab | convlab-mt | peak | tfjs-cpu | tfjs-wasm&threads=N | convnetjs
//   &reps=3&min=0.4&quick=1
// or, for the interleaved run, ?serve=convlab | convlab-mt&threads=N | tfjs-wasm&threads=N: sets up
// the engine, then globalThis.benchServe = {info, rep(workload, what, batch, minSeconds)}; or
// ?serve=probe: {info, probe(seconds)}, the machine's f32x4 GFLOP/s on 1 worker and on 2.
import { runConvLab, runPeak, serveConvLab, serveProbe } from './convlab-suite.js';
import { runConvNetJs } from './convnetjs-suite.js';
import { runTfjs, serveTfjs } from './tfjs-suite.js';

const q = new URLSearchParams(location.search);
const opts = { reps: Number(q.get('reps') || 3), minSeconds: Number(q.get('min') || 0.4), quick: q.get('quick') === '1' };
const logEl = document.getElementById('log');
const log = (line) => {
  logEl.textContent += `${line}\n`;
  console.log(line);
};

const suites = {
  convlab: () => runConvLab('convlab', opts, log),
  'convlab-mt': () => runConvLab('convlab-mt', opts, log),
  peak: () => runPeak(opts),
  'tfjs-cpu': () => runTfjs('cpu', 1, opts, log),
  'tfjs-wasm': () => runTfjs('wasm', Number(q.get('threads') || 1), opts, log),
  convnetjs: () => runConvNetJs(opts, log),
};

const servers = {
  convlab: () => serveConvLab('convlab', 1),
  'convlab-mt': () => serveConvLab('convlab-mt', Number(q.get('threads') || 2)),
  'tfjs-wasm': () => serveTfjs(Number(q.get('threads') || 1)),
  probe: () => serveProbe(),
};

const name = q.get('suite');
const serve = q.get('serve');
if (serve) {
  const start = () => (servers[serve] ? servers[serve]() : Promise.reject(new Error(`unknown server "${serve}"`))).then(
    (s) => (globalThis.benchServe = s),
    (e) => (globalThis.benchError = String((e && e.stack) || e)),
  );
  if (document.readyState === 'complete') start();
  else addEventListener('load', () => setTimeout(start, 0), { once: true });
} else if (suites[name]) {
  // After the load event: the synchronous peers would otherwise hold it back.
  const start = () => suites[name]().then(
    (r) => (globalThis.benchResult = r),
    (e) => (globalThis.benchError = String((e && e.stack) || e)),
  );
  if (document.readyState === 'complete') start();
  else addEventListener('load', () => setTimeout(start, 0), { once: true });
} else {
  globalThis.benchError = `unknown suite "${name}": use one of ${Object.keys(suites).join(', ')}`;
}
