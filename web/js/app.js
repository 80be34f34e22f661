// The page's entry point: starts the engine worker, opens this tab's project (IndexedDB; the
// tab's last one, else the last one opened anywhere), routes between the project list and
// the five views, coordinates with other tabs (tabs.js) and hands every view one shared
// context.
//
// The ctx contract (every view codes against exactly this):
//   ctx.engine           the EngineClient: call(cmd, args, {onProgress, transfer}) -> Promise
//   ctx.rules            the engine's limits, defaults and presets (rules.js), fetched once
//   ctx.project          the Project (project.js): classes, images, spec, settings, results
//   ctx.events           an EventTarget firing CustomEvents (detail):
//                          'spec-changed'    {spec: text, info}
//                          'draft-changed'   {draft: {text, report} | null}  (a spec the engine refused, kept)
//                          'classes-changed' {classes, note?}
//                          'images-changed'  {classIndex}  (-1: all classes)
//                          'model-trained'   {history}
//                          'model-loaded'    {}
//                          'training-state'  {state: 'running' | 'paused' | 'idle'}
//                          'view-shown'      {view}
//                          'project-loaded'  {id, skipped: [messages]}  (opened, or re-read after
//                                            another tab's change; every view shows it afresh)
//   ctx.getSpec()        -> the current spec JSON text
//   ctx.setSpec(text)    -> Promise<report>: the engine's checkSpec report {ok, error,
//                          error_layer, error_field, layers, ...}. When ok the spec is applied
//                          to the worker (fresh weights), persisted, and 'spec-changed' fires;
//                          when not ok nothing changes. The last linear layer's out_features
//                          must equal the number of classes (app rewrites it when the class
//                          count changes and says so in the status line).
//   ctx.getSpecDraft()   -> {text, report} | null: the last spec given to setSpec that was
//                          refused (persisted; training is refused while it exists, so an
//                          editor should show this text on load). A good setSpec clears it;
//                          ctx.revertSpec() drops it and keeps the spec in use.
//   ctx.noteSpecEdit(text, report)  an editor reports its current (unapplied) text with its
//                          check report: a refused one becomes the draft (persisted, training
//                          refused, the Train tab names the layer); a good one or the spec in
//                          use clears the draft. Returns a Promise.
//   ctx.getClasses()     -> [{id, name, count}] in label order
//   ctx.getImages(i)     -> Promise<[{id, rgba: Uint8Array, width, height}]> of class i
//   ctx.camera           {start(): Promise, stop(), running, frame(): {rgba, width, height}|null,
//                          element (the preview to place in a view), error}: the one webcam
//   ctx.isTrained()      -> weights exist for the current spec
//   ctx.isTraining()     -> a training run is under way or paused (project.trainingState;
//                          the worker refuses predict meanwhile)
//   ctx.status(text, sticky?)  shows a message in the page's status line (fades unless sticky)
//   ctx.tabs             tabs.js: changed(id, keys) notices; 'changed'/'edit'/'lost' events
//   ctx.openProject(id)  -> Promise: this tab shows project id (null: the last or a new one)
//   ctx.importProjectFile(file) -> Promise: a .convlab file becomes a new project, opened; an
//                          NAME.assignment.json file becomes the student's project (assignment-open.js)
//   ctx.ready            Promise resolved once the project is loaded and the worker synced
//   ctx.inspectImage({rgba, width, height, id?, name})  opens Inside the CNN on that image
//                          (fires 'inspect-image' with it; the lecture views' image source takes it)
import { EngineClient } from './engine/engine-client.js';
import { Camera } from './camera.js';
import { Project } from './project.js';
import { Tabs } from './tabs.js';
import { h } from './dom.js';
import { loadRules } from './engine/rules.js';
import { engineText, mountThreads } from './engine/threads.js';
import { mountData } from './views/data.js';
import { mountTrain } from './views/train/index.js';
import { mountPredict } from './views/predict.js';
import { mountProjects } from './views/projects.js';
import { startOffline } from './offline.js';
import { mountTestSet } from './views/testset.js';
import { mountAssignment } from './views/assignment.js';
import { openAssignmentLink, openAssignmentFile, isAssignmentFile } from './classroom/assignment-open.js';
import { fragmentValue } from './classroom/assignment-link.js';

const engine = new EngineClient();
const events = new EventTarget();
let project = null;  // once the engine's rules are in (start)
const statusEl = document.getElementById('engine-status');
const messageEl = document.getElementById('status-line');
const noticeEl = document.getElementById('notice');
const readOnlyEl = document.getElementById('read-only');
const projectNameEl = document.getElementById('project-name');
const tabs = new Tabs();
const TAB_PROJECT = 'convlab-project';  // sessionStorage: the project this tab shows

const ctx = {
  engine,
  events,
  rules: null,
  project: null,
  getSpec: () => project.spec,
  setSpec: (text) => project.setSpec(text),
  getSpecDraft: () => project.draft,
  revertSpec: () => project.setDraft(null),
  noteSpecEdit: (text, report) => project.setDraft(report?.ok || text === project.spec ? null : { text, report }),
  getClasses: () => project.getClasses(),
  getImages: (i) => project.getImages(i),
  camera: new Camera(() => project.storedSize()),
  isTrained: () => project.trained,
  isTraining: () => project.training,
  tabs,
  openProject,
  importProjectFile,
  // Messages fade after a while so an old one never reads as news on another tab, and one that
  // is not sticky goes as soon as another view is shown ("3 images added" is not news on the
  // project list). Sticky ones (storage lost, a diverged run) stay until replaced.
  status(text, sticky = false) {
    messageEl.textContent = text;
    messageEl.dataset.sticky = sticky ? 'yes' : '';
    messageEl.dataset.view = viewOf(location.hash);  // the view it was said on (the hash is set first)
    clearTimeout(ctx.statusTimer);
    if (text && !sticky) ctx.statusTimer = setTimeout(() => { messageEl.textContent = ''; }, 12_000);
  },
  inspectImage(image) {
    events.dispatchEvent(new CustomEvent('inspect-image', { detail: image }));
    location.hash = '#learn';
  },
};
globalThis.convlab = ctx;  // for the browser tests and the console

events.addEventListener('classes-changed', (e) => { if (e.detail.note) ctx.status(e.detail.note); });

const VIEWS = ['projects', 'data', 'model', 'train', 'predict', 'learn', 'assignment-editor', 'grading'];
function viewOf(hash) { return VIEWS.includes(hash.slice(1)) ? hash.slice(1) : 'data'; }

// Which engine runs and why, and whether the page works offline (offline.js); the thread count
// is the select beside it when there is one (threads.js).
let engineHello = null, threadSelect = false;
function showEngineStatus() {
  if (engineHello) statusEl.textContent = engineText(engineHello, threadSelect ? null : engineHello.threads, offline.offline);
}
const offline = startOffline({
  notice: document.getElementById('update-ready'),
  isBusy: () => {
    if (project?.training) return 'Training is running.';
    if (project?.pendingWrites > 0) return 'The project is being saved.';
    return '';
  },
  status: (t) => ctx.status(t),
  onChange: showEngineStatus,
});

function route() {
  const view = viewOf(location.hash);
  if (messageEl.textContent && !messageEl.dataset.sticky && messageEl.dataset.view !== view) ctx.status('');
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.dataset.view !== view;
  for (const a of document.querySelectorAll('header a[data-view]')) {
    if (a.dataset.view === view) {
      a.setAttribute('aria-current', 'page');
      // on a phone the views' row scrolls sideways: keep the current one in sight
      if (a.parentElement.scrollWidth > a.parentElement.clientWidth) a.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    else a.removeAttribute('aria-current');
  }
  events.dispatchEvent(new CustomEvent('view-shown', { detail: { view } }));
}

async function start() {
  try {
    engineHello = await engine.call('hello');
    ctx.rules = await loadRules(engine);
    showEngineStatus();
    statusEl.dataset.state = 'ready';
  } catch (e) {
    statusEl.textContent = `The engine failed to start: ${e.message}`;
    statusEl.dataset.state = 'error';
    return;
  }
  project = ctx.project = new Project(engine, events, ctx.rules, tabs);
  events.addEventListener('project-loaded', showProject);
  await project.openStores();
  threadSelect = await mountThreads(statusEl, ctx, engineHello, project.stores.db);
  showEngineStatus();
  await project.open(sessionStorage.getItem(TAB_PROJECT));
  if (!project.persistent) ctx.status(`${project.storeError} Work will be lost on reload.`, true);
  mountProjects(document.getElementById('view-projects'), ctx);
  mountData(document.getElementById('view-data'), ctx);
  mountTrain(document.getElementById('view-train'), ctx);
  mountTestSet(document.querySelector('#view-train .train-main') ?? document.getElementById('view-train'), ctx);
  mountPredict(document.getElementById('view-predict'), ctx);
  mountAssignment(document.getElementById('assignment'), ctx);  // student mode: beside every view
  // The lecture-heavy views load on their own: a failure there must not take the
  // collect-train-predict flow down with it.
  await Promise.all([
    mountLater('view-model', () => import('./views/model/index.js').then((m) => m.mountModel)),
    mountLater('view-learn', () => import('./views/learn/index.js').then((m) => m.mountLearn)),
    mountLater('view-assignment-editor', () => import('./views/assignment-editor.js').then((m) => m.mountAssignmentEditor)),
    mountLater('view-grading', () => import('./views/grading.js').then((m) => m.mountGrading)),
  ]);
  // a link pasted into this tab's address bar changes only the fragment: opened the same way
  addEventListener('hashchange', () => (fragmentValue(location.hash) === null ? route() : openLink()));
  route();
  await openLink();
  if (project.trained) events.dispatchEvent(new CustomEvent('model-loaded', { detail: {} }));
  document.body.dataset.ready = 'true';
}

// A tab that only shows its project cannot touch the views (the project list stays usable).
function applyReadOnly() {
  const ro = !!project?.readOnly;
  readOnlyEl.hidden = !ro;
  document.body.dataset.readOnly = String(ro);
  for (const s of document.querySelectorAll('main > section')) s.inert = ro && s.dataset.view !== 'projects';
}

// What the page shows of the project itself: its name, the read-only bar, and once per load
// what could not be read.
let shownSkipped = '';
async function showProject() {
  sessionStorage.setItem(TAB_PROJECT, project.id);
  projectNameEl.textContent = await project.name();
  document.title = `${projectNameEl.textContent} · ConvLab`;
  applyReadOnly();
  const sentence = (t) => `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
  const skipped = project.skipped.map(sentence).join(' ');
  if (skipped && skipped !== shownSkipped) {
    noticeEl.replaceChildren(h('strong', {}, 'Some of this project could not be read and was set aside.'),
      h('span', {}, skipped),
      h('button', { type: 'button', class: 'ghost', onclick: () => { noticeEl.hidden = true; } }, 'OK'));
    noticeEl.hidden = false;
  } else if (!skipped) noticeEl.hidden = true;
  shownSkipped = skipped;
}

async function openProject(id) {
  if (project.training) throw new Error('Training is running: stop it before you open another project.');
  await project.open(id);
  location.hash = '#data';
}

// A page opened with #assignment=... (a teacher's link): the student's project is made from it,
// or the page says why not and makes nothing.
async function openLink() {
  try {
    if (await openAssignmentLink(ctx) === undefined) return;
  } catch (e) {
    ctx.status(e.message, true);
  }
  route();
}

async function importProjectFile(file) {
  if (project.training) throw new Error('Training is running: stop it before you open a project file.');
  if (isAssignmentFile(file)) { await openAssignmentFile(ctx, file); return; }
  const { id, skipped } = await project.stores.importFile(new Uint8Array(await file.arrayBuffer()));
  tabs.changed(id, ['list']);
  await openProject(id);
  if (skipped?.length) {
    project.skipped.push(...skipped);
    await showProject();
  }
  ctx.status(`Opened "${file.name}" as a new project.`);
}

// Another tab wrote to the project this tab shows: read it again (coalesced: a training run
// writes every epoch).
let refreshTimer = null, refreshKeys = new Set();
tabs.addEventListener('changed', (e) => {
  if (!project || e.detail.project !== project.id) return;
  if (e.detail.keys.includes('deleted')) { ctx.status('This project was deleted in another tab.', true); return; }
  if (!project.readOnly || e.detail.keys.every((k) => k === 'list')) { if (e.detail.keys.includes('list')) showProject(); return; }
  clearTimeout(refreshTimer);
  for (const k of e.detail.keys) refreshKeys.add(k);  // the coalesced notices' keys, all of them
  refreshTimer = setTimeout(() => {
    const keys = [...refreshKeys];
    refreshKeys = new Set();
    project.refresh(keys).catch((err) => ctx.status(err.message, true));
  }, 150);
});
tabs.addEventListener('edit', async (e) => {
  if (!project || e.detail.project !== project.id) return;
  project.readOnly = false;
  await project.load();  // what the other tab wrote last
  ctx.status('The other tab let go of this project: you can edit it here now.');
});
tabs.addEventListener('lost', (e) => {
  if (!project || e.detail.project !== project.id) return;
  project.readOnly = true;
  showProject();
  ctx.status('Another tab took over this project: this tab now only shows it.', true);
});
readOnlyEl.querySelector('button').addEventListener('click', () => project.takeOver().catch((err) => ctx.status(err.message, true)));

// Closing the tab while a write is in flight could lose it: the browser asks first.
addEventListener('beforeunload', (e) => {
  if (project && project.pendingWrites > 0) {
    e.preventDefault();
    e.returnValue = '';
  }
});

// A .convlab file dropped anywhere opens as a new project (image files keep going to the
// class they are dropped on).
const isProjectFile = (f) => /\.convlab$/i.test(f.name) || isAssignmentFile(f);
addEventListener('dragover', (e) => { if ([...(e.dataTransfer?.items ?? [])].some((i) => i.kind === 'file')) e.preventDefault(); });
addEventListener('drop', (e) => {
  // the grading view takes the submission files dropped on it (views/grading.js)
  if (viewOf(location.hash) === 'grading') { e.preventDefault(); return; }
  const files = [...(e.dataTransfer?.files ?? [])];
  if (!files.some(isProjectFile)) { e.preventDefault(); return; }
  e.preventDefault();
  e.stopPropagation();
  if (!project) return;
  importProjectFile(files.find(isProjectFile)).catch((err) => ctx.status(err.message, true));
}, true);

async function mountLater(id, load) {
  const root = document.getElementById(id);
  try {
    (await load())(root, ctx);
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'message error';
    p.textContent = `This view failed to load (${e.message}). The other views still work.`;
    root.replaceChildren(p);
  }
}

route();
ctx.ready = start();
