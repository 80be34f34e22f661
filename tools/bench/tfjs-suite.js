// TensorFlow.js 4.22 (global tf from peers/tf.min.js): cpu backend, or wasm backend with
// SIMD and a chosen thread count. Models in NHWC, the same layers as ConvLab's workloads.
import { WORKLOADS, oneRep, seeded, timeRate } from './timing.js';

const tf = globalThis.tf;

function build(name) {
  const { h, w, c, classes } = WORKLOADS[name];
  const conv = (extra) => tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', ...extra });
  const m = tf.sequential();
  if (name === 'A') {
    m.add(conv({ inputShape: [h, w, c] }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv({ filters: 32 }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: classes }));
  } else if (name === 'default') {
    m.add(conv({ filters: 8, inputShape: [h, w, c] }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv({ filters: 16 }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv({ filters: 32 }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 32, activation: 'relu' }));
    m.add(tf.layers.dense({ units: classes }));
  } else {
    m.add(conv({ inputShape: [h, w, c] }));
    m.add(conv());
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv());
    m.add(conv());
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
    m.add(tf.layers.dense({ units: classes }));
  }
  return m;
}

function batchOf(name, n) {
  const { h, w, c, classes } = WORKLOADS[name];
  const rnd = seeded(7);
  const x = tf.tensor4d(Float32Array.from({ length: n * h * w * c }, rnd), [n, h, w, c]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(rnd() * classes)), 'int32'), classes);
  return { x, y };
}

// The wasm backend has no Conv2DBackpropFilter kernel (issue 5's trap). This one is built
// from the backend's own ops: pad x once, then for each of the kh·kw filter taps take the
// (strided) slice of x that the tap sees, and dW[tap] = slice(N·OH·OW, Ci)^T · dy(N·OH·OW, Co)
// with one matMul; the taps are stacked into (kh, kw, Ci, Co) and copied into a wasm output.
export const PATCH_DESCRIPTION =
  'Conv2DBackpropFilter registered for wasm: PadV2 + per tap (kh·kw) Slice/StridedSlice + Reshape + BatchMatMul(transposeA), Pack, Reshape';

function registerConv2DBackpropFilter() {
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      if (dataFormat && dataFormat !== 'NHWC') throw new Error('bench patch handles NHWC only');
      const x = inputs.x, dy = inputs.dy;
      const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
      const [kh, kw, ci, co] = filterShape;
      const { top, bottom, left, right } = info.padInfo;
      const dw = tf.tidy(() => {
        const X = tf.engine().makeTensorFromTensorInfo(x);
        const DY = tf.engine().makeTensorFromTensorInfo(dy).reshape([-1, co]);
        const xp = tf.pad(X, [[0, 0], [top, bottom], [left, right], [0, 0]]);
        const n = x.shape[0], sh = info.strideHeight, sw = info.strideWidth;
        const taps = [];
        for (let i = 0; i < kh; ++i)
          for (let j = 0; j < kw; ++j) {
            const s =
              sh === 1 && sw === 1
                ? tf.slice(xp, [0, i, j, 0], [n, info.outHeight, info.outWidth, ci])
                : tf.stridedSlice(xp, [0, i, j, 0], [n, i + (info.outHeight - 1) * sh + 1, j + (info.outWidth - 1) * sw + 1, ci], [1, sh, sw, 1]);
            taps.push(tf.matMul(s.reshape([-1, ci]), DY, true, false));
          }
        return tf.stack(taps).reshape(filterShape);
      });
      const out = backend.makeOutput(filterShape, 'float32');
      backend.typedArrayFromHeap(out).set(dw.dataSync());
      dw.dispose();
      return out;
    },
  });
}

// The patched gradient against the cpu backend's own Conv2DBackpropFilter, for a 'same'
// stride-1 and a 'valid' stride-2 convolution: the largest absolute difference.
async function checkPatch() {
  const rnd = seeded(3);
  const arr = (n) => Float32Array.from({ length: n }, () => rnd() - 0.5);
  const cases = [
    { x: [2, 9, 9, 3], w: [3, 3, 3, 4], stride: 1, pad: 'same' },
    { x: [2, 9, 9, 3], w: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  ].map((c) => ({ ...c, xv: arr(c.x.reduce((a, b) => a * b)), wv: arr(c.w.reduce((a, b) => a * b)) }));
  const grads = () =>
    cases.map((c) =>
      tf.tidy(() => {
        const x = tf.tensor4d(c.xv, c.x), w = tf.tensor4d(c.wv, c.w);
        return tf.grad((v) => tf.conv2d(x, v, c.stride, c.pad).square().sum())(w).dataSync();
      }),
    );
  await tf.setBackend('cpu');
  const ref = grads();
  await tf.setBackend('wasm');
  const got = grads();
  let err = 0;
  ref.forEach((r, i) => r.forEach((v, j) => (err = Math.max(err, Math.abs(v - got[i][j])))));
  return err;
}

// backend: 'cpu' | 'wasm'; threads: wasm thread count to ask for (it is capped at
// navigator.hardwareConcurrency / 2: run.mjs makes the page report 4 cores for the 2-thread run).
export async function runTfjs(backend, threads, { reps, minSeconds }, log) {
  const out = { engine: `TensorFlow.js ${tf.version.tfjs} ${backend}`, workloads: {}, patched: null };
  if (backend === 'wasm') {
    tf.wasm.setWasmPaths(new URL('./peers/', import.meta.url).href);
    tf.wasm.setThreadsCount(threads);
    out.missing_kernels_before_patch = tf.getKernel('Conv2DBackpropFilter', 'wasm') ? [] : ['Conv2DBackpropFilter'];
    if (out.missing_kernels_before_patch.length) {
      registerConv2DBackpropFilter();
      out.patched = PATCH_DESCRIPTION;
    }
  }
  await tf.setBackend(backend);
  await tf.ready();
  out.backend = tf.getBackend();
  if (backend === 'wasm') {
    out.threads = tf.wasm.getThreadsCount();
    out.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    out.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    if (out.patched) out.patch_max_abs_error_vs_cpu = await checkPatch();
  } else {
    out.threads = 1;
  }
  out.hardware_concurrency = navigator.hardwareConcurrency;
  for (const name of ['A', 'B']) {
    const model = build(name);
    const opt = tf.train.momentum(0.01, 0.9);
    const d32 = batchOf(name, 32), d1 = batchOf(name, 1);
    const trainStep = () => {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(d32.y, model.apply(d32.x, { training: true })), true);
      loss.dataSync();
      loss.dispose();
    };
    const inferStep = (d) => () => {
      const y = model.predict(d.x);
      y.dataSync();
      y.dispose();
    };
    const r = {};
    // Which kernels one training step really runs on this backend (what the patch feeds).
    const prof = await tf.profile(trainStep);
    r.train_kernels = [...new Set(prof.kernelNames)].sort();
    r.train = await timeRate(trainStep, 32, { reps, minSeconds });
    r.infer32 = await timeRate(inferStep(d32), 32, { reps, minSeconds });
    r.infer1 = await timeRate(inferStep(d1), 1, { reps, minSeconds });
    out.workloads[name] = r;
    log(`${out.engine} ${name}: ${r.train.images_per_s.toFixed(1)} train img/s`);
    tf.dispose([d32.x, d32.y, d1.x, d1.y]);
    opt.dispose();
    model.dispose();
  }
  out.tensors_left = tf.memory().numTensors;
  return out;
}

// make bench's interleaved run: the wasm backend set up once, then one repetition per call of
// (workload, what, batch), each model built on first use. -> {info, rep(workload, what, batch, minSeconds)}
export async function serveTfjs(threads) {
  tf.wasm.setWasmPaths(new URL('./peers/', import.meta.url).href);
  tf.wasm.setThreadsCount(threads);
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) registerConv2DBackpropFilter();
  await tf.setBackend('wasm');
  await tf.ready();
  const info = { engine: `TensorFlow.js ${tf.version.tfjs} wasm`, threads: tf.wasm.getThreadsCount(),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), hardware_concurrency: navigator.hardwareConcurrency };
  const cache = new Map();
  const stepOf = (name, what, batch) => {
    const key = `${name}/${what}/${batch}`;
    if (cache.has(key)) return [cache.get(key), false];
    const model = build(name), d = batchOf(name, batch);
    const opt = tf.train.momentum(0.01, 0.9);
    const step = what === 'train'
      ? () => { const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(d.y, model.apply(d.x, { training: true })), true); loss.dataSync(); loss.dispose(); }
      : () => { const y = model.predict(d.x); y.dataSync(); y.dispose(); };
    cache.set(key, step);
    return [step, true];
  };
  return {
    info,
    rep: async (name, what, batch, minSeconds) => {
      const [step, warm] = stepOf(name, what, batch);
      return oneRep(step, batch, { minSeconds, warm });
    },
  };
}
