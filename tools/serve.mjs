// A dependency-free static server for web/: sends the cross-origin isolation headers the
// threaded build needs (unless --no-isolation), serves .wasm as application/wasm, never
// caches during development, and refuses paths outside its root.
// usage: node tools/serve.mjs [--port 8080] [--root web] [--gen DIR] [--no-isolation]
// --gen serves DIR at /gen/ (the engine builds), so parallel builds can each test their own.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const port = Number(opt('--port', process.env.PORT || 8080));
const root = resolve(opt('--root', 'web'));
const isolate = !args.includes('--no-isolation');
const gen = opt('--gen', process.env.CONVLAB_GEN) ? resolve(opt('--gen', process.env.CONVLAB_GEN)) : null;

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.safetensors': 'application/octet-stream',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

createServer(async (req, res) => {
  const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (isolate) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  try {
    const url = new URL(req.url, 'http://localhost');
    const rel = decodeURIComponent(url.pathname);
    const [base, sub] = gen && rel.startsWith('/gen/') ? [gen, rel.slice(4)] : [root, rel];
    let path = normalize(join(base, sub));
    if (path !== base && !path.startsWith(base + sep)) throw Object.assign(new Error('outside root'), { code: 403 });
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    const body = await readFile(path);
    res.writeHead(200, { ...headers, 'Content-Type': types[extname(path)] || 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    const code = e.code === 403 ? 403 : 404;
    res.writeHead(code, { ...headers, 'Content-Type': 'text/plain' });
    res.end(code === 403 ? 'forbidden' : 'not found');
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`ConvLab at http://localhost:${port}/ (${isolate ? 'cross-origin isolated: threaded engine' : 'not isolated: single-threaded engine'})`);
});
