// Worker-side commands of the "Inside the CNN" views. Each handler gets its args and may use
// ctx().mod (the wasm module) and ctx().engine (the Engine). Added to the protocol in
// engine.worker.js; list them in engine-client.js's protocol comment too.
export function learnHandlers(ctx) {
  return {};
}
