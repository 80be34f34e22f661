// View 4's slider over epochs: the first conv layer's filters as training left them at the end
// of each epoch (epoch 0: the random start), kept by the engine (looks::FilterHistory) and
// stored with the training result, so a student scrubs back and watches edge and colour
// detectors form. Shown only when the stored history belongs to the model in use.
import { h } from '../../dom.js';

// conv: the model's first conv layer (info.layers entry), k its kernel; onPick(weights, epoch)
// repaints the filters. -> {el, update(conv, k): boolean (a history is shown)}
export function createFilterEpochs(ctx, onPick) {
  const slider = h('input', { type: 'range', id: 'maps-epoch', min: 0, max: 0, step: 1, 'aria-label': 'Epoch whose filters are shown' });
  const label = h('output', { for: 'maps-epoch', id: 'maps-epoch-value' });
  const text = h('p', { class: 'hint', id: 'maps-epoch-note' });
  const el = h('div', { id: 'maps-epochs', hidden: true },
    h('div', { class: 'filter-epochs' }, h('label', { for: 'maps-epoch' }, 'Filters after epoch'), slider, label), text);
  let hist = null;

  function history(conv, k) {
    const r = ctx.project?.result;
    const f = r?.filters;
    if (!f || !ctx.isTrained?.() || r.spec !== ctx.getSpec?.() || f.layer !== conv.index) return null;
    const want = [conv.out[0], conv.in[0], k, k];
    if (f.shape.length !== 4 || f.shape.some((d, i) => d !== want[i]) || f.epochs.length < 2) return null;
    return f;
  }

  function pick() {
    const i = Number(slider.value);
    const e = hist.epochs[i], last = hist.epochs[hist.epochs.length - 1];
    label.textContent = e === 0 ? '0 (the random start)' : `${e} of ${last}`;
    text.textContent = e === 0
      ? 'Before training the filters are random noise. Move the slider to watch training shape them.'
      : `The same filters after ${e} epoch${e === 1 ? '' : 's'}: over training, a filter that was noise turns into a detector of edges, stripes or colours, whichever helps tell your classes apart.`;
    onPick(Float32Array.from(hist.weights[i]), e);
  }

  slider.addEventListener('input', pick);
  return {
    el,
    update(conv, k) {
      hist = conv ? history(conv, k) : null;
      el.hidden = !hist;
      if (!hist) return false;
      const n = hist.epochs.length;
      slider.max = String(n - 1);
      slider.value = String(n - 1);  // the end of training: the filters in use
      pick();
      return true;
    },
  };
}
