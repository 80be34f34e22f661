// "Start from Fashion-MNIST" on the Projects view: pick some or all of the built-in dataset's
// classes; one click makes a project with those classes, their training images, their test
// images kept apart (split "test": never trained on) and the engine's 28×28 grey starter net.
import { h, fill, say } from '../dom.js';
import { loadBuiltin } from '../builtin-dataset.js';

// ctx as in app.js; onError(message). -> {panel}
export function createBuiltinStart(ctx, onError) {
  const boxes = h('div', { class: 'builtin-classes', role: 'group', 'aria-label': 'Classes of Fashion-MNIST' });
  const msg = h('p', { class: 'message', role: 'status', hidden: true, id: 'builtin-message' });
  const startBtn = h('button', { type: 'button', class: 'primary', id: 'builtin-start', disabled: true, onclick: () => start().catch((e) => { say(msg, e.message, true); onError?.(e.message); }) }, 'Start from Fashion-MNIST');
  const allBtn = h('button', { type: 'button', id: 'builtin-all', onclick: () => { for (const b of boxes.querySelectorAll('input')) b.checked = true; update(); } }, 'All');
  const about = h('p', { class: 'hint', id: 'builtin-about' }, 'Loading the built-in dataset…');
  const panel = h('details', { class: 'builtin-start', id: 'builtin-panel' },
    h('summary', {}, 'No webcam? Start from the built-in Fashion-MNIST dataset'),
    about, boxes, h('div', { class: 'row' }, startBtn, allBtn), msg);
  let data = null;

  const chosen = () => [...boxes.querySelectorAll('input')].filter((b) => b.checked).map((b) => Number(b.value));
  function update() {
    const n = chosen().length;
    const { min, max } = ctx.rules.classes;
    startBtn.disabled = !data || n < min || n > max;
    startBtn.textContent = n ? `Start from Fashion-MNIST (${n} classes)` : 'Start from Fashion-MNIST';
  }

  panel.addEventListener('toggle', async () => {
    if (!panel.open || data) return;
    try {
      const { builtin_side: side } = await ctx.engine.call('testsetRules');
      data = await loadBuiltin({ side, maxClasses: ctx.rules.classes.max, maxImages: ctx.rules.project.max_images });
    } catch (e) {
      about.textContent = e.message;
      return;
    }
    about.textContent = `${data.name}: photos of clothing, ${data.width}×${data.height} grey. Each class brings ${data.trainPerClass} training images and ${data.testPerClass} test images, kept apart: the test images are never trained on.`;
    fill(boxes, data.classes.map((name, i) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: String(i), checked: i < 3, onchange: update }), ' ', name)));
    update();
  });

  async function start() {
    const picked = chosen();
    startBtn.disabled = true;
    say(msg, 'Making the project…');
    const classes = picked.map((c, i) => ({ id: i + 1, name: data.classes[c] }));
    const { spec } = await ctx.engine.call('builtinSpec', { classes: classes.length });
    const images = [];
    picked.forEach((c, i) => {
      for (const split of ['train', 'test']) for (const im of data.images(c, split)) images.push({ ...im, classId: i + 1, split });
    });
    const id = await ctx.project.stores.createFrom({ name: `Fashion-MNIST (${classes.length} classes)`, classes, spec, images });
    ctx.tabs.changed(id, ['list']);
    await ctx.openProject(id);
    say(msg, `Made a project of ${classes.length} classes with ${images.length} images.`);
    update();
  }

  return { panel };
}
