import { EngineClient } from './engine-client.js';

const engine = new EngineClient();
globalThis.convlab = { engine };  // for the browser tests and the console
const status = document.getElementById('engine-status');
engine.call('hello').then(
  (h) => { status.textContent = `Engine ready: WebAssembly ${h.simd ? 'SIMD' : 'scalar'}, ${h.threads} thread(s)`; },
  (e) => { status.textContent = `The engine failed to start: ${e.message}`; },
);
