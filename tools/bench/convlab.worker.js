// Runs ConvLab's bench module (tools/bench/bench_bindings.cc, build/wasm/bench/) in a module
// worker, as the product runs its engine. Messages: {load: url} -> {threads, simd}; {request} -> {result}.
let mod = null;

onmessage = async ({ data }) => {
  try {
    if (data.load) {
      mod = await (await import(data.load)).default();
      postMessage({ ok: true, threads: mod.threads(), simd: mod.simd() });
    } else {
      postMessage({ ok: true, result: JSON.parse(mod.benchRun(JSON.stringify(data.request))) });
    }
  } catch (e) {
    postMessage({ ok: false, error: String((e && e.message) || e) });
  }
};
