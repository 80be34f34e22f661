// The engine's only home: the wasm module lives in this module worker, never on the main
// thread. Messages are {id, cmd, args}; every reply carries the request's id: {id, ok: true,
// result} or {id, ok: false, error: message} (every C++ failure arrives so), and `train`
// also posts {id, progress} between slices. Structured results are JSON made by core/,
// parsed here once; raw tensors arrive as typed-array copies.
//
// THE PROTOCOL: every command, args -> result (the one list; engine-client.js points here).
//   hello {}                          -> {simd, threads, max_threads, threaded, fallback, info}: threads in use (the
//                                        machine's cores, at most rules.threads.max; 1 unthreaded);
//                                        fallback: why the threaded build did not start ('' if it did)
//   setThreads {threads}              -> {threads}: the count now in use; threads outside rules.threads
//                                        [min, max] is an error (the single-threaded build stays at 1)
//   rules {}                          -> every rule, limit, default and preset of core/rules.h:
//                                        {classes, train: {defaults, fields, optimizers, default_lr},
//                                         input, layers: {types, fields, defaults}, budget, store, file_names, playground,
//                                         calculators: {playground, fc_vs_conv}: [{key, min, max}]}
//   checkSpec {spec: text, classes?}  -> {ok, input, layers[], output, params, macs, error_layer, error_field, error};
//                                        classes adds the class rule (last layer linear, out_features == classes)
//   fitSpec {spec: text, classes}     -> {spec: text} its last linear layer set to `classes` outputs (throws without one)
//   defaultSpec {classes}             -> {spec: text} the "webcam" preset with `classes` outputs
//   setSpec {spec: text, seed}        -> info: {input, layers[], output, params, macs, stored_size: {width, height}}
//   info {}                           -> info of the current model (as setSpec)
//   clearImages {}                    -> undefined
//   addImages {images: [{rgba: Uint8Array, width, height, label}]} -> number of images held
//   insertImages {images: [{at, rgba, width, height, label}]} -> number held: each at its position
//                                        (ascending; core's Session::insert_image)
//   removeImages {positions: [descending]} -> number held (core's Session::remove_image)
//   train {config, steps?, resume, metadata} -> final progress {epoch, epochs, step, steps_per_epoch,
//                                        images_seen, train_size, val_size, done, history[], confusion[], val_indices[] (when done),
//                                        classes, stopped, paused, diverged, diverged_message (core's:
//                                        the loss or weights stopped being finite; the last good
//                                        epoch's weights are kept)}; posts progress between slices, at most
//                                        every 100 ms (with checkpoint: safetensors Uint8Array whenever an
//                                        epoch has ended);
//                                        resume: true continues a paused run
//   stop {}                           -> undefined (train returns with stopped: true, weights kept)
//   pause {}                          -> undefined (train returns with paused: true; resume or trainStop)
//   trainStop {}                      -> filters (as train's) or undefined (ends a paused run, weights kept)
//   predict {rgba, width, height}     -> Float32Array of class probabilities
//   predictBatch {images: [{rgba, width, height}]} or {indices: [stored image index]}
//                                     -> [Float32Array of class probabilities], one per image, in one
//                                        engine call threaded across the batch (a bad image is named:
//                                        "image 2 of 5: ...", and nothing runs)
//   save {metadata}                   -> Uint8Array (safetensors; metadata {classes: [names]} + the spec,
//                                        the training settings and the preprocessing)
// Models out and in (model-files.js):
//   exportOnnx {metadata}             -> Uint8Array (NAME.onnx: input "input" (N,C,H,W), output "probabilities")
//   exportTorch {metadata, weightsFile} -> text of NAME.py, which loads weightsFile (NAME.safetensors)
//   loadCheck {bytes, classes}        -> {fits} | {fits: false, adoptable, message}: would the file's weights
//                                        load into the current model (throws for a broken file)
//   load {bytes: Uint8Array, adopt?, classes?} -> info + spec (text); another model's file is refused with
//                                        loadCheck's message unless adopt (its spec becomes the model)
//   param {name}                      -> Float32Array ("0.weight", ...)
// ---- test set and evaluation ----
//   evaluate {images: [{rgba, width, height, label}]} or {indices: [stored image index]} (labels as
//                                        added) -> core's evaluation (testset.h): {n, classes,
//                                        correct, accuracy, loss, confusion (row true, column predicted),
//                                        per_class: [{total, correct, accuracy}], images: [{predicted, prob
//                                        (of the true class), loss}], hardest: [indices, highest loss first]}
//   builtinSpec {classes}             -> {spec: text} the 28×28 grey starter net of the built-in dataset
//   testsetRules {}                   -> {hardest_examples, builtin_side}
// ---- classroom assignments (assignment.h; the page's assignment views are still to come) ----
//   assignmentCheck {text}            -> {ok: true, assignment (normalised), hash} or {ok: false,
//                                        field, error}: an assignment file's or link's text, checked
//   assignmentConstraints {assignment, spec, settings} (texts) -> {ok, rules: [{rule, ok, message}]}
//                                        or {ok: false, field, error} when the assignment is bad
//   assignmentAnswers {assignment, images?, given?, spec?} -> {ok, answers: [{id, known, value, fraction,
//                                        message, correct?}]}: core's compute_answers on the current spec and
//                                        model, or on `spec` (a draft's text: shapes and counts only);
//                                        images [{rgba, width, height, label}] the training images in the
//                                        order the trainer gets them (pool_unchanged_fraction's `image`);
//                                        given {id: number}: each answered known one gets `correct`
//                                        (core's answer_matches); refused while training
//   assignmentSubmission {assignment, spec, settings, answers, imageOrder, weights: Uint8Array}
//                                     -> {ok: true, manifest: text} | {ok: false, field, error}: the
//                                        student's submission.json, written by core (weights' SHA-256,
//                                        engine version); settings/answers as objects or JSON texts;
//                                        imageOrder: indices into the project file's images list, in
//                                        the order the engine was given the training images
//   gradeBegin {assignment}           -> {ok: true, hash} | {ok: false, field, error}: starts a class's
//                                        grading (the rows of an earlier one are dropped)
//   gradeAdd {student, manifest, spec, weights: Uint8Array, train: [{rgba, width, height, label}],
//             test: [...]}            -> {ok: true, row}: core's grade row (to_json(GradeRow)); train: every
//                                        image of the file's convlab.json images list in its order
//                                        (core applies image_order; an unreadable one as {label} without
//                                        rgba, so the indices hold); a bad submission is a row saying so
//   gradeUnread {student, kind}       -> {ok: true, row}: a file that is no readable submission (kind
//                                        "damaged" or "not_submission"), a row in core's words (the CSV's)
//   studentName {fileName}            -> {name}: the row's name for a handed-in file (core's student_name)
//   gradeCsv {}                       -> {csv: text}: core's grade_csv over every row since gradeBegin
//   folderClass {name, classes: [names]} -> index of the class a folder's name matches, or -1 (core's
//                                        rule: exact ignoring case, then letters and digits only)
// ---- the .convlab project file (core's project_file.h: one reader and writer for the page and the CLI) ----
//   projectSizeProblem {size}         -> '' or why a file of `size` bytes cannot be a project (asked before
//                                        the file's bytes are sent here)
//   projectRead {bytes}               -> {name, created, classes: [names], images: [{class, split, width, height,
//                                        png: Uint8Array} | {class, split, unreadable: true}], spec?, settings?,
//                                        result?, draft?, runs?, assignment?, answers?, submission? (texts),
//                                        submission_unreadable?, weights?: Uint8Array, notes: [what was repaired
//                                        or set aside]}; each PNG core accepted is decoded here (image-codec.js)
//                                        and one that does not decode is set aside with core's note; a file
//                                        that is not a project throws core's message
//   projectWrite {meta: {name, created, classes: [names], spec?, settings?, result?, draft?, runs?, assignment?,
//                 answers?, submission? (texts)}, images: [{class, width, height, split?, png}], weights?}
//                                     -> Uint8Array: the file's bytes (throws when a limit is broken)
//   className {name, others: [names]} -> {name, note}: a class name as typed, cleaned and cut by core's one
//                                        rule of characters; throws the message to show
//   classNames {names: [...]}         -> {names: [...] | null, notes: [...]}: a stored or read list of class names,
//                                        each unusable one repaired by the same rule (core's read_class_names)
//   projectName {name, fallback}      -> the name cleaned and cut (the fallback when it shows nothing)
// The lecture views and the model editor (learn.handlers.js):
//   learnInfo {}                      -> info + spec (the parsed spec object)
//   learnPresets {}                   -> [{id, name, description, spec: text, trainable}]
//   learnCheckSpec {spec, classes?}   -> the editor's report: every shape and count even over the parameter
//                                        budget, + over_budget, max_params, budget_error (when over: the
//                                        net is for reading, classes does not apply); within the budget
//                                        checkSpec's error (activation budget, class rule)
//   learnFcVsConv {c, h, w, units, k, c_out} -> {fc_weights_per_neuron, fc_layer_weights, fc_layer_params,
//                                        conv_weights_per_filter, conv_layer_params}
//   learnCoverage {w, k, s, p}        -> {w_in, k, s, p, numerator, exact, w_out, counts[], unused, formula}
//   learnRfOfStack {kernels[], strides[]} -> receptive field size (a number)
//   learnRun {rgba, width, height, layers[]} -> {input: Float32Array (C,H,W), probs: Float32Array,
//                                        acts: {layer: Float32Array}}
//   learnActivation {layer}           -> Float32Array of the last run's layer output (-1: the input)
//   learnConvSteps {layer, filter, cells[[oy, ox]]} -> [{c_in, k, in_y0, in_x0, patch: Float32Array,
//                                        padded: Uint8Array, weights: Float32Array, bias, dot, value, relu}]
//   learnEquivariance {layer, dx, dy} -> {layer, c, h, w, jump, sx, sy, whole_cells, shifted_input,
//                                        conv_of_shifted, shifted_conv, diff (Float32Array), interior
//                                        (Uint8Array), max_interior, max_border, interior_cells,
//                                        border_cells, border_nonzero}
//   learnPoolInvariance {layer, maxShift} -> [{shift, cells, max_unchanged, avg_unchanged, max_change, avg_change}]
//   learnPredictShifts {shifts[]}     -> [Float32Array of class probabilities], one per shift
//   learnReceptiveField {layer, oy, ox} -> {y0, x0, y1, x1} on the input (half-open)
// Where the model looks (core/looks.h; on the image of the last learnRun; cls -1: the predicted class)
//   learnSaliency {cls}               -> {class, c, h, w, map: Float32Array (H,W) max over channels of
//                                        |d logit / d input|, max, reduction}
//   learnOcclusion {cls, patch, stride} -> {class, patch, stride, grey, rows, cols, h, w, base,
//                                        probs: Float32Array (rows, cols) P(class) per patch position,
//                                        drop: Float32Array (H,W) mean base - P over the patches covering
//                                        a pixel, max_drop, min_drop}; patch/stride 0: core's defaults
//   (train's final progress also carries filters: {layer, shape [c_out, c_in, k, k], epochs[],
//    weights[[...] per kept epoch]}: the first conv layer at epoch 0 and each epoch end; a stopped
//    run's too, up to its last finished epoch)
import { learnHandlers } from './learn.handlers.js';
import { decodePNG } from '../storage/image-codec.js';

let threaded = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
let fallback = '';  // why the threaded build did not start ('' when it did or was not tried)
const single = () => import('../../gen/convlab.js').then((m) => m.default());
// The threaded build reserves a shared memory of up to 2 GB (-sMAXIMUM_MEMORY): a device
// that cannot (iPads and phones with little memory) refuses it at start-up, and the
// single-threaded build, whose memory grows as needed, runs instead.
const ready = threaded
  ? import('../../gen/convlab-mt.js').then((m) => m.default()).catch((e) => {
    threaded = false;
    fallback = `the threaded engine could not start (${e?.message ?? e})`;
    return single();
  })
  : single();

// Running out of memory (a device's limit for one page, or wasm's) arrives as a C++
// bad_alloc or a failed grow: say what it means and what to do. The project is stored as it
// is changed, so nothing of it is lost.
const OOM = /bad_alloc|out of memory|could not allocate|Cannot enlarge memory|Array buffer allocation failed|OOM/i;
function message(e) {
  const m = e?.message ?? String(e);
  if (!OOM.test(m)) return m;
  const mb = mod?.HEAP8 ? Math.round(mod.HEAP8.length / 2 ** 20) : 0;
  return `The engine ran out of memory${mb ? ` at ${mb} MB` : ''}: this device gives a page less than the model and images need. Use a smaller model (Model tab), a smaller batch size or fewer images, and reload the page if the engine keeps failing. Nothing is lost: the images and the last trained model are saved in the project.`;
}
let mod, engine;
let stopRequested = false, pauseRequested = false;

// Ends the run in core; -> the first conv layer's filters kept so far, or undefined (no run, no
// conv layer: core gives {} or an empty history).
function stopFilters() {
  const f = JSON.parse(engine.trainStop());
  return Array.isArray(f.epochs) && f.epochs.length ? f : undefined;
}
let checkpointed = 0;  // epochs of the current run whose weights were posted as a checkpoint

const PROGRESS_MS = 100;
// A slice of training lasts about SLICE_MS: `steps` is the first slice's size, and each next one
// is scaled by how long the last took (at most doubled or halved, so a slice that also ran the
// epoch's validation does not swing it). Long enough that a slice's fixed cost (the progress
// JSON, the yield, the pool's threads waking) is a few per cent of it; short enough that Stop
// and Pause are seen within a frame or two. A run's result never depends on how it is sliced.
const SLICE_MS = 30, MAX_STEPS = 256, FIRST_SLICE_STEPS = 2;
// One turn of the event loop (so a 'stop' or 'pause' message is seen) without setTimeout's clamp.
const channel = new MessageChannel();
let wake = null;
channel.port1.onmessage = () => wake?.();
const yieldToEvents = () => new Promise((r) => { wake = r; channel.port2.postMessage(0); });

// settings, answers, image order: an object from the page, or JSON text already
const asJson = (v) => (typeof v === 'string' ? v : JSON.stringify(v ?? {}));

const handlers = {
  async hello() {
    const max = JSON.parse(mod.rules()).threads.max;
    return { simd: mod.simd(), threads: mod.threads(), max_threads: threaded ? max : 1, threaded, fallback, info: JSON.parse(engine.info()) };
  },
  setThreads: ({ threads }) => ({ threads: engine.setThreads(threads) }),
  rules: () => JSON.parse(mod.rules()),
  checkSpec: ({ spec, classes }) => JSON.parse(mod.checkSpec(spec, classes ?? 0)),
  fitSpec: ({ spec, classes }) => ({ spec: mod.fitSpec(spec, classes) }),
  defaultSpec: ({ classes }) => ({ spec: mod.defaultSpec(classes) }),
  setSpec: ({ spec, seed }) => JSON.parse(engine.setSpec(spec, seed ?? 1)),
  info: () => JSON.parse(engine.info()),
  clearImages: () => engine.clearImages(),
  // images: [{rgba: Uint8Array, width, height, label}]
  addImages: ({ images }) => {
    for (const im of images) engine.addImage(im.rgba, im.width, im.height, im.label);
    return engine.numImages();
  },
  // images: [{at, rgba, width, height, label}] in ascending `at` (each its final position)
  insertImages: ({ images }) => {
    for (const im of images) engine.insertImage(im.at, im.rgba, im.width, im.height, im.label);
    return engine.numImages();
  },
  // positions: descending, so each is still where it was
  removeImages: ({ positions }) => {
    for (const at of positions) engine.removeImage(at);
    return engine.numImages();
  },
  // Trains in slices of mini-batches (`steps` in the first, then about SLICE_MS each) and posts
  // progress between slices, yielding to the event loop so a 'stop' or 'pause' message is seen
  // within one slice. resume: true continues a paused run instead of starting a fresh one.
  // When an epoch ends mid-run the progress carries a checkpoint (the saved weights, with
  // `metadata`) that the page keeps, so a reload or a crash loses at most the epoch in progress
  // (the page coalesces the writes of tiny epochs: project-model.js checkpoint).
  // Progress is posted at most every PROGRESS_MS (and with each checkpoint and the last
  // slice), and the yield between slices is a MessageChannel round trip: a nested setTimeout(0)
  // is clamped to 4 ms, which with a few ms per slice cost the page a third of the engine's speed.
  async train({ config, steps = FIRST_SLICE_STEPS, resume = false, metadata = {} }, id) {
    if (!resume) { engine.trainBegin(JSON.stringify(config)); checkpointed = 0; }
    stopRequested = pauseRequested = false;
    let p, posted = -Infinity, n = Math.max(1, Math.min(MAX_STEPS, steps | 0));
    for (;;) {
      const t0 = performance.now();
      p = JSON.parse(engine.trainRun(n));
      const scale = SLICE_MS / Math.max(performance.now() - t0, 0.1);
      n = Math.max(1, Math.min(MAX_STEPS, Math.round(n * Math.min(2, Math.max(0.5, scale)))));
      // every epoch that ended is checkpointed (the first one too: it may end in the first
      // slice); the run's end is saved by the page itself
      const checkpoint = p.history.length > checkpointed && !p.done;
      if (checkpoint) {
        checkpointed = p.history.length;
        p.checkpoint = engine.save(JSON.stringify(metadata));
      }
      const last = p.done || stopRequested || pauseRequested;
      if (last || checkpoint || performance.now() - posted >= PROGRESS_MS) {
        postMessage({ id, progress: p });
        posted = performance.now();
      }
      if (last) break;
      await yieldToEvents();
    }
    // a stopped run keeps its filter history: core hands it over as it ends the run
    if (stopRequested && !p.done) p.filters = stopFilters();
    return { ...p, stopped: stopRequested && !p.done, paused: pauseRequested && !stopRequested && !p.done };
  },
  stop: () => { stopRequested = true; },
  pause: () => { pauseRequested = true; },
  // Ends a paused run, keeping the weights as they are; -> its filter history (or undefined).
  trainStop: () => stopFilters(),
  predict: ({ rgba, width, height }) => engine.predict(rgba, width, height),
  predictBatch: ({ images, indices }) => {
    const n = images ? images.length : indices.length;
    const all = images ? engine.predictBatch(images) : engine.predictStored(indices);
    const k = n ? all.length / n : 0;
    return Array.from({ length: n }, (_, i) => all.subarray(i * k, (i + 1) * k));
  },
  save: ({ metadata }) => engine.save(JSON.stringify(metadata ?? {})),
  exportOnnx: ({ metadata }) => engine.exportOnnx(JSON.stringify(metadata ?? {})),
  exportTorch: ({ metadata, weightsFile }) => engine.exportTorch(JSON.stringify(metadata ?? {}), weightsFile),
  loadCheck: ({ bytes, classes }) => JSON.parse(engine.loadCheck(bytes, classes ?? 0)),
  load: ({ bytes, adopt, classes }) => ({ ...JSON.parse(engine.load(bytes, adopt ?? false, classes ?? 0)), spec: engine.spec() }),
  param: ({ name }) => engine.param(name),
  // ---- test set and evaluation ----
  evaluate: ({ images, indices }) => JSON.parse(indices ? mod.testsetEvaluateStored(engine, indices) : mod.testsetEvaluate(engine, images)),
  builtinSpec: ({ classes }) => ({ spec: mod.testsetBuiltinSpec(classes) }),
  testsetRules: () => JSON.parse(mod.testsetRules()),
  // ---- classroom assignments ----
  assignmentCheck: ({ text }) => JSON.parse(mod.assignmentCheck(String(text))),
  assignmentConstraints: ({ assignment, spec, settings }) =>
    JSON.parse(mod.assignmentConstraints(String(assignment), String(spec), typeof settings === 'string' ? settings : JSON.stringify(settings ?? {}))),
  assignmentAnswers: ({ assignment, images, given, spec }) =>
    JSON.parse(mod.assignmentAnswers(engine, String(assignment), images ?? [], JSON.stringify(given ?? {}), String(spec ?? ''))),
  assignmentSubmission: ({ assignment, spec, settings, answers, imageOrder, weights }) =>
    JSON.parse(mod.assignmentSubmission(String(assignment), String(spec), asJson(settings), asJson(answers), asJson(imageOrder ?? []), weights ?? new Uint8Array())),
  gradeBegin: ({ assignment }) => JSON.parse(mod.gradeBegin(String(assignment))),
  gradeAdd: ({ student, manifest, spec, weights, train, test }) =>
    ({ ok: true, row: JSON.parse(mod.gradeAdd(String(student ?? ''), String(manifest ?? ''), String(spec ?? ''), weights ?? new Uint8Array(), train ?? [], test ?? [])) }),
  gradeUnread: ({ student, kind }) => ({ ok: true, row: JSON.parse(mod.gradeUnread(String(student ?? ''), String(kind ?? 'damaged'))) }),
  studentName: ({ fileName }) => ({ name: mod.studentName(String(fileName ?? '')) }),
  gradeCsv: () => ({ csv: mod.gradeCsv() }),
  folderClass: ({ name, classes }) => mod.folderClass(String(name), (classes ?? []).map(String)),
  // ---- the .convlab project file ----
  projectSizeProblem: ({ size }) => mod.projectSizeProblem(size),
  projectRead: ({ bytes }) => {
    const r = mod.projectRead(bytes);
    const f = JSON.parse(r.json);
    const from = (s) => (s.in_file ? bytes : r.unpacked).slice(s.offset, s.offset + s.size);
    const cap = JSON.parse(mod.rules()).store.cap;
    let undecodable = 0;
    f.images = f.images.map((im) => {
      if (im.unreadable) return im;
      const png = from(im.png);
      try {
        const d = decodePNG(png, cap);
        if (d.width === im.width && d.height === im.height) return { ...im, png };
      } catch { /* set aside below, as the CLI sets aside what libpng cannot decode */ }
      undecodable++;
      return { class: im.class, split: im.split, unreadable: true };
    });
    if (undecodable) f.notes.push(mod.undecodableNote(undecodable));
    if (f.weights) f.weights = from(f.weights);
    return f;
  },
  projectWrite: ({ meta, images, weights }) => {
    let size = 0;
    for (const im of images) size += im.png.length;
    const blob = new Uint8Array(size);
    const list = [];
    let at = 0;
    for (const im of images) {
      blob.set(im.png, at);
      list.push({ class: im.class, width: im.width, height: im.height, ...(im.split === 'test' ? { split: 'test' } : {}), offset: at, size: im.png.length });
      at += im.png.length;
    }
    return mod.projectWrite(JSON.stringify({ ...meta, images: list }), blob, weights ?? new Uint8Array());
  },
  className: ({ name, others }) => mod.className(String(name ?? ''), (others ?? []).map(String)),
  classNames: ({ names }) => mod.classNames(names ?? []),
  projectName: ({ name, fallback }) => mod.projectName(String(name ?? ''), String(fallback ?? '')),
};

// The lecture views' commands (feature maps, filters, equivariance, ...) live in their own module.
Object.assign(handlers, learnHandlers(() => ({ mod, engine })));

onmessage = async ({ data: { id, cmd, args } }) => {
  try {
    if (!engine) {
      mod = await ready;
      engine = new mod.Engine();
    }
    const h = handlers[cmd];
    if (!h) throw new Error(`unknown engine command "${cmd}"`);
    const result = await h(args ?? {}, id);
    postMessage({ id, ok: true, result });
  } catch (e) {
    postMessage({ id, ok: false, error: message(e) });
  }
};
