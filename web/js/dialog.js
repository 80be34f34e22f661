// A modal yes/no question in a native <dialog> (keyboard and focus handled by the browser).
import { h } from './dom.js';

export function confirmDialog(title, text, yes) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'yes', class: 'danger' }, yes);
    const no = h('button', { type: 'submit', value: 'no', autofocus: true }, 'Cancel');
    const d = h('dialog', { class: 'confirm' },
      h('form', { method: 'dialog' }, h('h2', {}, title), h('p', {}, text), h('div', { class: 'row end' }, no, ok)));
    d.addEventListener('close', () => { d.remove(); resolve(d.returnValue === 'yes'); });
    document.body.append(d);
    d.showModal();
  });
}
