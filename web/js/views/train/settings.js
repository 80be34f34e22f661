// The Train tab's settings form: optimiser, the numeric settings and augmentation. Limits,
// steps and defaults are the engine's (rules.train); the labels and help are the page's.
// A bad field is named with its limits and nothing is saved. A setting the project's
// assignment fixes is shown locked (disabled) and marked "fixed by the assignment".
import { h, say } from '../../dom.js';

// [key, label, help], in the form's order; help may read the rules
const NUMBER_FIELDS = [
  ['epochs', 'Epochs', 'passes over the training images'],
  ['batch_size', 'Batch size', 'images per weight update'],
  ['lr', 'Learning rate', (r) => `step size; Adam likes ${r.default_lr.adam}, SGD ${r.default_lr.sgd}`],
  ['momentum', 'Momentum (SGD)', 'only used by SGD'],
  ['val_fraction', 'Validation fraction', 'held out per class to measure generalisation'],
  ['shift', 'Random shift (px)', 'augmentation: moves each image a little'],
  ['seed', 'Seed', 'same seed, same data, same result'],
];
const OPTIMIZER_LABEL = { adam: 'Adam', sgd: 'SGD with momentum' };

export function createSettings(ctx) {
  const { project } = ctx;
  const { fields: limits, optimizers, defaults, default_lr: defaultLr } = ctx.rules.train;
  const inputs = {};
  const marks = {};  // key -> the "fixed by the assignment" mark beside its control
  const mark = (key) => (marks[key] = h('small', { class: 'fixed-mark', id: `fixed-${key}`, hidden: true }, 'fixed by the assignment'));
  const fields = NUMBER_FIELDS.map(([key, label, words]) => {
    const { min, max, step } = limits[key];
    const help = typeof words === 'function' ? words(ctx.rules.train) : words;
    const input = h('input', { type: 'number', id: `set-${key}`, name: key, min, max, step, required: true });
    inputs[key] = input;
    return h('label', { class: 'field', title: help }, h('span', { class: 'field-name' }, label, mark(key)), input, h('small', {}, help));
  });
  const optimizer = h('select', { id: 'set-optimizer', name: 'optimizer' },
    optimizers.map((o) => h('option', { value: o }, OPTIMIZER_LABEL[o] ?? o)));
  const flip = h('input', { type: 'checkbox', id: 'set-flip', name: 'flip' });
  const controls = { ...inputs, optimizer, flip };
  let running = false;
  const msg = h('p', { class: 'message error', role: 'alert', hidden: true });
  const resetBtn = h('button', { type: 'button', class: 'ghost', onclick: () => { project.setSettings({ ...defaults }).then(show); } }, 'Defaults');
  const form = h('form', { class: 'panel settings', 'aria-label': 'Training settings', onsubmit: (e) => e.preventDefault() },
    h('h3', {}, 'Settings'),
    h('label', { class: 'field' }, h('span', { class: 'field-name' }, 'Optimiser', mark('optimizer')), optimizer, h('small', {}, 'how the weights are updated')),
    ...fields,
    h('label', { class: 'check' }, flip, ' Random horizontal flip (augmentation)', mark('flip')),
    msg, h('div', { class: 'row' }, resetBtn));
  form.addEventListener('change', () => save());

  function show() {
    const s = project.settings;
    for (const [key] of NUMBER_FIELDS) inputs[key].value = s[key];
    optimizer.value = s.optimizer;
    flip.checked = s.flip;
    setEnabled(!running);
  }

  function read() {
    const s = { optimizer: optimizer.value, flip: flip.checked };
    for (const [key, label] of NUMBER_FIELDS) {
      const lim = limits[key];
      const v = Number(inputs[key].value);
      const whole = lim.step === 1;
      if (inputs[key].value === '' || !Number.isFinite(v) || v < lim.min || v > lim.max || (whole && !Number.isInteger(v))) {
        throw Object.assign(new Error(`${label} must be ${whole ? 'a whole number' : 'a number'} from ${lim.min} to ${lim.max}.`), { input: inputs[key] });
      }
      s[key] = v;
    }
    return s;
  }

  // Reads and keeps the form: the settings, or null when a field is wrong (then shown).
  async function save() {
    for (const i of Object.values(inputs)) i.removeAttribute('aria-invalid');
    try {
      const s = read();
      say(msg, '');
      setEnabled(!running);
      const was = project.settings.optimizer;
      if (s.optimizer !== was && s.lr === defaultLr[was]) {
        s.lr = defaultLr[s.optimizer];  // follow the optimiser's default when it was untouched
        inputs.lr.value = s.lr;
      }
      await project.setSettings(s);
      return s;
    } catch (e) {
      say(msg, e.message);
      e.input?.setAttribute('aria-invalid', 'true');
      return null;
    }
  }

  // Locked while a run is under way; momentum only counts for SGD; a fixed setting stays
  // locked (project.setSettings keeps its value whatever the form holds).
  function setEnabled(on) {
    running = !on;
    const fixed = project.fixedSettings();
    for (const [key, m] of Object.entries(marks)) m.hidden = !(key in fixed);
    for (const el of form.elements) {
      const key = Object.keys(controls).find((k) => controls[k] === el);
      el.disabled = !on || (el === inputs.momentum && optimizer.value !== 'sgd') || (key !== undefined && key in fixed);
      if (key !== undefined && key in fixed) el.setAttribute('aria-describedby', `fixed-${key}`);
      else if (key !== undefined) el.removeAttribute('aria-describedby');
    }
  }

  return { form, show, save, setEnabled, message: () => msg.textContent };
}
