// classroom/: assignments (the teacher's form, link and file), the student's hand-in, and what grading reads.
// A project made from a classroom assignment (issue 14): the assignment's text (a file's, a
// link's fragment, or a .convlab file's assignment.json) is read by the engine (core's
// assignmentCheck: outside input, refused with the field and what to do), and a new project
// gets its starting spec, its classes, its fixed training settings, its title as name and the
// optional starting images. The project keeps the assignment (the normalised JSON text and its
// hash, project-store.js key `assignment`), so the student views (assignment-panel.js) and
// "Hand in" know what it answers.
//
//   createProjectFromAssignment(ctx, text, {images?, name?, open?}) -> {id, assignment, hash}
//     ctx: the page's ctx (app.js) or anything with engine, rules, project (its stores) and,
//     to open the project, openProject. images: [{label (class index), width, height, rgba |
//     png, split?}]. open (default true): the new project is opened in this tab.
//     Throws an Error saying what is wrong (nothing is written then).

// The settings a new project starts with: the engine's defaults, the fixed ones on top.
export function assignmentSettings(assignment, rules) {
  const s = { ...rules.train.defaults };
  for (const [k, v] of Object.entries(assignment.fixed_settings ?? {})) if (k in s) s[k] = v;
  return s;
}

export async function createProjectFromAssignment(ctx, text, { images = [], name, open = true } = {}) {
  const { engine, rules } = ctx;
  const stores = ctx.project?.stores ?? ctx.stores;
  const r = await engine.call('assignmentCheck', { text: String(text ?? '') });
  if (!r.ok) throw new Error(`This assignment cannot be opened: ${r.field ? `${r.field}: ` : ''}${r.error}`);
  const a = r.assignment;
  const classes = a.classes.map((n, i) => ({ id: i + 1, name: n }));
  // the starting spec as the teacher wrote it; its last layer fitted to the classes when it
  // does not have one output per class (the engine's class rule)
  let spec = JSON.stringify(a.spec);
  const check = await engine.call('checkSpec', { spec, classes: classes.length });
  if (!check.ok) {
    try {
      spec = (await engine.call('fitSpec', { spec, classes: classes.length })).spec;
    } catch { /* no linear layer to fit: the project shows the engine's message */ }
  }
  const list = images.map((im, i) => {
    if (!Number.isInteger(im.label) || im.label < 0 || im.label >= classes.length)
      throw new Error(`Starting image ${i + 1} names class ${im.label}, but the assignment has ${classes.length} classes.`);
    return { classId: classes[im.label].id, width: im.width, height: im.height, split: im.split, rgba: im.rgba, png: im.png };
  });
  const id = await stores.createFrom({
    name: name ?? a.title, classes, spec, images: list,
    settings: assignmentSettings(a, rules), assignment: { text: JSON.stringify(a), hash: r.hash },
  });
  ctx.tabs?.changed(id, ['list']);
  if (open && ctx.openProject) await ctx.openProject(id);
  return { id, assignment: a, hash: r.hash };
}
