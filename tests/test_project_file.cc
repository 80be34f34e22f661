// The .convlab format in core (project_file.h, zip.h): the zip container, the writer, the
// reader's verdicts on odd and hostile files, the character rule, the PNG bound and the
// training order. The page (through the worker) and the CLI both use exactly this code; the
// verdict test e2e/project-verdict.spec.js checks that they give the same answers end to end.
#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "convlab/json.h"
#include "convlab/project_file.h"
#include "convlab/rules.h"
#include "convlab/text.h"
#include "convlab/zip.h"

using namespace convlab;
namespace pf = convlab::project_file;

namespace {

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream f(std::string(CONVLAB_FIXTURES) + "/cli/" + name, std::ios::binary);
  REQUIRE(f);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// A w x h 8-bit RGBA PNG whose IDAT is zlib with stored blocks (no deflater in core), and
// optionally an extra private chunk of `pad` bytes before IEND.
std::vector<uint8_t> png(int w, int h, uint8_t value = 7, size_t pad = 0) {
  std::vector<uint8_t> raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int x = 0; x < w * 4; ++x) raw.push_back(uint8_t(value + x + y));
  }
  std::vector<uint8_t> z = {0x78, 0x01};
  for (size_t at = 0; at < raw.size(); at += 65535) {  // stored blocks of at most 65,535 bytes
    const size_t n = std::min<size_t>(65535, raw.size() - at);
    z.push_back(at + n == raw.size() ? 1 : 0);
    for (size_t v : {n, n, ~n, ~n >> 8}) z.push_back(uint8_t(v));
    z[z.size() - 3] = uint8_t(n >> 8);
    z.insert(z.end(), raw.begin() + long(at), raw.begin() + long(at + n));
  }
  uint32_t a = 1, b = 0;
  for (uint8_t c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  be32(z, (b << 16) | a);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto chunk = [&](const char* kind, const std::vector<uint8_t>& data) {
    be32(out, uint32_t(data.size()));
    const size_t at = out.size();
    out.insert(out.end(), kind, kind + 4);
    out.insert(out.end(), data.begin(), data.end());
    be32(out, zip::crc32(out.data() + at, 4 + data.size()));
  };
  std::vector<uint8_t> ihdr;
  be32(ihdr, uint32_t(w));
  be32(ihdr, uint32_t(h));
  for (int v : {8, 6, 0, 0, 0}) ihdr.push_back(uint8_t(v));
  chunk("IHDR", ihdr);
  chunk("IDAT", z);
  if (pad) chunk("prVt", std::vector<uint8_t>(pad, 0));
  chunk("IEND", {});
  return out;
}

struct Made {
  std::vector<std::vector<uint8_t>> pngs;
  pf::ProjectIn in;
};

// Two classes, `n` 4x4 images alternating between them, the last one a test image.
Made project(int n = 5) {
  Made m;
  m.in.name = "Lab";
  m.in.created = 1700000000000.0;
  m.in.classes = {"cat", "cup"};
  for (int i = 0; i < n; ++i) m.pngs.push_back(png(4, 4, uint8_t(i)));
  for (int i = 0; i < n; ++i) m.in.images.push_back({i % 2, 4, 4, i == n - 1, m.pngs[size_t(i)].data(), m.pngs[size_t(i)].size()});
  m.in.spec = R"({"input": {"channels": 3, "height": 4, "width": 4}, "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  m.in.settings = R"({"epochs": 3, "seed": 9})";
  return m;
}

// A zip of named entries (stored), for hand-made hostile files.
std::vector<uint8_t> zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip::Writer w;
  for (const auto& [name, text] : entries) w.add(name, std::string_view(text));
  return w.finish();
}

std::string manifest(const std::string& classes, const std::string& images = "[]", int count = 0, const std::string& extra = "") {
  return R"({"format": "convlab-project", "version": 1, "name": "M", "created": 1, "classes": )" + classes +
         R"(, "image_count": )" + std::to_string(count) + R"(, "images": )" + images + extra + "}";
}

pf::ProjectFile open(const std::vector<uint8_t>& b) { return pf::read(b.data(), b.size()); }

bool has_note(const pf::ProjectFile& p, const std::string& part) {
  for (const std::string& n : p.notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("zip: the page's old files (fflate, deflated JSON) are read and checked", "[project_file]") {
  const auto bytes = fixture("tiny.convlab");
  const zip::Reader z(bytes.data(), bytes.size(), {int64_t{1} << 30, int64_t{1} << 30, int64_t{1} << 30, 64});
  REQUIRE(z.entries().size() == 9);
  const zip::Entry* m = z.find("convlab.json");
  REQUIRE(m != nullptr);
  CHECK(m->method == 8);  // deflated: core's inflater on real zlib output
  CHECK(z.read_text(*m).rfind("{\"format\": \"convlab-project\"", 0) == 0);
  const zip::Entry* im = z.find("images/1/000003.png");
  REQUIRE(im != nullptr);
  CHECK(im->method == 0);
  CHECK(z.read(*im).size() == im->usize);
  CHECK(z.find("images/2/000001.png") == nullptr);
  // an entry larger than the caller's limit is refused before it is read, in exact bytes when
  // the rounded figures would be the same ("1 MB; at most 1 MB" said nothing)
  CHECK_THROWS_WITH(z.read(*m, 10), Catch::Contains(zip::bytes(m->usize) + "; at most 10 bytes is allowed"));
  CHECK(zip::bytes(300040) == "300,040 bytes");
  CHECK(zip::mb((int64_t{3} << 20) + 1) == "4 MB");
}

TEST_CASE("zip: damaged, hostile and foreign files are refused with a message", "[project_file]") {
  const zip::Limits lim{int64_t{1} << 30, int64_t{1} << 30, int64_t{1} << 20, 64};
  auto refuse = [](const std::vector<uint8_t>& b, const std::string& msg, zip::Limits l) {
    CHECK_THROWS_WITH(zip::Reader(b.data(), b.size(), l), Catch::Contains(msg));
  };
  refuse(fixture("truncated.convlab"), "its end is missing", lim);
  refuse(fixture("slip.convlab"), "entry ../evil.txt has a name that could leave its folder", lim);
  refuse(fixture("red.png"), "This is not a ConvLab project file", lim);
  refuse({}, "The file is empty", lim);
  for (const char* bad : {"/etc/passwd", "a\\b.png", "C:x", "images/../../x", "a//b", "./x"})
    refuse(zip_of({{bad, "x"}}), "could leave its folder", lim);
  CHECK(zip::safe_name("images/0/000001.png"));
  const auto tiny = fixture("tiny.convlab");
  zip::Limits small = lim;
  small.max_entries = 4;
  refuse(tiny, "claims 9 entries", small);
  small = lim;
  small.max_entry_bytes = 100;
  refuse(tiny, "an entry is at most 1 MB", small);
  small = lim;
  small.max_unpacked_bytes = 1000;
  refuse(tiny, "would unpack to more than 1 MB", small);
  small = lim;
  small.max_file_bytes = 1000;
  refuse(tiny, "a project file is at most 1 MB", small);
  refuse(zip_of({{"a", "x"}, {"a", "y"}}), "appears twice", lim);

  // a changed byte in a stored entry fails its CRC-32 when read
  const auto crc = fixture("crc.convlab");
  const zip::Reader z(crc.data(), crc.size(), lim);
  CHECK_THROWS_WITH(z.read(*z.find("images/0/000001.png")), Catch::Contains("fails its checksum"));
  // a deflated entry that declares fewer bytes than it inflates to: stopped, not trusted
  auto lying = tiny;
  const zip::Reader ok(tiny.data(), tiny.size(), lim);
  const zip::Entry& e = *ok.find("spec.json");
  const std::string name = "spec.json";
  for (size_t p = 0; p + 46 < lying.size(); ++p)
    if (lying[p] == 0x50 && lying[p + 1] == 0x4b && lying[p + 2] == 1 && lying[p + 3] == 2 &&
        std::string(lying.begin() + long(p) + 46, lying.begin() + long(p) + 46 + long(name.size())) == name)
      lying[p + 24] = uint8_t(e.usize - 10);  // usize < 256
  const zip::Reader liar(lying.data(), lying.size(), lim);
  CHECK_THROWS_WITH(liar.read(*liar.find("spec.json")), Catch::Contains("does not unpack to what it claims"));
  // a broken deflate stream: a message, never a crash
  const std::vector<uint8_t> junk = {0xff, 0xff, 0xff, 0xff};
  CHECK_THROWS_WITH(zip::inflate(junk.data(), junk.size(), 100, "damaged"), "damaged");
}

TEST_CASE("zip: the writer's files are stored, deterministic and read back", "[project_file]") {
  zip::Writer w;
  w.add("a.json", std::string_view("{\"x\": 1}"));
  w.add("images/0/000001.png", std::vector<uint8_t>{1, 2, 3});
  const auto bytes = w.finish();
  CHECK(bytes == w.finish());
  const zip::Reader r(bytes.data(), bytes.size(), {1 << 20, 1 << 20, 1 << 20, 8});
  REQUIRE(r.entries().size() == 2);
  CHECK(r.entries()[0].method == 0);
  CHECK(r.read_text(*r.find("a.json")) == "{\"x\": 1}");
  CHECK(r.read(*r.find("images/0/000001.png")) == std::vector<uint8_t>{1, 2, 3});
  // the CRC-32 of zip and PNG: the standard check value
  const std::string nine = "123456789";
  CHECK(zip::crc32(reinterpret_cast<const uint8_t*>(nine.data()), 9) == 0xCBF43926u);
}

TEST_CASE("project file: what the writer writes, the reader reads back", "[project_file]") {
  Made m = project();
  m.in.answers = R"({"q1": 3})";
  const std::vector<uint8_t> w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  m.in.weights = w.data();
  m.in.weights_size = w.size();
  const auto bytes = pf::write(m.in);
  CHECK(bytes == pf::write(m.in));  // the same project gives the same file
  const pf::ProjectFile p = open(bytes);
  CHECK(p.name == "Lab");
  CHECK(p.created == 1700000000000.0);
  CHECK(p.classes == std::vector<std::string>{"cat", "cup"});
  CHECK(p.notes.empty());
  REQUIRE(p.images.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(p.images[i].readable);
    CHECK(p.images[i].label == int(i % 2));
    CHECK(p.images[i].test == (i == 4));
    const uint8_t* b = pf::bytes_of(p, bytes.data(), p.images[i].png);
    CHECK(std::vector<uint8_t>(b, b + p.images[i].png.size) == m.pngs[i]);  // bit-exact
  }
  CHECK(Json::parse(p.settings).find("epochs")->as_number() == 3);
  CHECK(p.answers == R"({"q1":3})");
  REQUIRE(p.weights);
  const uint8_t* wb = pf::bytes_of(p, bytes.data(), *p.weights);
  CHECK(std::vector<uint8_t>(wb, wb + p.weights->size) == w);
  // the training order: class by class, in the file's order within a class, no test image
  CHECK(pf::training_order(p.images, 2) == std::vector<size_t>{0, 2, 1, 3});
}

TEST_CASE("project file: a full-size project with every named entry reopens", "[project_file]") {
  // the most images a project holds, each entry the format names written: the reader's entry
  // limit must allow what the writer can emit (it allowed 8 beside the images, for 10)
  const std::vector<uint8_t> one = png(1, 1);
  pf::ProjectIn in{"Full", 0, {"a", "b"}};
  for (int i = 0; i < rules::kMaxImagesPerProject; ++i) in.images.push_back({i % 2, 1, 1, false, one.data(), one.size()});
  in.spec = "{}";
  in.settings = "{}";
  in.result = "{}";
  in.draft = "{}";
  in.runs = "[]";
  in.assignment = "{}";
  in.answers = R"({"q": 1})";
  in.submission = "{}";
  const std::vector<uint8_t> w = {0};
  in.weights = w.data();
  in.weights_size = 1;
  const auto bytes = pf::write(in);
  const zip::Reader z(bytes.data(), bytes.size(), {int64_t{1} << 30, int64_t{1} << 30, int64_t{1} << 30, 1 << 20});
  CHECK(int(z.entries().size()) == rules::kMaxImagesPerProject + pf::kNamedEntryCount);
  const pf::ProjectFile p = open(bytes);
  CHECK(p.images.size() == size_t(rules::kMaxImagesPerProject));
  CHECK(p.unreadable_images == 0);
  in.images.push_back(in.images.back());
  CHECK_THROWS_WITH(pf::write(in), Catch::Contains("at most 20000 images"));
}

TEST_CASE("project file: class names are repaired by one rule, with a note each", "[project_file]") {
  auto classes = [](const std::string& list) {
    return open(zip_of({{"convlab.json", manifest(list)}}));
  };
  const pf::ProjectFile dup = classes(R"(["Cup", "cup", ""])");
  CHECK(dup.classes == std::vector<std::string>{"Cup", "Class 2", "Class 3"});
  CHECK(has_note(dup, "class 2 had no usable name and is now called \"Class 2\""));
  // NUL is removed; RLO alone shows nothing; a name that is not text
  const pf::ProjectFile odd = classes("[\"a\\u0000b\", \"\\u202e\", 7]");
  CHECK(odd.classes == std::vector<std::string>{"ab", "Class 2", "Class 3"});
  // a 7 MB name is cut to the rule's length, not carried into every file made from it
  const pf::ProjectFile big = classes("[\"" + std::string(7 << 20, 'x') + "\", \"b\"]");
  CHECK(big.classes[0] == std::string(size_t(rules::kClassNameMax), 'x'));
  CHECK(has_note(big, "the name of class 1 was cut to 60 characters"));
  // not a list, too few, too many: not a project's classes at all
  for (const char* bad : {"\"cat\"", "[\"one\"]", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]"})
    CHECK_THROWS_WITH(classes(bad), Catch::Contains("classes are not readable"));
}

TEST_CASE("characters: a letter with its accents, an emoji with its modifiers, a flag count once", "[project_file]") {
  std::string decomposed;
  for (int i = 0; i < 40; ++i) decomposed += "e\xCC\x81";  // e + U+0301: 40 characters, 80 code points
  CHECK(text::count_chars(decomposed) == 40);
  CHECK_NOTHROW(pf::check_class_name(decomposed, {}));  // within the 60-character rule
  bool cut = false;
  CHECK(text::cut_chars(decomposed, 2, &cut) == "e\xCC\x81" "e\xCC\x81");
  CHECK(cut);
  const std::string family = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // woman ZWJ woman ZWJ girl
  CHECK(text::count_chars(family) == 1);
  const std::string thumb = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";  // thumbs up + skin tone
  CHECK(text::count_chars(thumb) == 1);
  const std::string flags = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA";  // FR DE
  CHECK(text::count_chars(flags) == 2);
  CHECK(text::cut_chars(flags, 1) == "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7");
  CHECK(text::count_chars("\xFF\xFE") == 2);  // invalid bytes: one each
  CHECK(text::shows_nothing(" \xE2\x80\x8B\xE2\x80\xAE\t"));  // space, ZWSP, RLO, tab
  CHECK_FALSE(text::shows_nothing(" a "));
  CHECK(text::clean_text("  T-shirt\x01/top \t") == "T-shirt/top");
  CHECK(text::fold_case("\xC3\x89t\xC3\xA9 \xD0\x9A\xCE\xA3 \xC5\x81") == "\xC3\xA9t\xC3\xA9 \xD0\xBA\xCF\x83 \xC5\x82");  // Été КΣ Ł
  CHECK_THROWS_WITH(pf::check_class_name("\xC3\x89T\xC3\x89", {"\xC3\xA9t\xC3\xA9"}), Catch::Contains("already called"));
  CHECK_THROWS_WITH(pf::check_class_name("\xE2\x80\x8B", {}), Catch::Contains("a name you can see"));
  CHECK_THROWS_WITH(pf::check_class_name("Ca\xE2\x80\x8Bt", {}), Catch::Contains("invisible characters"));  // ZWSP inside
  CHECK_THROWS_WITH(pf::check_class_name("cat\xE2\x80\xAE", {}), Catch::Contains("invisible characters"));   // RLO at the end
  CHECK(pf::check_class_name(family, {}).name == family);  // an emoji's joiners are part of it
  CHECK(pf::project_name("\xE2\x80\xAE", "Imported project") == "Imported project");
  CHECK(text::count_chars(pf::project_name(std::string(200, 'p'), "x")) == size_t(rules::kProjectNameMax));
}

TEST_CASE("PNG: a PNG may not carry more bytes than its pixels need", "[project_file]") {
  const auto ok = png(12, 12);
  CHECK(pf::check_png(ok.data(), ok.size(), 12, 12).empty());
  CHECK(pf::check_png(ok.data(), ok.size(), 12, 13) == "its size differs from the file's list");
  const auto small_pad = png(12, 12, 7, 1000);  // a small text chunk is fine
  CHECK(pf::check_png(small_pad.data(), small_pad.size(), 12, 12).empty());
  const auto padded = png(12, 12, 7, 400000);  // the amplifying file's images
  CHECK(pf::check_png(padded.data(), padded.size(), 12, 12) == "more bytes than its pixels need");
  const auto chunky = png(200, 200, 7, 4150);  // within the size bound, but the extra chunk is too large
  CHECK(pf::check_png(chunky.data(), chunky.size(), 200, 200) == "more than 4096 bytes of extra chunks");
  auto cut = ok;
  cut.resize(cut.size() - 6);
  CHECK(pf::check_png(cut.data(), cut.size(), 12, 12) == "cut short");
  // the largest stored image, uncompressed, fits its own bound
  CHECK(pf::png_max_bytes(rules::kStoredCap, rules::kStoredCap) > int64_t{rules::kStoredCap} * (rules::kStoredCap * 4 + 1));
  const auto big = png(rules::kStoredCap, rules::kStoredCap);
  CHECK(pf::check_png(big.data(), big.size(), rules::kStoredCap, rules::kStoredCap).empty());
  // a flipped bit anywhere in a chunk: its CRC-32
  auto flipped = ok;
  flipped[40] ^= 1;
  CHECK(pf::check_png(flipped.data(), flipped.size(), 12, 12) == "a chunk fails its checksum");
  // 16-bit and interlaced PNGs: neither what the page stores nor what both decoders read
  auto deep = ok;
  deep[24] = 16;
  CHECK(pf::check_png(deep.data(), deep.size(), 12, 12).find("a kind of PNG ConvLab does not store") == 0);
}

TEST_CASE("project file: a padded PNG is set aside before it is inflated", "[project_file]") {
  // 40 valid 12x12 PNGs, each with a 400,000-byte private chunk: refused by their declared size
  // (the zip's directory) before one byte is inflated, the rest of the project opens
  std::vector<std::vector<uint8_t>> pngs;
  pf::ProjectIn in{"Pad", 0, {"a", "b"}};
  const auto good = png(12, 12);
  for (int i = 0; i < 40; ++i) pngs.push_back(png(12, 12, uint8_t(i), 400000));
  zip::Writer w;
  std::string list;
  for (int i = 0; i < 41; ++i) {
    const std::string file = "images/" + std::to_string(i % 2) + "/" + std::to_string(i) + ".png";
    list += std::string(i ? "," : "") + R"({"file": ")" + file + R"(", "class": )" + std::to_string(i % 2) + R"(, "width": 12, "height": 12})";
    w.add(file, i < 40 ? pngs[size_t(i)] : good);
  }
  w.add("convlab.json", std::string_view(manifest(R"(["a", "b"])", "[" + list + "]", 41)));
  const auto bytes = w.finish();
  const pf::ProjectFile p = open(bytes);
  CHECK(p.unreadable_images == 40);
  CHECK(p.images[40].readable);
  CHECK(p.unpacked.empty());  // nothing inflated and kept
  CHECK(has_note(p, "40 images could not be read and were skipped"));
}

TEST_CASE("project file: odd entries are set aside with a note, the project opens", "[project_file]") {
  const std::string m = manifest(R"(["a", "b"])");
  // settings: unknown keys, wrong types and values out of range are dropped by name
  const pf::ProjectFile s = open(zip_of({{"convlab.json", m}, {"settings.json", R"({"epochs": 3, "lr": "fast", "evil": 1, "batch_size": 1e9})"}}));
  CHECK(s.settings == R"({"epochs":3})");
  CHECK(has_note(s, "some saved training settings were not readable (lr, evil, batch_size)"));
  // an assignment over its limit: dropped with a note in exact bytes, not a refusal
  const std::string big(300040, ' ');
  const pf::ProjectFile a = open(zip_of({{"convlab.json", m}, {"assignment.json", big}}));
  CHECK(a.assignment.empty());
  CHECK(has_note(a, "assignment.json) was not readable; the project opens without it (it is 300,040 bytes; at most 262,144 bytes is allowed)"));
  // broken JSON entries: notes
  const pf::ProjectFile j = open(zip_of({{"convlab.json", m}, {"spec.json", "{"}, {"result.json", "nope"}, {"answers.json", R"({"q": "x", "r": 2})"}}));
  CHECK(j.spec.empty());
  CHECK(has_note(j, "the saved model was not readable"));
  CHECK(has_note(j, "the saved training curves were not readable"));
  CHECK(j.answers == R"({"r":2})");
  CHECK(has_note(j, "1 of the answers typed for the assignment were not readable"));
  // a submission manifest over its limit: marked unreadable (grading says so), the rest opens
  const pf::ProjectFile sub = open(zip_of({{"convlab.json", m}, {"submission.json", std::string(size_t(rules::kSubmissionMaxBytes) + 1, ' ')}}));
  CHECK(sub.submission_unreadable);
  // damaged weights (a changed byte: its CRC-32): set aside with a note, the project opens
  Made wm = project();
  const std::vector<uint8_t> wbytes(64, 7);
  wm.in.weights = wbytes.data();
  wm.in.weights_size = wbytes.size();
  auto damaged = pf::write(wm.in);
  const zip::Reader zr(damaged.data(), damaged.size(), {int64_t{1} << 30, int64_t{1} << 30, int64_t{1} << 30, 64});
  damaged[zr.find("weights.safetensors")->start + 10] ^= 1;
  const pf::ProjectFile dw = open(damaged);
  CHECK_FALSE(dw.weights);
  CHECK(dw.images.size() == 5);
  CHECK(has_note(dw, "the saved trained model was not readable; train again"));
  // a split that is neither "train" nor "test": the test set, never trained on
  const auto one = png(2, 2);
  zip::Writer w;
  w.add("convlab.json", std::string_view(manifest(R"(["a", "b"])", R"([{"file": "i.png", "class": 1, "width": 2, "height": 2, "split": "x"}])", 1)));
  w.add("i.png", one);
  const auto sb = w.finish();
  const pf::ProjectFile sp = open(sb);
  CHECK(sp.images[0].test);
  CHECK(pf::training_order(sp.images, 2).empty());
  CHECK(has_note(sp, "unreadable split"));
}

TEST_CASE("project file: what is not a project is refused, saying what is wrong", "[project_file]") {
  auto refused = [](const std::string& man, const std::string& msg) {
    CHECK_THROWS_WITH(open(zip_of({{"convlab.json", man}})), Catch::Contains(msg));
  };
  refused(R"({"format": "other"})", "This is not a ConvLab project file");
  refused(R"({"format": "convlab-project", "version": 0})", "no valid format version");
  refused(R"({"format": "convlab-project", "version": 2})", "saved by a newer ConvLab (format version 2)");
  refused(manifest(R"(["a","b"])", "[]", 3), "does not match its number of images");
  refused(manifest(R"(["a","b"])", "[]", 20001), "claims 20001 images");
  refused(R"({"format": "convlab-project", "extra": )" + std::string(100, '[') + std::string(100, ']') + "}", "convlab.json, is not readable JSON");
  CHECK_THROWS_WITH(open(zip_of({{"spec.json", "{}"}})), Catch::Contains("This is not a ConvLab project file"));
}

TEST_CASE("project file: the page's JSON view names every image's bytes", "[project_file]") {
  const Made m = project(3);
  const auto bytes = pf::write(m.in);
  const Json j = Json::parse(pf::read_json(open(bytes)));
  CHECK(j.find("ok")->as_bool());
  REQUIRE(j.find("images")->size() == 3);
  const Json& im = j.find("images")->items()[1];
  CHECK(im.find("class")->as_number() == 1);
  const Json* s = im.find("png");
  const size_t at = size_t(s->find("offset")->as_number()), n = size_t(s->find("size")->as_number());
  CHECK(std::vector<uint8_t>(bytes.begin() + long(at), bytes.begin() + long(at + n)) == m.pngs[1]);
  // the page writes through write_from_json: the same bytes as write()
  std::string blob;
  std::string list;
  for (size_t i = 0; i < m.pngs.size(); ++i) {
    list += std::string(i ? "," : "") + R"({"class": )" + std::to_string(i % 2) + R"(, "width": 4, "height": 4, "offset": )" +
            std::to_string(blob.size()) + R"(, "size": )" + std::to_string(m.pngs[i].size()) + (i == 2 ? R"(, "split": "test")" : "") + "}";
    blob.append(m.pngs[i].begin(), m.pngs[i].end());
  }
  Json meta = Json::object();
  meta.append("name", "Lab");
  meta.append("created", 1700000000000.0);
  Json cls = Json::array();
  cls.push_back("cat");
  cls.push_back("cup");
  meta.append("classes", cls);
  meta.append("images", Json::parse("[" + list + "]"));
  meta.append("spec", m.in.spec);
  meta.append("settings", m.in.settings);
  CHECK(pf::write_from_json(meta.dump(), reinterpret_cast<const uint8_t*>(blob.data()), blob.size(), nullptr, 0) == bytes);
}

TEST_CASE("property: seeded mutations of a valid file are each refused with a message or open as a valid project", "[project_file]") {
  // the page's old file (fflate: deflated JSON, stored PNGs) and core's writer's: bit flips, cuts
  // and lying sizes in the central directory. Each mutant is refused with a ProjectFileError
  // that speaks to a person, or opens with every kept image passing check_png and nothing
  // inflated past the entries' declared sizes.
  Made m = project();
  for (const std::vector<uint8_t>& valid : {fixture("tiny.convlab"), pf::write(m.in)}) {
    std::vector<size_t> sizes;  // offsets of every size field in the central directory
    for (size_t p = 0; p + 4 < valid.size(); ++p)
      if (valid[p] == 0x50 && valid[p + 1] == 0x4b && valid[p + 2] == 1 && valid[p + 3] == 2) {
        sizes.push_back(p + 20);
        sizes.push_back(p + 24);
      }
    uint32_t seed = 12345;
    auto rand = [&](uint32_t n) {
      seed = seed * 1103515245u + 12345u;
      return (seed >> 8) % n;
    };
    int refused = 0, opened = 0, lying = 0;
    for (int i = 0; i < 3000; ++i) {
      std::vector<uint8_t> b = valid;
      const uint32_t kind = rand(4);
      if (kind == 0) {
        for (uint32_t k = 1 + rand(8); k > 0; --k) b[rand(uint32_t(b.size()))] ^= uint8_t(1u << rand(8));
      } else if (kind == 1) {
        b.resize(rand(uint32_t(b.size())));
      } else {
        const size_t at = sizes[rand(uint32_t(sizes.size()))];
        const uint32_t was = uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
        const uint32_t lies[] = {0, 1, 0x7fffffff, 0xffffffff, 0xfffffff0, was * 2 + 1, was >> 1, rand(1u << 30)};
        const uint32_t v = lies[rand(8)];
        for (int k = 0; k < 4; ++k) b[at + size_t(k)] = uint8_t(v >> (8 * k));
        if (kind == 3) b[rand(uint32_t(b.size()))] ^= uint8_t(1u << rand(8));
      }
      try {
        const pf::ProjectFile p = pf::read(b.data(), b.size());
        for (const pf::FileImage& im : p.images)
          if (im.readable) REQUIRE(pf::check_png(pf::bytes_of(p, b.data(), im.png), im.png.size, im.width, im.height).empty());
        REQUIRE(p.unpacked.size() <= b.size() * 1032 + 16);  // deflate's most: 1032:1, and never past a declared size
        ++opened;
      } catch (const pf::ProjectFileError& e) {
        const std::string msg = e.what();
        INFO(msg);
        REQUIRE((msg.rfind("The ", 0) == 0 || msg.rfind("This ", 0) == 0));
        if (msg.find("claims") != std::string::npos || msg.find("does not unpack") != std::string::npos) ++lying;
        ++refused;
      }
    }
    CHECK(refused > 1000);
    CHECK(opened > 10);
    CHECK(lying > 10);  // the lying sizes are caught as lies, not by luck further on
  }
}
