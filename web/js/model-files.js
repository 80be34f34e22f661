// Models out and in, for the Train and Predict tabs: "Download model" gives the three files
// a student takes to PyTorch and ONNX Runtime (NAME.safetensors, NAME.py, NAME.onnx, all
// made by the engine), and "Load model…" opens a .safetensors file into the current project.
// A file of another model is refused with the engine's message naming the tensor that
// differs; when the engine says the file's own model could be adopted, a button offers it.
// Nothing changes until a file has loaded whole.
import { h, say } from './dom.js';
import { fileBase } from './file-names.js';

// Sentences joined into one message, each ended with a full stop unless it has its own: the
// engine's messages may end without one ("... not safetensors" + "Nothing was changed."
// gives "... not safetensors. Nothing was changed.").
export function sentences(...parts) {
  return parts.map((p) => String(p ?? '').trim()).filter(Boolean).map((p) => (/[.!?…]$/.test(p) ? p : `${p}.`)).join(' ');
}

// The files' base name (file-names.js): the project's name made safe, else the engine's default.
export const modelFileName = (projectName, rules) => fileBase(projectName, rules.file_names.model, rules);

function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// prefix: 'train' or 'predict' (element ids). Returns {panel}.
export function createModelFiles(ctx, prefix) {
  const { project, engine, events } = ctx;
  const msg = h('p', { class: 'message', id: `${prefix}-model-message`, role: 'status', hidden: true });
  const adoptBtn = h('button', { type: 'button', id: `${prefix}-model-adopt`, hidden: true }, 'Use the file\'s model');
  const file = h('input', { type: 'file', accept: '.safetensors', id: `${prefix}-model-file`, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' });
  const loadBtn = h('button', { type: 'button', id: `${prefix}-model-load`, onclick: () => file.click() }, 'Load model…');
  const kinds = [
    ['safetensors', 'weights', 'application/octet-stream'],
    ['py', 'PyTorch script', 'text/x-python'],
    ['onnx', 'ONNX', 'application/octet-stream'],
  ];
  const dlBtns = kinds.map(([ext, what, type]) =>
    h('button', { type: 'button', id: `${prefix}-download-${ext}`, title: `Download the model's ${what}`, onclick: () => save(ext, type) }, `.${ext}`));
  const hint = h('p', { class: 'hint', id: `${prefix}-model-hint` });
  const panel = h('div', { class: 'model-files', id: `${prefix}-model-files` },
    h('h3', {}, 'Your model as files'),
    h('div', { class: 'row' }, h('span', { class: 'label' }, 'Download model:'), ...dlBtns),
    hint,
    h('div', { class: 'row' }, loadBtn, file, adoptBtn),
    msg);
  const show = (text, isError = false) => say(msg, text, isError);
  let pending = null;  // the refused file's bytes, kept for "Use the file's model"

  function metadata() { return project.weightsMetadata(); }

  async function render() {
    const name = modelFileName(await project.name(), ctx.rules);
    const busy = project.training;
    for (const [i, [ext]] of kinds.entries()) {
      dlBtns[i].textContent = `${name}.${ext}`;
      dlBtns[i].disabled = busy || !project.trained;
    }
    loadBtn.disabled = busy;
    hint.textContent = project.trained
      ? `With the three files side by side: python3 ${name}.py photo.jpg (PyTorch), or python3 ${name}.py --onnx ${name}.onnx photo.jpg (ONNX Runtime).`
      : 'Train the model (or load one) to download it.';
  }

  async function save(ext, type) {
    show('');
    const name = modelFileName(await project.name(), ctx.rules);
    try {
      const meta = metadata();
      const bytes = ext === 'safetensors' ? await engine.call('save', { metadata: meta })
        : ext === 'onnx' ? await engine.call('exportOnnx', { metadata: meta })
        : await engine.call('exportTorch', { metadata: meta, weightsFile: `${name}.safetensors` });
      download(bytes, `${name}.${ext}`, type);
    } catch (e) {
      show(sentences(`The model could not be written: ${e.message}`), true);
    }
  }

  // The worker now holds the file's weights (and, adopted, its spec): the project follows.
  async function loaded(result, adopted) {
    await project.modelLoaded(result, adopted, await engine.call('save', { metadata: metadata() }));
  }

  async function open(bytes, adopt) {
    const classes = project.getClasses().length;
    return engine.call('load', { bytes, adopt, classes });
  }

  file.addEventListener('change', async () => {
    const f = file.files[0];
    file.value = '';
    if (!f) return;
    adoptBtn.hidden = true;
    pending = null;
    if (project.training) { show('Training is running: stop it before loading a model.', true); return; }
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const check = await engine.call('loadCheck', { bytes, classes: project.getClasses().length });
      if (!check.fits) {
        show(sentences(`${f.name}: ${check.message}`), true);
        if (check.adoptable) { pending = bytes; adoptBtn.hidden = false; }
        return;
      }
      await loaded(await open(bytes, false), false);
      show(`Loaded ${f.name}: its weights are this project's model now.`);
    } catch (e) {
      show(sentences(`${f.name} could not be loaded: ${e.message}`, 'Nothing was changed.'), true);
    }
  });

  adoptBtn.addEventListener('click', async () => {
    if (!pending) return;
    adoptBtn.hidden = true;
    try {
      if (project.training) throw new Error('training is running: stop it first.');
      await loaded(await open(pending, true), true);
      show('The file\'s model is this project\'s model now (its layers and weights): see the Model tab.');
    } catch (e) {
      show(sentences(`The file's model could not be used: ${e.message}`, 'Nothing was changed.'), true);
    }
    pending = null;
  });

  for (const ev of ['model-trained', 'model-loaded', 'spec-changed', 'classes-changed', 'training-state']) events.addEventListener(ev, render);
  render();
  return { panel };
}
