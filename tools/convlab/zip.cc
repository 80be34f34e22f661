#include "zip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "convlab/rules.h"

namespace convlab::cli {

namespace {

uint16_t u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24); }

std::string mb(int64_t n) { return std::to_string((n + (int64_t{1} << 20) - 1) >> 20) + " MB"; }

[[noreturn]] void fail(const std::string& msg) { throw ZipError(msg); }
const char* kNothing = " Nothing was changed.";

// Printable in a message: control bytes become '?', and a long name is cut.
std::string shown(const std::string& name) {
  std::string s;
  for (char c : name.substr(0, 120)) s += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s;
}

// zip-slip: an entry name is a relative path of plain parts ("images/0/000001.png").
bool safe_name(const std::string& n) {
  if (n.empty() || n.size() > 1024 || n.front() == '/' || n.find('\\') != std::string::npos ||
      n.find(':') != std::string::npos || n.find('\0') != std::string::npos)
    return false;
  size_t at = 0;
  while (at <= n.size()) {
    const size_t slash = std::min(n.find('/', at), n.size());
    const std::string part = n.substr(at, slash - at);
    if (part.empty() && slash != n.size()) return false;  // "a//b"
    if (part == "." || part == "..") return false;
    at = slash + 1;
  }
  return true;
}

}  // namespace

ZipLimits project_zip_limits() {
  return {rules::kMaxProjectFileBytes, rules::kMaxProjectUnpackedBytes, rules::kMaxProjectEntryBytes,
          int64_t{rules::kMaxImagesPerProject} + 8};
}

uint32_t crc32_of(const uint8_t* p, size_t n) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (n > 0) {  // zlib takes a uInt length
    const uInt piece = uInt(std::min<size_t>(n, 1u << 30));
    c = crc32(c, p, piece);
    p += piece;
    n -= piece;
  }
  return uint32_t(c);
}

ZipReader::ZipReader(const uint8_t* data, size_t size, const ZipLimits& limits) : data_(data), size_(size), limits_(limits) {
  if (size == 0) fail("The file is empty.");
  if (int64_t(size) > limits.max_file_bytes)
    fail("The file is " + mb(int64_t(size)) + "; a project file is at most " + mb(limits.max_file_bytes) + "." + kNothing);
  const bool is_zip = size >= 4 && u32(data) == 0x04034b50;
  // the end-of-central-directory record: 22 bytes plus a comment of up to 64 KB, from the end
  int64_t eocd = -1;
  if (size >= 22)
    for (int64_t i = int64_t(size) - 22; i >= std::max<int64_t>(0, int64_t(size) - 22 - 0xffff); --i)
      if (u32(data + i) == 0x06054b50) {
        eocd = i;
        break;
      }
  if (eocd < 0)
    fail(is_zip ? std::string("The project file is damaged or incomplete (its end is missing: was the download cut short?).") + kNothing
                : "This is not a ConvLab project file (.convlab): give a file that ConvLab saved with \"Save project as file\".");
  const uint8_t* e = data + eocd;
  const uint32_t count = u16(e + 10), cd_size = u32(e + 12), cd_offset = u32(e + 16);
  if (count == 0xffff || cd_offset == 0xffffffffu)
    fail("The project file uses ZIP64, which ConvLab never writes: it is not a ConvLab project file, or it is damaged.");
  if (int64_t(count) > limits.max_entries)
    fail("The project file claims " + std::to_string(count) + " entries; a project holds at most " +
         std::to_string(limits.max_entries - 8) + " images." + kNothing);
  if (uint64_t(cd_offset) + cd_size > uint64_t(eocd))
    fail(std::string("The project file is damaged (its table of contents points outside the file).") + kNothing);
  const uint64_t cd_end = uint64_t(cd_offset) + cd_size;
  const std::string broken = std::string("The project file is damaged (its table of contents is broken).") + kNothing;
  std::set<std::string> seen;
  int64_t total = 0;
  uint64_t p = cd_offset;
  for (uint32_t i = 0; i < count; ++i) {
    if (p + 46 > cd_end || u32(data + p) != 0x02014b50) fail(broken);
    const uint8_t* c = data + p;
    ZipEntry en;
    const uint16_t flags = u16(c + 8);
    en.method = u16(c + 10);
    en.crc = u32(c + 16);
    en.csize = u32(c + 20);
    en.usize = u32(c + 24);
    const uint16_t name_len = u16(c + 28), extra_len = u16(c + 30), comment_len = u16(c + 32);
    const uint32_t local = u32(c + 42);
    if (p + 46 + name_len > cd_end) fail(broken);
    en.name.assign(reinterpret_cast<const char*>(c + 46), name_len);
    p += 46 + uint64_t(name_len) + extra_len + comment_len;
    const std::string who = "The project file's entry " + shown(en.name);
    if (en.usize == 0xffffffffu || en.csize == 0xffffffffu)
      fail(who + " is stored as ZIP64, which ConvLab never writes: it is not a ConvLab project file, or it is damaged.");
    if (int64_t(en.usize) > limits.max_entry_bytes)
      fail(who + " claims " + mb(en.usize) + "; an entry is at most " + mb(limits.max_entry_bytes) + "." + kNothing);
    if (flags & 1) fail("The project file is encrypted; ConvLab writes no encrypted files.");
    if (en.method != 0 && en.method != 8)
      fail(who + " uses a compression ConvLab does not read (method " + std::to_string(en.method) + ").");
    if (en.method == 0 && en.csize != en.usize)
      fail("The project file is damaged (entry " + shown(en.name) + " has two different sizes)." + kNothing);
    if (!safe_name(en.name))
      fail(who + " has a name that could leave its folder (an absolute path, \"..\", \"\\\" or \":\"): ConvLab never writes such names; the file is not a ConvLab project file.");
    total += en.usize;
    if (total > limits.max_unpacked_bytes)
      fail("The project file would unpack to more than " + mb(limits.max_unpacked_bytes) + ", the most ConvLab opens." + kNothing);
    if (!seen.insert(en.name).second)
      fail("The project file is damaged (entry " + shown(en.name) + " appears twice)." + kNothing);
    if (uint64_t(local) + 30 > cd_offset || u32(data + local) != 0x04034b50)
      fail("The project file is damaged (entry " + shown(en.name) + " is missing)." + kNothing);
    const uint64_t start = uint64_t(local) + 30 + u16(data + local + 26) + u16(data + local + 28);
    if (start + en.csize > cd_offset)
      fail("The project file is damaged or incomplete (entry " + shown(en.name) + " is cut short)." + kNothing);
    en.start = size_t(start);
    entries_.push_back(std::move(en));
  }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
  for (const ZipEntry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<uint8_t> ZipReader::read(const ZipEntry& e, int64_t limit) const {
  if (limit < 0) limit = limits_.max_entry_bytes;
  if (int64_t(e.usize) > limit)
    fail("The project file's " + shown(e.name) + " is " + mb(e.usize) + "; at most " + mb(limit) + " is allowed." + kNothing);
  const std::string damaged = "The project file is damaged (entry " + shown(e.name) + " does not unpack to what it claims)." + kNothing;
  const uint8_t* in = data_ + e.start;
  std::vector<uint8_t> out;
  if (e.method == 0) {
    out.assign(in, in + e.csize);
  } else {
    // raw deflate (windowBits -15); the output buffer is the declared size plus one byte, so
    // an entry that inflates to more than it declared is caught, never grown into
    out.resize(size_t(e.usize) + 1);
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) fail("zlib could not start inflating (out of memory?)");
    z.next_in = const_cast<Bytef*>(in);
    z.avail_in = e.csize;
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const uLong produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != e.usize) fail(damaged);
    out.resize(e.usize);
  }
  if (crc32_of(out.data(), out.size()) != e.crc)
    fail("The project file is damaged (entry " + shown(e.name) + " fails its checksum)." + kNothing);
  return out;
}

std::string ZipReader::read_text(const ZipEntry& e, int64_t limit) const {
  const std::vector<uint8_t> b = read(e, limit);
  return std::string(b.begin(), b.end());
}

}  // namespace convlab::cli
