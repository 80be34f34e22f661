#!/usr/bin/env python3
"""Writes the small committed fixtures of the convlab CLI tests (tests/fixtures/cli/) and the
zip seeds of its fuzz target (tests/fuzz/corpus/zip/). Standard library only; the output is
deterministic, so running it again changes nothing.

  tiny.convlab        a project file as the page writes it (web/js/project-file.js): 2 classes x
                      3 images of 12x12, spec.json = tiny.spec.json, settings.json (2 epochs)
  red.png             a 12x12 RGBA PNG
  truncated.convlab   tiny.convlab cut in half
  slip.convlab        a zip whose entry is named ../evil.txt (zip-slip)
  crc.convlab         tiny.convlab with one byte of a stored PNG changed (fails its CRC-32)
The JPEG fixture (chelsea.jpg) is e2e/fixtures/chelsea.jpg, copied.
Run: python3 tools/make_cli_fixtures.py
"""
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'cli')
FUZZ = os.path.join(ROOT, 'tests', 'fuzz', 'corpus', 'zip')
DATE = (1980, 1, 1, 12, 0, 0)


def png(w, h, pixel):
    """An 8-bit RGBA PNG; pixel(x, y) -> (r, g, b, a)."""
    raw = b''.join(b'\0' + b''.join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, data, method in files:
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def image(k, n):
    # class 0 reddish, class 1 bluish, each image its own gradient
    return png(12, 12, lambda x, y: (200 - 150 * k + 3 * x, 20 * n + 4 * y, 50 + 150 * k, 255))


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(FUZZ, exist_ok=True)
    spec = open(os.path.join(OUT, 'tiny.spec.json')).read()
    settings = {'optimizer': 'adam', 'flip': False, 'epochs': 2, 'batch_size': 2, 'lr': 0.01, 'momentum': 0.9,
                'val_fraction': 0.2, 'shift': 1, 'seed': 3}
    images, files = [], []
    for k in range(2):
        for n in range(1, 4):
            name = 'images/%d/%06d.png' % (k, n)
            images.append({'file': name, 'class': k, 'width': 12, 'height': 12})
            files.append((name, image(k, n), zipfile.ZIP_STORED))
    manifest = {'format': 'convlab-project', 'version': 1, 'name': 'Tiny', 'created': 0, 'classes': ['Red', 'Blue'],
                'image_count': len(images), 'images': images}
    D = zipfile.ZIP_DEFLATED
    project = zip_of([('convlab.json', json.dumps(manifest), D), ('spec.json', spec, D),
                      ('settings.json', json.dumps(settings), D)] + files)
    out = {
        'tiny.convlab': project,
        'red.png': image(0, 1),
        'truncated.convlab': project[:len(project) // 2],
        'slip.convlab': zip_of([('convlab.json', json.dumps(manifest), D), ('../evil.txt', 'x', D)]),
    }
    # one byte inside the first stored PNG's data: its CRC-32 no longer matches
    at = project.index(b'IHDR')
    out['crc.convlab'] = project[:at] + b'X' + project[at + 1:]
    for name, data in out.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data.encode() if isinstance(data, str) else data)
    shutil.copyfile(os.path.join(ROOT, 'e2e', 'fixtures', 'chelsea.jpg'), os.path.join(OUT, 'chelsea.jpg'))
    # fuzz seeds: the valid project, the broken ones, and a small stored+deflated zip
    for name in ('tiny.convlab', 'truncated.convlab', 'slip.convlab', 'crc.convlab'):
        shutil.copyfile(os.path.join(OUT, name), os.path.join(FUZZ, name.replace('.convlab', '.zip')))
    with open(os.path.join(FUZZ, 'two.zip'), 'wb') as f:
        f.write(zip_of([('a.txt', 'hello ' * 20, D), ('b/c.json', '{"x": 1}', zipfile.ZIP_STORED)]))


if __name__ == '__main__':
    main()
