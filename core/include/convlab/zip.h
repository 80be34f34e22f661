// The zip container of a .convlab project file, read and written by core so that the page and
// the CLI open the same bytes alike (project_file.h holds the format inside it). Only what
// ConvLab needs: stored and deflated entries, no ZIP64, no encryption. The reader treats the
// bytes as hostile: every size is checked in the central directory against the limits before
// anything is inflated, what is inflated is bounded by the size the directory declared (a
// lying entry is stopped, never grown into), every entry is checked by its CRC-32, and a name
// that could leave a folder (zip-slip: "../x", "/x", "C:", "\\") is refused. The writer stores
// every entry (method 0): any unzip tool opens it, the PNGs inside are deflated already, and
// core needs no deflater. Parsing bytes is not I/O: tests/fuzz/fuzz_zip.cc feeds it bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace convlab::zip {

// What is wrong with a zip file, said for a person ("The project file is damaged (...)").
struct ZipError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Limits {
  int64_t max_file_bytes;      // the zip itself
  int64_t max_unpacked_bytes;  // all entries inflated
  int64_t max_entry_bytes;     // one entry inflated
  int64_t max_entries;
};

struct Entry {
  std::string name;
  uint16_t method;  // 0 stored, 8 deflated
  uint32_t crc;
  uint32_t csize, usize;
  size_t start;  // of the entry's data in the zip's bytes
};

class Reader {
 public:
  // Reads and checks the central directory; throws ZipError. `data` must outlive the reader.
  Reader(const uint8_t* data, size_t size, const Limits& limits);
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(std::string_view name) const;
  // The entry's bytes, inflated and CRC-checked; refused when it declares more than `limit`
  // bytes (-1: the entry limit). Throws ZipError.
  std::vector<uint8_t> read(const Entry& e, int64_t limit = -1) const;
  std::string read_text(const Entry& e, int64_t limit = -1) const;

 private:
  const uint8_t* data_;
  Limits limits_;
  std::vector<Entry> entries_;
};

// Collects entries in the order added and writes one zip of stored entries, each with its
// CRC-32 and a fixed time (1980-01-01 12:00), so the same project gives the same bytes.
class Writer {
 public:
  void add(std::string name, std::vector<uint8_t> bytes);
  void add(std::string name, std::string_view text);
  std::vector<uint8_t> finish() const;
  size_t count() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::vector<uint8_t>>> entries_;
};

// zip-slip: an entry name is a relative path of plain parts ("images/0/000001.png").
bool safe_name(std::string_view name);

// The CRC-32 of zip and PNG (polynomial 0xEDB88320), continued from `crc`.
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc = 0);

// Raw deflate (RFC 1951) of `in` into exactly `expected` bytes; throws ZipError `damaged` when
// the stream is broken, ends early or would produce more than `expected` bytes.
std::vector<uint8_t> inflate(const uint8_t* in, size_t n, size_t expected, const std::string& damaged);

// "1 MB": n bytes in MB rounded up, for messages; bytes(n): "300,040 bytes" when exact counts matter.
std::string mb(int64_t n);
std::string bytes(int64_t n);

}  // namespace convlab::zip
