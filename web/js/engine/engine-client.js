// engine/: the wasm engine's worker and the page's side of it (client, rules, image sync, thread count).
// The main thread's handle on the engine worker. Every call returns a promise that settles
// with the command's result or a real Error carrying the engine's message; onProgress gets
// the progress messages a long command (train) posts before its result. The commands and
// their arguments and results are listed once, at the top of engine.worker.js.
export class EngineClient {
  constructor() {
    this.worker = new Worker(new URL('./engine.worker.js', import.meta.url), { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      if (!p) return;
      if (data.progress) return p.onProgress?.(data.progress);
      this.pending.delete(data.id);
      if (data.ok) p.resolve(data.result);
      else p.reject(new Error(data.error));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`engine worker failed: ${e.message}`));
      this.pending.clear();
    };
  }

  call(cmd, args = {}, { onProgress, transfer = [] } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, cmd, args }, transfer);
    });
  }
}
