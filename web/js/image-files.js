// Image files -> RGBA bytes at the stored size (centre crop to the stored aspect ratio,
// then a high-quality downscale). Bad files are reported by name and skipped; the rest
// are kept. A file larger than rules.upload (its header says so) is refused before decoding.
import { checkImageFile } from './image-size.js';

const TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);
const EXT = /\.(png|jpe?g|webp)$/i;

// The largest centred rectangle of a sw x sh source with the aspect ratio of width x height.
export function centreCrop(sw, sh, width, height) {
  const s = Math.min(sw / width, sh / height);
  const cw = width * s, ch = height * s;
  return { x: (sw - cw) / 2, y: (sh - ch) / 2, w: cw, h: ch };
}

// Draws any image source's centre crop into an RGBA buffer of the given size.
export function cropToRGBA(src, sw, sh, width, height, canvas = document.createElement('canvas')) {
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const c = centreCrop(sw, sh, width, height);
  g.imageSmoothingQuality = 'high';
  g.drawImage(src, c.x, c.y, c.w, c.h, 0, 0, width, height);
  return { rgba: new Uint8Array(g.getImageData(0, 0, width, height).data.buffer), width, height };
}

// files: File[] -> {images: [{rgba, width, height, name, stretched ('' or 'W×H' of a source
// smaller than the stored size)}], errors: ["name: why"]}
// upload: rules.upload {max_side, max_pixels}; without it the browser's decoder is the limit.
export async function decodeFiles(files, size, upload) {
  const images = [], errors = [];
  const canvas = document.createElement('canvas');
  for (const f of files) {
    if (!TYPES.has(f.type) && !EXT.test(f.name)) {
      errors.push(`${f.name}: not a PNG, JPEG or WebP image`);
      continue;
    }
    const tooLarge = upload ? await checkImageFile(f, upload) : '';
    if (tooLarge) {
      errors.push(`${f.name}: ${tooLarge}`);
      continue;
    }
    let bmp;
    try {
      bmp = await createImageBitmap(f);
    } catch {
      errors.push(`${f.name}: the file is damaged or not really an image`);
      continue;
    }
    try {
      if (!bmp.width || !bmp.height) throw new Error('empty');
      // a crop smaller than the stored size is stretched up (a 1x1 or 1x4000 picture): the
      // caller says so once
      const c = centreCrop(bmp.width, bmp.height, size.width, size.height);
      const stretched = c.w < size.width || c.h < size.height ? `${bmp.width}×${bmp.height}` : '';
      images.push({ ...cropToRGBA(bmp, bmp.width, bmp.height, size.width, size.height, canvas), name: f.name, stretched });
    } catch {
      errors.push(`${f.name}: the image could not be read`);
    } finally {
      bmp.close();
    }
  }
  return { images, errors };
}

// RGBA bytes -> a canvas element to show as a thumbnail.
export function rgbaCanvas({ rgba, width, height }, cls = 'thumb') {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = cls;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height), 0, 0);
  return c;
}
