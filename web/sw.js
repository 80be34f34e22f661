// ConvLab's service worker: the page, its modules and both engine builds work offline after
// the first visit. A classic script (not a module) so that every browser with service workers
// runs it. Registered by js/offline.js; every URL is relative to this file, so a copy served
// under a sub-path (https://user.github.io/convlab/) works as it is.
//
// - Precache: gen/sw-manifest.js (tools/precache.mjs, made by `make dist` or computed by
//   tools/serve.mjs) lists every file of the folder and a version hashed from their bytes. The
//   cache is named after the scope and the version; a new build is a new worker that fills a new
//   cache, waits until the page says so (message 'skip-waiting', the page's "Reload"), and on
//   activation deletes the caches of older versions of this scope.
// - Cache first: a file of the list is answered from the cache (offline or not); anything else
//   goes to the network.
// - Cross-origin isolation: every answer gets Cross-Origin-Opener-Policy: same-origin and
//   Cross-Origin-Embedder-Policy: require-corp (the coi-serviceworker technique). The threaded
//   engine needs them (SharedArrayBuffer); so once this worker controls the page, a static host
//   that sends no such headers still runs the threaded build. The page loads nothing from another
//   origin, so require-corp blocks nothing.
importScripts('gen/sw-manifest.js');  // self.CONVLAB_PRECACHE = {version, files}

const { version, files } = self.CONVLAB_PRECACHE;
const SCOPE = self.registration.scope;
// Two copies of ConvLab on one origin (/a/ and /b/) share the origin's caches: the scope in the
// name keeps them apart.
const PREFIX = `convlab ${new URL(SCOPE).pathname} `;
const CACHE = `${PREFIX}${version}`;
const INDEX = new URL('index.html', self.location).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    try {
      await Promise.all(files.map(async (f) => {
        const url = new URL(f, self.location).href;
        // 'reload': past the HTTP cache, which on a host with max-age could still hold the
        // previous build's file under this version's name.
        const res = await fetch(new Request(url, { cache: 'reload' }));
        if (!res.ok) throw new Error(`${f}: HTTP ${res.status}`);
        await cache.put(url, res);
      }));
    } catch (e) {
      await caches.delete(CACHE);  // never a half-filled cache under a version's name
      throw e;
    }
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    // The first visit's page becomes controlled without a reload (js/offline.js then reloads it
    // once if it is not cross-origin isolated yet).
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || !req.url.startsWith(SCOPE)) return;
  event.respondWith(answer(req));
});

async function answer(req) {
  const url = new URL(req.url);
  url.hash = '';
  // The page itself is asked for as the scope's folder, with or without a query.
  const page = req.mode === 'navigate' && (url.href.split('?')[0] === SCOPE || url.pathname.endsWith('/index.html'));
  const cached = await caches.match(page ? INDEX : url.href, { cacheName: CACHE });
  return isolated(cached ?? await fetch(req));
}

// The same response with the isolation headers. Rebuilt rather than passed on: that also clears
// the "redirected" flag a navigation may not be answered with.
function isolated(res) {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0) return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
