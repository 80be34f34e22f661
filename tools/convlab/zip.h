// A reader for the zip files ConvLab writes (.convlab projects): the central directory, stored
// and deflated entries, nothing else. The bytes are outside input: every size is checked in the
// central directory against core's rules (rules::kMaxProject*) before anything is inflated,
// what is inflated is bounded by the size the directory declared, every entry is checked by its
// CRC-32, and a name that could leave a folder (zip-slip: "../x", "/x", "C:", "\\") is refused.
// The same checks and messages as the page's reader (web/js/project-file.js). No file I/O here:
// tests/fuzz/fuzz_zip.cc feeds it bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace convlab::cli {

// What is wrong with a zip file, said for a person ("The project file is damaged (...)").
struct ZipError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ZipLimits {
  int64_t max_file_bytes;      // the zip itself
  int64_t max_unpacked_bytes;  // all entries inflated
  int64_t max_entry_bytes;     // one entry inflated
  int64_t max_entries;
};
// rules::kMaxProjectFileBytes, kMaxProjectUnpackedBytes, kMaxProjectEntryBytes and
// kMaxImagesPerProject + 8 entries (the page's reader allows as many).
ZipLimits project_zip_limits();

struct ZipEntry {
  std::string name;
  uint16_t method;  // 0 stored, 8 deflated
  uint32_t crc;
  uint32_t csize, usize;
  size_t start;  // of the entry's data in the zip's bytes
};

class ZipReader {
 public:
  // Reads and checks the central directory; throws ZipError. `data` must outlive the reader.
  ZipReader(const uint8_t* data, size_t size, const ZipLimits& limits);
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& name) const;
  // The entry's bytes, inflated and CRC-checked; refused when it declares more than `limit`
  // bytes (-1: the entry limit). Throws ZipError.
  std::vector<uint8_t> read(const ZipEntry& e, int64_t limit = -1) const;
  std::string read_text(const ZipEntry& e, int64_t limit = -1) const;

 private:
  const uint8_t* data_;
  size_t size_;
  ZipLimits limits_;
  std::vector<ZipEntry> entries_;
};

// zlib's CRC-32 of `n` bytes.
uint32_t crc32_of(const uint8_t* p, size_t n);

}  // namespace convlab::cli
