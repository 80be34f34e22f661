// fflate (MIT, pinned in package-lock.json), which `make web` copies from node_modules into
// web/gen: the page loads nothing from another origin. One import point, so the modules that
// zip and deflate (image-codec.js, project-file.js, assignment-link.js) and their node tests share one copy.
export { zlibSync, unzlibSync, zipSync, deflateSync, Inflate, strToU8, strFromU8 } from '../gen/fflate.js';
