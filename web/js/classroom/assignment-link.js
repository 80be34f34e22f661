// An assignment as a link: <page>#assignment=<base64url of the raw-deflated UTF-8 JSON>. The
// fragment never reaches a server, so the whole assignment travels in the address itself.
// A link is outside input: its length is checked against core's rule (rules.assignment.
// link_max_chars) before anything is decoded, what is inflated is stopped at core's
// rules.assignment.max_bytes, and bad base64, deflate or UTF-8 each give a message saying
// what is wrong and what to do. The JSON itself is checked by the engine (assignmentCheck).
import { deflateSync, Inflate, strToU8 } from '../fflate.js';

export const PARAM = 'assignment';

const BROKEN = 'Ask your teacher for the link again, and copy it whole (it is long).';

// bytes -> base64url without padding (RFC 4648 §5)
function toBase64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new Error(`This assignment link is damaged (it holds characters or a length a link never has). ${BROKEN}`);
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The assignment's JSON text -> the fragment's value (without "#assignment=").
export function encodeAssignment(text) {
  return toBase64url(deflateSync(strToU8(text), { level: 9 }));
}

// The whole link: this page's address (without its fragment) + #assignment=...
export function assignmentLink(text, href = location.href) {
  return `${href.split('#')[0]}#${PARAM}=${encodeAssignment(text)}`;
}

// A page fragment ("#assignment=..." or "assignment=...") -> the value, or null when the
// fragment is not an assignment link.
export function fragmentValue(hash) {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  return h.startsWith(`${PARAM}=`) ? h.slice(PARAM.length + 1) : null;
}

// The fragment's value -> the assignment's JSON text. limits: rules.assignment ({link_max_chars,
// max_bytes}). Throws an Error with the message to show; nothing is inflated past max_bytes.
export function decodeAssignment(value, limits) {
  if (value.length > limits.link_max_chars)
    throw new Error(`This assignment link is ${value.length.toLocaleString('en')} characters long, more than the ${limits.link_max_chars.toLocaleString('en')} an assignment link can have: it was not opened. An assignment with images comes as a file: ask your teacher for the file.`);
  if (!value) throw new Error(`This assignment link is empty after "#${PARAM}=". ${BROKEN}`);
  const bytes = fromBase64url(value);
  const chunks = [];
  let total = 0, done = false, over = false;
  const inflate = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > limits.max_bytes) over = true;
    else chunks.push(chunk);
    if (final) done = true;
  });
  try {
    // small pieces: one piece cannot inflate to more than about a thousand times its size
    for (let at = 0; at < bytes.length && !over; at += 1024)
      inflate.push(bytes.subarray(at, at + 1024), at + 1024 >= bytes.length);
  } catch {
    throw new Error(`This assignment link is damaged (its data does not unpack). ${BROKEN}`);
  }
  if (over) throw new Error(`This assignment link unpacks to more than ${Math.round(limits.max_bytes / 1024)} KB, more than an assignment can be: it was not opened.`);
  if (!done) throw new Error(`This assignment link is cut short. ${BROKEN}`);
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new Error(`This assignment link does not hold text (it is not UTF-8). ${BROKEN}`);
  }
}
