// The convlab CLI's readers (tools/convlab/): the zip reader, the PNG and JPEG readers and the
// project-file reader, on the small fixtures of tests/fixtures/cli/ (tools/make_cli_fixtures.py).
// The commands themselves (output, exit codes, --help) are tested by tests/cli_test.sh.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <zlib.h>

#include "convlab/rules.h"
#include "image.h"
#include "project.h"
#include "zip.h"

using namespace convlab::cli;

namespace {

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream f(std::string(CONVLAB_FIXTURES) + "/cli/" + name, std::ios::binary);
  REQUIRE(f);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}

// A PNG signature, an IHDR claiming w x h and empty IDAT and IEND chunks: enough for the size check.
std::vector<uint8_t> png_header(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  put32(b, w);
  put32(b, h);
  for (int v : {8, 6, 0, 0, 0}) b.push_back(uint8_t(v));
  put32(b, uint32_t(crc32(0, b.data() + 12, 17)));
  for (const char* kind : {"IDAT", "IEND"}) {  // empty chunks: libpng reads the header up to IDAT
    put32(b, 0);
    b.insert(b.end(), kind, kind + 4);
    put32(b, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(kind), 4)));
  }
  return b;
}

}  // namespace

TEST_CASE("zip reader: the entries of a project file, inflated and checked", "[cli]") {
  const auto bytes = fixture("tiny.convlab");
  const ZipReader zip(bytes.data(), bytes.size(), project_zip_limits());
  REQUIRE(zip.entries().size() == 9);
  const ZipEntry* m = zip.find("convlab.json");
  REQUIRE(m != nullptr);
  CHECK(m->method == 8);  // deflated
  CHECK(zip.read_text(*m).rfind("{\"format\": \"convlab-project\"", 0) == 0);
  const ZipEntry* im = zip.find("images/1/000003.png");
  REQUIRE(im != nullptr);
  CHECK(im->method == 0);  // stored
  CHECK(zip.read(*im).size() == im->usize);
  CHECK(zip.find("images/2/000001.png") == nullptr);
  // an entry larger than the caller's limit is refused before it is read
  CHECK_THROWS_WITH(zip.read(*m, 10), Catch::Contains("at most 1 MB is allowed"));
}

TEST_CASE("zip reader: damaged, hostile and foreign files are refused with a message", "[cli]") {
  auto refuse = [](const std::vector<uint8_t>& b, const std::string& msg, ZipLimits lim = project_zip_limits()) {
    CHECK_THROWS_WITH(ZipReader(b.data(), b.size(), lim), Catch::Contains(msg));
  };
  refuse(fixture("truncated.convlab"), "its end is missing");
  refuse(fixture("slip.convlab"), "entry ../evil.txt has a name that could leave its folder");
  refuse(fixture("red.png"), "This is not a ConvLab project file");
  refuse({}, "The file is empty");
  const auto tiny = fixture("tiny.convlab");
  ZipLimits small = project_zip_limits();
  small.max_entries = 4;
  refuse(tiny, "claims 9 entries", small);
  small = project_zip_limits();
  small.max_entry_bytes = 100;
  refuse(tiny, "an entry is at most 1 MB", small);
  small = project_zip_limits();
  small.max_unpacked_bytes = 1000;
  refuse(tiny, "would unpack to more than 1 MB", small);
  small = project_zip_limits();
  small.max_file_bytes = 1000;
  refuse(tiny, "a project file is at most 1 MB", small);
  // the limits are core's rules, not copies
  CHECK(project_zip_limits().max_entry_bytes == convlab::rules::kMaxProjectEntryBytes);
  CHECK(project_zip_limits().max_unpacked_bytes == convlab::rules::kMaxProjectUnpackedBytes);
  CHECK(project_zip_limits().max_file_bytes == convlab::rules::kMaxProjectFileBytes);

  // a changed byte in a stored entry fails its CRC-32 when read
  const auto crc = fixture("crc.convlab");
  const ZipReader zip(crc.data(), crc.size(), project_zip_limits());
  CHECK_THROWS_WITH(zip.read(*zip.find("images/0/000001.png")), Catch::Contains("fails its checksum"));
  // a deflated entry that declares fewer bytes than it inflates to: stopped, not trusted
  auto lying = tiny;
  const ZipReader ok(tiny.data(), tiny.size(), project_zip_limits());
  const ZipEntry& e = *ok.find("spec.json");
  // the central directory's uncompressed size of spec.json, found by its name
  const std::string name = "spec.json";
  for (size_t p = 0; p + 46 < lying.size(); ++p)
    if (lying[p] == 0x50 && lying[p + 1] == 0x4b && lying[p + 2] == 1 && lying[p + 3] == 2 &&
        std::string(lying.begin() + long(p) + 46, lying.begin() + long(p) + 46 + long(name.size())) == name)
      lying[p + 24] = uint8_t(e.usize - 10);  // usize < 256
  const ZipReader liar(lying.data(), lying.size(), project_zip_limits());
  CHECK_THROWS_WITH(liar.read(*liar.find("spec.json")), Catch::Contains("does not unpack to what it claims"));
}

TEST_CASE("image reader: PNG and JPEG to RGBA, sizes checked from the header", "[cli]") {
  const auto png = fixture("red.png");
  const Rgba r = decode_image(png.data(), png.size(), "red.png");
  REQUIRE(r.width == 12);
  REQUIRE(r.height == 12);
  // tools/make_cli_fixtures.py: pixel (x, y) of class 0 image 1 = (200 + 3x, 20 + 4y, 50, 255)
  CHECK(std::vector<uint8_t>(r.pixels.begin(), r.pixels.begin() + 4) == std::vector<uint8_t>{200, 20, 50, 255});
  const size_t at = (size_t(5) * 12 + 7) * 4;
  CHECK(std::vector<uint8_t>(r.pixels.begin() + long(at), r.pixels.begin() + long(at) + 4) == std::vector<uint8_t>{221, 40, 50, 255});

  const auto jpg = fixture("chelsea.jpg");
  const Rgba j = decode_image(jpg.data(), jpg.size(), "chelsea.jpg");
  CHECK(j.width > 0);
  CHECK(j.pixels.size() == size_t(j.width) * size_t(j.height) * 4);
  CHECK(j.pixels[3] == 255);

  const auto big = png_header(uint32_t(convlab::rules::kUploadMaxSide) + 1, 1);
  CHECK_THROWS_WITH(decode_image(big.data(), big.size(), "big.png"), Catch::Contains("ConvLab reads images up to"));
  const auto many = png_header(10000, 10000);  // 100 M pixels: over kUploadMaxPixels
  CHECK_THROWS_WITH(decode_image(many.data(), many.size(), "many.png"), Catch::Contains("make it smaller first"));
  const auto cut = std::vector<uint8_t>(png.begin(), png.begin() + 60);
  CHECK_THROWS_WITH(decode_image(cut.data(), cut.size(), "cut.png"), Catch::Contains("cut.png: the PNG is damaged"));
  const auto jcut = std::vector<uint8_t>(jpg.begin(), jpg.begin() + 200);
  CHECK_THROWS_WITH(decode_image(jcut.data(), jcut.size(), "cut.jpg"), Catch::Contains("cut.jpg: the JPEG is damaged"));
  const std::string text = "hello";
  CHECK_THROWS_WITH(decode_image(reinterpret_cast<const uint8_t*>(text.data()), text.size(), "notes.txt"),
                    Catch::Contains("neither a PNG nor a JPEG"));
}

TEST_CASE("project reader: classes, spec, settings and the images in the page's order", "[cli]") {
  const auto bytes = fixture("tiny.convlab");
  const Project p = read_project(bytes.data(), bytes.size());
  CHECK(p.name == "Tiny");
  CHECK(p.classes == std::vector<std::string>{"Red", "Blue"});
  CHECK(p.spec.find("\"conv2d\"") != std::string::npos);
  CHECK(p.settings.find("\"epochs\":2") != std::string::npos);
  CHECK(p.skipped.empty());
  REQUIRE(p.images.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(p.images[i].label == int(i / 3));
    // image n of class k has green 20n + 4y at x=0, y=0: 20, 40, 60 within a class
    CHECK(p.images[i].image.pixels[1] == 20 * (i % 3 + 1));
  }
  // a damaged image is left out and counted, the rest is read (as the page does)
  const auto crc = fixture("crc.convlab");
  const Project q = read_project(crc.data(), crc.size());
  CHECK(q.images.size() == 5);
  REQUIRE(q.skipped.size() == 1);
  CHECK(q.skipped[0] == "1 image was missing or damaged and left out");
  const auto spec = fixture("tiny.spec.json");
  CHECK_THROWS_WITH(read_project(spec.data(), spec.size()), Catch::Contains("not a ConvLab project file"));
}
