// Unicode folding for names: a class folder's name against the class names (folder_class).
#include <cstdint>

#include "convlab/assignment.h"

namespace convlab {

namespace {

// One code point from s at i (advancing i); a broken sequence gives U+FFFD and one byte.
uint32_t next_code_point(const std::string& s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + size_t(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + size_t(k)]);
    if ((d & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  i += size_t(len);
  return cp;
}

uint32_t fold_case(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;            // Latin-1 capitals
  if (c >= 0x100 && c <= 0x17F) {                                   // Latin Extended-A pairs
    if (c == 0x178) return 0xFF;
    const bool odd_pairs = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c != 0x130 && c != 0x138 && c != 0x149 && (c % 2 == (odd_pairs ? 1u : 0u))) return c + 1;
    return c;
  }
  if (c == 0x386) return 0x3AC;                                       // Greek capitals with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;         // Greek capitals
  if (c >= 0x410 && c <= 0x42F) return c + 32;                       // Cyrillic capitals
  if (c >= 0x400 && c <= 0x40F) return c + 80;                       // Cyrillic Ѐ..Џ
  return c;
}

bool letter_or_digit(uint32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;  // Latin-1 punctuation and signs
  if (c >= 0x2000 && c <= 0x2BFF) return false;           // punctuation, symbols, arrows, shapes
  if (c >= 0x3000 && c <= 0x303F) return false;           // CJK punctuation
  if (c >= 0xFE00 && c <= 0xFE0F) return false;           // variation selectors
  if (c == 0xFEFF || c == 0xFFFD) return false;
  if (c >= 0x1F000) return false;                         // emoji and pictographs
  return true;
}

void put_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

bool space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000 || c == 0xFEFF; }

// trimmed and case-folded (loose: letters and digits only)
std::string folder_key(const std::string& s, bool loose) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) cps.push_back(next_code_point(s, i));
  size_t b = 0, e = cps.size();
  while (b < e && space(cps[b])) ++b;
  while (e > b && space(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i)
    if (!loose || letter_or_digit(cps[i])) put_utf8(out, fold_case(cps[i]));
  return out;
}

}  // namespace

int folder_class(const std::string& name, const std::vector<std::string>& classes) {
  for (bool loose : {false, true}) {
    const std::string key = folder_key(name, loose);
    if (loose && key.empty()) return -1;  // "---" names no class, even a class named "+"
    int found = -1, count = 0;
    for (size_t c = 0; c < classes.size(); ++c)
      if (folder_key(classes[c], loose) == key) {
        found = int(c);
        ++count;
      }
    if (count == 1) return found;
    if (count > 1) return -1;  // ambiguous
  }
  return -1;
}

}  // namespace convlab
