// The worker's copy of the images. Every change marks it stale; it is re-sent in one batch
// just before it is needed (training), labelled by each class's position, so labels always
// follow the current class order.
const BATCH = 200;  // images per message: bounded memory for the structured clone
// Messages in flight: the page clones the next batch while the worker stores the last one
// instead of the two taking turns; the worker handles them in the order sent, so the images
// keep their order.
const IN_FLIGHT = 3;

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
    const pending = [];
    // each call is awaited below; the no-op catch only keeps a failure that arrives before its
    // turn from being reported as unhandled (it still rejects the await)
    const send = (cmd, args) => {
      const p = this.engine.call(cmd, args);
      p.catch(() => {});
      pending.push(p);
    };
    send('clearImages');
    let batch = [];
    const flush = async () => {
      if (batch.length) send('addImages', { images: batch });
      batch = [];
      // every call is awaited (a failure rejects the sync and the images stay stale)
      while (pending.length >= IN_FLIGHT) await pending.shift();
    };
    for (const im of trainingOrder(classes, images)) {
      batch.push({ rgba: im.rgba, width: im.width, height: im.height, label: im.label });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await Promise.all(pending);
    this.stale = false;
  }
}
