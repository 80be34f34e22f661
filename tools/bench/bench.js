// Entry of the benchmark page: runs the suite named in the URL and leaves the result in
// globalThis.benchResult (or benchError) for tools/bench/run.mjs to collect.
//   ?suite=convlab | convlab-mt | peak | tfjs-cpu | tfjs-wasm&threads=N | convnetjs
//   &reps=3&min=0.4&quick=1
import { runConvLab, runPeak } from './convlab-suite.js';
import { runConvNetJs } from './convnetjs-suite.js';
import { runTfjs } from './tfjs-suite.js';

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

const name = q.get('suite');
if (suites[name]) {
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
