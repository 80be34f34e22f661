// `make dist`: one folder ready to copy to any static server or GitHub Pages: web/ with gen/
// filled (the engine builds, fflate), the service worker's manifest (tools/precache.mjs) and a
// _headers file for hosts that read one (Netlify, Cloudflare Pages). Nothing else: no tests,
// no node_modules.
// usage: node tools/make-dist.mjs [--web web] [--gen web/gen] [--out dist]
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeManifest } from './precache.mjs';

// What the page cannot run without: a dist without them would install a worker that caches a
// page with no engine.
const NEEDED = ['convlab.js', 'convlab.wasm', 'convlab-mt.js', 'convlab-mt.wasm', 'convlab-mt.worker.js', 'fflate.js'];

const HEADERS = `# For hosts that read a _headers file (Netlify, Cloudflare Pages): the cross-origin isolation
# the threaded engine needs. Without it the page runs single-threaded until its service worker
# adds the headers (one reload on the first visit). See README, "Offline and static hosting".
/*
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
`;

export async function makeDist({ web = 'web', gen = join(web, 'gen'), out = 'dist' } = {}) {
  web = resolve(web); gen = resolve(gen); out = resolve(out);
  const have = new Set(await readdir(gen).catch(() => []));
  const missing = NEEDED.filter((f) => !have.has(f));
  if (missing.length) throw new Error(`${gen} lacks ${missing.join(', ')}: run make web first`);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const e of await readdir(web, { withFileTypes: true })) {
    if (e.name === 'gen' || e.name.startsWith('.')) continue;
    await cp(join(web, e.name), join(out, e.name), { recursive: true });
  }
  await mkdir(join(out, 'gen'));
  for (const f of have) if (f !== 'sw-manifest.js' && !f.startsWith('.')) await cp(join(gen, f), join(out, 'gen', f), { recursive: true });
  await writeFile(join(out, '_headers'), HEADERS);
  return writeManifest(out);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  try {
    const m = await makeDist({ web: opt('--web'), gen: opt('--gen'), out: opt('--out') });
    console.log(`${opt('--out') ?? 'dist'}/: ${m.files.length} files, version ${m.version}`);
  } catch (e) {
    console.error(`make dist: ${e.message}`);
    process.exit(1);
  }
}
