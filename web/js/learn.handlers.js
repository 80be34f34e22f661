// Worker-side commands of the "Inside the CNN" views and the model editor. Each handler gets
// its args and uses ctx().mod (the wasm module) and ctx().engine (the Engine); all numbers
// come from core/learn (wasm/learn_bindings.cc). Commands (args -> result):
//   learnInfo {}                                 -> the model's per-layer table (as setSpec returns) + spec
//   learnPresets {}                              -> [{id, name, description, spec, trainable}]
//   learnCheckSpec {spec}                        -> checkSpec report without the size budget, + over_budget
//   learnFcVsConv {c, h, w, units, k, c_out}     -> {fc_weights_per_neuron, fc_layer_weights, ...}
//   learnCoverage {w, k, s, p}                   -> {w_out, exact, counts[], unused, formula, ...}
//   learnRfOfStack {kernels[], strides[]}        -> receptive field size
//   learnRun {rgba, width, height, layers[]}     -> {input (C,H,W), probs, acts: {layer: Float32Array}}
//   learnActivation {layer}                      -> Float32Array of the last run's layer output
//   learnConvSteps {layer, filter, cells[[oy, ox]]} -> [{patch, padded, weights, bias, dot, value, relu, ...}]
//   learnEquivariance {layer, dx, dy}            -> {conv_of_shifted, shifted_conv, diff, interior, ...}
//   learnPoolInvariance {layer, maxShift}        -> [{shift, cells, max_unchanged, avg_unchanged, ...}]
//   learnPredictShifts {shifts[]}                -> [Float32Array of class probabilities]
//   learnReceptiveField {layer, oy, ox}          -> {y0, x0, y1, x1} on the input (half-open)
export function learnHandlers(ctx) {
  const m = () => ctx().mod;
  const e = () => ctx().engine;
  return {
    learnInfo: () => ({ ...JSON.parse(e().info()), spec: JSON.parse(e().spec()) }),
    learnPresets: () => JSON.parse(m().learnPresets()),
    learnCheckSpec: ({ spec }) => JSON.parse(m().learnCheckSpec(spec)),
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
