// Writes the page's built-in dataset: a Fashion-MNIST subset from Debian's dataset-fashion-mnist
// (MIT licence), read from its idx files, into OUT_DIR/fashion-mnist.bin and .json.
//   node tools/make-fashion.mjs [OUT_DIR] [SRC_DIR]
// The subset is the first TRAIN (TEST) images of each class in the files' own order, so every
// build writes the same bytes. The .bin holds 28×28 grey bytes, class after class, each class's
// training images then its test images; the .json says how many and names the classes.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

const OUT = process.argv[2] ?? 'web/gen';
const SRC = process.argv[3] ?? '/usr/share/datasets/fashion-mnist';
const TRAIN = 300, TEST = 100, SIDE = 28;
// The dataset's own class names, in label order (its README).
const NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function idx(file, magic) {
  let b;
  try {
    b = gunzipSync(readFileSync(join(SRC, file)));
  } catch (e) {
    throw new Error(`cannot read ${join(SRC, file)} (${e.message}): install Debian's dataset-fashion-mnist (make apt)`);
  }
  if (b.readUInt32BE(0) !== magic) throw new Error(`${file} is not an idx file of the expected kind`);
  return b;
}

function pick(prefix, per) {
  const im = idx(`${prefix}-images-idx3-ubyte.gz`, 2051), lb = idx(`${prefix}-labels-idx1-ubyte.gz`, 2049);
  const n = lb.readUInt32BE(4);
  if (im.readUInt32BE(4) !== n || im.readUInt32BE(8) !== SIDE || im.readUInt32BE(12) !== SIDE) throw new Error(`${prefix}: unexpected sizes`);
  const byClass = NAMES.map(() => []);
  for (let i = 0; i < n; i++) {
    const c = lb[8 + i];
    if (byClass[c].length < per) byClass[c].push(im.subarray(16 + i * SIDE * SIDE, 16 + (i + 1) * SIDE * SIDE));
  }
  for (const [c, l] of byClass.entries()) if (l.length < per) throw new Error(`${prefix}: only ${l.length} images of class ${c}`);
  return byClass;
}

const train = pick('train', TRAIN), test = pick('t10k', TEST);
const parts = [];
for (let c = 0; c < NAMES.length; c++) parts.push(...train[c], ...test[c]);
mkdirSync(OUT, { recursive: true });
const bin = Buffer.concat(parts);
writeFileSync(join(OUT, 'fashion-mnist.bin'), bin);
writeFileSync(join(OUT, 'fashion-mnist.json'), JSON.stringify({
  name: 'Fashion-MNIST', source: 'Zalando Research, MIT licence (Debian dataset-fashion-mnist)',
  width: SIDE, height: SIDE, channels: 1, classes: NAMES, train_per_class: TRAIN, test_per_class: TEST, bytes: bin.length,
}, null, 1) + '\n');
console.log(`fashion-mnist: ${NAMES.length} classes x (${TRAIN} + ${TEST}) images, ${bin.length} bytes in ${OUT}`);
