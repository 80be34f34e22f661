// "Inside the CNN": the lecture's views on the user's own model (views 2–7; view 1, the
// architecture editor, is the Model tab). One shared image source and model table; only
// the visible view computes. Every number shown comes from the engine (core/learn).
import { h } from '../../dom.js';
import { createSource } from './source.js';
import { createFcConv } from './fcconv.js';
import { createSliding } from './sliding.js';
import { createMaps } from './maps.js';
import { createShift } from './shift.js';
import { createGrowth } from './growth.js';
import { createPlayground } from './playground.js';
import { createLooks } from './looks.js';

export function mountLearn(root, ctx) {
  const source = createSource(ctx);
  const shared = {
    info: null,
    source,
    // Runs the model on the current image; returns {input, probs, acts: {layer: Float32Array}}.
    run: (layers = []) => {
      const s = source.current();
      return ctx.engine.call('learnRun', { rgba: s.rgba, width: s.width, height: s.height, layers });
    },
    classNames: () => {
      const c = ctx.getClasses?.() ?? [];
      const n = shared.info?.output?.[0] ?? c.length;
      return Array.from({ length: n }, (_, i) => c[i]?.name ?? `class ${i}`);
    },
  };
  const views = [
    ['fc', '2 · Fully-connected vs conv', createFcConv, false],
    ['slide', '3 · Sliding dot product', createSliding, true],
    ['maps', '4 · Filters & feature maps', createMaps, true],
    ['shift', '5 · Shift: equivariance & invariance', createShift, true],
    ['rf', '6 · Receptive field', createGrowth, true],
    ['stride', '7 · Stride & padding', createPlayground, false],
    ['looks', '8 · Where it looks', createLooks, true],
  ].map(([id, title, make, usesImage]) => ({ id, title, usesImage, view: make(ctx, shared) }));
  let active = views[0];

  const tabs = h('div', { class: 'learn-tabs', role: 'tablist', 'aria-label': 'Lecture steps' },
    views.map((v) => h('button', { type: 'button', role: 'tab', id: `learn-tab-${v.id}`, 'aria-controls': `learn-${v.id}`, onclick: () => select(v) }, v.title)));
  // the tablist pattern: one tab in the Tab order (the selected one), arrows / Home / End move
  tabs.addEventListener('keydown', (e) => {
    const i = views.indexOf(active);
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: views.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const v = views[(to + views.length) % views.length];
    select(v);
    document.getElementById(`learn-tab-${v.id}`).focus();
  });
  const note = h('p', { class: 'message', id: 'learn-model-note' });
  const panels = views.map((v, i) => {
    const next = views[i + 1];
    return h('section', { class: 'learn-panel', id: `learn-${v.id}`, role: 'tabpanel', 'aria-labelledby': `learn-tab-${v.id}`, hidden: true },
      v.view.el,
      next ? h('div', { class: 'row end' }, h('button', { type: 'button', class: 'ghost next', onclick: () => select(next) }, `Next: ${next.title.replace(/^\d+ · /, '')} →`)) : null);
  });

  root.replaceChildren(
    h('div', { class: 'view-head' }, h('div', {},
      h('h2', {}, 'Inside the CNN'),
      h('p', { class: 'lead' }, 'The lecture, step by step, on your own network and your own images: every number here is computed by the engine that trains and predicts.'))),
    tabs, note, source.el, ...panels);

  function select(v) {
    active?.view.hide?.();
    active = v;
    for (const [i, p] of panels.entries()) p.hidden = views[i] !== v;
    for (const b of tabs.children) {
      const on = b.id === `learn-tab-${v.id}`;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      // on a phone the steps are one row that scrolls: keep the selected one in sight
      if (on && tabs.scrollWidth > tabs.clientWidth) b.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    source.el.hidden = !v.usesImage;
    if (shown()) refresh();
  }

  const shown = () => !root.hidden && !root.closest('[hidden]');

  async function refresh() {
    if (ctx.isTraining?.()) {  // the worker is busy with the model: come back when it is done
      note.textContent = 'Training is running: these views show the model again when it finishes.';
      note.hidden = false;
      return;
    }
    try {
      shared.info = await ctx.engine.call('learnInfo');
    } catch (e) {
      note.textContent = e.message;
      return;
    }
    const trained = ctx.isTrained?.() ?? false;
    note.textContent = trained ? ''
      : 'The model is not trained yet, so its filters are still random numbers: the arithmetic below is real, but the pictures become meaningful after training (Train tab).';
    note.hidden = trained;
    try {
      await active.view.show();
    } catch (e) {
      ctx.status?.(`Inside the CNN: ${e.message}`);
    }
  }

  source.onChange(() => { if (shown() && active.usesImage) refresh(); });
  for (const ev of ['spec-changed', 'model-trained', 'model-loaded']) ctx.events?.addEventListener(ev, () => { if (shown()) refresh(); });
  ctx.events?.addEventListener('training-state', (e) => { if (e.detail.state === 'idle' && shown()) refresh(); });
  ctx.events?.addEventListener('view-shown', (e) => {
    if (e.detail.view === 'learn') refresh();
    else active.view.hide?.();
  });
  // An image sent from elsewhere (the test set panel): shown on the feature maps unless the
  // open view already uses the image.
  ctx.events?.addEventListener('inspect-image', () => { if (!active.usesImage) select(views.find((v) => v.id === 'maps')); });
  select(views[0]);
  return { select: (id) => select(views.find((v) => v.id === id)), refresh, shared };
}
