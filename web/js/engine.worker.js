// The engine's only home: the wasm module lives in this module worker, never on the main
// thread. One message protocol (see engine-client.js for the list); every reply carries the
// request's id, and every C++ failure arrives as {ok: false, error: message}.
import { learnHandlers } from './learn.handlers.js';

const threaded = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
const ready = import(threaded ? '../gen/convlab-mt.js' : '../gen/convlab.js').then((m) => m.default());
let mod, engine;
let stopRequested = false, pauseRequested = false;

const handlers = {
  async hello() {
    return { simd: mod.simd(), threads: mod.threads(), threaded, info: JSON.parse(engine.info()) };
  },
  checkSpec: ({ spec }) => JSON.parse(mod.checkSpec(spec)),
  setSpec: ({ spec, seed }) => JSON.parse(engine.setSpec(spec, seed ?? 1)),
  clearImages: () => engine.clearImages(),
  // images: [{rgba: Uint8Array, width, height, label}]
  addImages: ({ images }) => {
    for (const im of images) engine.addImage(im.rgba, im.width, im.height, im.label);
    return engine.numImages();
  },
  // Trains `steps` mini-batches at a time and posts progress between slices, yielding to
  // the event loop so a 'stop' or 'pause' message is seen within one slice. resume: true
  // continues a paused run instead of starting a fresh one. When an epoch ends mid-run the
  // progress carries a checkpoint (the saved weights, with `metadata`) that the page keeps,
  // so a reload or a crash loses at most the epoch in progress.
  async train({ config, steps = 4, resume = false, metadata = {} }, id) {
    if (!resume) engine.trainBegin(JSON.stringify(config));
    stopRequested = pauseRequested = false;
    let p, saved = -1;
    for (;;) {
      p = JSON.parse(engine.trainRun(steps));
      if (saved < 0) saved = p.history.length;
      if (p.history.length > saved && !p.done) {
        saved = p.history.length;
        p.checkpoint = engine.save(JSON.stringify(metadata));
      }
      postMessage({ id, progress: p });
      if (p.done || stopRequested || pauseRequested) break;
      await new Promise((r) => setTimeout(r, 0));
    }
    if (stopRequested && !p.done) engine.trainStop();
    return { ...p, stopped: stopRequested && !p.done, paused: pauseRequested && !stopRequested && !p.done };
  },
  stop: () => { stopRequested = true; },
  pause: () => { pauseRequested = true; },
  // Ends a paused run, keeping the weights as they are.
  trainStop: () => engine.trainStop(),
  predict: ({ rgba, width, height }) => engine.predict(rgba, width, height),
  save: ({ metadata }) => engine.save(JSON.stringify(metadata ?? {})),
  load: ({ bytes }) => JSON.parse(engine.load(bytes)),
  param: ({ name }) => engine.param(name),
};

// The lecture views' commands (feature maps, filters, equivariance, ...) live in their own module.
Object.assign(handlers, learnHandlers(() => ({ mod, engine })));

onmessage = async ({ data: { id, cmd, args } }) => {
  try {
    if (!engine) {
      mod = await ready;
      engine = new mod.Engine();
    }
    const h = handlers[cmd];
    if (!h) throw new Error(`unknown engine command "${cmd}"`);
    const result = await h(args ?? {}, id);
    postMessage({ id, ok: true, result });
  } catch (e) {
    postMessage({ id, ok: false, error: e?.message ?? String(e) });
  }
};
