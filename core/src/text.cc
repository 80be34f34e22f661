// Characters, one definition for the whole product (text.h): UTF-8, what extends a character,
// what shows nothing, case folding.
#include "convlab/text.h"

#include <iterator>

namespace convlab::text {

std::pair<char32_t, size_t> decode(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return {0xfffd, 1};
  char32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return {0xfffd, 1};
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {0xfffd, 1};
  return {cp, n};
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

namespace {

struct Range {
  char32_t lo, hi;
};
bool in(const Range* r, size_t n, char32_t c) {
  for (size_t i = 0; i < n; ++i)
    if (c >= r[i].lo && c <= r[i].hi) return true;
  return false;
}
// Combining marks (Unicode's M) in the scripts a class name is likely written in: Latin,
// Greek, Cyrillic, Hebrew, Arabic, the Indic scripts' signs, Thai, the combining blocks.
constexpr Range kMarks[] = {{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf}, {0x05c1, 0x05c2},
                            {0x05c4, 0x05c5}, {0x05c7, 0x05c7}, {0x0610, 0x061a}, {0x064b, 0x065f}, {0x0670, 0x0670},
                            {0x06d6, 0x06dc}, {0x06df, 0x06e4}, {0x06e7, 0x06e8}, {0x06ea, 0x06ed}, {0x0900, 0x0903},
                            {0x093a, 0x093c}, {0x093e, 0x094f}, {0x0951, 0x0957}, {0x0962, 0x0963}, {0x0981, 0x0983},
                            {0x09bc, 0x09bc}, {0x09be, 0x09cd}, {0x0a01, 0x0a03}, {0x0a3c, 0x0a51}, {0x0a81, 0x0a83},
                            {0x0abc, 0x0acd}, {0x0b01, 0x0b03}, {0x0b3c, 0x0b57}, {0x0bbe, 0x0bcd}, {0x0c00, 0x0c04},
                            {0x0c3e, 0x0c56}, {0x0cbc, 0x0cd6}, {0x0d00, 0x0d03}, {0x0d3e, 0x0d4d}, {0x0e31, 0x0e31},
                            {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e}, {0x0eb1, 0x0eb1}, {0x0eb4, 0x0ebc}, {0x0ec8, 0x0ecd},
                            {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x20d0, 0x20ff}, {0x302a, 0x302f}, {0x3099, 0x309a},
                            {0xfe20, 0xfe2f}};
// What extends the character before it besides marks: variation selectors, emoji modifiers, tags.
constexpr Range kExtenders[] = {{0xfe00, 0xfe0f}, {0x1f3fb, 0x1f3ff}, {0xe0020, 0xe007f}, {0xe0100, 0xe01ef}};
// Format characters (Unicode's Cf): soft hyphen, Arabic number signs, zero-width space and
// joiners, bidi marks, embeddings and overrides (RLO), isolates, word joiner, BOM, tags.
constexpr Range kFormatChars[] = {{0x00ad, 0x00ad}, {0x0600, 0x0605}, {0x061c, 0x061c}, {0x06dd, 0x06dd}, {0x070f, 0x070f},
                             {0x180e, 0x180e}, {0x200b, 0x200f}, {0x202a, 0x202e}, {0x2060, 0x2064}, {0x2066, 0x206f},
                             {0xfeff, 0xfeff}, {0xfff9, 0xfffb}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f}};
constexpr Range kSpace[] = {{0x0009, 0x000d}, {0x0020, 0x0020}, {0x0085, 0x0085}, {0x00a0, 0x00a0}, {0x1680, 0x1680},
                            {0x2000, 0x200a}, {0x2028, 0x2029}, {0x202f, 0x202f}, {0x205f, 0x205f}, {0x3000, 0x3000}};

bool is_mark(char32_t c) { return in(kMarks, std::size(kMarks), c); }
bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7f && c < 0xa0); }
bool is_space(char32_t c) { return in(kSpace, std::size(kSpace), c); }
bool is_format(char32_t c) { return in(kFormatChars, std::size(kFormatChars), c); }
bool is_regional(char32_t c) { return c >= 0x1f1e6 && c <= 0x1f1ff; }
constexpr char32_t kZwj = 0x200d;

// The end (byte offset) of the character starting at i.
size_t char_end(std::string_view s, size_t i) {
  auto [cp, n] = decode(s, i);
  size_t at = i + n;
  if (is_regional(cp) && at < s.size()) {  // a flag: two regional indicators
    auto [c2, n2] = decode(s, at);
    if (is_regional(c2)) at += n2;
  }
  while (at < s.size()) {
    auto [c, m] = decode(s, at);
    if (is_mark(c) || in(kExtenders, std::size(kExtenders), c)) {
      at += m;
    } else if (c == kZwj) {
      at += m;
      if (at < s.size()) at += decode(s, at).second;  // the joined code point
    } else {
      break;
    }
  }
  return at;
}

// A character that shows nothing inside a visible name ("Ca\u200Bt" looks exactly like "Cat"):
// format characters and the Hangul fillers. Inside an emoji (a joiner between pictographs, a
// flag's tags) they are part of the picture.
bool hidden(char32_t c) { return is_format(c) || c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0; }
bool pictographic(char32_t c) { return c >= 0x1f000 || (c >= 0x2600 && c <= 0x27bf) || (c >= 0x2b00 && c <= 0x2bff); }
}  // namespace

bool hides_inside(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t end = char_end(s, i);
    const char32_t base = decode(s, i).first;
    for (size_t k = i; k < end;) {
      auto [c, n] = decode(s, k);
      if (hidden(c) && !(pictographic(base) && (c == kZwj || (c >= 0xe0020 && c <= 0xe007f)))) return true;
      k += n;
    }
    i = end;
  }
  return false;
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i = char_end(s, i)) ++n;
  return n;
}

std::string cut_chars(std::string_view s, size_t max, bool* cut) {
  size_t i = 0, n = 0;
  while (i < s.size() && n < max) {
    i = char_end(s, i);
    ++n;
  }
  if (cut) *cut = i < s.size();
  return std::string(s.substr(0, i));
}

bool shows_nothing(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto [c, n] = decode(s, i);
    if (!(is_space(c) || is_format(c) || is_control(c) || is_mark(c) || c == kZwj)) return false;
    i += n;
  }
  return true;
}

std::string clean_text(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto [c, n] = decode(s, i);
    if (!is_control(c)) append(out, c);  // NUL, ESC, tabs, newlines: gone, as a name is one line
    i += n;
  }
  size_t b = 0, e = out.size();
  while (b < e) {
    auto [c, n] = decode(out, b);
    if (!is_space(c)) break;
    b += n;
  }
  while (e > b) {
    size_t k = e - 1;
    while (k > b && (static_cast<unsigned char>(out[k]) & 0xc0) == 0x80) --k;
    if (!is_space(decode(out, k).first)) break;
    e = k;
  }
  return out.substr(b, e - b);
}


char32_t fold(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;  // Latin-1 capitals
  if (c >= 0x100 && c <= 0x17F) {                         // Latin Extended-A pairs
    if (c == 0x178) return 0xFF;
    const bool odd_pairs = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c != 0x130 && c != 0x138 && c != 0x149 && (c % 2 == (odd_pairs ? 1u : 0u))) return c + 1;
    return c;
  }
  if (c == 0x386) return 0x3AC;  // Greek capitals with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek capitals
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic capitals
  if (c >= 0x400 && c <= 0x40F) return c + 80;                // Cyrillic Ѐ..Џ
  return c;
}

std::string fold_case(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto [c, n] = decode(s, i);
    append(out, fold(c));
    i += n;
  }
  return out;
}



}  // namespace convlab::text
