// The main thread's handle on the engine worker. Every call returns a promise; the worker
// protocol is this list (args -> result):
//   hello {}                         -> {simd, threads, threaded, info}
//   checkSpec {spec: text}           -> {ok, layers[], error_layer, error_field, error}
//   setSpec {spec: text, seed}       -> info (per-layer table)
//   clearImages {}                   -> undefined
//   addImages {images: [{rgba, width, height, label}]} -> number of images held
//   train {config, steps, resume}    -> final progress {epoch, epochs, step, steps_per_epoch,
//                                       images_seen, train_size, val_size, done, history[],
//                                       confusion[], classes, stopped, paused};
//                                       onProgress(progress) between slices (with checkpoint:
//                                       safetensors bytes when an epoch has just ended); resume: true
//                                       continues a paused run
//   stop {}                          -> undefined (train returns with stopped: true, weights kept)
//   pause {}                         -> undefined (train returns with paused: true; resume or trainStop)
//   trainStop {}                     -> undefined (ends a paused run, weights kept)
//   predict {rgba, width, height}    -> Float32Array of class probabilities
//   save {metadata}                  -> Uint8Array (safetensors)
//   load {bytes}                     -> info
//   param {name}                     -> Float32Array ("0.weight", ...)
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
