// The built-in dataset: the Fashion-MNIST subset that make web writes into gen/ (tools/
// make-fashion.mjs): fashion-mnist.json says how many images of which classes, and
// fashion-mnist.bin holds them as 28×28 grey bytes, class after class, each class's training
// images then its test images. Both are read as outside input: every field and the byte count
// are checked against the engine's limits (the built-in side, the most classes, the most images
// a project holds), and a mismatch is an Error saying what is wrong.
// each file named in full, so the service worker's precache check (e2e/static-host.spec.js) sees
// both: the dataset works offline too
const INDEX_URL = new URL('../gen/fashion-mnist.json', import.meta.url);
const BIN_URL = new URL('../gen/fashion-mnist.bin', import.meta.url);

let cached = null;

// -> {name, classes: [names], width, height, trainPerClass, testPerClass, images(c, split) ->
//    [{rgba, width, height}]}
// limits: {side: testsetRules' builtin_side, maxClasses: rules.classes.max, maxImages:
// rules.project.max_images}
export function loadBuiltin(limits) {
  cached ??= read(limits).catch((e) => { cached = null; throw e; });
  return cached;
}

async function read({ side: wantSide, maxClasses, maxImages }) {
  const fail = (why) => { throw new Error(`The built-in dataset could not be read (${why}). Rebuild the page with make web.`); };
  const res = await fetch(INDEX_URL);
  if (!res.ok) fail(`its index answered ${res.status}`);
  let m;
  try { m = await res.json(); } catch { fail('its index is not JSON'); }
  const int = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!m || typeof m !== 'object') fail('its index is not an object');
  if (m.width !== wantSide || m.height !== wantSide || m.channels !== 1) fail('its image size');
  if (!Array.isArray(m.classes) || m.classes.length < 2 || m.classes.length > maxClasses || m.classes.some((c) => typeof c !== 'string' || !c.trim())) fail('its class names');
  // every class in one project: at most the images a project holds
  if (!int(m.train_per_class, 1, maxImages) || !int(m.test_per_class, 0, maxImages) ||
      (m.train_per_class + m.test_per_class) * m.classes.length > maxImages) fail('its image counts');
  const side = m.width * m.height, per = m.train_per_class + m.test_per_class;
  const expected = side * per * m.classes.length;
  if (m.bytes !== expected) fail(`its index says ${m.bytes} bytes, its counts make ${expected}`);
  const bin = await fetch(BIN_URL);
  if (!bin.ok) fail(`its images answered ${bin.status}`);
  const bytes = new Uint8Array(await bin.arrayBuffer());
  if (bytes.length !== expected) fail(`${bytes.length} bytes of images, ${expected} expected`);
  const grey = (offset) => {
    const rgba = new Uint8Array(side * 4);
    for (let i = 0; i < side; i++) {
      const v = bytes[offset + i];
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = v;
      rgba[4 * i + 3] = 255;
    }
    return { rgba, width: m.width, height: m.height };
  };
  return {
    name: typeof m.name === 'string' ? m.name : 'Fashion-MNIST',
    classes: m.classes.map(String), width: m.width, height: m.height,
    trainPerClass: m.train_per_class, testPerClass: m.test_per_class,
    images(c, split) {
      const start = (c * per + (split === 'test' ? m.train_per_class : 0)) * side;
      const n = split === 'test' ? m.test_per_class : m.train_per_class;
      return Array.from({ length: n }, (_, i) => grey(start + i * side));
    },
  };
}
