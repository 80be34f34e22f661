// The development server for web/ (tools/static-server.mjs): sends the cross-origin isolation
// headers the threaded build needs (unless --no-isolation), never caches, and computes the
// service worker's manifest afresh on each request, so an edit shows on the next reload.
// usage: node tools/serve.mjs [--port 8080] [--root web] [--gen DIR] [--no-isolation]
// --gen serves DIR at /gen/ (the engine builds), so parallel builds can each test their own.
import { createStaticServer } from './static-server.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const port = Number(opt('--port', process.env.PORT || 8080));
const isolate = !args.includes('--no-isolation');
createStaticServer({ root: opt('--root', 'web'), gen: opt('--gen', process.env.CONVLAB_GEN), isolate, liveManifest: true })
  .listen(port, '127.0.0.1', () => {
    console.log(`ConvLab at http://localhost:${port}/ (${isolate ? 'cross-origin isolated: threaded engine' : 'not isolated: single-threaded engine'})`);
  });
