// The page's entry point: starts the engine worker, routes between the five views and
// hands every view the shared context.
import { EngineClient } from './engine-client.js';
import { mountLearn } from './views/learn/index.js';

const engine = new EngineClient();
const ctx = { engine };
globalThis.convlab = ctx;  // for the browser tests and the console

const status = document.getElementById('engine-status');
engine.call('hello').then(
  (h) => { status.textContent = `Engine ready: WebAssembly ${h.simd ? 'SIMD' : 'scalar'}, ${h.threads} thread(s)`; },
  (e) => { status.textContent = `The engine failed to start: ${e.message}`; },
);

function route() {
  const view = (location.hash || '#data').slice(1);
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.dataset.view !== view;
  for (const a of document.querySelectorAll('nav a')) a.setAttribute('aria-current', a.dataset.view === view ? 'page' : 'false');
}
addEventListener('hashchange', route);
route();
mountLearn(document.getElementById('view-learn'), ctx);
