// Tiny DOM builder: names the user typed are always set as text, never parsed as HTML.
//   h('button', {class: 'primary', onclick: f, 'aria-label': 'Add'}, 'Add class')
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces an element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A whole-number input: attrs are {min, max, value, name, id, label (its aria-label)};
// onInput(input) runs on every keystroke.
export function numberInput({ label, ...attrs }, onInput) {
  const input = h('input', { type: 'number', step: 1, ...attrs, 'aria-label': label });
  input.addEventListener('input', () => onInput(input));
  return input;
}

let uid = 0;
export const newId = (prefix) => `${prefix}-${++uid}`;

// Shows a message in el, or hides el when text is empty; isError (when given) sets the
// error style.
export function say(el, text, isError) {
  el.textContent = text;
  el.hidden = !text;
  if (isError !== undefined) el.classList.toggle('error', isError);
}
