// The worker's copy of the images. Every change marks it stale; it is re-sent in one batch
// just before it is needed (training), labelled by each class's position, so labels always
// follow the current class order.
const BATCH = 200;  // images per message: bounded memory for the structured clone

// The order the trainer gets the images in: class by class in label order, each class's
// images as held. A submission's image_order and the live checklist's answers use this same
// order (project.js trainingOrder), so a grader's retraining sees what the page trained on.
// -> [{...image, label}]
export function trainingOrder(classes, images) {
  const out = [];
  for (const [label, c] of classes.entries()) for (const im of images.get(c.id) ?? []) out.push({ ...im, label });
  return out;
}

export class WorkerSync {
  constructor(engine) {
    this.engine = engine;
    this.stale = true;  // the worker's images differ from the page's
  }

  markStale() { this.stale = true; }

  // classes: [{id}] in label order; images: Map classId -> [{rgba, width, height}].
  async sync(classes, images) {
    if (!this.stale) return;
    await this.engine.call('clearImages');
    let batch = [];
    const flush = async () => {
      if (batch.length) await this.engine.call('addImages', { images: batch });
      batch = [];
    };
    for (const im of trainingOrder(classes, images)) {
      batch.push({ rgba: im.rgba, width: im.width, height: im.height, label: im.label });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    this.stale = false;
  }
}
