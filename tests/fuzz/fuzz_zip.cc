// libFuzzer target for the convlab CLI's zip and project-file readers (tools/convlab/zip.cc,
// project.cc): any bytes become a project or a ZipError / runtime_error with a message, never
// a crash, a hang, a read outside the buffer or an allocation past the limits. Every entry the
// directory lists is read too (inflated and CRC-checked), with a small entry limit so a
// lying header cannot make libFuzzer's malloc limit trip.
// Built by the native-fuzz preset (clang 14, zlib, libpng); make test runs it 20000 times on a
// fixed seed from the committed corpus tests/fuzz/corpus/zip/ (tools/make_cli_fixtures.py).
#include <cstdint>
#include <exception>

#include "project.h"
#include "zip.h"

using namespace convlab::cli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    ZipLimits lim = project_zip_limits();
    lim.max_entry_bytes = 1 << 20;
    lim.max_unpacked_bytes = 4 << 20;
    const ZipReader zip(data, size, lim);
    for (const ZipEntry& e : zip.entries()) {
      try {
        const auto b = zip.read(e);
        if (b.size() != e.usize) __builtin_trap();  // read returns exactly what was declared
      } catch (const ZipError&) {
      }
    }
  } catch (const ZipError&) {
  }
  try {
    (void)read_project(data, size);
  } catch (const std::exception&) {
  }
  return 0;
}
