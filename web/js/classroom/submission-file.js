// A student's NAME-submission.convlab read for grading (issue 14): a .convlab project file
// (core's reader through the worker, project-file.js: the hostile input it is, zip directory,
// sizes, CRC-32, every entry)
// that also holds assignment.json (the assignment as handed out), submission.json (core's
// manifest: answers, settings, image_order, weights_sha256) and weights.safetensors.
// Every image of convlab.json's list is decoded to RGBA in the file's order, test-split ones
// too (image_order's indices count them); one that cannot be read stays in its place without
// rgba. The worker's gradeAdd takes them so and core's Grader judges everything else (a bad
// manifest, a missing spec or weights, a damaged image is said in the row), as `convlab grade`
// does with the same file (tools/convlab/submission.cc).
import { readProject } from '../storage/project-file.js';
import { decodePNGs } from '../storage/image-codec.js';

// engine, bytes -> {assignmentText (or undefined), manifest (submission.json's text), spec (text or ''),
// weights (Uint8Array, or undefined), images: [{rgba, width, height, label} | {label}]}.
// Throws an Error when the file is not a readable submission at all, its `kind` "damaged" (its
// message what the reader found) or "not_submission": the worker's gradeUnread words the row.
export async function readSubmission(engine, bytes, rules) {
  let project;
  try {
    project = await readProject(engine, bytes, rules, { placeholders: true });  // core's reader: the zip and every entry, checked
  } catch (e) {
    throw Object.assign(new Error(e.message), { kind: 'damaged' });
  }
  if (project.submissionUnreadable)
    throw Object.assign(new Error('The project file\'s submission.json is not readable.'), { kind: 'damaged' });
  if (project.submission === undefined)
    throw Object.assign(new Error('The project file has no submission.json.'), { kind: 'not_submission' });
  const label = new Map(project.classes.map((c, i) => [c.id, i]));
  const readable = project.images.filter((im) => !im.unreadable);
  const decoded = await decodePNGs(readable.map((im) => im.png), rules.store.cap);
  const byImage = new Map(readable.map((im, i) => [im, decoded[i]]));
  const images = project.images.map((im) => {
    const d = byImage.get(im);
    const l = im.unreadable ? im.classIndex : label.get(im.classId);
    return !d || d instanceof Error ? { label: l } : { rgba: d.rgba, width: d.width, height: d.height, label: l };
  });
  return { assignmentText: project.assignment, manifest: project.submission, spec: project.spec ?? '', weights: project.weights, images };
}
