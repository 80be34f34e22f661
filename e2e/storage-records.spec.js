// Every stored record is outside input: a broken one is set aside (kept in the quarantine
// store), named in a message, and the rest of the project opens. Each case is a record that
// version 1 of the page could leave behind (or a hand-edited profile), written in its layout.
// Also: the image codec gives back exactly the stored RGBA, and its PNGs are real PNGs.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');
const { openLab, writeV1Profile, expectReady } = require('./data-lab.js');

// Opens the store over the profile and reports what load() gave and what was set aside.
async function loadProject(page) {
  return page.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    const p = s.project((await s.listProjects())[0].id);
    const kept = await p.load();
    await p.compressing;
    const quarantine = await new Promise((resolve) => {
      const r = indexedDB.open('convlab');
      r.onsuccess = () => {
        const t = r.result.transaction('quarantine').objectStore('quarantine').getAll();
        t.onsuccess = () => { r.result.close(); resolve(t.result.map((q) => ({ what: q.what, key: q.key, reason: q.reason }))); };
      };
    });
    const again = await p.load();  // set aside once: the next load is clean
    return {
      skipped: kept.skipped, notes: kept.notes, classes: kept.classes, settings: kept.settings, result: kept.result,
      draft: kept.draft, spec: kept.spec, images: kept.images.length, quarantine, againSkipped: again.skipped, againImages: again.images.length,
    };
  });
}

const cases = [
  { name: 'an image whose width and height do not match its bytes', images: [{ classId: 1, len: 96 * 96 * 4, width: 95, height: 96 }], skipped: ['1 image could not be read and was skipped'], left: 5 },
  { name: 'images with null or 10 bytes of rgba', images: [{ classId: 1, len: null, width: 96, height: 96 }, { classId: 2, len: 10, width: 96, height: 96 }], skipped: ['2 images could not be read and were skipped'], left: 5 },
  { name: 'classes stored as a string', extra: { classes: '"Cat","Cup"' }, skipped: ['list of classes was not readable'], field: 'classes' },
  { name: 'a result whose history is not an array', extra: { result: { history: 'epoch 1', confusion: [1] } }, skipped: ['training curves were not readable'], field: 'result' },
  { name: 'settings stored as a string', extra: { settings: 'epochs=3' }, skipped: ['training settings were not readable; the defaults are used'], field: 'settings' },
  { name: 'a corrupt spec draft', extra: { specDraft: { text: '{"input"', report: null } }, skipped: ['model you were editing could not be read'], field: 'draft' },
  { name: 'a spec that is not JSON', extra: { spec: 12 }, skipped: ['stored model was not readable'], field: 'spec' },
];

for (const c of cases) {
  test(`a stored record is set aside and named: ${c.name}`, async ({ page }) => {
    await openLab(page);
    await writeV1Profile(page, { images: [3, 2], extra: c.extra ?? {}, extraImages: c.images ?? [] });
    const r = await loadProject(page);
    for (const s of c.skipped) expect(r.skipped.join('\n')).toContain(s);
    expect(r.skipped).toHaveLength(c.skipped.length);
    expect(r.images).toBe(c.left ?? 5);
    if (c.field) expect(r[c.field]).toBeUndefined();
    // the rest opens: the fields that were fine are there
    for (const f of ['classes', 'settings', 'result', 'spec']) if (f !== c.field) expect(r[f]).toBeDefined();
    // set aside, not deleted, and not named again
    expect(r.quarantine.length).toBe((c.images?.length ?? 0) + (c.field ? 1 : 0));
    expect(r.againSkipped).toEqual([]);
    expect(r.againImages).toBe(c.left ?? 5);

    // the page opens on it (no blank page)
    const problems = h.watch(page, h.plainURL);
    await page.goto(`${h.plainURL}/#data`);
    await expectReady(page);
    h.expectClean(problems);
  });
}

test('stored class names: duplicates, invisible and over-long names are repaired with a note; junk settings keys are dropped', async ({ page }) => {
  await openLab(page);
  const long = 'A'.repeat(59) + '👩🏽‍🔬' + 'B'.repeat(40);
  await writeV1Profile(page, {
    extra: {
      classes: [{ id: 1, name: 'Cat' }, { id: 2, name: 'cat' }, { id: 3, name: '\u200b\u200d' }, { id: 4, name: long }],
      settings: { epochs: 4, junk: 1, 0: 'e', lr: -5, optimizer: 'rmsprop' },
    },
  });
  const r = await loadProject(page);
  expect(r.classes.map((c) => c.name)).toEqual(['Cat', 'Class 2', 'Class 3', 'A'.repeat(59) + '👩🏽‍🔬']);
  expect(r.notes.join('; ')).toContain('class 2 had no usable name');
  expect(r.notes.join('; ')).toContain('class 3 had no usable name');
  expect(r.notes.join('; ')).toContain('class 4 was cut to 60 characters');
  expect(r.settings).toEqual({ epochs: 4 });
  expect(r.skipped.join('\n')).toContain('some stored training settings were not readable');
});

test('downloaded files: one name rule for models and projects, from the engine\'s limits', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { rules } = globalThis.lab;
    const { fileBase } = await import('/js/file-names.js');
    const { fileName } = await import('/js/storage/project-file.js');
    const { modelFileName } = await import('/js/model-files.js');
    return {
      rules: rules.file_names,
      spaced: [modelFileName('Cats and  cups', rules), fileName('Cats and  cups', rules)],
      hostile: fileBase('../..\\evil:<name>|\u0007?.', 'x', rules),
      empty: [modelFileName(' .. ', rules), fileName('', rules)],
      long: fileBase('🐱'.repeat(200), 'x', rules),
      width: fileBase('ｆｕｌｌ', 'x', rules),
    };
  });
  expect(r.spaced).toEqual(['Cats-and-cups', 'Cats-and-cups.convlab']);
  expect(r.hostile).toBe('evil-name');
  expect(r.empty).toEqual([r.rules.model, `${r.rules.project}.convlab`]);
  expect([...r.long].length).toBe(r.rules.name_max);  // cut between emoji, never inside one
  expect(r.width).toBe('full');  // NFKC
});

test('a stored result\'s validation image ids: unreadable or oversized lists are dropped, the curves kept', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(() => {
    const { records, rules } = globalThis.lab;
    const history = [{ epoch: 1, train_loss: 0.5, train_acc: 0.8, val_loss: 0.6, val_acc: 0.7 }];
    const read = (val_ids) => records.readResult({ history, val_ids }, rules);
    const dropped = ['junk', [1.5], [{}], [null], new Array(rules.project.max_images + 1).fill(0)].map((v) => {
      const out = read(v);
      return out.value && !('val_ids' in out.value) && out.value.history.length === 1;
    });
    return { dropped, kept: read([3, 1, 'im-2']).value.val_ids };
  });
  expect(r.dropped).toEqual([true, true, true, true, true]);
  expect(r.kept).toEqual([3, 1, 'im-2']);
});

test('class names as typed: invisible, duplicate and over-long names get a clear answer', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { engine } = globalThis.lab;
    // core's rule, as the Data tab asks it (project-classes.js cleanClassName)
    const tryName = async (name, others = []) => { try { return await engine.call('className', { name, others }); } catch (e) { return { error: e.message }; } };
    return {
      zw: await tryName('\u200b\u2060\ufeff'), space: await tryName('   '), dup: await tryName(' CAT ', ['Cat', 'Dog']),
      long: await tryName('x'.repeat(70)), emoji: await tryName('🐱'.repeat(61)), ok: await tryName('  Cup '),
    };
  });
  expect(r.zw.error).toContain('name you can see');
  expect(r.space.error).toContain('name you can see');
  expect(r.dup.error).toContain('already called "CAT"');
  expect(r.long).toEqual({ name: 'x'.repeat(60), note: 'The name was cut to 60 characters.' });
  expect(r.emoji.name).toBe('🐱'.repeat(60));  // cut between emoji, never inside one
  expect(r.ok).toEqual({ name: 'Cup', note: '' });
});

test('the image codec gives back exactly the stored RGBA, and writes PNGs the browser decodes to the same pixels', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { codec, rules } = globalThis.lab;
    const cap = rules.store.cap;  // the engine's limit on a stored image's side
    let seed = 5;
    const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed >>> 24; };
    const make = (w, h, kind) => {
      const rgba = new Uint8Array(w * h * 4);
      for (let i = 0; i < rgba.length; i += 4) {
        const g = rand();
        rgba[i] = g; rgba[i + 1] = kind === 'grey' ? g : rand(); rgba[i + 2] = kind === 'grey' ? g : rand();
        rgba[i + 3] = kind === 'alpha' ? rand() : 255;
      }
      return { rgba, width: w, height: h };
    };
    const out = [];
    for (const [w, hh, kind] of [[96, 96, 'rgb'], [96, 72, 'grey'], [28, 28, 'alpha'], [1, 1, 'rgb'], [224, 224, 'rgb'], [1, 224, 'rgb'], [37, 5, 'alpha']]) {
      const im = make(w, hh, kind);
      const png = codec.encodePNG(im);
      const back = codec.decodePNG(png, cap);
      let same = back.width === w && back.height === hh && back.rgba.length === im.rgba.length && back.rgba.every((v, i) => v === im.rgba[i]);
      // the browser's own PNG decoder agrees (opaque images: no premultiplication to undo)
      let browser = null;
      if (kind !== 'alpha') {
        const bmp = await createImageBitmap(new Blob([png], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        const c = new OffscreenCanvas(w, hh);
        const g = c.getContext('2d');
        g.drawImage(bmp, 0, 0);
        const d = g.getImageData(0, 0, w, hh).data;
        browser = d.every((v, i) => v === im.rgba[i]);
      }
      out.push({ w, hh, kind, same, browser, bytes: png.length });
    }
    // damaged PNGs are refused with a message, never a wrong image
    const good = codec.encodePNG(make(16, 16, 'rgb'));
    const refuse = (b) => { try { codec.decodePNG(b, cap); return 'decoded'; } catch (e) { return e.message; } };
    const flipped = good.slice(); flipped[good.length - 20] ^= 0x40;
    // property: seeded mutations of a valid PNG (byte flips, truncations, and size lies: the
    // header's width and height rewritten with a correct checksum) either decode to an image
    // within the size limit, of width x height x 4 bytes, or are refused with a plain Error
    const lies = [0, 1, 17, 4097, 65535, 1 << 20, 0x7fffffff, 0xffffffff];
    const property = (maxSide) => {
      const faults = [];
      seed = 99;
      for (let i = 0; i < 3000; i++) {
        const b = good.slice(0, rand() % 4 === 0 ? (rand() * 7) % good.length : good.length);
        if (i % 3 === 0 && b.length >= 33) {
          const v = new DataView(b.buffer);
          v.setUint32(16, lies[rand() % lies.length]);
          v.setUint32(20, lies[rand() % lies.length]);
          v.setUint32(29, codec.crc32(b, 12, 29));
        } else {
          for (let k = rand() % 4; k > 0; k--) b[(rand() * 131) % b.length] ^= 1 << (rand() % 8);
        }
        try {
          const d = codec.decodePNG(b, maxSide);
          if (d.rgba.length !== d.width * d.height * 4 || d.width > maxSide || d.height > maxSide) faults.push(`mutant ${i}: ${d.rgba.length} bytes for ${d.width}x${d.height}`);
        } catch (e) {
          if (e.constructor !== Error || !/^the (PNG|image)/.test(e.message)) faults.push(`mutant ${i}: ${e.constructor.name}: ${e.message}`);
        }
      }
      return faults;
    };
    // many at once (opening a project): the browser's decoder for opaque ones, the same pixels
    const batch = [[96, 96, 'rgb'], [28, 28, 'grey'], [20, 10, 'alpha'], [96, 72, 'rgb'], [1, 1, 'grey']].map(([w, hh, k]) => make(w, hh, k));
    const pngs = [...batch.map((im) => codec.encodePNG(im)), undefined, new Uint8Array(30)];
    const flippedPng = pngs[0].slice(); flippedPng[200] ^= 1; pngs.push(flippedPng);
    const many = await codec.decodePNGs(pngs, cap);
    const manySame = batch.every((im, i) => !(many[i] instanceof Error) && many[i].width === im.width && many[i].rgba.every((x, k) => x === im.rgba[k]));
    const manyErrors = many.slice(batch.length).map((e) => (e instanceof Error ? e.message : 'decoded'));
    const faults = property(cap);
    // the property can fail: the same decoder without its size limit tries to allocate what a
    // lying header claims
    const unlimited = property(Infinity).length;
    return { out, manySame, manyErrors, faults: faults.slice(0, 5), unlimited, truncated: refuse(good.slice(0, good.length - 30)), flipped: refuse(flipped), notPng: refuse(new Uint8Array(50)), big: refuse(codec.encodePNG(make(cap, 2, 'rgb'))), tooBig: refuse(codec.encodePNG(make(cap + 1, 2, 'rgb'))), cap };
  });
  expect(r.manySame).toBe(true);
  expect(r.manyErrors[0]).toContain('no bytes');
  expect(r.manyErrors[1]).toContain('not a PNG');
  expect(r.manyErrors[2]).toContain('fails its checksum');
  expect(r.faults).toEqual([]);
  expect(r.unlimited).toBeGreaterThan(0);
  for (const o of r.out) {
    expect(o.same, `${o.w}x${o.hh} ${o.kind}`).toBe(true);
    if (o.kind !== 'alpha') expect(o.browser, `${o.w}x${o.hh} ${o.kind} in the browser's decoder`).toBe(true);
  }
  expect(r.truncated).toContain('truncated');
  expect(r.flipped).toContain('damaged');
  expect(r.notPng).toContain('not a PNG');
  expect(r.big).toBe('decoded');  // as large as the engine stores
  expect(r.tooBig).toBe(`the PNG image is ${r.cap + 1}x2 pixels; a stored image is at most ${r.cap} on a side`);
});

test('images are written in chunks: when storage fails mid-way, the chunks written are kept and named', async ({ page }) => {
  await openLab(page);
  const r = await page.evaluate(async () => {
    const { pstore, rules } = globalThis.lab;
    const s = await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine });
    const id = (await s.listProjects())[0].id;
    const p = s.project(id);
    const n = pstore.IMAGE_CHUNK * 2 + 5;
    const recs = Array.from({ length: n }, (_, i) => ({ classId: 1, rgba: new Uint8Array(8 * 8 * 4).fill(i % 256), width: 8, height: 8 }));
    const add = IDBObjectStore.prototype.add;
    let calls = 0;
    IDBObjectStore.prototype.add = function (...a) {
      if (++calls > pstore.IMAGE_CHUNK * 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return add.apply(this, a);
    };
    let error = null;
    try { await p.addImages(recs); } catch (e) { error = { message: e.message, kept: e.kept.length }; }
    IDBObjectStore.prototype.add = add;
    const reopened = await (await pstore.ProjectStore.open(rules, { engine: globalThis.lab.engine })).project(id).load();
    const listed = (await s.listProjects())[0];
    return { error, stored: reopened.images.length, listed: listed.images, pending: s.pending() };
  });
  expect(r.error.message).toContain('no storage left');
  expect(r.error.kept).toBe(100);
  expect(r.stored).toBe(100);
  expect(r.listed).toBe(100);
  expect(r.pending).toBe(0);
});
