// libFuzzer target for core's zip container (zip.h) and project-file reader (project_file.h),
// which the page (through the worker) and the convlab CLI both open a .convlab with: any bytes
// become a project or a ZipError / ProjectFileError with a message, never a crash, a hang, a
// read outside the buffer or an allocation past the limits. Every entry the directory lists is
// read too (inflated and CRC-checked), with a small entry limit so a lying header cannot make
// libFuzzer's malloc limit trip; every image the reader keeps must pass check_png, and the
// training order must index readable training images only.
// Built by the native-fuzz preset; make test runs it 20000 times on a fixed seed from the
// committed corpus tests/fuzz/corpus/zip/.
#include <cstdint>
#include <exception>

#include "convlab/project_file.h"
#include "convlab/zip.h"

using namespace convlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const zip::Reader z(data, size, {int64_t{1} << 30, 4 << 20, 1 << 20, 64});
    for (const zip::Entry& e : z.entries()) {
      try {
        const auto b = z.read(e);
        if (b.size() != e.usize) __builtin_trap();  // read returns exactly what was declared
      } catch (const zip::ZipError&) {
      }
    }
  } catch (const zip::ZipError&) {
  }
  try {
    const project_file::ProjectFile p = project_file::read(data, size);
    for (const project_file::FileImage& im : p.images)
      if (im.readable && !project_file::check_png(project_file::bytes_of(p, data, im.png), im.png.size, im.width, im.height).empty())
        __builtin_trap();
    for (size_t i : project_file::training_order(p.images, p.classes.size()))
      if (!p.images[i].readable || p.images[i].test) __builtin_trap();
    (void)project_file::read_json(p);
  } catch (const project_file::ProjectFileError&) {
  }
  return 0;
}
