// Worker-side commands of the "Inside the CNN" views and the model editor. Each handler gets
// its args and uses ctx().mod (the wasm module) and ctx().engine (the Engine); all numbers
// come from core/learn (wasm/learn_bindings.cc). The commands and their results are listed
// with every other command at the top of engine.worker.js.
export function learnHandlers(ctx) {
  const m = () => ctx().mod;
  const e = () => ctx().engine;
  return {
    learnInfo: () => ({ ...JSON.parse(e().info()), spec: JSON.parse(e().spec()) }),
    learnPresets: () => JSON.parse(m().learnPresets()),
    learnCheckSpec: ({ spec, classes }) => JSON.parse(m().learnCheckSpec(spec, classes ?? 0)),
    learnFcVsConv: ({ c, h, w, units, k, c_out }) => m().learnFcVsConv(c, h, w, units, k, c_out),
    learnCoverage: ({ w, k, s, p }) => m().learnCoverage(w, k, s, p),
    learnRfOfStack: ({ kernels, strides }) => m().learnRfOfStack(kernels, strides),
    learnRun: ({ rgba, width, height, layers = [] }) => {
      const input = m().learnRun(e(), rgba, width, height);
      const acts = {};
      for (const l of layers) acts[l] = m().learnActivation(e(), l);
      return { input, probs: m().learnProbabilities(e()), acts };
    },
    learnActivation: ({ layer }) => m().learnActivation(e(), layer),
    learnConvSteps: ({ layer, filter, cells }) => cells.map(([oy, ox]) => m().learnConvStep(e(), layer, filter, oy, ox)),
    learnEquivariance: ({ layer, dx, dy }) => m().learnEquivariance(e(), layer, dx, dy),
    learnPoolInvariance: ({ layer, maxShift }) => m().learnPoolInvariance(e(), layer, maxShift),
    learnPredictShifts: ({ shifts }) => m().learnPredictShifts(e(), shifts),
    learnReceptiveField: ({ layer, oy, ox }) => m().learnReceptiveField(e(), layer, oy, ox),
  };
}
