// Issue 28's amplifying file, measured: 2,500 valid 12x12 PNGs, each carrying a 400,000-byte
// private chunk, deflated into a zip of about 1.6 MB that is within every limit. Before core's
// PNG bound the page accepted it in 23 s at 3.3 GB RSS and kept 1 GB of PNG bytes. Now core
// sets every padded PNG aside by its declared size before inflating it. Prints the peak RSS of
// `convlab check` (GNU time) and of the browser's processes while the page opens the file
// (Open file's path: ProjectStore.importFile), and the time each took. A benchmark, not a test.
// usage: node tools/bench/amplify.mjs [--port 8795] [--images 2500]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, zlibSync, strToU8 } from 'fflate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, def) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : def; };
const port = Number(arg('--port', 8795));
const count = Number(arg('--images', 2500));

const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const be32 = (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const chunk = (kind, data) => { const body = Buffer.concat([Buffer.from(kind, 'latin1'), Buffer.from(data)]); return Buffer.concat([Buffer.from(be32(data.length)), body, Buffer.from(be32(crc32(body)))]); };
const raw = new Uint8Array(12 * (1 + 36)).map((_, i) => (i % 37 ? i * 7 : 0) & 255);
const pad = new Uint8Array(400000);
const padded = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', [...be32(12), ...be32(12), 8, 2, 0, 0, 0]),
  chunk('IDAT', zlibSync(raw)), chunk('prVt', pad), chunk('IEND', [])]);
const files = {}, list = [];
for (let i = 0; i < count; i++) {
  const file = `images/${i % 2}/${String(i + 1).padStart(6, '0')}.png`;
  files[file] = [padded, { level: 9 }];
  list.push({ file, class: i % 2, width: 12, height: 12 });
}
const manifest = { format: 'convlab-project', version: 1, name: 'Padded', created: 1, classes: ['a', 'b'], image_count: count, images: list };
const zip = zipSync({ 'convlab.json': [strToU8(JSON.stringify(manifest)), { level: 6 }], ...files });
const dir = mkdtempSync(join(tmpdir(), 'convlab-amplify-'));
const path = join(dir, 'padded.convlab');
writeFileSync(path, zip);
console.log(`the file: ${count} padded 12x12 PNGs (${padded.length} bytes each, ${(count * padded.length / 2 ** 30).toFixed(2)} GiB inflated), ${(zip.length / 1e6).toFixed(2)} MB zipped`);

// the CLI: GNU time's maximum resident set size
const t0 = Date.now();
const cli = spawnSync('/usr/bin/time', ['-f', '%M', join(root, 'build/native/convlab'), 'check', '--json', path], { encoding: 'utf8' });
const rssKb = Number(cli.stderr.trim().split('\n').pop());
const verdict = JSON.parse(cli.stdout);
console.log(`convlab check: ${Date.now() - t0} ms, peak RSS ${(rssKb / 1024).toFixed(0)} MB; ${verdict.readable} of ${verdict.images} images kept; notes: ${verdict.notes.join('; ')}`);

// the page: the sum of the browser's processes' RSS, sampled every 50 ms while it opens the file
const rssOfTree = (pid) => {
  let total = 0;
  const kids = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(p));
    } catch { /* gone */ }
  }
  const walk = (p) => {
    try { total += Number(readFileSync(`/proc/${p}/statm`, 'utf8').split(' ')[1]) * 4096; } catch { /* gone */ }
    for (const k of kids.get(p) ?? []) walk(k);
  };
  walk(pid);
  return total;
};
const server = spawn(process.execPath, [join(root, 'tools/serve.mjs'), '--port', String(port), '--no-isolation'], { cwd: root, stdio: 'ignore' });
try {
  const { chromium } = await import('@playwright/test');
  await new Promise((r) => setTimeout(r, 500));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const page = await browser.newPage();
  await page.goto(`http://localhost:${port}/js/storage/records.js`);
  await page.evaluate(async () => {
    const [{ EngineClient }, pstore] = await Promise.all([import('/js/engine/engine-client.js'), import('/js/storage/project-store.js')]);
    const engine = new EngineClient();
    const rules = await engine.call('rules');
    globalThis.s = await pstore.ProjectStore.open(rules, { engine });
  });
  const pid = spawnSync('pgrep', ['-o', '-f', 'chromium.*--headless'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  const base = rssOfTree(Number(pid));
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, rssOfTree(Number(pid))); }, 50);
  const t1 = Date.now();
  const r = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const { id, skipped } = await globalThis.s.importFile(bytes);
    const list = await globalThis.s.listProjects();
    return { skipped, images: list.find((p) => p.id === id).images, bytes: list.find((p) => p.id === id).bytes };
  }, Buffer.from(zip).toString('base64'));
  const ms = Date.now() - t1;
  clearInterval(timer);
  peak = Math.max(peak, rssOfTree(Number(pid)));
  console.log(`the page (Open file): ${ms} ms, browser peak RSS ${(peak / 2 ** 20).toFixed(0)} MB (${(base / 2 ** 20).toFixed(0)} MB before); ` +
    `${r.images} images stored, ${r.bytes} bytes; notes: ${r.skipped.join('; ')}`);
  await browser.close();
} finally {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
