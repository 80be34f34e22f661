// An image file's pixel size read from its header (PNG, JPEG, WebP), before the browser
// decodes it: a huge image (a valid 40000x40000 PNG is 6.4 GB as RGBA) fails to decode with a
// message that reads like a damaged file, so it is refused first, saying it is too large and
// what the limit is (rules.upload, from core/rules.h).

// bytes: the file's first bytes -> {width, height}, or null when the header is not found.
export function imageSize(bytes) {
  const b = bytes, n = b.length;
  const u16 = (i) => (b[i] << 8) | b[i + 1];
  const u32 = (i) => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];
  const le16 = (i) => b[i] | (b[i + 1] << 8);
  const le24 = (i) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
  // PNG: the IHDR chunk comes first
  if (n >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[12] === 0x49 && b[13] === 0x48)
    return { width: u32(16), height: u32(20) };
  // JPEG: walk the segments to the first start-of-frame (SOF0..SOF15 except DHT, JPG, DAC)
  if (n >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    for (let i = 2; i + 9 < n;) {
      if (b[i] !== 0xff) return null;
      const m = b[i + 1];
      if (m === 0xff) { i++; continue; }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { width: u16(i + 7), height: u16(i + 5) };
      if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) { i += 2; continue; }
      i += 2 + u16(i + 2);
    }
    return null;
  }
  // WebP: RIFF....WEBP then VP8 (lossy), VP8L (lossless) or VP8X (extended)
  if (n >= 30 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') {
    const kind = String.fromCharCode(...b.subarray(12, 16));
    if (kind === 'VP8 ') return { width: le16(26) & 0x3fff, height: le16(28) & 0x3fff };
    if (kind === 'VP8L') {
      const v = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') return { width: le24(24) + 1, height: le24(27) + 1 };
  }
  return null;
}

// '' when an image of this size may be decoded, else why not (upload: rules.upload).
export function sizeProblem({ width, height }, upload) {
  if (width <= upload.max_side && height <= upload.max_side && width * height <= upload.max_pixels) return '';
  const mp = (upload.max_pixels / 1e6).toFixed(0);
  return `the image is too large (${width}×${height} pixels): ConvLab opens images of at most ${upload.max_side} pixels on a side and ${mp} megapixels; scale it down and try again`;
}

// file: a File or Blob -> '' or why it is too large (reads its first megabyte only; a header
// past that is left to the browser's decoder).
export async function checkImageFile(file, upload) {
  const head = new Uint8Array(await file.slice(0, 1 << 20).arrayBuffer());
  const size = imageSize(head);
  return size ? sizeProblem(size, upload) : '';
}
