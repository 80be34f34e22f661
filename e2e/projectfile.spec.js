// The .convlab project file: a round trip reproduces the project exactly; hostile files
// (truncated, corrupt, zip bombs, huge claims, a newer version, foreign files) each get a
// message that says what is wrong and leave every project as it was; and a property test
// over thousands of seeded mutations of a valid file, which also shows that it catches a
// reader without the size checks.
const { test, expect } = require('@playwright/test');
const { openLab, writeV1Profile } = require('./data-lab.js');

// A project in the store (the version 1 profile, migrated) and its file: on globalThis.
async function projectWithFile(page) {
  await openLab(page);
  await writeV1Profile(page, { images: [3, 2] });
  await page.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules);
    const id = (await s.listProjects())[0].id;
    await s.project(id).load().then(() => s.project(id).compressing);
    await s.project(id).save('specDraft', { text: '{"input": 1}', report: { ok: false, error: 'layer 0 is wrong', error_layer: 0, error_field: '' } });
    const blob = await s.exportFile(id);
    globalThis.t = { s, id, file: new Uint8Array(await blob.arrayBuffer()), blobType: blob.type };
  });
}

test('a project saved as a file and opened again is exactly the same project', async ({ page }) => {
  await projectWithFile(page);
  const r = await page.evaluate(async () => {
    const { s, id, file } = globalThis.t;
    const { rules } = globalThis.lab;
    const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    const { id: copy, skipped } = await s.importFile(file);
    const [a, b] = [await s.project(id).load(), await s.project(copy).load()];
    const stored = async (pid) => (await s.db.allImages(pid)).map((r) => r.png);
    const [pa, pb] = [await stored(id), await stored(copy)];
    const list = await s.listProjects();
    const again = new Uint8Array(await (await s.exportFile(id)).arrayBuffer());
    // any unzip tool reads it: fflate's own reader, and the manifest is plain JSON
    const { unzipSync, strFromU8 } = await import('/gen/fflate.js');
    const entries = unzipSync(file);
    const manifest = JSON.parse(strFromU8(entries['convlab.json']));
    return {
      skipped, names: list.map((p) => p.name), count: list.length,
      classes: [a.classes.map((c) => c.name), b.classes.map((c) => c.name)],
      settings: [a.settings, b.settings], result: [a.result, b.result], spec: [a.spec, b.spec], draft: [a.draft, b.draft],
      weights: sameBytes(a.weights, b.weights) && a.weights.length > 1000,
      images: a.images.length === b.images.length && a.images.every((im, i) => im.classId === b.images[i].classId && sameBytes(im.rgba, b.images[i].rgba)),
      imageCount: b.images.length,
      png: pa.length === pb.length && pa.every((p, i) => sameBytes(p, pb[i])),
      deterministic: sameBytes(file, again),
      entries: Object.keys(entries).sort(), manifest,
      pngFromZip: sameBytes(entries[manifest.images[0].file], pa[0]),
      version: rules.project.format_version,
    };
  });
  expect(r.skipped).toEqual([]);
  expect(r.count).toBe(2);
  expect(r.names).toContain('My project (2)');
  expect(r.classes[1]).toEqual(r.classes[0]);
  expect(r.classes[0]).toEqual(['Cat', 'Cup']);
  expect(r.settings[1]).toEqual(r.settings[0]);
  expect(r.settings[0].seed).toBe(7);
  expect(r.result[1]).toEqual(r.result[0]);
  expect(r.result[0].history).toHaveLength(2);
  expect(r.result[0].confusion).toEqual([2, 1, 0, 2]);
  expect(r.spec[1]).toBe(r.spec[0]);
  expect(r.draft[1]).toEqual(r.draft[0]);
  expect(r.weights).toBe(true);
  expect(r.images).toBe(true);
  expect(r.imageCount).toBe(5);
  expect(r.png).toBe(true);
  expect(r.deterministic).toBe(true);
  expect(r.entries).toEqual(['convlab.json', 'draft.json', 'images/0/000001.png', 'images/0/000002.png', 'images/0/000003.png',
    'images/1/000001.png', 'images/1/000002.png', 'result.json', 'settings.json', 'spec.json', 'weights.safetensors']);
  expect(r.manifest).toMatchObject({ format: 'convlab-project', version: r.version, name: 'My project', classes: ['Cat', 'Cup'] });
  expect(r.manifest.images[0]).toEqual({ file: 'images/0/000001.png', class: 0, width: 96, height: 96 });
  expect(r.pngFromZip).toBe(true);
});

// Builds hostile variants of the valid file in the page; each must be refused with its message.
const hostile = [
  ['truncated', /damaged or incomplete/],
  ['truncated inside an entry', /damaged or incomplete|cut short|is missing/],
  ['a corrupt entry', /fails its checksum|does not unpack/],
  ['a zip bomb with its true size', /claims \d+ MB; an entry is at most 70 MB/],
  ['a zip bomb that lies about its size', /does not unpack to what it claims/],
  ['a zip bomb spread over many entries', /would unpack to more than 1024 MB/],
  ['10^9 claimed images', /claims 1000000000 images; a project holds at most 20000/],
  ['30000 claimed entries', /claims 30000 entries; a project holds at most 20000 images/],
  ['a 10 GB claimed entry', /claims 10240 MB; an entry is at most 70 MB/],
  ['a newer format version', /saved by a newer ConvLab \(format version 99\); this one reads versions up to 1/],
  ['a PNG file', /not a ConvLab project file/],
  ['a zip of something else', /not a ConvLab project file/],
  ['an empty file', /The file is empty/],
  ['a file over the size limit', /a project file is at most 512 MB/],
];

test('hostile project files are refused with a message that says what is wrong, and no project changes', async ({ page }) => {
  test.setTimeout(180_000);
  await projectWithFile(page);
  const r = await page.evaluate(async (names) => {
    const { s, file } = globalThis.t;
    const { zipSync, strToU8, strFromU8, unzipSync } = await import('/gen/fflate.js');
    const entries = unzipSync(file);
    const manifest = JSON.parse(strFromU8(entries['convlab.json']));
    const rezip = (patch, opts = {}) => zipSync({ ...Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: k.endsWith('.png') ? 0 : 6 }]])), ...patch }, opts);
    const find = (bytes, sig, from = 0) => { for (let i = from; i < bytes.length - 4; i++) if (new DataView(bytes.buffer, bytes.byteOffset).getUint32(i, true) === sig) return i; return -1; };
    // the central directory record of entry `name` in zip bytes
    const central = (bytes, name) => {
      for (let p = find(bytes, 0x02014b50); p >= 0; p = find(bytes, 0x02014b50, p + 4)) {
        const v = new DataView(bytes.buffer, bytes.byteOffset);
        const n = v.getUint16(p + 28, true);
        if (strFromU8(bytes.subarray(p + 46, p + 46 + n)) === name) return p;
      }
      throw new Error(`no ${name}`);
    };
    const zeros = new Uint8Array(100 << 20);
    const make = {
      'truncated': () => file.slice(0, file.length >> 1),
      'truncated inside an entry': () => { const b = file.slice(); const p = central(b, 'weights.safetensors'); new DataView(b.buffer).setUint32(p + 20, new DataView(b.buffer).getUint32(p + 20, true) + 1e6, true); return b; },
      'a corrupt entry': () => { const b = file.slice(); const p = central(b, 'weights.safetensors'); const local = new DataView(b.buffer).getUint32(p + 42, true); b[local + 30 + 19 + 200] ^= 0xff; return b; },
      'a zip bomb with its true size': () => rezip({ 'weights.safetensors': [zeros, { level: 9 }] }),
      'a zip bomb that lies about its size': () => {
        const b = rezip({ 'weights.safetensors': [zeros, { level: 9 }] });
        const v = new DataView(b.buffer);
        const p = central(b, 'weights.safetensors');
        v.setUint32(p + 24, 1000, true);  // claims 1000 bytes, inflates to 100 MB
        return b;
      },
      'a zip bomb spread over many entries': () => {
        const z = new Uint8Array(65 << 20);  // each within the entry limit, together past the total
        const patch = {};
        for (let i = 0; i < 16; i++) patch[`images/bomb-${i}.png`] = [z, { level: 1 }];
        return rezip(patch);
      },
      '10^9 claimed images': () => rezip({ 'convlab.json': [strToU8(JSON.stringify({ ...manifest, image_count: 1e9 })), {}] }),
      '30000 claimed entries': () => { const b = file.slice(); const e = find(b, 0x06054b50); new DataView(b.buffer).setUint16(e + 10, 30000, true); new DataView(b.buffer).setUint16(e + 8, 30000, true); return b; },
      'a 10 GB claimed entry': () => {
        // a ZIP64 entry: the 32-bit sizes say "see the extra field", which says 10 GB
        const b = file.slice();
        const p = central(b, 'weights.safetensors');
        const v = new DataView(b.buffer);
        v.setUint32(p + 24, 0xffffffff, true);
        const extra = new Uint8Array(12);
        const ev = new DataView(extra.buffer);
        ev.setUint16(0, 1, true); ev.setUint16(2, 8, true); ev.setBigUint64(4, 10n << 30n, true);
        const n = v.getUint16(p + 28, true), x = v.getUint16(p + 30, true);
        const at = p + 46 + n;
        const out = new Uint8Array(b.length + 12);
        out.set(b.subarray(0, at + x)); out.set(extra, at + x); out.set(b.subarray(at + x), at + x + 12);
        const ov = new DataView(out.buffer);
        ov.setUint16(p + 30, x + 12, true);
        const e = find(out, 0x06054b50, at);
        ov.setUint32(e + 12, ov.getUint32(e + 12, true) + 12, true);  // the directory grew
        return out;
      },
      'a newer format version': () => rezip({ 'convlab.json': [strToU8(JSON.stringify({ ...manifest, version: 99 })), {}] }),
      'a PNG file': () => entries[manifest.images[0].file],
      'a zip of something else': () => zipSync({ 'word/document.xml': strToU8('<w:document/>'), '[Content_Types].xml': strToU8('<Types/>') }),
      'an empty file': () => new Uint8Array(0),
      'a file over the size limit': () => new Uint8Array(513 << 20),
    };
    const before = JSON.stringify(await s.listProjects());
    const out = {};
    for (const name of names) {
      const bytes = make[name]();
      try {
        await s.importFile(bytes);
        out[name] = 'opened';
      } catch (e) {
        out[name] = `${e.constructor.name}: ${e.message}`;
      }
    }
    return { out, same: JSON.stringify(await s.listProjects()) === before };
  }, hostile.map(([n]) => n));
  for (const [name, re] of hostile) {
    expect(r.out[name], name).toMatch(/^Error: /);
    expect(r.out[name], name).toMatch(re);
  }
  expect(r.same).toBe(true);
});

test('property: thousands of seeded mutations of a valid file are each refused with a message or open as a valid project, and a reader without the size checks fails it', async ({ page }) => {
  test.setTimeout(240_000);
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { file: pf, codec, records, rules, engine } = globalThis.lab;
    // a small valid project: a tiny model, 4 small images
    const spec = JSON.stringify({ input: { channels: 3, height: 8, width: 8 }, layers: [{ type: 'flatten' }, { type: 'linear', out_features: 2 }] });
    await engine.call('setSpec', { spec, seed: 3 });
    const weights = await engine.call('save', { metadata: {} });
    const images = [1, 1, 2, 2].map((classId, i) => {
      const rgba = new Uint8Array(12 * 12 * 4).map((_, k) => (k % 4 === 3 ? 255 : (k * (i + 3)) & 255));
      return { classId, width: 12, height: 12, png: codec.encodePNG({ rgba, width: 12, height: 12 }) };
    });
    const valid = pf.writeProject({
      name: 'P', created: 1, classes: [{ id: 1, name: 'A' }, { id: 2, name: 'B' }], settings: { epochs: 2, seed: 3 }, spec,
      result: { history: [{ epoch: 1, train_loss: 1, train_acc: 0.5, val_loss: null, val_acc: null }], confusion: [1, 0, 0, 1], classes: ['A', 'B'] },
      weights, images,
    }, rules);

    let seed = 12345;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const sizeFields = [];  // offsets of every size field in the central directory
    const v0 = new DataView(valid.buffer);
    for (let p = 0; p < valid.length - 4; p++) if (v0.getUint32(p, true) === 0x02014b50) sizeFields.push(p + 20, p + 24);
    const mutate = () => {
      const b = valid.slice();
      const v = new DataView(b.buffer);
      const kind = rand(4);
      if (kind === 0) { for (let k = 1 + rand(8); k > 0; k--) b[rand(b.length)] ^= 1 << rand(8); return b; }
      if (kind === 1) return b.slice(0, rand(b.length));
      const at = sizeFields[rand(sizeFields.length)];
      const lies = [0, 1, 0x7fffffff, 0xffffffff, 0xfffffff0, v.getUint32(at, true) * 2 + 1, v.getUint32(at, true) >> 1, rand(1 << 30)];
      v.setUint32(at, lies[rand(lies.length)] >>> 0, true);
      if (kind === 3) b[rand(b.length)] ^= 1 << rand(8);
      return b;
    };
    // the property: a plain Error whose message speaks to the student, or a project that
    // passes every record check (and its images decode to width x height x 4 bytes); and
    // either way no more memory for entries than the engine's limits (readStats)
    const check = (limits, untilFirstFault = false) => {
      const bad = [];
      let refused = 0, opened = 0;
      const lim = { ...rules, project: { ...rules.project, ...limits } };
      seed = 12345;
      for (let i = 0; i < 3000 && !(untilFirstFault && bad.length); i++) {
        const b = mutate();
        const over = () => pf.readStats.largest > rules.project.max_entry_bytes || pf.readStats.allocated > rules.project.max_unpacked_bytes;
        try {
          const p = pf.readProject(b, lim);
          if (over()) bad.push(`mutant ${i}: allocated ${pf.readStats.largest} bytes for one entry`);
          const ok = records.readClasses(p.classes, rules).value && p.images.every((im) => {
            const d = codec.decodePNG(im.png, rules.store.cap);
            return d.rgba.length === im.width * im.height * 4;
          });
          if (!ok) bad.push(`mutant ${i}: opened an invalid project`);
          opened++;
        } catch (e) {
          if (e.constructor !== Error || !/^(The|This) /.test(e.message)) bad.push(`mutant ${i}: ${e.constructor.name}: ${e.message}`);
          else if (over()) bad.push(`mutant ${i}: allocated ${pf.readStats.largest} bytes for one entry before refusing it`);
          refused++;
        }
      }
      return { bad: bad.slice(0, 5), badCount: bad.length, refused, opened };
    };
    const real = check({});
    // the same reader with its size limits taken away: it allocates what a lying entry claims
    const unchecked = check({ max_entry_bytes: 2 ** 40, max_unpacked_bytes: 2 ** 50, max_json_bytes: 2 ** 40 }, true);
    return { real, unchecked, valid: pf.readProject(valid, rules).images.length };
  });
  expect(r.valid).toBe(4);
  expect(r.real.bad, 'mutants the reader mishandled').toEqual([]);
  expect(r.real.refused).toBeGreaterThan(1000);
  expect(r.real.opened).toBeGreaterThan(10);
  // the property can fail: without the size checks a lying entry gets a 4 GB allocation (or
  // the allocation fails with a RangeError)
  expect(r.unchecked.badCount).toBeGreaterThan(0);
});
