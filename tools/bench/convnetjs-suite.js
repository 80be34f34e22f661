// ConvNetJS 0.3.0 (global convnetjs from peers/convnet-min.js): it trains one image at a
// time and updates every batch_size images, so a step is 32 train() calls.
import { WORKLOADS, seeded, timeRate } from './timing.js';

const convnetjs = globalThis.convnetjs;

function build(name) {
  const { h, w, c, classes } = WORKLOADS[name];
  const conv = (filters) => ({ type: 'conv', sx: 3, filters, stride: 1, pad: 1, activation: 'relu' });
  const pool = { type: 'pool', sx: 2, stride: 2 };
  const defs = [{ type: 'input', out_sx: w, out_sy: h, out_depth: c }];
  if (name === 'A') defs.push(conv(16), pool, conv(32), pool, { type: 'softmax', num_classes: classes });
  else
    defs.push(conv(16), conv(16), pool, conv(16), conv(16), pool, { type: 'fc', num_neurons: 64, activation: 'relu' },
      { type: 'softmax', num_classes: classes });
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  return net;
}

export async function runConvNetJs({ reps, minSeconds }, log) {
  const out = { engine: 'ConvNetJS 0.3.0', threads: 1, workloads: {} };
  for (const name of ['A', 'B']) {
    const { h, w, c, classes } = WORKLOADS[name];
    const net = build(name);
    const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: 0.01, momentum: 0.9, batch_size: 32, l2_decay: 0 });
    const rnd = seeded(7);
    const vols = Array.from({ length: 32 }, () => {
      const v = new convnetjs.Vol(w, h, c, 0.0);
      for (let i = 0; i < v.w.length; ++i) v.w[i] = rnd();
      return v;
    });
    const labels = vols.map(() => Math.floor(rnd() * classes));
    const r = {};
    r.train = await timeRate(() => vols.forEach((v, i) => trainer.train(v, labels[i])), 32, { reps, minSeconds });
    r.infer32 = await timeRate(() => vols.forEach((v) => net.forward(v, false)), 32, { reps, minSeconds });
    r.infer1 = await timeRate(() => net.forward(vols[0], false), 1, { reps, minSeconds });
    out.workloads[name] = r;
    log(`ConvNetJS ${name}: ${r.train.images_per_s.toFixed(1)} train img/s`);
  }
  return out;
}
