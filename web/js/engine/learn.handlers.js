// Worker-side commands of the "Inside the CNN" views and the model editor. Each handler gets
// its args and uses ctx().mod (the wasm module) and ctx().engine (the Engine); all numbers
// come from core/learn (wasm/learn_bindings.cc). The commands and their results are listed
// with every other command at the top of engine.worker.js.

// Core's JSON carries tensors as arrays of numbers (null for a NaN): the views get them back
// as the typed arrays they index.
const f32 = (a) => Float32Array.from(a, (v) => v ?? NaN);
const u8 = (a) => Uint8Array.from(a);

export function learnHandlers(ctx) {
  const m = () => ctx().mod;
  const e = () => ctx().engine;
  return {
    learnInfo: () => ({ ...JSON.parse(e().info()), spec: JSON.parse(e().spec()) }),
    learnPresets: () => JSON.parse(m().learnPresets()),
    learnCheckSpec: ({ spec, classes }) => JSON.parse(m().learnCheckSpec(spec, classes ?? 0)),
    learnFcVsConv: ({ c, h, w, units, k, c_out }) => JSON.parse(m().learnFcVsConv(c, h, w, units, k, c_out)),
    learnCoverage: ({ w, k, s, p }) => JSON.parse(m().learnCoverage(w, k, s, p)),
    learnRfOfStack: ({ kernels, strides }) => m().learnRfOfStack(kernels, strides),
    learnRun: ({ rgba, width, height, layers = [] }) => {
      const input = m().learnRun(e(), rgba, width, height);
      const acts = {};
      for (const l of layers) acts[l] = m().learnActivation(e(), l);
      return { input, probs: m().learnProbabilities(e()), acts };
    },
    learnActivation: ({ layer }) => m().learnActivation(e(), layer),
    learnConvSteps: ({ layer, filter, cells }) => cells.map(([oy, ox]) => {
      const s = JSON.parse(m().learnConvStep(e(), layer, filter, oy, ox));
      return { ...s, patch: f32(s.patch), padded: u8(s.padded), weights: f32(s.weights) };
    }),
    learnEquivariance: ({ layer, dx, dy }) => {
      const r = JSON.parse(m().learnEquivariance(e(), layer, dx, dy));
      for (const k of ['shifted_input', 'conv_of_shifted', 'shifted_conv', 'diff']) r[k] = f32(r[k]);
      r.interior = u8(r.interior);
      return r;
    },
    learnPoolInvariance: ({ layer, maxShift }) => JSON.parse(m().learnPoolInvariance(e(), layer, maxShift)),
    learnPredictShifts: ({ shifts }) => JSON.parse(m().learnPredictShifts(e(), shifts)).map(f32),
    learnReceptiveField: ({ layer, oy, ox }) => JSON.parse(m().learnReceptiveField(e(), layer, oy, ox)),
    // Where the model looks (looks.h): saliency, occlusion and the filters kept across training.
    learnSaliency: ({ cls = -1 }) => {
      const r = JSON.parse(m().learnSaliency(e(), cls));
      r.map = f32(r.map);
      return r;
    },
    learnOcclusion: ({ cls = -1, patch = 0, stride = 0 }) => {
      const r = JSON.parse(m().learnOcclusion(e(), cls, patch, stride));
      r.probs = f32(r.probs);
      r.drop = f32(r.drop);
      return r;
    },
  };
}
