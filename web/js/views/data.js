// The Data view: classes (add, rename, delete, reorder) and their images, captured from
// the shared webcam (single shots or hold-to-record) or uploaded / dropped as files.
// The class limits and the name length are the engine's (ctx.rules.classes).
import { createSketchPad } from './sketch.js';
import { h, fill, say } from '../dom.js';
import { plural } from '../format.js';
import { decodeFiles, rgbaCanvas } from '../image-files.js';
import { confirmDialog } from '../dialog.js';
import { createCameraPicker } from '../camera-picker.js';

const RECORD_FPS = 6;
const THUMBS_SHOWN = 48;  // the newest ones; thousands of canvases would slow the page

export function mountData(root, ctx) {
  const { project, camera } = ctx;
  const { min: minClasses, max: maxClasses, name_max: nameMax } = ctx.rules.classes;
  const list = h('div', { class: 'class-list' });
  const addBtn = h('button', { type: 'button', class: 'add-class', onclick: () => act(() => project.addClass()) }, '+ Add a class');
  const camMsg = h('p', { class: 'message error', role: 'alert' });
  const camNote = h('p', { class: 'hint camera-note', id: 'camera-fallback', role: 'status' });
  const picker = createCameraPicker(ctx, (m) => ctx.status(m, true));
  const mirror = h('input', { type: 'checkbox', id: 'camera-mirror', checked: camera.mirror, onchange: () => camera.setMirror(mirror.checked) });
  const camBtn = h('button', { type: 'button', id: 'camera-toggle', onclick: () => toggleCamera() }, 'Start camera');
  const camSlot = h('div', { class: 'camera-slot' });
  const panel = h('aside', { class: 'panel camera-panel', 'aria-label': 'Camera' },
    h('h2', {}, 'Webcam'),
    camSlot,
    h('p', { class: 'hint' }, 'The box is what the model sees. Hold a class\'s record button to add a few frames a second.'),
    h('div', { class: 'row' }, camBtn,
      h('label', { class: 'check' }, mirror, ' Mirror')),
    picker.field,
    camNote, camMsg);

  const newBtn = h('button', { type: 'button', class: 'ghost', id: 'new-project', onclick: () => newProject() }, 'New project');
  const next = h('p', { class: 'next-step', hidden: true }, 'Every class has examples. ', h('a', { href: '#train' }, 'Next: train the network →'));
  root.append(h('div', { class: 'view-head' },
    h('div', {}, h('h2', {}, 'Collect examples'),
      h('p', { class: 'lead' }, 'Make a class per thing to recognise and give each a few dozen pictures: webcam, upload or drag and drop.')),
    newBtn),
  // the camera panel comes first in the page (and the Tab order): it is shown first on a
  // tablet or phone, and starting the camera comes before recording; on a wide screen the CSS
  // puts it in the right-hand column
  h('div', { class: 'data-layout' }, panel, h('div', { class: 'classes-col' }, list, addBtn, next)));

  async function act(fn) {
    try {
      await fn();
    } catch (e) {
      ctx.status(e.message, true);
    }
  }
  const actOn = (showMsg, fn) => act(async () => { try { await fn(); } catch (e) { showMsg(e.message); throw e; } });

  async function toggleCamera() {
    if (camera.stream) { camera.stop(); return; }
    await startCamera();
  }

  async function startCamera() {
    camSlot.append(camera.element);
    try {
      await camera.start();
      return true;
    } catch {
      return false;
    }
  }

  function updateCamera() {
    camBtn.textContent = camera.stream ? 'Stop camera' : 'Start camera';
    camMsg.textContent = camera.error;
    camMsg.hidden = !camera.error;
    camNote.textContent = camera.fallback;
  }
  camera.addEventListener('change', updateCamera);
  updateCamera();

  // A new, empty project; the one open now stays in the project list as it is.
  async function newProject() {
    await act(async () => {
      const id = await project.stores.createProject();  // the store picks a free name
      ctx.tabs.changed(id, ['list']);
      await ctx.openProject(id);
      ctx.status('New project: two empty classes and the default model. The previous one is on the Projects page.');
    });
  }

  // ---- class cards ----
  const cards = new Map();  // classId -> {el, update()}

  function render() {
    const classes = project.getClasses();
    for (const [id, c] of cards) if (!classes.some((x) => x.id === id)) { c.el.remove(); cards.delete(id); }
    classes.forEach((c, i) => {
      let card = cards.get(c.id);
      if (!card) { card = classCard(c.id); cards.set(c.id, card); }
      // move a card only when it is out of place: moving a node drops focus without a
      // 'change' event, which would lose a class name being typed while an upload lands
      if (list.children[i] !== card.el) list.insertBefore(card.el, list.children[i] ?? null);
      card.update(i, classes.length);
    });
    next.hidden = classes.some((c) => c.count === 0);
    addBtn.disabled = classes.length >= maxClasses;
    addBtn.textContent = classes.length >= maxClasses ? `${maxClasses} classes is the most` : '+ Add a class';
  }

  function classCard(id) {
    // no maxLength: the browser would cut a pasted name silently (and inside an emoji); the
    // project cuts it between characters and says so
    const name = h('input', { type: 'text', class: 'class-name', 'aria-label': 'Class name', title: `at most ${nameMax} characters` });
    name.addEventListener('change', () => actOn(showMsg, async () => {
      const note = await project.renameClass(id, name.value);
      showMsg(note, false);
    }).then(render));
    name.addEventListener('keydown', (e) => { if (e.key === 'Enter') name.blur(); });
    const count = h('span', { class: 'count' });
    const up = h('button', { type: 'button', class: 'icon', 'aria-label': 'Move class up', title: 'Move up', onclick: () => act(() => project.moveClass(id, -1)) }, '↑');
    const down = h('button', { type: 'button', class: 'icon', 'aria-label': 'Move class down', title: 'Move down', onclick: () => act(() => project.moveClass(id, 1)) }, '↓');
    const del = h('button', { type: 'button', class: 'icon danger', 'aria-label': 'Delete class', title: 'Delete class', onclick: () => deleteClass() }, '✕');
    const msg = h('p', { class: 'message', role: 'alert', hidden: true });
    const thumbs = h('div', { class: 'thumbs' });
    const file = h('input', { type: 'file', multiple: true, accept: 'image/png,image/jpeg,image/webp', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
    file.addEventListener('change', () => { upload([...file.files]); file.value = ''; });
    const rec = h('button', { type: 'button', class: 'record' }, '● Hold to record');
    const snap = h('button', { type: 'button', class: 'snap', onclick: () => shoot(1) }, 'Take a photo');
    const uploadBtn = h('button', { type: 'button', class: 'upload', onclick: () => file.click() }, 'Upload images');
    // ---- sketch pad (views/sketch.js): drawn images go the upload's way ----
    let pad = null;
    const padBox = h('div', { class: 'sketch-box', hidden: true });
    const drawBtn = h('button', { type: 'button', class: 'draw', 'aria-expanded': 'false', onclick: () => {
      pad ??= createSketchPad({ storedSize: () => project.storedSize(), className: () => project.classes[project.classIndex(id)].name, onAdd: (im) => project.addImages(id, [im]), looks: ctx.rules.looks });
      if (!padBox.firstChild) padBox.append(pad.el);
      padBox.hidden = !padBox.hidden;
      if (!padBox.hidden) pad.clear();
      drawBtn.setAttribute('aria-expanded', String(!padBox.hidden));
    } }, 'Draw');
    const el = h('article', { class: 'class-card', dataset: { classId: id } },
      h('div', { class: 'class-head' }, name, count, h('div', { class: 'tools' }, up, down, del)),
      h('div', { class: 'row capture' }, rec, snap, uploadBtn, drawBtn, file),
      padBox, msg, thumbs,
      h('p', { class: 'drop-hint' }, 'or drop image files here'));

    // hold to record: pointer or keyboard (Space / Enter held down)
    let timer = null;
    const startRec = async (e) => {
      e?.preventDefault();
      if (timer) return;
      if (!camera.running && !(await startCamera())) { showMsg(camera.error); return; }
      rec.classList.add('on');
      timer = setInterval(() => shoot(1), 1000 / RECORD_FPS);
      shoot(1);
    };
    const stopRec = () => { clearInterval(timer); timer = null; rec.classList.remove('on'); };
    // the pointer is captured so a finger that slides a little off the button keeps recording
    // until it lifts (pointerup / pointercancel end it)
    rec.addEventListener('pointerdown', (e) => { try { rec.setPointerCapture(e.pointerId); } catch { /* not capturable */ } startRec(e); });
    rec.addEventListener('contextmenu', (e) => e.preventDefault());  // a long touch is a hold, not a menu
    for (const ev of ['pointerup', 'pointerleave', 'pointercancel', 'blur']) rec.addEventListener(ev, stopRec);
    rec.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) startRec(e); });
    rec.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') stopRec(); });

    async function shoot() {
      if (!camera.running && !(await startCamera())) { showMsg(camera.error); return; }
      const f = camera.frame();
      if (!f) return;
      try {
        await project.addImages(id, [f]);
      } catch (e) {
        stopRec();
        showMsg(e.message);
      }
    }

    async function upload(files) {
      if (!files.length) return;
      const { images, errors } = await decodeFiles(files, project.storedSize(), ctx.rules.upload);
      try {
        await project.addImages(id, images);
      } catch (e) {
        showMsg(e.message);
        ctx.status(e.message, true);
        return;
      }
      const added = `${plural(images.length, 'image')} added`;
      const small = images.filter((im) => im.stretched);
      const size = project.storedSize();
      const note = small.length
        ? ` ${small.length === 1 ? `"${small[0].name}" (${small[0].stretched}) is` : `${small.length} images (such as "${small[0].name}", ${small[0].stretched}) are`} smaller than the ${size.width}×${size.height} the model sees and ${small.length === 1 ? 'was' : 'were'} stretched to fit: ${small.length === 1 ? 'it looks' : 'they look'} blurry to the model.`
        : '';
      showMsg(errors.length ? `${added}; skipped ${errors.length}: ${errors.join('; ')}.${note}` : note.trim(), errors.length > 0);
      ctx.status(errors.length ? `${added}. Skipped: ${errors.join('; ')}` : `${added} to "${project.classes[project.classIndex(id)].name}".`);
    }

    el.addEventListener('dragover', (e) => { e.preventDefault(); el.classList.add('drag'); });
    el.addEventListener('dragleave', () => el.classList.remove('drag'));
    el.addEventListener('drop', (e) => {
      e.preventDefault();
      el.classList.remove('drag');
      upload([...(e.dataTransfer?.files ?? [])]);
    });

    async function deleteClass() {
      const c = project.classes[project.classIndex(id)];
      const n = project.images.get(id).length;
      if (n && !(await confirmDialog(`Delete "${c.name}"?`, `Its ${plural(n, 'image')} will be deleted too.`, 'Delete class'))) return;
      await act(() => project.deleteClass(id));
    }

    const showMsg = (text, isError = true) => say(msg, text, isError);

    let shownIds = '';
    function renderThumbs() {
      const ims = project.images.get(id) ?? [];
      const shown = ims.slice(-THUMBS_SHOWN).reverse();
      const key = shown.map((im) => im.id).join(',');
      if (key === shownIds) return;
      shownIds = key;
      fill(thumbs, shown.map((im) => h('figure', { class: 'thumb-wrap' }, rgbaCanvas(im),
        h('button', { type: 'button', class: 'thumb-del', 'aria-label': 'Delete this image', title: 'Delete image',
          onclick: () => act(() => project.deleteImages(id, [im.id])) }, '✕'))),
      ims.length > THUMBS_SHOWN ? h('span', { class: 'more' }, `+${ims.length - THUMBS_SHOWN} more`) : null);
    }

    function update(i, n) {
      const c = project.classes[i];
      if (document.activeElement !== name) name.value = c.name;
      const k = project.images.get(id).length;
      count.textContent = plural(k, 'image');
      up.disabled = i === 0;
      down.disabled = i === n - 1;
      del.disabled = n <= minClasses;
      renderThumbs();
    }
    return { el, update };
  }

  ctx.events.addEventListener('view-shown', (e) => { if (e.detail.view === 'data') camSlot.append(camera.element); });
  ctx.events.addEventListener('classes-changed', render);
  ctx.events.addEventListener('images-changed', render);
  render();
}
