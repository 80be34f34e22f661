// Drawing tensors onto canvases at their own resolution (CSS scales them up, pixelated).
// Colour scales: grey for maps that are never negative (after ReLU, the input), blue–white–red
// for signed ones (feature maps before ReLU, weights, differences), symmetric around 0.

// A canvas of w×h pixels showing x (c, h, w) in [0, 1] as RGB (c = 3) or grey (c = 1).
export function drawImage(canvas, x, c, h, w) {
  canvas.width = w;
  canvas.height = h;
  const g = canvas.getContext('2d');
  const img = g.createImageData(w, h);
  const plane = h * w;
  for (let i = 0; i < plane; i++) {
    const r = x[i], gr = c === 3 ? x[plane + i] : r, b = c === 3 ? x[2 * plane + i] : r;
    img.data[4 * i] = r * 255;
    img.data[4 * i + 1] = gr * 255;
    img.data[4 * i + 2] = b * 255;
    img.data[4 * i + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

export function maxAbs(a, start = 0, n = a.length - start) {
  let m = 0;
  for (let i = start; i < start + n; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function hasNegative(a) {
  for (const v of a) if (v < 0) return true;
  return false;
}

// Colour of value v on a scale of ±scale (signed) or 0..scale: [r, g, b].
export function colour(v, scale, signed) {
  if (!(scale > 0)) return signed ? [255, 255, 255] : [0, 0, 0];
  if (!signed) {
    const t = Math.max(0, Math.min(1, v / scale)) * 255;
    return [t, t, t];
  }
  const t = Math.max(-1, Math.min(1, v / scale));
  return t >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 + t), 255 * (1 + t), 255];
}

// One plane (h×w) of `a` starting at `offset`.
export function drawMap(canvas, a, offset, h, w, { scale, signed } = {}) {
  canvas.width = w;
  canvas.height = h;
  const s = scale ?? maxAbs(a, offset, h * w);
  const sg = signed ?? false;
  const g = canvas.getContext('2d');
  const img = g.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const [r, gg, b] = colour(a[offset + i], s, sg);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = gg;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  g.putImageData(img, 0, 0);
}

// Weights of one filter (c_in, k, k) as an image: RGB when c_in = 3, else grey; scaled so
// 0 is mid-grey and the largest |weight| of the whole layer reaches full colour.
export function drawFilter(canvas, w, offset, cIn, k, scale) {
  canvas.width = k;
  canvas.height = k;
  const g = canvas.getContext('2d');
  const img = g.createImageData(k, k);
  for (let i = 0; i < k * k; i++) {
    const ch = (c) => 127.5 + 127.5 * (w[offset + c * k * k + i] / scale);
    const r = ch(0), gg = cIn === 3 ? ch(1) : r, b = cIn === 3 ? ch(2) : r;
    img.data.set([r, gg, b, 255], 4 * i);
  }
  g.putImageData(img, 0, 0);
}

export const num = (v, d = 3) => (Math.abs(v) < 0.5 * 10 ** -d ? '0' : Number(v).toFixed(d));

// A canvas element that shows pixels crisply at a display size.
export function pixelCanvas(cls, label) {
  const c = document.createElement('canvas');
  c.className = `px ${cls ?? ''}`;
  c.setAttribute('role', 'img');
  if (label) c.setAttribute('aria-label', label);
  return c;
}
