#!/usr/bin/env python3
"""Writes the small committed fixtures of the convlab CLI tests (tests/fixtures/cli/) that are
not project files, and one zip seed of the fuzz target (tests/fuzz/corpus/zip/two.zip).
Standard library only; the output is deterministic, so running it again changes nothing.

  red.png             a 12x12 RGBA PNG (class 0, image 1 of the project fixtures)
The JPEG fixture (chelsea.jpg) is e2e/fixtures/chelsea.jpg, copied.

The project files tiny.convlab (2 classes x 3 images of 12x12, spec.json = tiny.spec.json,
settings.json with 2 epochs, its JSON deflated as the page's first writer did with fflate),
truncated.convlab (cut in half), slip.convlab (an entry named ../evil.txt) and crc.convlab (one
byte of a stored PNG changed) were written by an earlier version of this script and are kept
byte for byte, with their copies in the fuzz corpus: files in the old layout that core must keep
reading. The one writer of the format is core (core/include/convlab/project_file.h).
Run: python3 tools/make_cli_fixtures.py
"""
import io
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
    with open(os.path.join(OUT, 'red.png'), 'wb') as f:
        f.write(image(0, 1))
    shutil.copyfile(os.path.join(ROOT, 'e2e', 'fixtures', 'chelsea.jpg'), os.path.join(OUT, 'chelsea.jpg'))
    # a small zip of one deflated and one stored entry, not a project
    D = zipfile.ZIP_DEFLATED
    with open(os.path.join(FUZZ, 'two.zip'), 'wb') as f:
        f.write(zip_of([('a.txt', 'hello ' * 20, D), ('b/c.json', '{"x": 1}', zipfile.ZIP_STORED)]))


if __name__ == '__main__':
    main()
