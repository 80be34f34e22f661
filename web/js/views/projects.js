// The Projects view: every project kept in this browser, newest change first, with its
// classes, image count, trained or not and size on disk; create, open, rename, duplicate,
// delete (after a confirmation), save one as a .convlab file and open such a file or an
// NAME.assignment.json (button, or a file dropped anywhere on the page), and write a new
// assignment (the teacher's editor). Below: the storage used and available, and the
// request for persistent storage so the browser does not evict the student's work.
import { h, fill, say } from '../dom.js';
import { plural } from '../format.js';
import { confirmDialog } from '../dialog.js';
import { createBuiltinStart } from './builtin-start.js';

// 1536 -> "1.5 KB"
export function bytesText(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (n >= 1000 && u < units.length - 1) { n /= 1000; u++; }
  return u === 0 ? `${n} bytes` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[u]}`;
}

const when = (t) => (t ? new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—');

// ctx.openProject(id), ctx.importProjectFile(file) (app.js) switch this tab's project.
export function mountProjects(root, ctx) {
  const { project } = ctx;
  const stores = project.stores;
  const list = h('ul', { class: 'project-list', id: 'project-list', 'aria-label': 'Projects' });
  const msg = h('p', { class: 'message', role: 'status', hidden: true, id: 'projects-message' });
  const newName = h('input', { type: 'text', id: 'new-project-name', placeholder: 'Name of the new project', 'aria-label': 'Name of the new project' });
  const createBtn = h('button', { type: 'button', class: 'primary', id: 'project-create', onclick: () => act(create) }, 'Create project');
  const fileInput = h('input', { type: 'file', accept: '.convlab,.json', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', id: 'project-file-input' });
  fileInput.addEventListener('change', () => { const f = fileInput.files[0]; fileInput.value = ''; if (f) act(() => ctx.importProjectFile(f)); });
  const openFileBtn = h('button', { type: 'button', id: 'project-open-file', onclick: () => fileInput.click() }, 'Open file…');
  // the teacher's side of issue 14: writing an assignment (views/assignment-editor.js)
  const newAssignment = h('button', { type: 'button', id: 'project-new-assignment', onclick: () => { location.hash = '#assignment-editor'; } }, 'New assignment…');
  const storage = h('p', { class: 'hint', id: 'storage-usage' });
  const persistBtn = h('button', { type: 'button', id: 'storage-persist', onclick: () => act(persist) }, 'Keep my work (ask for persistent storage)');
  const persistNote = h('p', { class: 'hint', id: 'storage-persist-note' });

  root.append(
    h('div', { class: 'view-head' }, h('div', {}, h('h2', {}, 'Projects'),
      h('p', { class: 'lead' }, 'Each project has its own classes, images, model and training. They are kept in this browser; save one as a file to hand it in or move it to another computer.'))),
    h('div', { class: 'projects-layout' },
      h('div', { class: 'panel' },
        h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); act(create); } }, newName, createBtn),
        h('div', { class: 'row' }, openFileBtn, fileInput, h('span', { class: 'hint' }, 'a project (.convlab) or an assignment (.assignment.json); or drop one anywhere on the page')),
        h('div', { class: 'row' }, newAssignment, h('span', { class: 'hint' }, 'for teachers: write a task, hand it out as a file or a link')),
        h('div', { class: 'row teacher-row' }, h('a', { href: '#grading', class: 'button-link', id: 'project-grade' }, 'Grade submissions'),
          h('span', { class: 'hint' }, 'For teachers: grade the students\' submission files of an assignment')),
        createBuiltinStart(ctx).panel,
        msg, list),
      h('aside', { class: 'panel storage-panel', 'aria-label': 'Storage' },
        h('h3', {}, 'Storage'), storage, persistBtn, persistNote)));

  const show = (text, isError = false) => say(msg, text, isError);

  async function act(fn) {
    try {
      await fn();
    } catch (e) {
      show(e.message, true);
    }
  }

  async function create() {
    const name = newName.value.trim();
    const id = await stores.createProject(name || undefined);  // no name: the store picks a free one
    newName.value = '';
    ctx.tabs.changed(id, ['list']);
    await ctx.openProject(id);
  }

  async function persist() {
    const ok = await stores.persist();
    persistNote.textContent = ok
      ? 'The browser keeps this site\'s data until you delete it.'
      : 'The browser did not grant persistent storage (it decides by itself, for example after you bookmark the page or install it). Save important projects as files.';
    await renderStorage();
  }

  async function renderStorage() {
    const e = await stores.estimate().catch(() => null);
    if (!e || !Number.isFinite(e.quota)) { storage.textContent = 'This browser does not say how much storage is used.'; return; }
    storage.textContent = `${bytesText(e.usage)} used of ${bytesText(e.quota)} available to this page.`;
    persistBtn.hidden = !!e.persisted;
    if (e.persisted) persistNote.textContent = 'Persistent storage is on: the browser will not evict your projects.';
  }

  function row(p) {
    const current = p.id === project.id;
    const name = h('span', { class: 'project-name' }, p.name);
    const renameInput = h('input', { type: 'text', class: 'project-rename', value: p.name, 'aria-label': 'New name', hidden: true });
    const doRename = async () => {
      await stores.renameProject(p.id, renameInput.value);  // the store checks the name
      ctx.tabs.changed(p.id, ['list']);
      await render();
    };
    const renameBtn = h('button', { type: 'button', class: 'project-rename-btn', onclick: () => {
      if (renameInput.hidden) { renameInput.hidden = false; name.hidden = true; renameInput.focus(); renameInput.select(); renameBtn.textContent = 'Save name'; return; }
      act(doRename);
    } }, 'Rename');
    renameInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') act(doRename); if (e.key === 'Escape') render(); });
    const classes = p.classes.length ? p.classes.join(', ') : 'no classes';
    return h('li', { class: `project${current ? ' current' : ''}`, dataset: { projectId: p.id } },
      h('div', { class: 'project-main' },
        h('div', { class: 'project-title' }, name, renameInput, current ? h('span', { class: 'badge' }, 'open in this tab') : null),
        h('p', { class: 'project-facts' },
          h('span', { class: 'classes', title: classes }, `${p.classes.length} class${p.classes.length === 1 ? '' : 'es'}: ${classes}`),
          h('span', { class: 'images' }, plural(p.images, 'image')),
          h('span', { class: `trained${p.trained ? ' yes' : ''}` }, p.trained ? 'trained' : 'not trained'),
          h('span', { class: 'bytes' }, bytesText(p.bytes)),
          h('span', { class: 'updated' }, `changed ${when(p.updated)}`))),
      h('div', { class: 'project-tools' },
        h('button', { type: 'button', class: 'primary project-open', hidden: current, onclick: () => act(() => ctx.openProject(p.id)) }, 'Open'),
        renameBtn,
        h('button', { type: 'button', class: 'project-duplicate', onclick: () => act(async () => {
          const id = await stores.duplicateProject(p.id);
          ctx.tabs.changed(id, ['list']);
          show(`Duplicated "${p.name}".`);
          await render();
        }) }, 'Duplicate'),
        h('button', { type: 'button', class: 'project-save', onclick: () => act(() => saveFile(p)) }, 'Save as file'),
        h('button', { type: 'button', class: 'danger project-delete', onclick: () => act(() => remove(p)) }, 'Delete')));
  }

  async function saveFile(p) {
    const blob = await stores.exportFile(p.id, p.name);
    const a = h('a', { href: URL.createObjectURL(blob), download: stores.fileName(p.name) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    show(`Saved "${p.name}" as ${a.download} (${bytesText(blob.size)}).`);
  }

  async function remove(p) {
    const what = `${plural(p.images, 'image')}${p.trained ? ', the trained model' : ''}`;
    const ok = await confirmDialog(`Delete "${p.name}"?`, `This deletes the project with its ${what} from this browser. It cannot be undone: save it as a file first if you may need it again.`, 'Delete project');
    if (!ok) return;
    const wasCurrent = p.id === project.id;
    await stores.deleteProject(p.id);
    ctx.tabs.changed(p.id, ['list', 'deleted']);
    show(`Deleted "${p.name}".`);
    if (wasCurrent) await ctx.openProject(null);
    else await render();
  }

  let renders = 0;  // a slow listing that ends after a newer one must not overwrite it
  async function render() {
    const seq = ++renders;
    const projects = await stores.listProjects();
    if (seq !== renders) return;
    fill(list, projects.map(row));
    await renderStorage();
  }

  ctx.events.addEventListener('view-shown', (e) => { if (e.detail.view === 'projects') act(render); });
  ctx.events.addEventListener('project-loaded', () => { if (!root.hidden) act(render); });
  ctx.tabs.addEventListener('changed', (e) => { if (!root.hidden && e.detail.keys.includes('list')) act(render); });
  return { render };
}

// A project name as a file name: no path separators or characters file systems refuse.
