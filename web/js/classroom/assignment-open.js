// How an assignment arrives: a link (#assignment=..., read once at start-up, then removed from
// the address bar so a reload does not make a second project) or an NAME.assignment.json file
// (the project list's "Open file", or dropped on the page). Either way the text goes through the
// engine's assignmentCheck (createProjectFromAssignment, assignment-project.js), and a project
// already made from the same assignment (same hash) is named before another copy is made.
// Hostile input creates nothing and gets a message saying what is wrong.
import { fragmentValue, decodeAssignment } from './assignment-link.js';
import { createProjectFromAssignment } from './assignment-project.js';
import { confirmDialog } from '../dialog.js';

export const isAssignmentFile = (f) => /\.json$/i.test(f.name);

// The projects of this browser made from the assignment with this hash: [{id, name}].
async function madeFrom(stores, hash) {
  const out = [];
  for (const p of await stores.listProjects()) {
    const kept = await stores.project(p.id).get('assignment').catch(() => undefined);
    if (kept?.hash === hash) out.push(p);
  }
  return out;
}

// text -> the new project's id, or null when the teacher's copy already exists and the student
// keeps that one. Throws an Error with the message to show (nothing is created then).
export async function openAssignmentText(ctx, text) {
  if (ctx.project.training) throw new Error('Training is running: stop it, then open the assignment again.');
  const r = await ctx.engine.call('assignmentCheck', { text });
  if (!r.ok) throw new Error(`This assignment cannot be opened: ${r.field ? `${r.field}: ` : ''}${r.error}`);
  const stores = ctx.project.stores;
  const earlier = await madeFrom(stores, r.hash);
  if (earlier.length) {
    const names = earlier.map((p) => `"${p.name}"`).join(', ');
    const again = await confirmDialog('You already have this assignment',
      `This browser has a project made from it: ${names}. Make another copy, starting again from the teacher's version? Your work in ${earlier.length === 1 ? 'that project' : 'those projects'} stays as it is.`,
      'Make another copy');  // Cancel: open the earlier one
    if (!again) {
      await ctx.openProject(earlier[0].id);
      ctx.status(`Opened your project "${earlier[0].name}" for this assignment.`);
      return null;
    }
  }
  const { id, assignment } = await createProjectFromAssignment(ctx, text, { open: false });
  const why = await keepUntrainable(ctx, id, assignment.classes.length);
  ctx.tabs?.changed(id, ['list']);
  await ctx.openProject(id);
  ctx.status(why
    ? `Made the project "${assignment.title}" from the assignment. Its model cannot be trained in this page (${why}), but its questions are about the model's shapes and counts: the Model tab shows them.`
    : `Made the project "${assignment.title}" from the assignment: its instructions are beside every view.`, true);
  return id;
}

// A starting spec the engine will not build here (the lecture's AlexNet: over the page's
// parameter budget) stays the project's spec being edited (its draft: the Model tab shows it,
// the Train tab says why it cannot train), while the project runs the default net, so the
// project opens instead of setting the spec aside as unreadable. -> the engine's reason, or ''.
async function keepUntrainable(ctx, id, classes) {
  const handle = ctx.project.stores.project(id);
  const spec = await handle.get('spec');
  const report = await ctx.engine.call('checkSpec', { spec, classes });
  if (report.ok) return '';
  await handle.save('spec', (await ctx.engine.call('defaultSpec', { classes })).spec);
  await handle.save('specDraft', { text: spec, report });
  return report.error;
}

// The assignment of this page's address, if it has one: removed from the address bar first
// (history.replaceState), then opened. -> the new project's id, null (kept the earlier one),
// or undefined (no assignment in the address). Throws like openAssignmentText.
export async function openAssignmentLink(ctx) {
  const value = fragmentValue(location.hash);
  if (value === null) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}#projects`);
  return openAssignmentText(ctx, decodeAssignment(value, ctx.rules.assignment));
}

// An .assignment.json file: refused by its size before it is read.
export async function openAssignmentFile(ctx, file) {
  const max = ctx.rules.assignment.max_bytes;
  if (file.size > max) throw new Error(`"${file.name}" is ${Math.ceil(file.size / 1024)} KB, more than an assignment can be (${Math.round(max / 1024)} KB): it is not an assignment file.`);
  return openAssignmentText(ctx, await file.text());
}
