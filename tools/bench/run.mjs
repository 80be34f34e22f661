// make bench: one run that measures everything and prints one report.
//   1. the native CLI (tools/bench.cc) with Fashion-MNIST accuracy,
//   2. the same CLI built to wasm, under node,
//   3. headless Debian Chromium (Playwright, /usr/bin/chromium): ConvLab 1 and 2 threads,
//      TensorFlow.js 4.22 cpu and wasm (SIMD, 1 and 2 threads), ConvNetJS 0.3.0, the SIMD peak,
// then prints the Markdown tables and writes build/bench.json.
//
// usage: node tools/bench/run.mjs [--native build/native] [--wasm build/wasm] [--port 8701]
//          [--out build/bench.json] [--epochs 2] [--train-limit 0] [--reps 5] [--quick]
//          [--only native|node|browser] [--suites peak,convlab-1t,...]
//          [--cells default/infer1,...] [--engines convlab-1t,convlab-2t] (interleaved suite only)
//        node tools/bench/run.mjs --report build/bench.json   (the report of a saved run, measuring nothing)
// --quick: tiny budgets, to check the harness itself (figures meaningless).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { IWORKLOADS, issue13Goals, perRep, repRatio } from './goals.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const quick = args.includes('--quick');
const only = opt('--only', 'all');
const nativeDir = resolve(root, opt('--native', 'build/native'));
const wasmDir = resolve(root, opt('--wasm', 'build/wasm'));
const port = Number(opt('--port', 8701));
const reportOnly = opt('--report', '');
const outPath = resolve(root, reportOnly || opt('--out', 'build/bench.json'));
const reps = Number(opt('--reps', quick ? 1 : 5));
const minSeconds = quick ? 0.02 : 0.4;
const epochs = opt('--epochs', quick ? '1' : '2');
const trainLimit = opt('--train-limit', quick ? '2000' : '0');
// --cells default/infer1,A/train32 and --engines convlab-1t,convlab-2t: only those interleaved
// cells and engines (a goal's figure re-measured alone; the report leaves the rest unmeasured)
const cellsWanted = opt('--cells', '') ? opt('--cells', '').split(',') : null;
const enginesWanted = opt('--engines', '') ? opt('--engines', '').split(',') : null;
const buildDir = resolve(root, 'build');
mkdirSync(buildDir, { recursive: true });

// ---- machine load: /proc/stat busy time minus the CPU time of this process tree ----
const HZ = 100;
function procStat() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { total: total / HZ, busy: (total - f[3] - f[4]) / HZ };
}
// Every process of this tree, each by its own CPU time, remembered past its exit: Chromium's
// zygotes are not always reaped by the browser process (Chromium 156 here), so a closed
// browser's time would not reach this process's cutime. Sampled every 500 ms and at each call;
// a process loses at most its last half second. Keyed by pid and start time (pids are reused).
// The CLI benches run under spawnSync, which blocks the sampler: run() adds their time instead
// (reapedCpu, from this process's cutime around each one).
const seenCpu = new Map();
let reapedCpu = 0;  // clock ticks of the benches run() waited for
// A /proc/PID/stat's fields from the state on (the name before it may hold spaces and ')'):
// [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime, [19] start time.
function statFields(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}
function childCpu() {
  const f = statFields('self');
  return Number(f[13]) + Number(f[14]);  // cutime + cstime: reaped children's time
}
function ourCpu() {
  const parent = new Map(), own = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = statFields(d);
      parent.set(Number(d), Number(f[1]));
      own.set(Number(d), [`${d}:${f[19]}`, Number(f[11]) + Number(f[12])]);
    } catch {
      /* the process ended meanwhile */
    }
  }
  for (const [pid, [key, t]] of own)
    for (let p = pid; p > 1; p = parent.get(p) || 0)
      if (p === process.pid) {
        seenCpu.set(key, t);
        break;
      }
  let sum = reapedCpu;
  for (const t of seenCpu.values()) sum += t;
  return sum / HZ;
}
setInterval(ourCpu, 500).unref();
function sample() {
  return { ...procStat(), ours: ourCpu(), load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
}
function loadLine(a, b) {
  const avail = b.total - a.total, others = Math.max(0, b.busy - a.busy - (b.ours - a.ours));
  return {
    text: `other processes used ${others.toFixed(1)} CPU-s of ${avail.toFixed(1)} available (${((100 * others) / avail).toFixed(0)}%), ` +
      `this benchmark ${(b.ours - a.ours).toFixed(1)} CPU-s; load average at the end ${b.load}`,
    others_cpu_seconds: others, available_cpu_seconds: avail, ours_cpu_seconds: b.ours - a.ours, loadavg_end: b.load,
  };
}

function run(cmd, argv) {
  console.log(`\n$ ${[cmd, ...argv].join(' ')}\n`);
  const c0 = childCpu();
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root });
  reapedCpu += childCpu() - c0;
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
}

// ---- Fashion-MNIST: Debian's idx files, gzipped or not, unpacked into build/bench-data ----
function fashionMnistDir() {
  let files = [];
  const r = spawnSync('dpkg', ['-L', 'dataset-fashion-mnist'], { encoding: 'utf8' });
  if (r.status === 0) files = r.stdout.split('\n').filter((f) => /-idx\d-ubyte(\.gz)?$/.test(f));
  if (!files.length) return null;
  const dir = join(buildDir, 'bench-data');
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const name = f.split('/').pop().replace(/\.gz$/, '');
    if (existsSync(join(dir, name))) continue;
    const bytes = readFileSync(f);
    writeFileSync(join(dir, name), f.endsWith('.gz') ? gunzipSync(bytes) : bytes);
  }
  return dir;
}

// ---- the browser site: tools/bench pages, the engine builds, the peers from node_modules ----
function assembleSite() {
  const site = join(buildDir, 'bench-site');
  rmSync(site, { recursive: true, force: true });
  mkdirSync(join(site, 'gen'), { recursive: true });
  mkdirSync(join(site, 'peers'), { recursive: true });
  const here = join(root, 'tools/bench');
  for (const f of readdirSync(here)) if (/\.(html|js)$/.test(f)) copyFileSync(join(here, f), join(site, f));
  // The bench modules (tools/bench/bench_bindings.cc on the product's two core libraries),
  // not the product's: those hold no bench binding.
  for (const f of ['convlab-bench.js', 'convlab-bench.wasm', 'convlab-bench-mt.js', 'convlab-bench-mt.wasm',
    'convlab-bench-mt.worker.js'])
    copyFileSync(join(wasmDir, 'bench', f), join(site, 'gen', f));
  const nm = join(root, 'node_modules');
  const wasmDist = join(nm, '@tensorflow/tfjs-backend-wasm/dist');
  const peers = [
    join(nm, '@tensorflow/tfjs/dist/tf.min.js'),
    join(wasmDist, 'tf-backend-wasm.min.js'),
    join(wasmDist, 'tfjs-backend-wasm.wasm'),
    join(wasmDist, 'tfjs-backend-wasm-simd.wasm'),
    join(wasmDist, 'tfjs-backend-wasm-threaded-simd.wasm'),
    join(nm, 'convnetjs/build/convnet-min.js'),
  ];
  for (const p of peers) copyFileSync(p, join(site, 'peers', p.split('/').pop()));
  return site;
}

// Waits until the server answers with this run's token, so another server already on the
// port is never benchmarked by mistake.
async function waitForServer(url, token) {
  for (let i = 0; i < 100; ++i) {
    try {
      const r = await fetch(`${url}token.txt`);
      if (r.ok && (await r.text()) === token) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bench server did not answer at ${url}: is port ${port} taken? use --port`);
}

async function browserSuites(site) {
  const { chromium } = await import('playwright');
  const server = spawn(process.execPath, ['tools/serve.mjs', '--root', site, '--port', String(port)], { cwd: root, stdio: 'ignore' });
  const base = `http://localhost:${port}/`;
  const results = {};
  const consoleErrors = [];
  let browser;
  const token = `${process.pid}-${Date.now()}`;
  writeFileSync(join(site, 'token.txt'), token);
  try {
    await waitForServer(base, token);
    const launch = () => chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
    });
    browser = await launch();
    const suites = [
      ['peak', 'peak', null],
      ['convlab-1t', 'convlab', null],
      ['convlab-2t', 'convlab-mt', null],
      ['tfjs-cpu', 'tfjs-cpu', null],
      ['tfjs-wasm-1t', 'tfjs-wasm&threads=1', null],
      // tfjs-wasm uses at most hardwareConcurrency/2 threads: report 4 cores to get 2.
      ['tfjs-wasm-2t', 'tfjs-wasm&threads=2', 4],
      ['convnetjs', 'convnetjs', null],
    ];
    const pick = opt('--suites', null)?.split(',');
    for (const [key, suite, cores] of suites.filter(([k]) => !pick || pick.includes(k))) {
      const { context, page } = await benchPage(browser, key, cores, consoleErrors);
      const t0 = Date.now();
      // 'commit': the synchronous peers keep the page busy, so its load event may come late.
      await page.goto(`${base}?suite=${suite}&reps=${reps}&min=${minSeconds}${quick ? '&quick=1' : ''}`, { waitUntil: 'commit' });
      await page.waitForFunction(() => globalThis.benchResult || globalThis.benchError, null, { timeout: 600_000, polling: 250 });
      const [result, error] = await page.evaluate(() => [globalThis.benchResult, globalThis.benchError]);
      results[key] = error ? { error } : result;
      console.log(`browser ${key}: ${error ? `FAILED: ${error.split('\n')[0]}` : 'done'} (${((Date.now() - t0) / 1e3).toFixed(1)} s)`);
      await context.close();
    }
    if (!pick || pick.includes('interleaved')) {
      const t0 = Date.now();
      results.interleaved = await interleaved(browser, base, consoleErrors).catch((e) => ({ error: String(e.stack || e) }));
      console.log(`browser interleaved: ${results.interleaved.error ? `FAILED: ${results.interleaved.error.split('\n')[0]}` : 'done'} (${((Date.now() - t0) / 1e3).toFixed(1)} s)`);
    }
    if (!pick || pick.includes('page')) {
      // A fresh browser: the suites before leave processes behind them for a while (closed
      // contexts' renderers and wasm threads winding down), and the page, with more threads of
      // its own than the bench module, lost up to a quarter of its speed to them (0.73x after
      // the interleaved run, 0.86-0.98x alone, the same code).
      await browser.close();
      browser = await launch();
      const t0 = Date.now();
      results.page = await pageTraining(browser, base).catch((e) => ({ error: String(e.stack || e) }));
      console.log(`browser page training: ${results.page.error ? `FAILED: ${results.page.error.split('\n')[0]}` : 'done'} (${((Date.now() - t0) / 1e3).toFixed(1)} s)`);
    }
  } finally {
    if (browser) await browser.close();
    server.kill();
  }
  return { results, consoleErrors };
}

// ---- the interleaved run: every engine on its own open page, taking turns rep by rep on each
// (workload, measure), the order rotated every rep; ratios are taken within a rep ----
const INTERLEAVED = [
  ['convlab-1t', 'convlab', null],
  ['convlab-2t', 'convlab-mt&threads=2', null],
  ['tfjs-wasm-1t', 'tfjs-wasm&threads=1', null],
  // tfjs-wasm uses at most hardwareConcurrency/2 threads: report 4 cores to get 2.
  ['tfjs-wasm-2t', 'tfjs-wasm&threads=2', 4],
];
const MEASURES = [['train', 32], ['infer', 32], ['infer', 1]];

// A page in its own context, reporting `cores` as hardwareConcurrency when given, its errors
// collected under `key`.
async function benchPage(browser, key, cores, consoleErrors) {
  const context = await browser.newContext();
  if (cores)
    await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${key}: ${m.text()}`));
  page.on('pageerror', (e) => consoleErrors.push(`${key}: ${e.message}`));
  return { context, page };
}

// One ?serve= page of the bench site, its benchServe ready.
async function openServer(browser, base, serve, cores, consoleErrors, key = serve) {
  const { context, page } = await benchPage(browser, key, cores, consoleErrors);
  await page.goto(`${base}?serve=${serve}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => globalThis.benchServe || globalThis.benchError, null, { timeout: 120_000, polling: 100 });
  const [info, error] = await page.evaluate(() => [globalThis.benchServe?.info, globalThis.benchError]);
  if (error) {
    await context.close();
    throw new Error(`${key}: ${error}`);
  }
  return { page, context, info };
}

async function interleaved(browser, base, consoleErrors) {
  const pages = {};
  const out = { engines: {}, reps: [] };
  try {
    for (const [key, serve, cores] of INTERLEAVED) {
      if (enginesWanted && !enginesWanted.includes(key)) continue;
      pages[key] = await openServer(browser, base, serve, cores, consoleErrors, key);
      out.engines[key] = pages[key].info;
    }
    const keys = Object.keys(pages);
    // the machine, once a rep before its cells (serveProbe): not an engine, so not among `keys`
    const probe = await openServer(browser, base, 'probe', null, consoleErrors);
    pages.probe = probe;
    out.machine = [];
    for (let rep = 0; rep < reps; ++rep) {
      out.machine.push(await probe.page.evaluate((s) => globalThis.benchServe.probe(s), quick ? 0.05 : 0.25));
      const r = {};
      for (const w of IWORKLOADS)
        for (const [what, batch] of MEASURES) {
          if (cellsWanted && !cellsWanted.includes(`${w}/${what}${batch}`)) continue;
          const cell = (r[`${w}/${what}${batch}`] = {});
          for (let i = 0; i < keys.length; ++i) {
            const key = keys[(i + rep) % keys.length];
            cell[key] = await pages[key].page.evaluate(([a, b, c, d]) => globalThis.benchServe.rep(a, b, c, d), [w, what, batch, minSeconds]);
          }
        }
      out.reps.push(r);
      console.log(`interleaved rep ${rep + 1}/${reps} done`);
    }
  } finally {
    for (const { context } of Object.values(pages)) await context.close();
  }
  return out;
}

// ---- the page as the engine: the product page (web/, isolated: the threaded engine) as a
// student uses it: 3,000 images stored in its project (IndexedDB, 3 classes, not timed), the
// settings typed into the Train tab's form, the Train button clicked, timed in the page from the
// click to the run's last progress ("Done: ..."). Round 1 includes sending the images to the
// worker (the page does that when they changed since the last run), round 2 ("Train again")
// does not. Against the bench module training the same net (core's default, 3 classes), same
// batch and threads, on the same number of stored images, alternating in one browser ----
async function pageTraining(browser, benchBase) {
  const webPort = port + 1;
  const server = spawn(process.execPath, ['tools/serve.mjs', '--root', 'web', '--port', String(webPort)], { cwd: root, stdio: 'ignore' });
  const contexts = [];
  try {
    for (let i = 0; i < 100; ++i) {
      try { if ((await fetch(`http://localhost:${webPort}/`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    const open = async (url, ready) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction(ready, null, { timeout: 60_000 });
      return page;
    };
    const page = await open(`http://localhost:${webPort}/#train`, () => document.body.dataset.ready === 'true');
    const n = quick ? 300 : 3000, epochs = quick ? 1 : 3, batch = 16;
    const threads = await page.evaluate(async () => (await globalThis.convlab.engine.call('hello')).threads);
    await storeImages(page, n);
    // the seconds a person takes from adding images to clicking Train: the page updates the
    // worker's copy in the background meanwhile (worker-sync.js), as it does while images come in
    await page.waitForTimeout(2000);
    await page.evaluate(() => globalThis.convlab.project.worker.queue);
    for (const [k, v] of Object.entries({ epochs, batch_size: batch, seed: 1 })) {
      await page.locator(`#set-${k}`).fill(String(v));
      await page.locator(`#set-${k}`).dispatchEvent('change');
    }
    const engine = await open(`${benchBase}?serve=convlab-mt&threads=${threads}`, () => globalThis.benchServe || globalThis.benchError);
    // page, engine, page, engine: the ratio of each pair
    const rounds = [];
    for (let round = 0; round < (quick ? 1 : 2); ++round) {
      const pg = await clickTrain(page);
      const en = await engine.evaluate(([a, b, c]) => globalThis.benchServe.sessionTrain(a, b, c), [n, epochs, batch]);
      rounds.push({ page: pg, engine: en, ratio: pg.images_per_s / en.images_per_s });
    }
    return { threads, images: n, epochs, batch, rounds };
  } finally {
    for (const c of contexts) await c.close();
    server.kill();
  }
}

// n random images at the model's stored size into the page's project, as the Data tab stores
// them (project.addImages: IndexedDB and the page's memory), spread over 3 classes.
function storeImages(page, n) {
  return page.evaluate(async (n) => {
    const { project, engine } = globalThis.convlab;
    while (project.getClasses().length < 3) await project.addClass(`Class ${project.getClasses().length + 1}`);
    const { width, height } = (await engine.call('info')).stored_size;
    const ids = project.getClasses().map((c) => c.id);
    let a = 1;
    const rnd = () => ((a = (a * 1103515245 + 12345) >>> 0) >>> 24);
    for (let i0 = 0; i0 < n; i0 += 300) {
      const per = ids.map(() => []);
      for (let i = i0; i < Math.min(n, i0 + 300); ++i) {
        const rgba = new Uint8Array(width * height * 4);
        for (let j = 0; j < rgba.length; ++j) rgba[j] = j % 4 === 3 ? 255 : rnd();
        per[i % 3].push({ rgba, width, height });
      }
      for (const [c, list] of per.entries()) await project.addImages(ids[c], list);
    }
  }, n);
}

// One click on Train, timed in the page to the run's last progress; then waits for the run to
// be kept (the button enabled again) before the next round.
async function clickTrain(page) {
  const r = await page.evaluate(() => new Promise((resolve, reject) => {
    const text = document.querySelector('#train-progress-text');
    let sending = false, sent = null, progress = 0, last = '';
    const t0 = performance.now();
    const seen = () => {
      const s = text.textContent;
      if (s === last) return;
      last = s;
      // the time to the first line after "Sending the images…" (the click's own text comes first)
      if (s.startsWith('Sending')) sending = true;
      else if (sending && sent === null) sent = performance.now();
      if (s.startsWith('Epoch')) ++progress;
      if (s.startsWith('Done:')) {
        obs.disconnect();
        const t = performance.now();
        resolve({ seconds: (t - t0) / 1e3, upload_seconds: sent === null ? 0 : (sent - t0) / 1e3, progress_updates: progress, text: s });
      }
    };
    const obs = new MutationObserver(seen);
    obs.observe(text, { childList: true, characterData: true, subtree: true });
    setTimeout(() => { obs.disconnect(); reject(new Error(`no "Done:" within 10 minutes: ${text.textContent}`)); }, 600_000);
    document.querySelector('#train-start').click();
    seen();
  }));
  await page.waitForFunction(() => !document.querySelector('#train-start').disabled && /Trained after/.test(document.querySelector('#train-progress-text').textContent), null, { timeout: 120_000 });
  // "Done: 3 epochs, 7200 images in 9.3 s (774 images/s)": the images the run trained on
  const seenImages = Number(/Done: \d+ epochs, (\d+) images/.exec(r.text)?.[1]);
  return { ...r, images_seen: seenImages, images_per_s: seenImages / r.seconds };
}

// ---- the report ----
const fmt = (v, d = 0) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d || (v >= 10 ? 1 : 2)));
const ips = (r, w, k) => r?.workloads?.[w]?.[k]?.images_per_s;

function browserTable(b) {
  const rows = [
    ['convlab-1t', 'ConvLab (convlab.wasm)', null],
    ['convlab-2t', 'ConvLab (convlab-mt.wasm)', null],
    ['tfjs-cpu', 'TF.js 4.22 cpu', 'convlab-1t'],
    ['tfjs-wasm-1t', 'TF.js 4.22 wasm SIMD, patched', 'convlab-1t'],
    ['tfjs-wasm-2t', 'TF.js 4.22 wasm SIMD, patched', 'convlab-2t'],
    ['convnetjs', 'ConvNetJS 0.3.0', 'convlab-1t'],
  ];
  const cols = [['A', 'train'], ['A', 'infer32'], ['A', 'infer1'], ['B', 'train'], ['B', 'infer32'], ['B', 'infer1']];
  const lines = [
    '| engine | threads used | A train | A infer b32 | A infer b1 | B train | B infer b32 | B infer b1 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, label, ref] of rows) {
    const r = b[key];
    if (!r || r.error) {
      lines.push(`| ${label} | – | ${r ? `failed: ${r.error.split('\n')[0]}` : 'not run'} | | | | | |`);
      continue;
    }
    const cells = cols.map(([w, k]) => {
      const v = ips(r, w, k), c = ref ? ips(b[ref], w, k) : null;
      return ref && c && v ? `${fmt(v)} (${fmt(c / v, 1)}×)` : fmt(v);
    });
    lines.push(`| ${label} | ${r.threads} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

// The page's default webcam net comes from core (rules::default_spec), so the bench modules
// and the CLI pick it themselves when given no spec text.
function pageDefaultSpec() {
  return { text: '', source: "core's webcam preset with the page's 2 starting classes (rules::default_spec(2))" };
}

async function main() {
  if (reportOnly) return reportSavedRun(outPath);
  const t0 = Date.now();
  const def = pageDefaultSpec();
  const defPath = join(buildDir, 'bench-default-spec.json');
  writeFileSync(defPath, def.text);
  const defArgs = def.text ? ['--default-spec', defPath] : [];
  const s0 = sample();
  const report = { date: new Date().toISOString(), quick, reps, batch: 32, optimizer: 'SGD lr 0.01 momentum 0.9' };
  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1];
  report.machine = { cpu: cpuModel, cores: Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) };
  report.default_net = { source: def.source, spec: def.text };

  if (only === 'all' || only === 'native') {
    const fm = fashionMnistDir();
    const a = ['--json', join(buildDir, 'bench-native.json'), '--reps', String(reps), ...defArgs, ...(quick ? ['--quick'] : [])];
    if (fm) a.push('--fmnist', fm, '--epochs', epochs, '--train-limit', trainLimit);
    else console.log('Fashion-MNIST skipped: install it with apt-get install dataset-fashion-mnist');
    run(join(nativeDir, 'convlab_bench'), a);
    report.native = JSON.parse(readFileSync(join(buildDir, 'bench-native.json'), 'utf8'));
  }
  if (only === 'all' || only === 'node') {
    // --no-liftoff: node 20 leaves long wasm loops in its baseline compiler (no tier-up
    // observed), which would measure V8's baseline code, not the engine.
    run(process.execPath, ['--no-experimental-fetch', '--no-liftoff', join(wasmDir, 'convlab_bench.js'),
      '--json', join(buildDir, 'bench-node.json'), '--reps', String(reps), ...defArgs, ...(quick ? ['--quick'] : [])]);
    report.node = JSON.parse(readFileSync(join(buildDir, 'bench-node.json'), 'utf8'));
  }
  if (only === 'all' || only === 'browser') {
    console.log('\nheadless Chromium (this takes a few minutes)...');
    const site = assembleSite();
    writeFileSync(join(site, 'default-spec.json'), def.text);
    const b = await browserSuites(site);
    report.browser = b.results;
    report.browser_console_errors = b.consoleErrors;
  }
  report.load = loadLine(s0, sample());  // ourCpu remembers the browser's exited processes
  report.seconds = (Date.now() - t0) / 1e3;
  writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
}

// --report: a saved bench.json is outside input (a file someone points at): a missing, cut or
// foreign file gets a message naming it and what to give instead, not a stack trace.
function reportSavedRun(path) {
  const refuse = (why) => {
    console.error(`${path}: ${why}. Give --report a build/bench.json that make bench wrote.`);
    process.exitCode = 1;
  };
  let r;
  try {
    r = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return refuse(e.code === 'ENOENT' ? 'no such file' : e.code ? `cannot be read (${e.code})` : `not JSON (${e.message})`);
  }
  if (!r || typeof r !== 'object' || typeof r.date !== 'string' || typeof r.machine !== 'object' || !r.machine)
    return refuse('not a make bench result (no date or machine)');
  try {
    printReport(r);
  } catch (e) {
    refuse(`not a whole make bench result (${e.message})`);
  }
}

function printReport(r) {
  const out = [];
  const p = (s = '') => out.push(s);
  p(`\n# ConvLab benchmark (${r.date}, ${r.machine.cpu}, ${r.machine.cores} cores${r.quick ? ', QUICK: figures meaningless' : ''})`);
  p(`batch ${r.batch}, ${r.optimizer}; images/s, median of ${r.reps} after warm-up.`);
  const b = r.browser;
  if (b) {
    p('\n## Headless Chromium: images/s (ConvLab ÷ peer in brackets; 1-thread peers against ConvLab 1 thread, 2-thread against 2)\n');
    p(browserTable(b));
    const tw = b['tfjs-wasm-1t'];
    if (tw && !tw.error) {
      p(`\nTF.js wasm: SIMD ${tw.simd}, multithread ${tw.multithread}; missing before the patch: ${tw.missing_kernels_before_patch.join(', ') || 'none'}.`);
      if (tw.patched) p(`Patch ("patched" rows): ${tw.patched}; its weight gradient differs from the cpu backend's by at most ${tw.patch_max_abs_error_vs_cpu?.toExponential(1)} (conv 'same' stride 1 and 'valid' stride 2).`);
      p(`Kernels one TF.js wasm training step runs (A): ${tw.workloads.A.train_kernels.join(', ')}.`);
      const t2 = b['tfjs-wasm-2t'];
      if (t2 && !t2.error) p(`Threads really used: tf.wasm.getThreadsCount() = ${tw.threads} (1t row), ${t2.threads} (2t row, page reporting hardwareConcurrency ${t2.hardware_concurrency}).`);
    }
    if (r.browser_console_errors?.length) p(`\nbrowser console errors: ${r.browser_console_errors.join(' | ')}`);
  }
  // ---- achieved training GFLOP/s against the measured peaks ----
  const pk = b?.peak && !b.peak.error ? b.peak : null;
  const peakRows = [];
  if (pk) {
    peakRows.push(['Chromium, 1 thread (wasm f32x4)', pk.one_thread.gflops, b['convlab-1t']]);
    peakRows.push(['Chromium, 2 threads (wasm f32x4, 2 workers at once)', pk.two_threads.gflops, b['convlab-2t']]);
  }
  if (r.node) peakRows.push(['node 20, 1 thread (wasm f32x4)', r.node.peak.gflops, r.node]);
  if (r.native) peakRows.push(['native, 1 thread (128-bit vectors of the build)', r.native.peak.gflops, r.native]);
  if (peakRows.length) {
    p('\n## Training GFLOP/s against the measured mul-add peak (several independent 4-lane a·m+b chains)\n');
    p('| where | peak GFLOP/s | ConvLab train A GFLOP/s (% of peak) | train B GFLOP/s (% of peak) |');
    p('|---|---|---|---|');
    for (const [label, peak, x] of peakRows) {
      const g = (w) => x?.workloads?.[w]?.train?.gflops;
      p(`| ${label} | ${fmt(peak, 1)} | ${fmt(g('A'), 2)} (${fmt((100 * g('A')) / peak, 1)}%) | ${fmt(g('B'), 2)} (${fmt((100 * g('B')) / peak, 1)}%) |`);
    }
    const any = peakRows.map((row) => row[2]).find((x) => x?.workloads?.A?.train);
    if (any)
      p(`\nTraining FLOPs per image = 3·F − 2·MACs(first conv/linear), with F = 2·MACs of all conv and linear layers (forward; relu and pooling not counted; backward = 2·F minus the input gradient of the first layer, which nothing needs): A ${fmt(any.workloads.A.train.mflop_per_image, 2)} MFLOP, B ${fmt(any.workloads.B.train.mflop_per_image, 2)} MFLOP (issue 5: 6.0 and 23.4).`);
  }
  p('\n## Native, wasm under node, and browser: ConvLab images/s\n');
  p('| where | threads | A train | A infer b32 | A infer b1 | B train | B infer b32 | B infer b1 |');
  p('|---|---|---|---|---|---|---|---|');
  const row = (label, t, x) => x && !x.error && p(`| ${label} | ${t} | ${[['A', 'train'], ['A', 'infer32'], ['A', 'infer1'], ['B', 'train'], ['B', 'infer32'], ['B', 'infer1']].map(([w, k]) => fmt(ips(x, w, k))).join(' | ')} |`);
  row('native', 1, r.native);
  row('wasm, node 20', 1, r.node);
  row('wasm, Chromium', b?.['convlab-1t']?.threads, b?.['convlab-1t']);
  row('wasm, Chromium', b?.['convlab-2t']?.threads, b?.['convlab-2t']);
  p('\n## Single-image prediction (Session::predict on a 320×240 RGBA frame: preprocess, forward, softmax)\n');
  p(`default webcam net: ${r.default_net.source}.\n`);
  p('| where | net (input) | p50 ms | p95 ms | + copy of every feature map: p50 / p95 ms (30 fps needs ≤ 33 ms) |');
  p('|---|---|---|---|---|');
  const lat = (label, x) => {
    if (!x || x.error || !x.latency) return;
    for (const [net, l] of Object.entries(x.latency))
      p(`| ${label} | ${net === 'default' ? 'default webcam net' : `workload ${net}`} (${l.input}) | ${fmt(l.p50_ms, 3)} | ${fmt(l.p95_ms, 3)} | ${fmt(l.maps_p50_ms, 3)} / ${fmt(l.maps_p95_ms, 3)} |`);
  };
  lat('Chromium, 1 thread', b?.['convlab-1t']);
  lat('Chromium, 2 threads', b?.['convlab-2t']);
  lat('native', r.native);
  p('\n## wasm heap across training steps of workload B (batch 32)\n');
  p('| where | steps | malloc bytes in use before → after | wasm memory before → after |');
  p('|---|---|---|---|');
  for (const [label, x] of [['Chromium, 1 thread', b?.['convlab-1t']], ['Chromium, 2 threads', b?.['convlab-2t']], ['node', r.node]]) {
    const h = x?.heap;
    if (h) p(`| ${label} | ${h.steps} | ${h.in_use_before} → ${h.in_use_after}${h.in_use_after > h.in_use_before ? ' GREW' : ''} | ${h.memory_before} → ${h.memory_after}${h.memory_after > h.memory_before ? ' GREW' : ''} |`);
  }
  // ---- issue 5's targets, single thread against single thread ----
  const c1 = b?.['convlab-1t'], c2 = b?.['convlab-2t'], tw = b?.['tfjs-wasm-1t'];
  if (c1 && !c1.error) {
    p('\n## Issue 5 targets (measured here; not asserted anywhere)\n');
    p('| target | A | B |');
    p('|---|---|---|');
    const both = (f) => ['A', 'B'].map(f).join(' | ');
    const pct = (x, y) => (x && y ? `${fmt((100 * x) / y, 1)}%` : '–');
    const ratio = (x, y) => (x && y ? `${fmt(x / y, 2)}×` : '–');
    if (pk) p(`| training ≥ 40% of the 1-thread SIMD peak | ${both((w) => pct(c1.workloads[w].train.gflops, pk.one_thread.gflops))} |`);
    if (c2 && !c2.error) p(`| training, 2 threads ≥ 1.7× 1 thread | ${both((w) => ratio(ips(c2, w, 'train'), ips(c1, w, 'train')))} |`);
    if (tw && !tw.error) {
      p(`| inference b32 ≥ 1.2× TF.js wasm SIMD (1 thread) | ${both((w) => ratio(ips(c1, w, 'infer32'), ips(tw, w, 'infer32')))} |`);
      p(`| inference b1 ≥ 1.2× TF.js wasm SIMD (1 thread) | ${both((w) => ratio(ips(c1, w, 'infer1'), ips(tw, w, 'infer1')))} |`);
      p(`| training ≈ 7× patched TF.js wasm | ${both((w) => ratio(ips(c1, w, 'train'), ips(tw, w, 'train')))} |`);
    }
    const cn = b['convnetjs'], tc = b['tfjs-cpu'];
    if (cn && !cn.error) p(`| training ≈ 25× ConvNetJS | ${both((w) => ratio(ips(c1, w, 'train'), ips(cn, w, 'train')))} |`);
    if (tc && !tc.error) p(`| training ≈ 90× TF.js cpu | ${both((w) => ratio(ips(c1, w, 'train'), ips(tc, w, 'train')))} |`);
  }
  const il = b?.interleaved;
  if (il && !il.error) printInterleaved(p, il, b, pk);
  else if (il) p(`\ninterleaved run failed: ${il.error.split('\n')[0]}`);
  const fm = r.native?.fashion_mnist;
  if (fm)
    p(`\n## Fashion-MNIST\nworkload A, native: test accuracy ${(100 * fm.test_accuracy).toFixed(2)}% on ${fm.test_images} test images after ${fm.epochs} epochs on ${fm.train_images} training images (${fm.optimizer}, seed ${fm.seed}; ${fmt(fm.train_seconds, 1)} s).`);
  p(`\n## Machine load\nwhole run (${r.seconds.toFixed(0)} s): ${r.load.text}.`);
  p(`\nJSON: ${outPath}`);
  console.log(out.join('\n'));
}

function printInterleaved(p, il, b, pk) {
  const engines = Object.keys(il.engines);
  const cells = Object.keys(il.reps[0]);
  p(`\n## Interleaved: images/s, median of ${il.reps.length} reps, the engines taking turns rep by rep (order rotated each rep)\n`);
  p(`| workload / measure | ${engines.map((e) => `${e} (${il.engines[e].threads} thr)`).join(' | ')} |`);
  p(`|---|${engines.map(() => '---').join('|')}|`);
  for (const c of cells) p(`| ${c.replace('train32', 'train b32').replace('infer32', 'infer b32').replace('infer1', 'infer b1')} | ${engines.map((e) => fmt(perRep(il.reps, (r) => r[c]?.[e])?.median)).join(' | ')} |`);
  const ratio = (cell, x, y) => repRatio(il, cell, x, y);
  const rs = (q) => (q ? `${fmt(q.median, 2)}× (reps ${fmt(q.min, 2)}–${fmt(q.max, 2)})` : '–');
  p('\n### Ratios within each rep (median, range)\n');
  p('| ratio | A | B | default net |');
  p('|---|---|---|---|');
  const row3 = (label, f) => p(`| ${label} | ${IWORKLOADS.map((w) => rs(f(w))).join(' | ')} |`);
  row3('ConvLab 1t ÷ TF.js wasm 1t, train b32', (w) => ratio(`${w}/train32`, 'convlab-1t', 'tfjs-wasm-1t'));
  row3('ConvLab 1t ÷ TF.js wasm 1t, infer b32', (w) => ratio(`${w}/infer32`, 'convlab-1t', 'tfjs-wasm-1t'));
  row3('ConvLab 1t ÷ TF.js wasm 1t, infer b1', (w) => ratio(`${w}/infer1`, 'convlab-1t', 'tfjs-wasm-1t'));
  row3('ConvLab 2t ÷ TF.js wasm 2t, infer b32', (w) => ratio(`${w}/infer32`, 'convlab-2t', 'tfjs-wasm-2t'));
  row3('ConvLab 2t ÷ ConvLab 1t, train b32', (w) => ratio(`${w}/train32`, 'convlab-2t', 'convlab-1t'));
  row3('ConvLab 2t ÷ ConvLab 1t, infer b32', (w) => ratio(`${w}/infer32`, 'convlab-2t', 'convlab-1t'));
  row3('ConvLab 2t ÷ ConvLab 1t, infer b1', (w) => ratio(`${w}/infer1`, 'convlab-2t', 'convlab-1t'));
  if (il.machine?.length) {
    // the machine in each rep (serveProbe), to read the ratios above by: on this VM the second
    // core is sometimes not all there, and then every 2-thread figure drops with it
    const q1 = perRep(il.machine, (x) => x.one), q2 = perRep(il.machine, (x) => x.two / x.one);
    p(`| the machine in each rep: the f32x4 mul-add loop on 1 worker, GFLOP/s; on 2 workers at once ÷ on 1 | ${q1 ? `${fmt(q1.median, 1)} (reps ${fmt(q1.min, 1)}–${fmt(q1.max, 1)})` : '–'} | ${rs(q2)} | – |`);
  }
  if (pk) {
    // training FLOP/s against the 1-thread peak, per rep (the peak was measured once, before)
    const mf = { A: b['convlab-1t']?.workloads?.A?.train?.mflop_per_image, B: b['convlab-1t']?.workloads?.B?.train?.mflop_per_image };
    p(`| ConvLab 1t training, fraction of the 1-thread SIMD peak (${fmt(pk.one_thread.gflops, 1)} GFLOP/s) | ${['A', 'B'].map((w) => { const q = perRep(il.reps, (r) => (r[`${w}/train32`]?.['convlab-1t'] * mf[w] * 1e-3) / pk.one_thread.gflops); return q ? `${fmt(100 * q.median, 1)}%` : '–'; }).join(' | ')} | – |`);
  }
  // ---- issue 13's goals, each with its measured figure (goals.mjs judges them) ----
  p('\n## Issue 13 goals (measured in this run; no figure is asserted anywhere)\n');
  p('| goal | measured | |');
  p('|---|---|---|');
  for (const g of issue13Goals(il, b.page)) {
    let measured = g.text ?? (g.q ? rs(g.q) : 'not measured');
    if (g.rounds) {
      const each = g.rounds.map((x, i) => `round ${i + 1}: page ${fmt(x.page.images_per_s)} img/s (${fmt(x.page.seconds, 2)} s from the click, ${fmt(x.page.upload_seconds, 2)} s of it sending the images) ÷ engine ${fmt(x.engine.images_per_s)} (${fmt(x.engine.seconds, 2)} s) = ${fmt(x.ratio, 2)}×`).join('; ');
      measured = `${each}; median ratio ${g.q ? fmt(g.q.median, 2) : '–'}×`;
    }
    p(`| ${g.goal} | ${measured} | ${g.met ? 'met' : 'missed'} |`);
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e.stack || e}`);
  process.exit(1);
});
