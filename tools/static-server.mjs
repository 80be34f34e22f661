// The static server behind tools/serve.mjs and the static-hosting tests: no dependencies,
// .wasm as application/wasm, refuses paths outside its root.
//   root          the folder served (web/ or dist/)
//   gen           a folder served at gen/ instead of root/gen (parallel builds each test their own)
//   isolate       send the cross-origin isolation headers the threaded build needs
//   base          the sub-path the folder is served under ('/' or e.g. '/convlab/', as GitHub Pages)
//   cacheControl  the Cache-Control header ('no-store' in development; a host's own otherwise)
//   liveManifest  answer gen/sw-manifest.js with one computed from the files as they are now
//                 (tools/precache.mjs), so an edited file is never served stale by the service worker
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { MANIFEST, buildManifest, manifestScript } from './precache.mjs';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.safetensors': 'application/octet-stream',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.webmanifest': 'application/manifest+json',
};

export function createStaticServer({ root, gen = null, isolate = true, base = '/', cacheControl = 'no-store', liveManifest = false }) {
  root = resolve(root);
  gen = gen ? resolve(gen) : null;
  return createServer(async (req, res) => {
    const headers = { 'Cache-Control': cacheControl, 'X-Content-Type-Options': 'nosniff' };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    try {
      const url = new URL(req.url, 'http://localhost');
      const full = decodeURIComponent(url.pathname);
      if (!full.startsWith(base)) throw Object.assign(new Error('outside base'), { code: 404 });
      const rel = `/${full.slice(base.length)}`;
      let body, type;
      if (liveManifest && rel === `/${MANIFEST}`) {
        body = Buffer.from(manifestScript(await buildManifest(root, gen ?? undefined)));
        type = types['.js'];
      } else {
        const [dir, sub] = gen && rel.startsWith('/gen/') ? [gen, rel.slice(4)] : [root, rel];
        let path = normalize(join(dir, sub));
        if (path !== dir && !path.startsWith(dir + sep)) throw Object.assign(new Error('outside root'), { code: 403 });
        if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
        body = await readFile(path);
        type = types[extname(path)] || 'application/octet-stream';
      }
      res.writeHead(200, { ...headers, 'Content-Type': type });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      const code = e.code === 403 ? 403 : 404;
      res.writeHead(code, { ...headers, 'Content-Type': 'text/plain' });
      res.end(code === 403 ? 'forbidden' : 'not found');
    }
  });
}
