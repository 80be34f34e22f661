// make test-onnx: ONNX Runtime (onnxruntime-web under node, pinned in package-lock.json) runs
// every model that `convlab_export suite` exported into DIR. Its two outputs, in this order:
// "probabilities" must equal ConvLab's within 1e-5 on the same inputs (DIR/NAME.io.safetensors),
// "logits" must equal ConvLab's logits within LOGIT_TOL of the row's largest |logit|, and
// softmax(logits) must give those probabilities within 1e-5. Also
// checks that the ONNX checker's committed verdicts (tests/fixtures/export/onnx_checker.json,
// made by tools/make_export_fixtures.py) are for these very files (sha256) and say "ok".
//   node tests/onnx/run.mjs DIR
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as ort from 'onnxruntime-web';

const TOL = 1e-5;
// ORT sums in another order than ConvLab: float32 rounding, relative to the row's scale
const LOGIT_TOL = 1e-5;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = process.argv[2];
if (!dir) { console.error('usage: node tests/onnx/run.mjs DIR'); process.exit(2); }
ort.env.wasm.numThreads = 1;  // node has no cross-origin isolation; one thread is enough

// safetensors (F32 only): {name: {shape, data: Float32Array}}
export function readSafetensors(bytes) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const out = {};
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, end] = e.data_offsets;
    const body = new Uint8Array(bytes.subarray(8 + n + b, 8 + n + end));  // a copy, aligned for Float32Array (Buffer.slice is not one)
    out[name] = { shape: e.shape, data: new Float32Array(body.buffer, 0, (end - b) / 4) };
  }
  return out;
}

const { models } = JSON.parse(readFileSync(path.join(root, 'tests/onnx/models.json'), 'utf8'));
const verdicts = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/export/onnx_checker.json'), 'utf8'));
let passed = 0, failed = 0;
for (const m of models) {
  const file = path.join(dir, `${m.name}.onnx`);
  const bytes = readFileSync(file);
  const problems = [];
  const sha = createHash('sha256').update(bytes).digest('hex');
  const v = verdicts.files?.[m.name];
  if (!v) problems.push('no ONNX checker verdict: run make export-fixtures');
  else if (v.sha256 !== sha) problems.push('the ONNX checker saw another file (the exporter changed): run make export-fixtures');
  else if (v.checker !== 'ok') problems.push(`the ONNX checker said: ${v.checker}`);

  const io = readSafetensors(readFileSync(path.join(dir, `${m.name}.io.safetensors`)));
  const session = await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (session.inputNames.join() !== 'input' || session.outputNames.join() !== 'probabilities,logits')
    problems.push(`names: inputs ${session.inputNames}, outputs ${session.outputNames} (want input; probabilities, logits)`);
  const t0 = performance.now();
  const result = await session.run({ input: new ort.Tensor('float32', io.input.data, io.input.shape) });
  const ms = performance.now() - t0;
  const got = result.probabilities;
  const want = io.probabilities;
  let worst = 0;
  if (got.dims.join() !== want.shape.join()) problems.push(`output shape [${got.dims}], ConvLab's [${want.shape}]`);
  else for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
  if (!(worst <= TOL)) problems.push(`probabilities differ from ConvLab's by ${worst.toExponential(2)} (tolerance ${TOL})`);
  // the logits: ConvLab's within LOGIT_TOL of each row's largest |logit|, and their softmax
  // (in double, max subtracted) ORT's own probabilities
  const logits = result.logits, wantLogits = io.logits;
  let worstLogit = 0, worstSoftmax = 0;
  if (!logits) problems.push('no "logits" output');
  else if (!wantLogits) problems.push(`${m.name}.io.safetensors has no "logits": rebuild convlab_export`);
  else if (logits.dims.join() !== wantLogits.shape.join()) problems.push(`logits shape [${logits.dims}], ConvLab's [${wantLogits.shape}]`);
  else {
    const [rows, cols] = wantLogits.shape;
    for (let r = 0; r < rows; r++) {
      const row = Array.from(logits.data.subarray(r * cols, (r + 1) * cols));
      const ref = wantLogits.data.subarray(r * cols, (r + 1) * cols);
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      for (let k = 0; k < cols; k++) worstLogit = Math.max(worstLogit, Math.abs(row[k] - ref[k]) / scale);
      const top = Math.max(...row);
      const e = row.map((v) => Math.exp(v - top));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let k = 0; k < cols; k++) worstSoftmax = Math.max(worstSoftmax, Math.abs(e[k] / sum - got.data[r * cols + k]));
    }
    if (!(worstLogit <= LOGIT_TOL)) problems.push(`logits differ from ConvLab's by ${worstLogit.toExponential(2)} of the row's scale (tolerance ${LOGIT_TOL})`);
    if (!(worstSoftmax <= TOL)) problems.push(`softmax(logits) differs from the probabilities output by ${worstSoftmax.toExponential(2)} (tolerance ${TOL})`);
  }
  await session.release();
  const line = `${m.name}: ${want.shape[0]} image(s) × ${want.shape[1]} classes, worst |ORT − ConvLab| ${worst.toExponential(2)}, ` +
    `logits ${worstLogit.toExponential(2)}, |softmax(logits) − probabilities| ${worstSoftmax.toExponential(2)}, ORT run ${ms.toFixed(0)} ms`;
  if (problems.length) { failed++; console.log(`FAIL ${line}\n  ${problems.join('\n  ')}`); }
  else { passed++; console.log(`ok   ${line}`); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
