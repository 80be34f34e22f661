// View 2: why convolution. One fully-connected neuron on a c_in×h×w input needs c_in·h·w
// weights, a layer of them that times the units; a conv filter needs only k·k·c_in weights,
// shared over every position. The lecture's 32×32 → 1,024 and 300×300×3 → 270,000.
import { h, fill, numberInput } from '../../dom.js';
import { fmt } from '../../format.js';

export function createFcConv(ctx, shared) {
  const fields = {};
  // the ranges are the engine's (rules.calculators.fc_vs_conv)
  const range = Object.fromEntries(ctx.rules.calculators.fc_vs_conv.map((f) => [f.key, f]));
  const numberField = (key, label) => {
    const { min, max } = range[key];
    fields[key] = numberInput({ min, max, name: key, id: `fc-${key}`, label }, () => compute());
    return h('label', { class: 'field' }, label, fields[key]);
  };
  const out = h('div', { class: 'fc-compare', id: 'fc-result' });
  const examples = h('table', { class: 'simple', id: 'fc-examples' });
  const el = h('div', { class: 'panel' },
    h('h3', {}, 'Fully-connected versus convolutional'),
    h('p', { class: 'lead' }, 'A fully-connected neuron has one weight for every input value, so it needs c_in·h·w weights; a convolutional filter looks at one k×k×c_in window at a time and reuses the same k·k·c_in weights at every position.'),
    h('div', { class: 'row' }, numberField('c', 'channels c_in'), numberField('h', 'height'), numberField('w', 'width w_in'),
      numberField('units', 'neurons in the layer'), numberField('k', 'kernel k'), numberField('c_out', 'filters c_out')),
    out,
    h('h3', {}, 'The lecture’s examples'), examples);

  let seq = 0;
  async function compute() {
    const a = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, Number(f.value)]));
    if (Object.values(a).some((v) => !(v >= 1))) return;
    const s = ++seq;
    let r;
    try {
      r = await ctx.engine.call('learnFcVsConv', a);
    } catch (e) {
      fill(out, h('p', { class: 'message error' }, e.message));
      return;
    }
    if (s !== seq) return;
    const ratio = r.fc_layer_params / r.conv_layer_params;
    const bar = (v, cls) => h('div', { class: `bar ${cls}`, style: { width: `${Math.max(1, 100 * Math.log10(1 + v) / Math.log10(1 + Math.max(r.fc_layer_params, 10)))}%` } });
    fill(out,
      h('div', { class: 'fc-card fc' },
        h('div', { class: 'big', id: 'fc-per-neuron' }, fmt(r.fc_weights_per_neuron)),
        h('div', {}, `weights for ONE fully-connected neuron = ${a.c}·${a.h}·${a.w}`),
        h('div', { class: 'small', id: 'fc-layer' }, `${fmt(a.units)} neurons: ${fmt(r.fc_layer_weights)} weights + ${fmt(a.units)} biases = ${fmt(r.fc_layer_params)} parameters`),
        bar(r.fc_layer_params, 'fc')),
      h('div', { class: 'fc-card conv' },
        h('div', { class: 'big', id: 'conv-per-filter' }, fmt(r.conv_weights_per_filter)),
        h('div', {}, `weights for ONE conv filter = ${a.k}·${a.k}·${a.c}, whatever the image size`),
        h('div', { class: 'small', id: 'conv-layer' }, `${fmt(a.c_out)} filters: ${a.c_out}·(${a.k}·${a.k}·${a.c})+${a.c_out} = ${fmt(r.conv_layer_params)} parameters`),
        bar(r.conv_layer_params, 'conv')),
      h('p', { class: 'hint' }, `The fully-connected layer needs ${ratio >= 10 ? fmt(Math.round(ratio)) : ratio.toFixed(1)}× the parameters (bars on a log scale).`));
  }

  async function renderExamples() {
    const rows = [[1, 32, 32], [3, 32, 32], [3, 300, 300]];
    const rs = await Promise.all(rows.map(([c, hh, w]) => ctx.engine.call('learnFcVsConv', { c, h: hh, w, units: 1, k: 3, c_out: 1 })));
    fill(examples,
      h('thead', {}, h('tr', {}, h('th', {}, 'input'), h('th', {}, 'weights per FC neuron'), h('th', {}, 'weights per 3×3 filter'))),
      h('tbody', {}, rows.map(([c, hh, w], i) => h('tr', {},
        h('td', {}, `${hh}×${w}×${c}`), h('td', { class: 'num' }, fmt(rs[i].fc_weights_per_neuron)), h('td', { class: 'num' }, fmt(rs[i].conv_weights_per_filter))))));
  }

  let initialised = false;
  return {
    el,
    async show() {
      if (!initialised) {
        initialised = true;
        const inp = shared.info?.input ?? [3, 64, 64];
        const firstConv = shared.info?.layers?.find((l) => l.type === 'conv2d');
        const firstLinear = shared.info?.layers?.find((l) => l.type === 'linear');
        fields.c.value = inp[0];
        fields.h.value = inp[1];
        fields.w.value = inp[2];
        fields.units.value = firstLinear?.out?.[0] ?? 100;
        fields.k.value = firstConv ? shared.info.spec.layers[firstConv.index].kernel : 3;
        fields.c_out.value = firstConv?.out?.[0] ?? 16;
        await renderExamples();
      }
      await compute();
    },
  };
}
