// "Hand in" (issue 14): the open project as NAME-submission.convlab, an ordinary .convlab
// project file (any ConvLab page opens it) that also holds assignment.json (the assignment as
// handed out) and submission.json, core's manifest (the worker's assignmentSubmission writes
// it, with the weights' sha256): the answers, the settings and the order the engine was given
// the training images in, so a grader's retraining reproduces the weights bit for bit.
//
//   handInBlocker(project) -> '' when a hand-in can be written, else what to do first
//   handIn(ctx) -> {bytes: Uint8Array, name, manifest: text}; throws an Error saying what to do
import { submissionFileName } from '../storage/project-file.js';

export function handInBlocker(project) {
  if (!project.assignment) return 'This project was not made from an assignment.';
  if (project.training) return 'Training is running: hand in once it ends.';
  if (project.draft) return 'The Model tab holds a model the engine has not built (fix it, or go back to the last good one), then train it: a hand-in is the model you mean.';
  if (!project.trained) return 'Train the model first: a hand-in needs trained weights.';
  const r = project.result;
  // a run that recorded its image order and settings (views/train/run.js), to its end
  if (!r || r.interrupted || !Array.isArray(r.train_ids) || !r.train_ids.length || !r.settings)
    return 'Train the model once more, to the end: the hand-in records the order the engine trained the images in, and this model\'s run did not record it.';
  return '';
}

// -> {bytes, name, manifest}. student: the name the student typed; the file is
// STUDENT-submission.convlab (the project's name without one).
export async function handIn(ctx, { student = '' } = {}) {
  const { project, engine, rules } = ctx;
  const blocker = handInBlocker(project);
  if (blocker) throw new Error(blocker);
  const result = project.result;
  let manifest;
  const blob = await project.stores.exportFile(project.id, undefined, {
    // the images in the file's order (each with its stored id): image_order says, for each
    // image the engine trained on, in the order it got them, where it is in that list
    submission: async (images, kept) => {
      if (!kept.weights) throw new Error('The trained weights are missing from storage: train again, then hand in.');
      if (!kept.assignment) throw new Error('The assignment of this project could not be read from storage: open the assignment again.');
      const at = new Map(images.map((im, i) => [im.id, i]));
      const imageOrder = result.train_ids.map((id) => at.get(id));
      if (imageOrder.some((i) => i === undefined || images[i].split === 'test'))
        throw new Error('An image the model was trained on was deleted or moved to the test set since: train again, then hand in.');
      const r = await engine.call('assignmentSubmission', {
        assignment: kept.assignment.text, spec: kept.spec, settings: result.settings, answers: kept.answers ?? {},
        imageOrder, weights: new Uint8Array(kept.weights),
      });
      if (!r.ok) throw new Error(`The hand-in could not be written (${r.field ? `${r.field}: ` : ''}${r.error}).`);
      manifest = r.manifest;
      return manifest;
    },
  });
  const name = submissionFileName(student.trim() || await project.name(), rules);
  return { bytes: new Uint8Array(await blob.arrayBuffer()), name, manifest };
}
