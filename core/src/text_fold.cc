// A class folder's name against the class names (folder_class), with text.h's UTF-8 and case folding.
#include <cstdint>

#include "convlab/assignment.h"
#include "convlab/text.h"

namespace convlab {

namespace {

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

bool space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000 || c == 0xFEFF; }

// trimmed and case-folded (loose: letters and digits only)
std::string folder_key(const std::string& s, bool loose) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, n] = text::decode(s, i);  // text.h: the one UTF-8 reader
    cps.push_back(uint32_t(cp));
    i += n;
  }
  size_t b = 0, e = cps.size();
  while (b < e && space(cps[b])) ++b;
  while (e > b && space(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i)
    if (!loose || letter_or_digit(cps[i])) text::append(out, text::fold(char32_t(cps[i])));
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
