// The offline and static-hosting tests' bench: a copy of what `make dist` writes, in a temporary
// folder, served in-process (tools/static-server.mjs on a free port) the way a plain static host
// serves it: with or without the isolation headers, under a sub-path, with the host's caching.
// The engine builds come from CONVLAB_GEN (as the config's servers) or web/gen.
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { pathToFileURL } = require('node:url');

const repo = path.join(__dirname, '..');
const tool = (name) => import(pathToFileURL(path.join(repo, 'tools', name)).href);
const gen = process.env.CONVLAB_GEN || path.join(repo, 'web', 'gen');

// -> {url (ends in '/'), dir, manifest, rebuild(), close()}
async function serveDist({ isolate = false, base = '/', cacheControl = 'max-age=600' } = {}) {
  const { makeDist } = await tool('make-dist.mjs');
  const { writeManifest } = await tool('precache.mjs');
  const { createStaticServer } = await tool('static-server.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-dist-'));
  const host = {
    dir,
    manifest: await makeDist({ web: path.join(repo, 'web'), gen, out: dir }),
    // A new build: the manifest made again from the folder as it is now (what make dist does).
    async rebuild() { host.manifest = await writeManifest(dir); return host.manifest; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); fs.rmSync(dir, { recursive: true, force: true }); }),
  };
  const server = createStaticServer({ root: dir, isolate, base, cacheControl });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.url = `http://127.0.0.1:${server.address().port}${base}`;
  return host;
}

// The manifest the served page's worker caches (gen/sw-manifest.js), as an object.
async function servedManifest(request, url) {
  const { parseManifestScript } = await tool('precache.mjs');
  const res = await request.get(new URL('gen/sw-manifest.js', url).href);
  return parseManifestScript(await res.text());
}

// Resolves once a service worker controls the page (its first activation claims it).
const controlled = (page) => page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });

// Every same-origin file the context asks for (page, workers, service worker), as a path
// relative to base; the worker script and its manifest are left out (never cached, by design).
function recordFiles(context, base) {
  const seen = new Set();
  context.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.href.startsWith(base)) return;
    const rel = u.pathname.slice(new URL(base).pathname.length);
    if (rel !== 'sw.js' && rel !== 'gen/sw-manifest.js') seen.add(rel === '' ? 'index.html' : rel);
  });
  return seen;
}

module.exports = { serveDist, servedManifest, controlled, recordFiles, tool, gen, repo };
