#include "convlab/zip.h"

#include <algorithm>
#include <array>
#include <set>

namespace convlab::zip {

namespace {

uint16_t u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24); }
void put16(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(uint8_t(v));
  o.push_back(uint8_t(v >> 8));
}
void put32(std::vector<uint8_t>& o, uint32_t v) {
  put16(o, v & 0xffff);
  put16(o, v >> 16);
}

[[noreturn]] void fail(const std::string& msg) { throw ZipError(msg); }
const char* kNothing = " Nothing was changed.";

// Printable in a message: control bytes become '?', and a long name is cut.
std::string shown(const std::string& name) {
  std::string s;
  for (char c : name.substr(0, 120)) s += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s;
}

// ---- inflate (RFC 1951), after Mark Adler's puff.c: canonical Huffman codes decoded from
// per-length counts, one bit at a time. Slower than zlib, but only the JSON entries and old
// files' weights are deflated (ConvLab's writer stores), and it is small enough to check. ----
struct Huffman {
  std::array<uint16_t, 16> count{};  // codes of each length
  std::array<uint16_t, 320> symbol{};  // symbols ordered by code
};

class Inflater {
 public:
  Inflater(const uint8_t* in, size_t n, size_t expected, const std::string& damaged)
      : in_(in), n_(n), expected_(expected), damaged_(damaged) {
    out_.reserve(expected);
  }

  std::vector<uint8_t> run() {
    int last;
    do {
      last = bits(1);
      const int type = bits(2);
      if (type == 0) stored();
      else if (type == 1) fixed();
      else if (type == 2) dynamic();
      else fail(damaged_);
    } while (!last);
    if (out_.size() != expected_) fail(damaged_);
    return std::move(out_);
  }

 private:
  int bits(int need) {
    uint32_t v = bitbuf_;
    while (bitcnt_ < need) {
      if (pos_ >= n_) fail(damaged_);
      v |= uint32_t(in_[pos_++]) << bitcnt_;
      bitcnt_ += 8;
    }
    bitbuf_ = v >> need;
    bitcnt_ -= need;
    return int(v & ((1u << need) - 1));
  }

  void put(uint8_t b) {
    if (out_.size() >= expected_) fail(damaged_);  // more than the entry declared
    out_.push_back(b);
  }

  void stored() {
    bitbuf_ = 0;
    bitcnt_ = 0;
    if (pos_ + 4 > n_) fail(damaged_);
    const uint32_t len = u16(in_ + pos_), nlen = u16(in_ + pos_ + 2);
    pos_ += 4;
    if (len != (~nlen & 0xffff) || pos_ + len > n_ || out_.size() + len > expected_) fail(damaged_);
    out_.insert(out_.end(), in_ + pos_, in_ + pos_ + len);
    pos_ += len;
  }

  int decode(const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len < 16; ++len) {
      code |= bits(1);
      const int count = h.count[size_t(len)];
      if (code - count < first) return h.symbol[size_t(index + (code - first))];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    fail(damaged_);
  }

  // Builds the decoding table from code lengths; false when the lengths over-subscribe.
  static bool build(Huffman& h, const uint16_t* length, int n) {
    h.count.fill(0);
    for (int s = 0; s < n; ++s) h.count[length[s]]++;
    if (h.count[0] == n) return true;  // no codes: only an error if one is used
    int left = 1;
    for (int len = 1; len < 16; ++len) {
      left <<= 1;
      left -= h.count[size_t(len)];
      if (left < 0) return false;
    }
    std::array<uint16_t, 16> offs{};
    for (int len = 1; len < 15; ++len) offs[size_t(len + 1)] = uint16_t(offs[size_t(len)] + h.count[size_t(len)]);
    for (int s = 0; s < n; ++s)
      if (length[s] != 0) h.symbol[offs[length[s]]++] = uint16_t(s);
    return true;
  }

  void codes(const Huffman& lencode, const Huffman& distcode) {
    static constexpr uint16_t kLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                              31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static constexpr uint16_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static constexpr uint16_t kDistBase[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                               193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static constexpr uint16_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    for (;;) {
      int sym = decode(lencode);
      if (sym < 256) {
        put(uint8_t(sym));
      } else if (sym == 256) {
        return;
      } else {
        sym -= 257;
        if (sym >= 29) fail(damaged_);
        const size_t len = size_t(kLenBase[sym] + bits(kLenExtra[sym]));
        const int d = decode(distcode);
        if (d >= 30) fail(damaged_);
        const size_t dist = size_t(kDistBase[d] + bits(kDistExtra[d]));
        if (dist > out_.size() || out_.size() + len > expected_) fail(damaged_);
        for (size_t i = 0; i < len; ++i) out_.push_back(out_[out_.size() - dist]);
      }
    }
  }

  void fixed() {
    static const auto tables = [] {
      std::pair<Huffman, Huffman> t;
      uint16_t lengths[288];
      int s = 0;
      for (; s < 144; ++s) lengths[s] = 8;
      for (; s < 256; ++s) lengths[s] = 9;
      for (; s < 280; ++s) lengths[s] = 7;
      for (; s < 288; ++s) lengths[s] = 8;
      build(t.first, lengths, 288);
      for (s = 0; s < 30; ++s) lengths[s] = 5;
      build(t.second, lengths, 30);
      return t;
    }();
    codes(tables.first, tables.second);
  }

  void dynamic() {
    static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    const int nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
    if (nlen > 286 || ndist > 30) fail(damaged_);
    uint16_t lengths[320] = {};
    for (int i = 0; i < ncode; ++i) lengths[kOrder[i]] = uint16_t(bits(3));
    Huffman lencode, distcode;
    if (!build(lencode, lengths, 19)) fail(damaged_);
    for (int i = 0; i < nlen + ndist;) {
      int sym = decode(lencode);
      if (sym < 16) {
        lengths[i++] = uint16_t(sym);
        continue;
      }
      uint16_t len = 0;
      int repeat;
      if (sym == 16) {
        if (i == 0) fail(damaged_);
        len = lengths[i - 1];
        repeat = 3 + bits(2);
      } else if (sym == 17) {
        repeat = 3 + bits(3);
      } else {
        repeat = 11 + bits(7);
      }
      if (i + repeat > nlen + ndist) fail(damaged_);
      while (repeat--) lengths[i++] = len;
    }
    if (lengths[256] == 0) fail(damaged_);  // no end-of-block code
    if (!build(lencode, lengths, nlen) || !build(distcode, lengths + nlen, ndist)) fail(damaged_);
    codes(lencode, distcode);
  }

  const uint8_t* in_;
  size_t n_, pos_ = 0, expected_;
  const std::string& damaged_;
  uint32_t bitbuf_ = 0;
  int bitcnt_ = 0;
  std::vector<uint8_t> out_;
};

}  // namespace

std::string mb(int64_t n) { return std::to_string((n + (int64_t{1} << 20) - 1) >> 20) + " MB"; }

std::string bytes(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + " bytes";
}

uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::vector<uint8_t> inflate(const uint8_t* in, size_t n, size_t expected, const std::string& damaged) {
  return Inflater(in, n, expected, damaged).run();
}

bool safe_name(std::string_view n) {
  if (n.empty() || n.size() > 1024 || n.front() == '/' || n.find('\\') != std::string::npos || n.find(':') != std::string::npos ||
      n.find('\0') != std::string::npos)
    return false;
  size_t at = 0;
  while (at <= n.size()) {
    const size_t slash = std::min(n.find('/', at), n.size());
    const std::string_view part = n.substr(at, slash - at);
    if (part.empty() && slash != n.size()) return false;  // "a//b"
    if (part == "." || part == "..") return false;
    at = slash + 1;
  }
  return true;
}

Reader::Reader(const uint8_t* data, size_t size, const Limits& limits) : data_(data), limits_(limits) {
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
                : "This is not a ConvLab project file (.convlab): use a file that ConvLab saved with \"Save project as file\".");
  const uint8_t* e = data + eocd;
  const uint32_t count = u16(e + 10), cd_size = u32(e + 12), cd_offset = u32(e + 16);
  if (count == 0xffff || cd_offset == 0xffffffffu)
    fail("The project file uses ZIP64, which ConvLab never writes: it is not a ConvLab project file, or it is damaged.");
  if (int64_t(count) > limits.max_entries)
    fail("The project file claims " + std::to_string(count) + " entries; a project file holds at most " + std::to_string(limits.max_entries) +
         "." + kNothing);
  if (uint64_t(cd_offset) + cd_size > uint64_t(eocd))
    fail(std::string("The project file is damaged (its table of contents points outside the file).") + kNothing);
  const uint64_t cd_end = uint64_t(cd_offset) + cd_size;
  const std::string broken = std::string("The project file is damaged (its table of contents is broken).") + kNothing;
  std::set<std::string, std::less<>> seen;
  int64_t total = 0;
  uint64_t p = cd_offset;
  for (uint32_t i = 0; i < count; ++i) {
    if (p + 46 > cd_end || u32(data + p) != 0x02014b50) fail(broken);
    const uint8_t* c = data + p;
    Entry en;
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
      fail(who +
           " has a name that could leave its folder (an absolute path, \"..\", \"\\\" or \":\"): ConvLab never writes such names; the file is not a ConvLab project file.");
    total += en.usize;
    if (total > limits.max_unpacked_bytes)
      fail("The project file would unpack to more than " + mb(limits.max_unpacked_bytes) + ", the most ConvLab opens." + kNothing);
    if (!seen.insert(en.name).second) fail("The project file is damaged (entry " + shown(en.name) + " appears twice)." + kNothing);
    if (uint64_t(local) + 30 > cd_offset || u32(data + local) != 0x04034b50)
      fail("The project file is damaged (entry " + shown(en.name) + " is missing)." + kNothing);
    const uint64_t start = uint64_t(local) + 30 + u16(data + local + 26) + u16(data + local + 28);
    if (start + en.csize > cd_offset)
      fail("The project file is damaged or incomplete (entry " + shown(en.name) + " is cut short)." + kNothing);
    en.start = size_t(start);
    entries_.push_back(std::move(en));
  }
}

const Entry* Reader::find(std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<uint8_t> Reader::read(const Entry& e, int64_t limit) const {
  if (limit < 0) limit = limits_.max_entry_bytes;
  if (int64_t(e.usize) > limit) {
    // "1 MB; at most 1 MB" says nothing: exact bytes when the rounded figures meet
    const bool close = mb(e.usize) == mb(limit);
    fail("The project file's " + shown(e.name) + " is " + (close ? bytes(e.usize) : mb(e.usize)) + "; at most " +
         (close ? bytes(limit) : mb(limit)) + " is allowed." + kNothing);
  }
  const std::string damaged = "The project file is damaged (entry " + shown(e.name) + " does not unpack to what it claims)." + kNothing;
  const uint8_t* in = data_ + e.start;
  std::vector<uint8_t> out = e.method == 0 ? std::vector<uint8_t>(in, in + e.csize) : inflate(in, e.csize, e.usize, damaged);
  if (crc32(out.data(), out.size()) != e.crc)
    fail("The project file is damaged (entry " + shown(e.name) + " fails its checksum)." + kNothing);
  return out;
}

std::string Reader::read_text(const Entry& e, int64_t limit) const {
  const std::vector<uint8_t> b = read(e, limit);
  return std::string(b.begin(), b.end());
}

void Writer::add(std::string name, std::vector<uint8_t> b) { entries_.emplace_back(std::move(name), std::move(b)); }
void Writer::add(std::string name, std::string_view text) { add(std::move(name), std::vector<uint8_t>(text.begin(), text.end())); }

std::vector<uint8_t> Writer::finish() const {
  // DOS time 12:00:00, date 1980-01-01: fixed, so the same project gives the same bytes
  constexpr uint32_t kTime = 12u << 11, kDate = (0u << 9) | (1u << 5) | 1u;
  std::vector<uint8_t> out, cd;
  for (const auto& entry : entries_) {
    const std::string& name = entry.first;  // (clang 14 cannot capture a structured binding)
    const std::vector<uint8_t>& data = entry.second;
    const uint32_t crc = crc32(data.data(), data.size()), offset = uint32_t(out.size()), n = uint32_t(data.size());
    auto header = [&](std::vector<uint8_t>& o, bool central) {
      put32(o, central ? 0x02014b50 : 0x04034b50);
      if (central) put16(o, 20);  // made by: 2.0
      put16(o, 20);               // needed: 2.0
      put16(o, 0x0800);           // UTF-8 names
      put16(o, 0);                // stored
      put16(o, kTime);
      put16(o, kDate);
      put32(o, crc);
      put32(o, n);
      put32(o, n);
      put16(o, uint32_t(name.size()));
      put16(o, 0);  // extra
      if (central) {
        put16(o, 0);  // comment
        put16(o, 0);  // disk
        put16(o, 0);  // internal attributes
        put32(o, 0);  // external attributes
        put32(o, offset);
      }
      o.insert(o.end(), name.begin(), name.end());
    };
    header(out, false);
    out.insert(out.end(), data.begin(), data.end());
    header(cd, true);
  }
  const uint32_t cd_offset = uint32_t(out.size());
  out.insert(out.end(), cd.begin(), cd.end());
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, uint32_t(entries_.size()));
  put16(out, uint32_t(entries_.size()));
  put32(out, uint32_t(cd.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

}  // namespace convlab::zip
