// The teacher's held-out test images for grading: a folder picked with <input webkitdirectory>
// holding one sub-folder per class. Sub-folders are matched to the assignment's classes by the
// worker's folderClass (core's rule, the one `convlab grade --test DIR` uses), so the page and
// the CLI label the same files alike; a folder that matches no class is named, not guessed.
// Images are decoded at their own size (core's preprocessing scales them as it scales every
// image): PNG by image-codec.js (exact, as libpng reads it), JPEG by the browser with nothing
// converted (colour space, alpha; Chromium decodes with libjpeg-turbo as the CLI does).
import { decodePNG } from '../storage/image-codec.js';
import { checkImageFile } from '../image-size.js';

// what `convlab grade --test DIR` reads: DIR/<class>/<image>.png|.jpg|.jpeg, one level deep
const EXT = /\.(png|jpe?g)$/i;

async function decode(file, upload) {
  const tooLarge = await checkImageFile(file, upload);
  if (tooLarge) throw new Error(tooLarge);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (/\.png$/i.test(file.name)) {
    try { return decodePNG(bytes, upload.max_side); } catch { /* a PNG kind it does not read (16-bit, interlaced): the browser's */ }
  }
  let bmp;
  try {
    bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error('the file is damaged or not really an image');
  }
  try {
    const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d', { willReadFrequently: true });
    g.drawImage(bmp, 0, 0);
    return { rgba: new Uint8Array(g.getImageData(0, 0, bmp.width, bmp.height).data.buffer), width: bmp.width, height: bmp.height };
  } finally {
    bmp.close();
  }
}

// files: File[] (webkitRelativePath "top/<class>/<file>"), classes: [names], engine ->
// {images: [{rgba, width, height, label}], perClass: [count], unmatched: [folder names],
//  errors: ["path: why"]}
export async function readTestFolder(files, classes, engine, upload) {
  const images = [], unmatched = new Set(), errors = [];
  const perClass = classes.map(() => 0);
  const folderLabel = new Map();
  for (const f of files) {
    const path = String(f.webkitRelativePath || f.name);
    const parts = path.split('/').filter(Boolean);
    if (!EXT.test(f.name)) {
      if (/\.(webp|gif|bmp|tiff?|heic)$/i.test(f.name)) errors.push(`${path}: only PNG and JPEG test images are read (as the command-line grader reads them)`);
      continue;  // .DS_Store, notes: not images, not errors
    }
    if (parts.length < 3) { unmatched.add('(images outside a class folder)'); continue; }
    if (parts.length > 3) { unmatched.add(`${parts.slice(1, -1).join('/')} (a folder inside a class folder)`); continue; }
    const folder = parts[parts.length - 2];
    if (!folderLabel.has(folder)) folderLabel.set(folder, await engine.call('folderClass', { name: folder, classes }));
    const label = folderLabel.get(folder);
    if (!(label >= 0)) { unmatched.add(folder); continue; }
    try {
      images.push({ ...(await decode(f, upload)), label });
      perClass[label]++;
    } catch (e) {
      errors.push(`${path}: ${e.message}`);
    }
  }
  return { images, perClass, unmatched: [...unmatched], errors };
}
