// The worker's copy of the training images, kept in the page's order (class by class, each in
// stored order; labels are class positions). The page tells it what changed: an image added or
// deleted is inserted or removed at its position (core's Session::insert_image/remove_image),
// soon after the change and while no run is under way, so a Train click finds the worker ready
// instead of sending thousands of images first. What a diff cannot say (a class moved or
// deleted shifts the labels; a new input size drops the worker's images; a project opened) is a
// full resend, also in the background once the page is idle, and again before training if needed.
const BATCH = 200;  // images per message: bounded memory for the structured clone
// Messages in flight: the page clones the next batch while the worker stores the last one
// instead of the two taking turns; the worker handles them in the order sent, so the images
// keep their order.
const IN_FLIGHT = 3;
// After a change, how long the page waits before it updates the worker (a burst of webcam
// captures is one update); a full resend waits longer, it keeps the worker busy.
const SOON_MS = 300, FULL_MS = 1500;

// The order the trainer gets the images in: class by class in label order, each class's
// images as held. A submission's image_order and the live checklist's answers use this same
// order (project-classes.js trainingOrder), so a grader's retraining sees what the page trained on.
// -> [{...image, label}]
export function trainingOrder(classes, images) {
  const out = [];
  for (const [label, c] of classes.entries()) for (const im of images.get(c.id) ?? []) out.push({ ...im, label });
  return out;
}

// held: the ids the worker holds, in order; want: trainingOrder's list. -> {removes: [positions
// in held, descending], inserts: [{at: position in want, im}], ascending}, or null when the
// images kept are not in the same relative order (then only a full resend is right).
export function imagesDiff(held, want) {
  const wanted = new Set(want.map((im) => im.id));
  const had = new Set(held);
  const kept = held.filter((id) => wanted.has(id));
  const keptWanted = want.filter((im) => had.has(im.id));
  if (kept.length !== keptWanted.length || kept.some((id, i) => id !== keptWanted[i].id)) return null;
  const removes = [];
  for (let i = held.length - 1; i >= 0; --i) if (!wanted.has(held[i])) removes.push(i);
  const inserts = [];
  want.forEach((im, at) => { if (!had.has(im.id)) inserts.push({ at, im }); });
  return { removes, inserts };
}

export class WorkerSync {
  // idle(): whether the worker may change its images now (no run under way or paused)
  constructor(engine, { idle = () => true } = {}) {
    this.engine = engine;
    this.idle = idle;
    this.held = null;       // the ids the worker holds in order; null: unknown (a full resend)
    this.classOrder = '';   // the class ids, in order, the held labels were given for
    this.queue = Promise.resolve();  // one sync at a time, in the order asked
    this.timer = 0;
    this.source = null;     // () => [classes, images]: the page's current images (soon())
  }

  // The worker's images are unknown (a new input size, a project opened): a full resend.
  markStale() { this.held = null; }

  // Something changed: update the worker soon, in the background. source() gives the page's
  // classes and images at that time. A pending update is not put off by more changes: while
  // images keep coming (a webcam burst, a folder) the worker keeps up, a few hundred ms behind.
  soon(source) {
    this.source = source;
    if (!this.timer) this.timer = setTimeout(() => this.background(), this.held === null ? FULL_MS : SOON_MS);
  }

  background() {
    this.timer = 0;
    if (!this.source) return;
    if (!this.idle()) { this.timer = setTimeout(() => this.background(), FULL_MS); return; }  // after the run
    const [classes, images] = this.source();
    // no training images: nothing to send (Train refuses to start), and the worker is left alone
    if (this.held === null && !classes.some((c) => images.get(c.id)?.length)) return;
    // a failure here is not the user's action: the next sync (Train) tries again and says why
    this.sync(classes, images).catch(() => {});
  }

  // classes: [{id}] in label order; images: Map classId -> [{id, rgba, width, height}].
  // Resolves once the worker holds exactly trainingOrder(classes, images).
  sync(classes, images) {
    const run = this.queue.then(() => this.syncNow(classes, images));
    this.queue = run.catch(() => {});
    return run;
  }

  async syncNow(classes, images) {
    const want = trainingOrder(classes, images);  // what the worker must hold once this ends
    const order = classes.map((c) => c.id).join('\n');
    const plan = this.held && order === this.classOrder ? imagesDiff(this.held, want) : null;
    if (plan && !plan.removes.length && !plan.inserts.length) return;
    this.held = null;  // until this ends: a failure midway leaves a full resend for next time
    const pending = [];
    // each call is awaited below; the no-op catch only keeps a failure that arrives before its
    // turn from being reported as unhandled (it still rejects the await)
    const send = (cmd, args) => {
      const p = this.engine.call(cmd, args);
      p.catch(() => {});
      pending.push(p);
    };
    let batch = [];
    const flush = async (cmd) => {
      if (batch.length) send(cmd, { images: batch });
      batch = [];
      while (pending.length >= IN_FLIGHT) await pending.shift();
    };
    const pixels = (im, extra) => ({ rgba: im.rgba, width: im.width, height: im.height, label: im.label, ...extra });
    if (plan) {
      if (plan.removes.length) send('removeImages', { positions: plan.removes });
      for (const { at, im } of plan.inserts) {
        batch.push(pixels(im, { at }));
        if (batch.length >= BATCH) await flush('insertImages');
      }
      await flush('insertImages');
    } else {
      send('clearImages');
      for (const im of want) {
        batch.push(pixels(im));
        if (batch.length >= BATCH) await flush('addImages');
      }
      await flush('addImages');
    }
    await Promise.all(pending);
    this.held = want.map((im) => im.id);
    this.classOrder = order;
  }
}
