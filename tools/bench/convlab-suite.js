// ConvLab in the browser: the single-threaded or the threaded engine build in a module
// worker, running the bench binding (the same measurements as natively). The engine is the
// bench module, which links the same core library as convlab.wasm or convlab-mt.wasm.
function startWorker() {
  const w = new Worker(new URL('./convlab.worker.js', import.meta.url), { type: 'module' });
  const call = (msg) =>
    new Promise((resolve, reject) => {
      w.onmessage = ({ data }) => (data.ok ? resolve(data) : reject(new Error(data.error)));
      w.onerror = (e) => reject(new Error(e.message || 'worker failed to start'));
      w.postMessage(msg);
    });
  return { call, terminate: () => w.terminate() };
}

// The bench module built on each engine build's core library (CMakeLists.txt).
const benchModule = { convlab: 'convlab-bench', 'convlab-mt': 'convlab-bench-mt' };

async function load(build) {
  const w = startWorker();
  const info = await w.call({ load: new URL(`./gen/${benchModule[build]}.js`, import.meta.url).href });
  return { w, info };
}

// build: 'convlab' (1 thread) or 'convlab-mt' (the threaded build; threads() says how many)
export async function runConvLab(build, { reps, minSeconds, quick }, log) {
  const { w, info } = await load(build);
  const run = async (request) => (await w.call({ request })).result;
  const out = { engine: `ConvLab (${build}.wasm)`, threads: info.threads, simd: info.simd, workloads: {} };
  for (const name of ['A', 'B']) {
    const r = {};
    r.train = await run({ kind: 'train', workload: name, batch: 32, reps, min_seconds: minSeconds });
    r.infer32 = await run({ kind: 'infer', workload: name, batch: 32, reps, min_seconds: minSeconds });
    r.infer1 = await run({ kind: 'infer', workload: name, batch: 1, reps, min_seconds: minSeconds });
    out.workloads[name] = r;
    log(`${build} ${name}: ${JSON.stringify(r.train.images_per_s)} train img/s`);
  }
  out.heap = await run({ kind: 'heap', workload: 'B', batch: 32, steps: quick ? 5 : 100 });
  // The page's default net, written by run.mjs (empty: the engine's built-in default).
  const spec = await (await fetch(new URL('./default-spec.json', import.meta.url))).text();
  const n = quick ? 5 : 200;
  out.latency = { default: await run({ kind: 'latency', spec, n }), B: await run({ kind: 'latency', workload: 'B', n }) };
  w.terminate();
  return out;
}

// WebAssembly SIMD peak: the f32x4 mul-add loop on 1 worker, then on 2 workers at once.
export async function runPeak({ quick }) {
  const seconds = quick ? 0.1 : 2;
  const a = await load('convlab');
  const b = await load('convlab');
  // Warm-up on both: Chromium optimises the loop only after a few seconds of baseline code.
  await Promise.all([a, b].map(({ w }) => w.call({ request: { kind: 'peak', seconds } })));
  const one = (await a.w.call({ request: { kind: 'peak', seconds } })).result;
  const both = await Promise.all([a, b].map(({ w }) => w.call({ request: { kind: 'peak', seconds } })));
  a.w.terminate();
  b.w.terminate();
  return {
    one_thread: one,
    two_threads: { gflops: both.reduce((s, r) => s + r.result.gflops, 0), per_worker: both.map((r) => r.result.gflops) },
  };
}

// make bench's interleaved run, once a rep: how much of the machine there is. The f32x4 loop's
// mean GFLOP/s on one worker for `seconds`, then on two at once: a VM whose neighbours take its
// cores shows here (the 1-worker figure drops, or 2 workers give less than twice it).
export async function serveProbe() {
  const a = await load('convlab');
  const b = await load('convlab');
  await Promise.all([a, b].map(({ w }) => w.call({ request: { kind: 'peak', seconds: 1 } })));  // V8 tiers up
  const mean = async ({ w }, seconds) => (await w.call({ request: { kind: 'peak', seconds } })).result.mean_gflops;
  return {
    info: { engine: 'the f32x4 mul-add loop on 1 worker, then 2 at once', threads: 2 },
    probe: async (seconds) => {
      const one = await mean(a, seconds);
      const both = await Promise.all([a, b].map((x) => mean(x, seconds)));
      return { one, two: both[0] + both[1] };
    },
  };
}

// make bench's interleaved run: the bench module loaded once in its worker, then one repetition
// per call (bench_core.h one_rep; the threaded build runs `threads` threads).
export async function serveConvLab(build, threads) {
  const { w, info } = await load(build);
  return {
    info: { ...info, engine: `ConvLab (${build}.wasm)`, threads: build === 'convlab' ? 1 : threads,
      threads_default: info.threads, hardware_concurrency: navigator.hardwareConcurrency },
    sessionTrain: async (images, epochs, batch) =>
      (await w.call({ request: { kind: 'session_train', images, epochs, batch, threads } })).result,
    rep: async (workload, what, batch, minSeconds) =>
      (await w.call({ request: { kind: 'rep', what, workload, batch, min_seconds: minSeconds, threads } })).result.images_per_s,
  };
}
