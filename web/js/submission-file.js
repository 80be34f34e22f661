// A student's NAME-submission.convlab read for grading (issue 14): a .convlab project file
// (project-file.js reads it as the hostile input it is: zip directory, sizes, CRC-32, records)
// that also holds assignment.json (the assignment as handed out), submission.json (core's
// manifest: answers, settings, image_order, weights_sha256) and weights.safetensors. Its
// training images are decoded to RGBA in convlab.json's order (the worker's gradeAdd takes them
// so; core applies the manifest's image_order). What the manifest says is core's to judge
// (gradeAdd); here only what must exist for a retraining to be tried at all.
import { readProject, readEntryTexts } from './project-file.js';
import { decodePNGs } from './image-codec.js';

const ASSIGNMENT = 'assignment.json', SUBMISSION = 'submission.json', MANIFEST = 'convlab.json';

// bytes -> {assignmentText (or undefined), manifest (submission.json's text), spec (text),
// weights: Uint8Array, train: [{rgba, width, height, label}], classes: [names]}.
// Throws an Error whose message says what is wrong with the file and what to do.
export async function readSubmission(bytes, rules) {
  const project = readProject(bytes, rules);  // the zip and every record, checked
  const texts = readEntryTexts(bytes, rules, [ASSIGNMENT, SUBMISSION, MANIFEST]);
  if (texts[SUBMISSION] === undefined)
    throw new Error('This is a project file, not a submission: it has no submission.json. The student hands in with "Hand in", which writes NAME-submission.convlab.');
  // image_order indexes convlab.json's list: a grader needs every image of it, in its place
  let listed = -1;
  try { listed = JSON.parse(texts[MANIFEST]).images.length; } catch { /* readProject read it: cannot happen */ }
  if (project.images.length !== listed) {
    const bad = listed - project.images.length;
    throw new Error(`${bad} of the ${listed} images in the file could not be read (damaged or missing): the training cannot be repeated without them. Ask the student to hand in again.`);
  }
  if (project.spec === undefined) throw new Error('The file has no readable model spec (spec.json): it is damaged. Ask the student to hand in again.');
  if (!project.weights) throw new Error('The file has no trained weights (weights.safetensors): a submission holds the trained model. Ask the student to train and hand in again.');
  const label = new Map(project.classes.map((c, i) => [c.id, i]));
  const kept = project.images.filter((im) => im.split !== 'test');  // the student's own test set is never trained on
  const decoded = await decodePNGs(kept.map((im) => im.png), rules.store.cap);
  const train = decoded.map((d, i) => {
    if (d instanceof Error) throw new Error(`Training image ${i + 1} of the file cannot be decoded (${d.message}): the file is damaged. Ask the student to hand in again.`);
    return { rgba: d.rgba, width: d.width, height: d.height, label: label.get(kept[i].classId) };
  });
  return {
    assignmentText: texts[ASSIGNMENT], manifest: texts[SUBMISSION], spec: project.spec,
    weights: project.weights, train, classes: project.classes.map((c) => c.name),
  };
}
