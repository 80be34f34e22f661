// The convlab CLI's readers (tools/convlab/): the PNG and JPEG readers and the project-file
// reader (core's, project_file.h, with the pixels decoded by libpng), on the small fixtures of
// tests/fixtures/cli/ (tools/make_cli_fixtures.py); core's zip and format rules are tested in
// tests/test_project_file.cc.
// The commands themselves (output, exit codes, --help) are tested by tests/cli_test.sh; `convlab
// grade` is run here too, on submissions written natively (core's project_file::write), and its
// CSV compared byte for byte with core's Grader's.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>
#include <zlib.h>

#include "cli.h"
#include "convlab/assignment.h"
#include "convlab/rules.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/sha256.h"
#include "image.h"
#include "project.h"
#include "submission.h"
#include "convlab/project_file.h"
#include "convlab/zip.h"

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
  CHECK(q.skipped[0] == "1 image could not be read and was skipped");
  const auto spec = fixture("tiny.spec.json");
  CHECK_THROWS_WITH(read_project(spec.data(), spec.size()), Catch::Contains("not a ConvLab project file"));
}

// ---- grading: submissions written here as the page writes them ----
namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// An 8-bit RGBA PNG, rows unfiltered, zlib-compressed.
std::vector<uint8_t> png_of(const std::vector<uint8_t>& rgba, int w, int h) {
  std::vector<uint8_t> raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), rgba.begin() + long(y) * w * 4, rgba.begin() + long(y + 1) * w * 4);
  }
  uLongf n = compressBound(uLong(raw.size()));
  std::vector<uint8_t> z(n);
  REQUIRE(compress(z.data(), &n, raw.data(), uLong(raw.size())) == Z_OK);
  z.resize(n);
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto chunk = [&](const char* kind, const std::vector<uint8_t>& data) {
    put32(b, uint32_t(data.size()));
    const size_t at = b.size();
    b.insert(b.end(), kind, kind + 4);
    b.insert(b.end(), data.begin(), data.end());
    put32(b, uint32_t(crc32(0, b.data() + at, uInt(4 + data.size()))));
  };
  std::vector<uint8_t> ihdr;
  put32(ihdr, uint32_t(w));
  put32(ihdr, uint32_t(h));
  for (int v : {8, 6, 0, 0, 0}) ihdr.push_back(uint8_t(v));
  chunk("IHDR", ihdr);
  chunk("IDAT", z);
  chunk("IEND", {});
  return b;
}

const char* kGradeSpec = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

std::string grade_assignment(const std::string& title) {
  return R"({"format": "convlab-assignment", "version": 1, "title": ")" + title + R"(", "spec": )" + kGradeSpec +
         R"(, "classes": ["cat", "cup"], "changes": {"max_parameters": 1000}, "fixed_settings": {"seed": 5},
         "questions": [{"id": "w", "kind": "output_width", "layer": 2}]})";
}

// 8x8 images; class 1 brighter on its left half
std::vector<uint8_t> image(int i) {
  std::vector<uint8_t> px(8 * 8 * 4);
  uint32_t s = 777u + uint32_t(i) * 31u;
  for (int p = 0; p < 64; ++p)
    for (int c = 0; c < 4; ++c) {
      s = s * 1664525u + 1013904223u;
      px[size_t(p * 4 + c)] = c == 3 ? 255 : uint8_t((s >> 24) % 80 + (i % 2 && p % 8 < 4 ? 150 : 0));
    }
  return px;
}

struct Work {
  std::vector<std::vector<uint8_t>> file;  // convlab.json's images, in the file's order
  std::vector<int> labels;
  std::vector<int> order;                  // image_order
  std::string settings = R"({"seed": 5, "epochs": 2, "batch_size": 4, "val_fraction": 0.25})";
};

// file position f holds image f; the engine got them as `order` says; entry 10 is a test image
Work make_work() {
  Work w;
  for (int f = 0; f < 11; ++f) {
    w.file.push_back(image(f));
    w.labels.push_back(f % 2);
  }
  w.order = {3, 1, 0, 2, 9, 8, 5, 4, 7, 6};
  return w;
}

std::vector<uint8_t> train_weights(const Work& w, const std::string& spec) {
  convlab::Session s;
  s.set_spec(spec, 1);
  for (int i : w.order) s.add_image(w.file[size_t(i)].data(), w.file[size_t(i)].size(), 8, 8, w.labels[size_t(i)]);
  s.train_begin(w.settings);
  while (s.training()) s.train_run(3);
  return s.save(R"({"classes": ["cat", "cup"]})");
}

std::vector<uint8_t> submission_file(const Work& w, const std::string& assignment, const std::string& spec,
                                     const std::vector<uint8_t>& weights, const std::string& manifest) {
  namespace pf = convlab::project_file;
  std::vector<std::vector<uint8_t>> pngs;
  for (const auto& px : w.file) pngs.push_back(png_of(px, 8, 8));
  pf::ProjectIn p{"x", 0, {"cat", "cup"}};
  for (size_t f = 0; f < w.file.size(); ++f) p.images.push_back({w.labels[f], 8, 8, f == 10, pngs[f].data(), pngs[f].size()});
  p.spec = spec;
  p.settings = w.settings;
  p.assignment = assignment;
  p.submission = manifest;
  p.weights = weights.data();
  p.weights_size = weights.size();
  return pf::write(p);
}

void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

}  // namespace

TEST_CASE("project reader: the file's order keeps every entry; the page's order leaves the test set out", "[cli]") {
  const Work w = make_work();
  const std::vector<uint8_t> zip = submission_file(w, grade_assignment("Lab"), kGradeSpec, {1, 2, 3, 4, 5, 6, 7, 8, 9}, "{}");
  const Project file = read_project(zip.data(), zip.size(), ImageOrder::File);
  REQUIRE(file.images.size() == 11);
  for (size_t f = 0; f < 11; ++f) CHECK(file.images[f].image.pixels == w.file[f]);
  CHECK(file.images[10].test);
  CHECK(file.assignment == grade_assignment("Lab"));
  CHECK(file.submission == "{}");
  CHECK(file.weights == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Project page = read_project(zip.data(), zip.size());
  REQUIRE(page.images.size() == 10);  // class by class, the test image left out
  CHECK(page.images[0].image.pixels == w.file[0]);
  CHECK(page.images[4].image.pixels == w.file[8]);
  CHECK(page.images[5].image.pixels == w.file[1]);
}

TEST_CASE("convlab grade: an honest submission reproduces, tampering is flagged, the CSV is core's", "[cli]") {
  namespace fs = std::filesystem;
  const Work w = make_work();
  const std::string a = grade_assignment("Pooling lab");
  const std::vector<uint8_t> weights = train_weights(w, kGradeSpec);
  auto manifest = [&](const std::string& answers, const std::vector<uint8_t>& wt, const std::string& assignment) {
    return convlab::write_submission_manifest(assignment, kGradeSpec, w.settings, answers, w.order, wt.data(), wt.size());
  };
  // weights swapped: another run's weights (seed 6) under a manifest that names them
  Work other = w;
  other.settings = R"({"seed": 6, "epochs": 2, "batch_size": 4, "val_fraction": 0.25})";
  const std::vector<uint8_t> swapped = train_weights(other, kGradeSpec);
  const std::string wider = std::string(kGradeSpec).replace(std::string(kGradeSpec).find("\"out_channels\": 4"), 17, "\"out_channels\": 40");

  const fs::path dir = fs::temp_directory_path() / ("convlab-grade-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "test" / "CAT");
  fs::create_directories(dir / "test" / "c_u_p");
  fs::create_directories(dir / "test" / "dog");
  for (int i = 0; i < 4; ++i) write_bytes(dir / "test" / (i % 2 ? "c_u_p" : "CAT") / (std::to_string(i) + ".png"), png_of(image(20 + i), 8, 8));
  write_bytes(dir / "test" / "dog" / "0.png", png_of(image(30), 8, 8));
  write_bytes(dir / "lab.assignment.json", bytes_of(a));
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
      {"alice-submission.convlab", submission_file(w, a, kGradeSpec, weights, manifest(R"({"w": 4})", weights, a))},
      {"mallory-submission.convlab", submission_file(w, a, kGradeSpec, swapped, manifest(R"({"w": 4})", swapped, a))},
      {"eve-submission.convlab", submission_file(w, a, kGradeSpec, swapped, manifest(R"({"w": 4})", weights, a))},
      {"bob-submission.convlab", submission_file(w, a, wider, weights, manifest(R"({"w": 4})", weights, a))},
      {"carol-submission.convlab", submission_file(w, a, kGradeSpec, weights, manifest(R"({"w": 5})", weights, a))},
      {"dave-submission.convlab", submission_file(w, grade_assignment("Another lab"), kGradeSpec, weights,
                                                  manifest(R"({"w": 4})", weights, grade_assignment("Another lab")))},
      {"frank.convlab", submission_file(w, a, kGradeSpec, weights, "")},
      {"gina-submission.convlab", bytes_of("not a zip at all")},
  };
  std::vector<std::string> argv = {(dir / "lab.assignment.json").string()};
  for (const auto& [name, bytes] : files) {
    write_bytes(dir / name, bytes);
    argv.push_back((dir / name).string());
  }
  for (const std::string& x : {std::string("--test"), (dir / "test").string(), std::string("--csv"), (dir / "out.csv").string()})
    argv.push_back(x);
  Args args(argv);
  REQUIRE(cmd_grade(args) == kExitOk);

  // the CSV, field by field (quoted fields may hold commas), against what each file was made to be
  std::ifstream f(dir / "out.csv", std::ios::binary);
  const std::string csv{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < csv.size(); ++i) {
    const char c = csv[i];
    if (c == '"') {
      if (quoted && i + 1 < csv.size() && csv[i + 1] == '"') cell += csv[++i];
      else quoted = !quoted;
    } else if (!quoted && c == ',') {
      rows.back().push_back(cell), cell.clear();
    } else if (!quoted && c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
      rows.back().push_back(cell), cell.clear(), rows.emplace_back(), ++i;
    } else {
      cell += c;
    }
  }
  REQUIRE(rows.back().empty());  // every line ends in CRLF
  rows.pop_back();
  const std::vector<std::string> header = {"student", "assignment_hash_ok", "weights_hash_ok", "constraints_ok",
                                           "constraints_failed", "w given", "w right", "w correct", "val_acc",
                                           "test_acc", "target_met", "reproduced", "message"};
  REQUIRE(rows.size() == 9);
  CHECK(rows[0] == header);
  for (size_t i = 1; i < rows.size(); ++i) REQUIRE(rows[i].size() == header.size());
  enum { kStudent, kHash, kWeights, kConstraints, kFailed, kGiven, kRight, kCorrect, kVal, kTest, kTarget, kRepro, kMessage };
  // student, the three hash and rule checks, the answer given, right (4: 8 wide, pooled by 2), correct, reproduced
  const std::vector<std::vector<std::string>> expected = {
      {"alice", "yes", "yes", "yes", "4", "4", "yes", "yes"},    // honest
      {"mallory", "yes", "yes", "yes", "4", "4", "yes", "no"},   // weights swapped, manifest names them
      {"eve", "yes", "no", "yes", "4", "4", "yes", "no"},        // weights swapped under the honest manifest
      {"bob", "yes", "yes", "no", "4", "4", "yes", "no"},        // a spec outside the constraints
      {"carol", "yes", "yes", "yes", "5", "4", "no", "yes"},     // a wrong answer
      {"dave", "no", "yes", "yes", "4", "4", "yes", "yes"},      // another assignment's
      {"frank", "", "", "", "", "", "no", "no"},                 // no submission.json: nothing claimed
      {"gina", "", "", "", "", "", "no", "no"},                  // not a zip
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& row = rows[i + 1];
    const auto& e = expected[i];
    INFO(e[0] << ": " << row[kMessage]);
    CHECK(row[kStudent] == e[0]);
    CHECK(std::vector<std::string>{row[kHash], row[kWeights], row[kConstraints], row[kGiven], row[kRight], row[kCorrect],
                                   row[kRepro]} == std::vector<std::string>(e.begin() + 1, e.end()));
    CHECK(row[kFailed].empty() == (e[0] != "bob"));
  }
  CHECK(rows[1][kMessage].empty());
  CHECK(rows[1][kTest].size() == 6);  // alice's test accuracy, as 0.dddd
  CHECK_THAT(rows[2][kMessage], Catch::Contains("retraining from the recorded seed gives other weights"));
  CHECK_THAT(rows[6][kMessage], Catch::Contains("answers another assignment"));
  CHECK_THAT(rows[7][kMessage], Catch::Contains("not a submission (it has no submission.json)"));
  CHECK_THAT(rows[8][kMessage], Catch::Contains("not a readable submission"));

  // a .convlab that holds the assignment serves as the assignment too
  std::vector<std::string> again = {(dir / "alice-submission.convlab").string(), (dir / "alice-submission.convlab").string(), "--csv",
                                    (dir / "again.csv").string()};
  Args a2(again);
  CHECK(cmd_grade(a2) == kExitOk);
  // a missing submission file: a row, and exit 1; a bad assignment: an error naming it
  std::vector<std::string> missing = {(dir / "lab.assignment.json").string(), (dir / "nobody.convlab").string(), "--csv",
                                      (dir / "m.csv").string()};
  Args a3(missing);
  CHECK(cmd_grade(a3) == kExitInput);
  write_bytes(dir / "bad.assignment.json", bytes_of("{\"format\": \"convlab-assignment\", \"version\": 1}"));
  std::vector<std::string> bad = {(dir / "bad.assignment.json").string(), (dir / "nobody.convlab").string(), "--csv", (dir / "b.csv").string()};
  Args a4(bad);
  CHECK_THROWS_WITH(cmd_grade(a4), Catch::Contains("bad.assignment.json: the assignment"));
  std::vector<std::string> usage = {(dir / "lab.assignment.json").string(), (dir / "nobody.convlab").string()};
  Args a5(usage);
  CHECK_THROWS_AS(cmd_grade(a5), UsageError);
  fs::remove_all(dir);
}

TEST_CASE("core's inflater gives zlib's bytes back at every level, on ragged sizes", "[cli]") {
  // core inflates the deflated entries of every .convlab the page ever wrote (fflate) and that
  // any zip tool writes; zlib is the reference here (the CLI links it for libpng)
  uint32_t s = 12345;
  for (size_t n : {0u, 1u, 7u, 255u, 4097u, 65535u, 65536u, 200003u}) {
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) {
      s = s * 1664525u + 1013904223u;
      data[i] = i % 3 ? uint8_t("convlab "[i % 8]) : uint8_t(s >> 28);  // text-like with noise
    }
    for (int level : {0, 1, 6, 9}) {
      z_stream z{};
      REQUIRE(deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
      std::vector<uint8_t> out(deflateBound(&z, uLong(n)) + 16);
      z.next_in = data.data();
      z.avail_in = uInt(n);
      z.next_out = out.data();
      z.avail_out = uInt(out.size());
      REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
      out.resize(z.total_out);
      deflateEnd(&z);
      CHECK(convlab::zip::inflate(out.data(), out.size(), n, "damaged") == data);
      if (n > 0) {
        CHECK_THROWS_WITH(convlab::zip::inflate(out.data(), out.size(), n - 1, "damaged"), "damaged");  // more than declared
        CHECK_THROWS_WITH(convlab::zip::inflate(out.data(), out.size() / 2, n, "damaged"), "damaged");  // cut short
      }
    }
  }
}
