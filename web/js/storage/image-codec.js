// Stored images as PNG files written here: lossless, so decoding gives back exactly the RGBA
// bytes that were stored (no canvas in the path, hence no premultiplied alpha or colour-space
// conversion to undo), the same bytes in IndexedDB and in a .convlab file, and any image viewer
// opens them. Opaque images (every camera frame and decoded upload) drop the alpha channel, and
// grey ones (R = G = B: Fashion-MNIST) keep one channel; each row takes the PNG filter with the
// smallest sum of absolute differences (the libpng heuristic), then zlib deflate (fflate).
// Measured by `make bench` (tools/bench/storage.mjs): a 96x96 webcam-like photo goes from 36,864
// raw bytes to about a third of that; a 28x28 Fashion-MNIST image to a few hundred bytes.
import { zlibSync, unzlibSync } from '../fflate.js';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const GREY = 0, RGB = 2, RGBA = 6;
const CHANNELS = { [GREY]: 1, [RGB]: 3, [RGBA]: 4 };

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// CRC-32 (ISO 3309, as PNG and zip use it) of bytes[start, end).
export function crc32(bytes, start = 0, end = bytes.length, crc = 0) {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function colourType(rgba) {
  let grey = true;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] !== 255) return RGBA;
    if (grey && (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2])) grey = false;
  }
  return grey ? GREY : RGB;
}

function paeth(a, b, c) {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// One filtered row (filter byte first) into out at o: raw is this row, prev the one above.
function filterRow(f, raw, prev, bpp, out, o) {
  out[o] = f;
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bpp ? raw[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
    const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
    out[o + 1 + i] = (raw[i] - pred) & 0xff;
  }
}

function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

// {rgba, width, height} -> PNG bytes.
export function encodePNG({ rgba, width, height }) {
  if (!(rgba instanceof Uint8Array) || rgba.length !== width * height * 4 || !(width > 0) || !(height > 0))
    throw new Error(`cannot encode an image of ${width}x${height} from ${rgba?.length} bytes`);
  const type = colourType(rgba), bpp = CHANNELS[type], stride = width * bpp;
  const filtered = new Uint8Array(height * (1 + stride));
  let prev = new Uint8Array(stride), row = new Uint8Array(stride);
  const trial = new Uint8Array(1 + stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0, s = y * width * 4; x < width; x++, s += 4)
      for (let k = 0; k < bpp; k++) row[x * bpp + k] = rgba[s + k];
    let best = 0, bestCost = Infinity;
    for (let f = 0; f < 5; f++) {
      filterRow(f, row, prev, bpp, trial, 0);
      let cost = 0;
      for (let i = 1; i < trial.length; i++) cost += trial[i] < 128 ? trial[i] : 256 - trial[i];
      if (cost < bestCost) { bestCost = cost; best = f; }
    }
    filterRow(best, row, prev, bpp, filtered, y * (1 + stride));
    [prev, row] = [row, prev];
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;  // bits per sample
  ihdr[9] = type;
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(filtered, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// A missing limit is the caller's mistake, not a damaged image: a TypeError, never "no limit".
function needLimit(maxSide) {
  if (!(maxSide > 0)) throw new TypeError('decodePNG: maxSide (the engine\'s rules.store.cap) is required');
}

// A PNG's structure checked without its pixels: signature, every chunk's length and CRC-32,
// the header (8-bit grey, RGB or RGBA, not interlaced, at most maxSide on a side, which bounds
// the memory before any inflating) and the end. -> {width, height, type, idat: [chunks]}
// Throws an Error saying what is wrong.
function pngHeader(bytes, maxSide) {
  if (!(bytes instanceof Uint8Array)) throw new Error('the image has no bytes');
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('the image is not a PNG file');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8, width = 0, height = 0, type = -1, ended = false;
  const idat = [];
  while (pos + 12 <= bytes.length && !ended) {
    const len = v.getUint32(pos);
    if (len > bytes.length - pos - 12) throw new Error('the PNG file is truncated');
    const name = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (crc32(bytes, pos + 4, pos + 8 + len) !== v.getUint32(pos + 8 + len)) throw new Error(`the PNG file is damaged (its ${name} chunk fails its checksum)`);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (name === 'IHDR') {
      if (len !== 13) throw new Error('the PNG header is damaged');
      const d = new DataView(data.buffer, data.byteOffset, 13);
      width = d.getUint32(0);
      height = d.getUint32(4);
      type = data[9];
      if (data[8] !== 8 || !(type in CHANNELS) || data[10] !== 0 || data[11] !== 0 || data[12] !== 0)
        throw new Error('the PNG file is of a kind ConvLab does not store (it needs 8-bit grey, RGB or RGBA, not interlaced)');
      if (!width || !height || width > maxSide || height > maxSide)
        throw new Error(`the PNG image is ${width}x${height} pixels; a stored image is at most ${maxSide} on a side`);
    } else if (name === 'IDAT') {
      if (type < 0) throw new Error('the PNG file is damaged (image data before its header)');
      idat.push(data);
    } else if (name === 'IEND') {
      ended = true;
    }
    pos += 12 + len;
  }
  if (type < 0) throw new Error('the PNG file has no header');
  if (!ended) throw new Error('the PNG file is truncated');
  return { width, height, type, idat };
}

// PNG bytes -> {rgba, width, height}. Reads the kinds encodePNG writes (8-bit grey, RGB or RGBA,
// not interlaced) and any other PNG of those kinds; maxSide bounds the memory before any
// inflating: it is the engine's rules.store.cap, passed by every caller (no default here, so the
// page keeps no copy of the limit). Throws an Error saying what is wrong.
export function decodePNG(bytes, maxSide) {
  needLimit(maxSide);
  const { width, height, type, idat } = pngHeader(bytes, maxSide);
  const bpp = CHANNELS[type], stride = width * bpp, expected = height * (1 + stride);
  const z = new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of idat) { z.set(p, o); o += p.length; }
  // one spare byte: fflate drops what does not fit, so a full spare byte means too much data
  // (allocated outside the try: running out of memory is not "damaged"; maxSide bounds it)
  const out = new Uint8Array(expected + 1);
  let raw;
  try {
    raw = unzlibSync(z, { out });
  } catch (e) {
    throw new Error(`the PNG image data is damaged (${e.message})`);
  }
  if (raw.length !== expected) throw new Error('the PNG image data does not match its size');
  const rgba = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (1 + stride)], row = raw.subarray(y * (1 + stride) + 1, (y + 1) * (1 + stride));
    if (f > 4) throw new Error('the PNG image data is damaged (unknown row filter)');
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
      row[i] = (row[i] + pred) & 0xff;  // in place: row becomes the unfiltered row
    }
    for (let x = 0, d = y * width * 4; x < width; x++, d += 4) {
      if (bpp === 1) { rgba[d] = rgba[d + 1] = rgba[d + 2] = row[x]; rgba[d + 3] = 255; }
      else {
        rgba[d] = row[x * bpp]; rgba[d + 1] = row[x * bpp + 1]; rgba[d + 2] = row[x * bpp + 2];
        rgba[d + 3] = bpp === 4 ? row[x * bpp + 3] : 255;
      }
    }
    prev = row;
  }
  return { rgba, width, height };
}

// Many stored PNGs -> [{rgba, width, height} or an Error], for opening a project. Inflating in
// JS takes milliseconds per photo, so opaque images (grey or RGB: every camera frame and
// decoded upload) go through the browser's own PNG decoder, after pngHeader has checked their
// structure and checksums. Its pixels are exact for opaque images when nothing converts them
// (colorSpaceConversion 'none', premultiplyAlpha 'none'; alpha would be premultiplied on the
// canvas, so RGBA images stay in JS), and that is verified: the first image decoded natively is
// also decoded by decodePNG, and any difference sends every image through decodePNG.
let nativeChecked = null;  // null: not yet; true / false: the browser's decoder is exact here
export async function decodePNGs(list, maxSide) {
  needLimit(maxSide);
  const native = typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function' && nativeChecked !== false;
  const canvases = new Map();
  const viaBrowser = async (png, h) => {
    const bmp = await createImageBitmap(new Blob([png], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    try {
      if (bmp.width !== h.width || bmp.height !== h.height) throw new Error('size');
      const key = `${h.width}x${h.height}`;
      if (!canvases.has(key)) canvases.set(key, new OffscreenCanvas(h.width, h.height).getContext('2d', { willReadFrequently: true }));
      const g = canvases.get(key);
      g.clearRect(0, 0, h.width, h.height);
      g.drawImage(bmp, 0, 0);
      return { rgba: new Uint8Array(g.getImageData(0, 0, h.width, h.height).data.buffer), width: h.width, height: h.height };
    } finally {
      bmp.close();
    }
  };
  const one = async (png) => {
    try {
      const h = pngHeader(png, maxSide);
      if (!native || nativeChecked === false || h.type === RGBA) return decodePNG(png, maxSide);
      let im;
      try {
        im = await viaBrowser(png, h);
      } catch {
        return decodePNG(png, maxSide);  // the JS decoder names what is wrong, or reads it
      }
      if (nativeChecked === null) {
        const ref = decodePNG(png, maxSide);
        nativeChecked = ref.rgba.every((x, i) => x === im.rgba[i]);
        if (!nativeChecked) return ref;
      }
      return nativeChecked ? im : decodePNG(png, maxSide);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  };
  const out = new Array(list.length);
  const first = list.findIndex((p) => p);
  if (first >= 0) out[first] = await one(list[first]);  // settles nativeChecked before the rest
  const BATCH = 32;  // decodes in flight: the browser decodes off the main thread
  for (let i = 0; i < list.length; i += BATCH) {
    const idx = [];
    for (let k = i; k < Math.min(list.length, i + BATCH); k++) if (k !== first) idx.push(k);
    const rs = await Promise.all(idx.map((k) => one(list[k])));
    idx.forEach((k, j) => { out[k] = rs[j]; });
  }
  return out;
}
