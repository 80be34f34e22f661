// Plain text with its http(s) addresses made links: a teacher's instructions (issue 14) may point
// at the lecture's slides. Built from text nodes and <a> elements, never parsed as HTML, so any
// markup in the text stays text; only http: and https: addresses become links (never
// javascript: or data:), and they open in a new tab, leaving the project open.
import { h } from './dom.js';

const ADDRESS = /\bhttps?:\/\/[^\s<>"'`]+/g;
// punctuation that ends the sentence rather than the address: "see https://x.org/a."
const TRAILING = /[.,;:!?'"\]}>]+$/;

// -> an array of strings and <a> elements whose text, joined, is `text` exactly.
export function linkified(value) {
  const text = String(value);
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(ADDRESS)) {
    let address = m[0].replace(TRAILING, '');
    // a closing parenthesis belongs to the address only when it opens one: "(see https://x.org/a)"
    while (address.endsWith(')') && (address.match(/\(/g) ?? []).length < (address.match(/\)/g) ?? []).length)
      address = address.slice(0, -1);
    let href = null;
    try {
      const u = new URL(address);
      if (u.protocol === 'http:' || u.protocol === 'https:') href = u.href;
    } catch { /* not an address after all: stays text */ }
    if (!href) continue;
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, address));
    at = m.index + address.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
