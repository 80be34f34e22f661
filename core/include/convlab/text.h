// Characters, defined once for the whole product: the page (through the worker) and the CLI
// count, cut, clean and compare every name (class, project, an assignment's fields) by these.
// A character is a code point together with what extends it: combining marks, variation
// selectors, emoji modifiers and tags, a zero-width joiner with the code point it joins, and a
// pair of regional indicators (a flag). A name is never cut inside one. Invalid UTF-8 bytes
// count as one character each (and become U+FFFD when a name is cleaned).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace convlab::text {

// The code point at s[i] and its length in bytes; an invalid byte is U+FFFD of length 1.
std::pair<char32_t, size_t> decode(std::string_view s, size_t i);
void append(std::string& out, char32_t cp);  // as UTF-8

size_t count_chars(std::string_view utf8);
// The first `max` characters; *cut tells whether anything was left off.
std::string cut_chars(std::string_view utf8, size_t max, bool* cut = nullptr);
// True when the text shows nothing: only white space, format characters (zero-width, bidi
// controls such as RLO, the BOM), control characters and lone combining marks.
bool shows_nothing(std::string_view utf8);
// True when a character that shows nothing hides inside visible text ("Ca\u200Bt" looks like
// "Cat"): format characters and Hangul fillers, except an emoji's joiners and a flag's tags.
bool hides_inside(std::string_view utf8);
// Control characters (NUL, ESC, tabs, newlines) removed, invalid UTF-8 replaced by U+FFFD,
// white space trimmed at both ends.
std::string clean_text(std::string_view utf8);
// Simple case folding for comparing names ("Cup" and "cup" are the same class): ASCII,
// Latin-1, Latin Extended-A, Greek (with tonos) and Cyrillic capitals; others as they are.
char32_t fold(char32_t c);
std::string fold_case(std::string_view utf8);

}  // namespace convlab::text
