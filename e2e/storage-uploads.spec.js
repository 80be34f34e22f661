// Image files past the engine's upload limits (rules.upload) are refused from their header,
// saying they are too large and what the limit is, never "damaged"; the header reader gives
// the size the browser's decoder gives.
const { test, expect } = require('@playwright/test');
const zlib = require('node:zlib');
const h = require('./helpers.js');
const { openLab } = require('./data-lab.js');

// A valid grey PNG of w x h black pixels (40000 x 40000 is 1.6 GB raw, so it is not deflated
// whole: rows are identical, and a block of 1000 rows deflated after a full flush (which keeps
// the next block from referring back) is the same bytes every time, so it is repeated).
function blackPNG(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = ~0 >>> 0; for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return ~c >>> 0; };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;  // 8-bit grey
  const rows = 1000;  // h is a multiple of it here
  const block = zlib.deflateRawSync(Buffer.alloc((w + 1) * rows), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const n = (w + 1) * h;  // filter byte 0 and zeros: Adler-32's sum a stays 1, b is n mod 65521
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((n % 65521) << 16) | 1) >>> 0);
  const z = Buffer.concat([Buffer.from([0x78, 0xda]), ...Array(h / rows).fill(block), Buffer.from([0x03, 0x00]), adler]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', z), chunk('IEND', Buffer.alloc(0))]);
}

test('a valid 40000x40000 PNG is refused as too large, with the limit; normal photos pass', async ({ page }) => {
  test.setTimeout(180_000);
  const huge = blackPNG(40000, 40000);
  // it is a valid PNG: node inflates it to 1.6 GB of rows (checked on a 2000-row one of the same make)
  expect(zlib.inflateSync(blackPNG(500, 2000).subarray(41, -16)).length).toBe(501 * 2000);
  await openLab(page);
  const files = [['huge.png', huge, 'image/png'], ...['chelsea.jpg', 'coffee.webp', 'coffee.png'].map((n) => [n, h.file(n).buffer, h.file(n).mimeType])]
    .map(([name, buf, type]) => ({ name, type, b64: buf.toString('base64') }));
  const r = await page.evaluate(async ({ files }) => {
    const { rules } = globalThis.lab;
    const { decodeFiles } = await import('/js/image-files.js');
    const { imageSize } = await import('/js/image-size.js');
    const fs = files.map((f) => new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const sizes = [];
    for (const f of fs.slice(1)) {
      const bmp = await createImageBitmap(f);
      sizes.push({ name: f.name, header: imageSize(new Uint8Array(await f.arrayBuffer())), decoded: { width: bmp.width, height: bmp.height } });
    }
    const { images, errors } = await decodeFiles(fs, { width: 96, height: 96 }, rules.upload);
    return { errors, decoded: images.map((im) => im.name), sizes, upload: rules.upload };
  }, { files });
  expect(r.errors).toEqual([`huge.png: the image is too large (40000×40000 pixels): ConvLab opens images of at most ${r.upload.max_side} pixels on a side and 50 megapixels; scale it down and try again`]);
  expect(r.decoded).toEqual(['chelsea.jpg', 'coffee.webp', 'coffee.png']);
  for (const s of r.sizes) expect(s.header, s.name).toEqual(s.decoded);
});
