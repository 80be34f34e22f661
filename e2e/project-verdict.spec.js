// Issue 28: the page and `convlab` give every project file the same verdict. Each odd or hostile
// file below (and every file of the zip fuzz corpus and the CLI fixtures) is opened by the
// page's own path (project-file.js readProject through the engine worker, as Open file does)
// and by the CLI's (build/native/convlab check --json FILE), and both must say the same: opened
// with the same name, classes, image counts and notes, or refused with the same message.
// Both end in core's reader (core/include/convlab/project_file.h); this checks that nothing on
// either side (the page's records, the CLI's libpng, the bindings) changes the outcome.
const { test, expect } = require('@playwright/test');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { zipSync, zlibSync, strToU8 } = require('fflate');
const { openLab } = require('./data-lab.js');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'build', 'native', 'convlab');

// ---- files made here ----
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const be32 = (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
function chunk(kind, data) {
  const body = Uint8Array.from([...Buffer.from(kind, 'latin1'), ...data]);
  return Uint8Array.from([...be32(data.length), ...body, ...be32(crc32(body))]);
}
// A w x h 8-bit RGB PNG (zlib by fflate), optionally with a private chunk of `pad` zero bytes.
function png(w, h, seed = 1, pad = 0) {
  const raw = new Uint8Array(h * (1 + w * 3));
  for (let y = 0; y < h; y++) for (let i = 0; i < w * 3; i++) raw[y * (1 + w * 3) + 1 + i] = (seed * 37 + i * 5 + y * 11) & 255;
  const parts = [Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', [...be32(w), ...be32(h), 8, 2, 0, 0, 0]),
    chunk('IDAT', zlibSync(raw)), ...(pad ? [chunk('prVt', new Uint8Array(pad))] : []), chunk('IEND', [])];
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}
const json = (v) => strToU8(typeof v === 'string' ? v : JSON.stringify(v));
// A project zip: classes, images [{cls, png, w, h, split?, file?}], extra entries {name: bytes}.
function project({ classes = ['cat', 'cup'], images = [], extra = {}, manifest = {}, level = 6 } = {}) {
  const files = {};
  const list = images.map((im, i) => {
    const file = im.file ?? `images/${im.cls}/${String(i + 1).padStart(6, '0')}.png`;
    files[file] = [im.png, { level: im.level ?? 0 }];
    return { file, class: im.cls, width: im.w, height: im.h, ...(im.split ? { split: im.split } : {}) };
  });
  const man = { format: 'convlab-project', version: 1, name: 'Odd', created: 1, classes, image_count: list.length, images: list, ...manifest };
  const entries = { 'convlab.json': [json(man), { level }] };
  for (const [k, v] of Object.entries(extra)) entries[k] = [v, { level }];
  return Buffer.from(zipSync({ ...entries, ...files }));
}
const two = [{ cls: 0, png: png(4, 4, 1), w: 4, h: 4 }, { cls: 1, png: png(4, 4, 2), w: 4, h: 4 }, { cls: 1, png: png(4, 4, 3), w: 4, h: 4, split: 'test' }];

function cases() {
  const out = {};
  out['slip-dotdot'] = project({ images: two, extra: { '../evil.txt': json('x') } });
  out['slip-absolute'] = project({ images: two, extra: { '/etc/evil': json('x') } });
  out['slip-backslash'] = project({ images: two, extra: { 'images\\..\\evil': json('x') } });
  out['nested-manifest'] = project({ images: two, manifest: { deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) } });
  out['names-duplicate-empty'] = project({ classes: ['Cup', 'cup', '', '   '], images: two });
  out['names-nul-rlo'] = project({ classes: ['a\u0000b', '\u202e', 'c\u202ed'], images: two });
  out['names-7mb'] = project({ classes: ['x'.repeat(7 << 20), 'y'], images: two });
  out['names-decomposed'] = project({ classes: ['e\u0301'.repeat(40), 'f\u0301'.repeat(61)], images: two });
  out['names-emoji'] = project({ classes: ['\u{1F469}\u200D\u{1F469}\u200D\u{1F467}', '\u{1F1EB}\u{1F1F7}'.repeat(70)], images: two });
  out['assignment-over-limit'] = project({ images: two, extra: { 'assignment.json': json(' '.repeat(300040)) } });
  out['every-named-entry'] = project({
    images: two,
    extra: {
      'spec.json': json({}), 'settings.json': json({ epochs: 3, lr: 'fast', evil: 1 }), 'result.json': json({ history: [] }),
      'draft.json': json({ text: '{', report: { ok: false, error: 'x' } }), 'runs.json': json([]), 'weights.safetensors': json('short'),
      'assignment.json': json({}), 'answers.json': json({ q: 1, r: 'x' }), 'submission.json': json({}),
    },
  });
  out['padded-png'] = project({ images: [...Array.from({ length: 60 }, (_, i) => ({ cls: i % 2, png: png(12, 12, i, 400000), w: 12, h: 12, level: 6 })), ...two] });
  out['png-sizes-lie'] = project({ images: [{ cls: 0, png: png(4, 4), w: 5, h: 4 }, ...two] });
  out['png-16bit'] = project({ images: [{ cls: 0, png: (() => { const b = png(4, 4); b[24] = 16; return b; })(), w: 4, h: 4 }, ...two] });
  out['bad-split-class'] = project({ images: [{ cls: 0, png: png(4, 4), w: 4, h: 4, split: 'later' }, { cls: 7, png: png(4, 4), w: 4, h: 4 }, ...two] });
  out['missing-image'] = project({ images: [...two, { cls: 0, png: png(4, 4), w: 4, h: 4, file: 'images/0/x.png' }] }).toString('latin1').replace('images/0/x.png', 'images/0/y.png');
  out['missing-image'] = Buffer.from(out['missing-image'], 'latin1');
  out['newer-version'] = project({ images: two, manifest: { version: 9 } });
  out['not-ours'] = Buffer.from(zipSync({ 'readme.txt': json('hello') }));
  out['count-mismatch'] = project({ images: two, manifest: { image_count: 5 } });
  out['broken-manifest'] = Buffer.from(zipSync({ 'convlab.json': json('{"format": "convlab-project", ') }));
  out['one-class'] = project({ classes: ['only'], images: [] });
  out['not-a-zip'] = png(4, 4);
  return out;
}

// Every .convlab/.zip fixture already committed: the fuzz corpus and the CLI's fixtures.
function committed() {
  const out = {};
  for (const dir of ['tests/fuzz/corpus/zip', 'tests/fixtures/cli'])
    for (const f of fs.readdirSync(path.join(root, dir)))
      if (/\.(convlab|zip)$/.test(f)) out[`${dir}/${f}`] = fs.readFileSync(path.join(root, dir, f));
  return out;
}

function cliVerdict(file) {
  const r = spawnSync(cli, ['check', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { crashed: r.status, stderr: r.stderr.slice(0, 400) };
  }
}

test('the page and convlab give every odd or hostile project file the same verdict', async ({ page }) => {
  test.setTimeout(180_000);
  expect(fs.existsSync(cli), `${cli} is built by make native`).toBe(true);
  await openLab(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-verdict-'));
  const all = { ...cases(), ...committed() };
  let opened = 0, refused = 0;
  for (const [name, bytes] of Object.entries(all)) {
    const file = path.join(dir, `${name.replace(/\W/g, '_')}.convlab`);
    fs.writeFileSync(file, bytes);
    const t0 = Date.now();
    const fromCli = cliVerdict(file);
    const t1 = Date.now();
    const fromPage = await page.evaluate(async (b64) => {
      const { file: pf, engine, rules } = globalThis.lab;
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      try {
        const p = await pf.readProject(engine, bytes, rules, { placeholders: true });
        return {
          ok: true, name: p.name, classes: p.classes.map((c) => c.name), images: p.images.length,
          readable: p.images.filter((im) => !im.unreadable).length, test: p.images.filter((im) => im.split === 'test').length, notes: p.skipped,
        };
      } catch (e) {
        return { ok: false, error: e.message };
      }
    }, bytes.toString('base64'));
    if (process.env.VERDICT_TIMES) console.log(name, bytes.length, 'cli', t1 - t0, 'page', Date.now() - t1);
    expect(fromPage, `${name}: the page's verdict is the CLI's`).toEqual(fromCli);
    if (fromCli.ok) opened++;
    else refused++;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  // the table reaches both outcomes (a reader that refused everything would agree with itself)
  expect(opened).toBeGreaterThan(10);
  expect(refused).toBeGreaterThan(5);
  console.log(`verdicts: ${opened} opened alike, ${refused} refused alike`);
});

test('what core repairs and sets aside in odd files, as both readers report it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-verdict-'));
  const c = cases();
  const v = (name) => {
    const f = path.join(dir, `${name}.convlab`);
    fs.writeFileSync(f, c[name]);
    return cliVerdict(f);
  };
  expect(v('slip-dotdot').error).toContain('../evil.txt has a name that could leave its folder');
  expect(v('names-duplicate-empty').classes).toEqual(['Cup', 'Class 2', 'Class 3', 'Class 4']);
  expect(v('names-nul-rlo').classes).toEqual(['ab', 'Class 2', 'Class 3']);
  const big = v('names-7mb');
  expect(big.classes[0]).toBe('x'.repeat(60));
  expect(big.notes).toContain('the name of class 1 was cut to 60 characters');
  expect(v('names-decomposed').classes).toEqual(['e\u0301'.repeat(40), 'f\u0301'.repeat(60)]);
  expect(v('names-emoji').classes[1]).toBe('\u{1F1EB}\u{1F1F7}'.repeat(60));
  expect(v('assignment-over-limit').notes.join('\n')).toContain('assignment.json) was not readable; the project opens without it (it is 300,040 bytes; at most 262,144 bytes is allowed)');
  const every = v('every-named-entry');
  expect(every.ok).toBe(true);
  expect(every.notes).toEqual(expect.arrayContaining(['some saved training settings were not readable (lr, evil); their defaults are used',
    'the saved trained model was not readable; train again', '1 of the answers typed for the assignment were not readable and were dropped']));
  const padded = v('padded-png');
  expect([padded.images, padded.readable]).toEqual([63, 3]);
  expect(padded.notes).toContain('60 images could not be read and were skipped');
  const deep = v('png-16bit');
  expect([deep.images, deep.readable]).toEqual([4, 3]);
  expect(v('nested-manifest').error).toContain('convlab.json, is not readable JSON');
  fs.rmSync(dir, { recursive: true, force: true });
});
