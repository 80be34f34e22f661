// Classroom assignments: SHA-256 against FIPS 180-4's vectors, the assignment and submission
// readers (clear messages, hostile input kept inert or refused), the constraint checks, every
// question kind against the lecture's AlexNet numbers, and grading: an honest page-style
// retrain reproduces bit for bit, one changed weight does not.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "convlab/assignment.h"
#include "convlab/learn.h"
#include "convlab/rules.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "convlab/sha256.h"

using namespace convlab;

namespace {

std::string preset(const std::string& id) {
  for (const auto& p : learn::presets())
    if (p.id == id) return p.spec;
  throw std::logic_error("no preset " + id);
}

// An assignment with the given extra members (JSON text without braces, or "").
std::string assignment_text(const std::string& spec, const std::string& extra) {
  return R"({"format": "convlab-assignment", "version": 1, "title": "Pooling lab", "spec": )" + spec +
         R"(, "classes": ["cat", "cup"])" + (extra.empty() ? "" : ", " + extra) + "}";
}

std::string error_of(const std::string& text, std::string* field = nullptr) {
  try {
    parse_assignment(text);
  } catch (const AssignmentError& e) {
    if (field) *field = e.field;
    return e.what();
  }
  return "";
}

const char* kSmall = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";

// 8x8 RGBA images of two classes: class 1 brighter on its left half, seeded noise elsewhere.
std::vector<std::vector<uint8_t>> make_images(int n, std::vector<int>& labels) {
  std::vector<std::vector<uint8_t>> out;
  uint32_t s = 12345;
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    std::vector<uint8_t> px(8 * 8 * 4);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x)
        for (int c = 0; c < 4; ++c) {
          s = s * 1664525u + 1013904223u;
          px[size_t((y * 8 + x) * 4 + c)] = c == 3 ? 255 : uint8_t((s >> 24) % 80 + (label && x < 4 ? 150 : 0));
        }
    out.push_back(px);
    labels.push_back(label);
  }
  return out;
}

std::vector<LabelledImage> labelled(const std::vector<std::vector<uint8_t>>& ims, const std::vector<int>& labels) {
  std::vector<LabelledImage> out;
  for (size_t i = 0; i < ims.size(); ++i) out.push_back({ims[i].data(), ims[i].size(), 8, 8, labels[i]});
  return out;
}

}  // namespace

TEST_CASE("sha256: the FIPS 180-4 / NIST example vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  const std::string million(1'000'000, 'a');
  CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // fed in ragged pieces: the same digest as in one piece
  Sha256 h;
  for (size_t at = 0, n = 1; at < million.size(); at += n, n = n % 97 + 13)
    h.update(std::string_view(million).substr(at, std::min(n, million.size() - at)));
  std::string hex;
  for (uint8_t b : h.digest()) {
    const char* d = "0123456789abcdef";
    hex += d[b >> 4];
    hex += d[b & 15];
  }
  CHECK(hex == sha256_hex(million));
}

TEST_CASE("assignment limits the page is told are where the reader accepts and refuses") {
  const Json r = rules::rules_json();
  const Json& a = *r.find("assignment");
  // the whole text: exactly max_bytes is read (spaces before the closing brace are JSON's
  // white space), one byte more is refused unread
  const size_t max_bytes = size_t(a.find("max_bytes")->as_number());
  const std::string base = assignment_text(kSmall, "");
  REQUIRE(base.size() < max_bytes);
  const std::string at_limit = base.substr(0, base.size() - 1) + std::string(max_bytes - base.size(), ' ') + "}";
  REQUIRE(at_limit.size() == max_bytes);
  CHECK(error_of(at_limit) == "");
  CHECK_THAT(error_of(" " + at_limit), Catch::Contains("may be at most"));
  // the title: title_max characters are kept, one more is refused by name
  const size_t title_max = size_t(a.find("title_max")->as_number());
  auto titled = [&](size_t n) {
    return R"({"format": "convlab-assignment", "version": 1, "title": ")" + std::string(n, 't') + R"(", "spec": )" +
           std::string(kSmall) + R"(, "classes": ["a", "b"]})";
  };
  CHECK(parse_assignment(titled(title_max)).title.size() == title_max);
  std::string field;
  CHECK_THAT(error_of(titled(title_max + 1), &field), Catch::Contains("at most"));
  CHECK(field == "title");
  // the questions: max_questions are read, one more is refused
  const int max_questions = int(a.find("max_questions")->as_number());
  auto asking = [&](int n) {
    std::string q = "\"questions\": [";
    for (int i = 0; i < n; ++i) q += std::string(i ? "," : "") + R"({"kind": "total_parameters"})";
    return assignment_text(kSmall, q + "]");
  };
  CHECK(int(parse_assignment(asking(max_questions)).questions.size()) == max_questions);
  CHECK_THAT(error_of(asking(max_questions + 1)), Catch::Contains("questions"));
  // a fraction answer: right within the tolerance the page states, wrong just past it
  const double tol = a.find("fraction_tolerance")->as_number();
  Answer right;
  right.known = true;
  right.value = 0.25;
  right.fraction = true;
  CHECK(answer_matches(right, 0.25 + tol * 0.99));
  CHECK(answer_matches(right, 0.25 - tol * 0.99));
  CHECK_FALSE(answer_matches(right, 0.25 + tol * 1.01));
  CHECK_FALSE(answer_matches(right, 0.25 - tol * 1.01));
  right.fraction = false;  // a whole-number answer is exact
  CHECK_FALSE(answer_matches(right, 0.25 + tol * 0.5));
}

namespace {

// A raw deflate stream of stored blocks of 16 KB (no compression at all: the worst case for
// the link's length) and then base64url without padding: the link's fragment value.
std::string stored_deflate_base64url(const std::string& bytes) {
  std::string z;
  for (size_t at = 0; at == 0 || at < bytes.size(); at += 16'384) {
    const size_t n = std::min<size_t>(16'384, bytes.size() - at);
    z += char(at + n >= bytes.size() ? 1 : 0);  // BFINAL, BTYPE 00
    z += char(n & 0xff), z += char(n >> 8), z += char(~n & 0xff), z += char((~n >> 8) & 0xff);
    z += bytes.substr(at, n);
  }
  const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < z.size(); i += 3) {
    const uint32_t v = uint32_t(uint8_t(z[i])) << 16 | (i + 1 < z.size() ? uint32_t(uint8_t(z[i + 1])) << 8 : 0) |
                       (i + 2 < z.size() ? uint32_t(uint8_t(z[i + 2])) : 0);
    out += abc[v >> 18 & 63];
    out += abc[v >> 12 & 63];
    if (i + 1 < z.size()) out += abc[v >> 6 & 63];
    if (i + 2 < z.size()) out += abc[v & 63];
  }
  return out;
}

}  // namespace

TEST_CASE("the editor's lists and the link limit come from core through rules_json") {
  const Json r = rules::rules_json();
  const Json& a = *r.find("assignment");
  // the link's fragment: the largest assignment the reader takes, deflated without any gain
  // (stored blocks), then base64, fits; a 10 MB fragment is refused by length alone
  const double link = a.find("link_max_chars")->as_number();
  const size_t max_bytes = size_t(a.find("max_bytes")->as_number());
  const std::string base = assignment_text(kSmall, "");
  const std::string largest = base.substr(0, base.size() - 1) + std::string(max_bytes - base.size(), ' ') + "}";
  REQUIRE(error_of(largest) == "");
  CHECK(double(stored_deflate_base64url(largest).size()) <= link);
  // and not much more: an assignment 1 KB past the reader's limit is refused by its length
  CHECK(double(stored_deflate_base64url(largest + std::string(1024, ' ')).size()) > link);
  // every kind the editor offers is one the reader takes, with the layer rules it states
  const Json& kinds = *a.find("question_kinds");
  REQUIRE(kinds.items().size() == 9);
  for (const Json& k : kinds.items()) {
    const std::string name = k.find("name")->as_string();
    const bool needs = k.find("needs_layer")->as_bool();
    const bool takes = needs || k.find("layer_optional")->as_bool();
    CHECK(error_of(assignment_text(kSmall, R"("questions": [{"kind": ")" + name + R"(", "layer": 2}])")).empty() == takes);
    CHECK(error_of(assignment_text(kSmall, R"("questions": [{"kind": ")" + name + R"("}])")).empty() == !needs);
    CHECK(k.find("wording")->as_string().size() > 10);
  }
  CHECK(kinds.items()[5].find("name")->as_string() == "receptive_field");
  CHECK(kinds.items()[5].find("layer_optional")->as_bool());
  CHECK(kinds.items()[6].find("image_shift")->as_bool());
  CHECK_FALSE(error_of(assignment_text(kSmall, R"("questions": [{"kind": "colour"}])")).empty());
  // every setting key the editor can fix is one the reader takes
  const Json& keys = *a.find("setting_keys");
  REQUIRE(keys.items().size() == 9);
  CHECK(keys.items()[0].as_string() == "epochs");
  CHECK(keys.items()[8].as_string() == "seed");
  CHECK(error_of(assignment_text(kSmall, R"("fixed_settings": {"seed": 7, "epochs": 3})")) == "");
}

TEST_CASE("assignment: parsed, normalised, and its hash is stable") {
  const std::string text = assignment_text(preset("alexnet"), R"("instructions": "Read the table.\nThen answer.",
    "changes": {"max_parameters": 20000, "required_types": ["maxpool2d"]},
    "fixed_settings": {"seed": 7, "epochs": 3},
    "questions": [{"kind": "output_width", "layer": 0}, {"id": "rf", "kind": "receptive_field"}],
    "accuracy_target": 0.8, "show_correctness": true)");
  const Assignment a = parse_assignment(text);
  CHECK(a.title == "Pooling lab");
  CHECK(a.instructions == "Read the table.\nThen answer.");
  CHECK(a.changes == ChangePolicy::Constraints);
  CHECK(a.constraints.max_parameters == 20000);
  CHECK(a.constraints.max_layers == -1);
  CHECK(a.fixed_settings.find("seed")->as_number() == 7);
  CHECK(a.fixed_settings.find("lr") == nullptr);  // free
  REQUIRE(a.questions.size() == 2);
  CHECK(a.questions[0].id == "q1");
  CHECK(a.questions[0].text == "What is the output width of layer 0?");
  CHECK(a.questions[1].layer == -1);
  CHECK(*a.accuracy_target == 0.8);

  // the normalised form reads back to the same assignment, and the same hash
  const Json norm = assignment_to_json(a);
  const Assignment b = parse_assignment(norm.dump(2));
  CHECK(canonical_json(assignment_to_json(b)) == canonical_json(norm));
  const std::string h = assignment_hash(a);
  CHECK(h.size() == 64);
  CHECK(assignment_hash(b) == h);
  // key order and spacing do not matter; content does
  const std::string reordered = R"({"classes": ["cat", "cup"], "spec": )" + preset("alexnet") +
                                R"(, "title": "Pooling lab", "version": 1, "format": "convlab-assignment"})";
  CHECK(assignment_hash(parse_assignment(reordered)) == assignment_hash(parse_assignment(assignment_text(preset("alexnet"), ""))));
  CHECK(assignment_hash(parse_assignment(reordered)) != h);
  Assignment c = a;
  c.title = "Pooling lab 2";
  CHECK(assignment_hash(c) != h);
  CHECK(canonical_json(Json::parse(R"({"b": [1, {"d": 2, "c": 0.5}], "a": "x"})")) == R"({"a":"x","b":[1,{"c":0.5,"d":2}]})");
}

TEST_CASE("assignment: hostile or wrong input gives a message naming the field") {
  std::string field;
  // script in the title is kept as inert text: nothing in core reads or strips markup
  const std::string script = R"(<script>alert(\"x\")</script><img src=x onerror=alert(1)>)";
  const Assignment a = parse_assignment(R"({"format": "convlab-assignment", "version": 1, "title": ")" + script +
                                        R"(", "spec": )" + std::string(kSmall) + R"(, "classes": ["a", "b"]})");
  CHECK(a.title == R"(<script>alert("x")</script><img src=x onerror=alert(1)>)");
  CHECK(assignment_to_json(a).find("title")->as_string() == a.title);

  // a 10 MB fragment is refused before it is parsed
  std::string big = assignment_text(kSmall, "\"instructions\": \"" + std::string(10'000'000, 'x') + "\"");
  const std::string m = error_of(big);
  CHECK_THAT(m, Catch::Contains("may be at most 262,144"));
  CHECK_THAT(m, Catch::Contains("10,000,"));

  // a spec that does not validate gives the spec's own message
  const std::string bad_spec = R"({"input": {"channels": 3, "height": 4, "width": 4}, "layers": [
    {"type": "conv2d", "out_channels": 2, "kernel": 5}]})";
  std::string spec_message;
  try {
    validate(parse_spec(bad_spec), false);
  } catch (const SpecError& e) {
    spec_message = e.what();
  }
  REQUIRE_FALSE(spec_message.empty());
  CHECK(error_of(assignment_text(bad_spec, ""), &field) == "the starting spec: " + spec_message);
  CHECK(field == "spec");

  CHECK_THAT(error_of("{nope"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of(R"({"format": "convlab-project", "version": 1})", &field), Catch::Contains("\"format\" must be"));
  CHECK_THAT(error_of(R"({"format": "convlab-assignment", "version": 2})"), Catch::Contains("newer than this engine"));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("title2": 1)"), &field), Catch::Contains("unknown field \"title2\""));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("questions": [{"kind": "magic"}])"), &field),
             Catch::Contains("ConvLab cannot compute") && Catch::Contains("output_width"));
  CHECK(field == "questions[0].kind");
  CHECK_THAT(error_of(assignment_text(kSmall, R"("questions": [{"kind": "layer_parameters"}])"), &field),
             Catch::Contains("needs \"layer\""));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("questions": [{"kind": "output_width", "layer": 0, "id": "a"},
      {"kind": "output_width", "layer": 1, "id": "a"}])")), Catch::Contains("two questions have the id \"a\""));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("fixed_settings": {"epochs": 0})"), &field),
             Catch::Contains("epochs must be") );
  CHECK(field == "fixed_settings");
  CHECK_THAT(error_of(assignment_text(kSmall, R"("fixed_settings": {"colour": 1})"), &field), Catch::Contains("unknown field"));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("changes": "some")")), Catch::Contains("\"none\", \"any\""));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("changes": {"required_types": ["relu"], "forbidden_types": ["relu"]})")),
             Catch::Contains("both required and forbidden"));
  CHECK_THAT(error_of(assignment_text(kSmall, R"("accuracy_target": 80)")), Catch::Contains("0.8 for 80 %"));
  CHECK_THAT(error_of(R"({"format": "convlab-assignment", "version": 1, "title": "t", "spec": )" + std::string(kSmall) +
                      R"(, "classes": ["a", "a"]})"), Catch::Contains("Another class is already called \"a\""));
  // the class-name rule of a project's classes (project_file.h): one definition of a character,
  // case folded duplicates, invisible characters inside, names a project would change
  const auto classes = [&](const std::string& list, std::string* f = nullptr) {
    return error_of(R"({"format": "convlab-assignment", "version": 1, "title": "t", "spec": )" + std::string(kSmall) +
                    R"(, "classes": )" + list + "}", f);
  };
  std::string e40;
  for (int i = 0; i < 40; ++i) e40 += "e\xCC\x81";  // 40 characters of 2 code points each
  CHECK(classes("[\"" + e40 + "\", \"b\"]").empty());
  CHECK_THAT(classes(R"(["Cup", "cup"])", &field), Catch::Contains("Another class is already called \"cup\""));
  CHECK(field == "classes[1]");
  CHECK_THAT(classes("[\"Ca\xE2\x80\x8Bt\", \"b\"]"), Catch::Contains("invisible characters"));
  CHECK_THAT(classes(R"([" cat", "b"])"), Catch::Contains("write it as \"cat\""));
  CHECK_THAT(error_of(R"({"format": "convlab-assignment", "version": 1, "title": ")" +
                      std::string(size_t(rules::kAssignmentTitleMax) + 1, 't') + R"(", "spec": )" + kSmall +
                      R"(, "classes": ["a", "b"]})", &field), Catch::Contains("at most 120"));
  CHECK(field == "title");
  std::string many = "\"questions\": [";
  for (int i = 0; i <= rules::kAssignmentMaxQuestions; ++i) many += std::string(i ? "," : "") + R"({"kind": "total_parameters"})";
  CHECK_THAT(error_of(assignment_text(kSmall, many + "]")), Catch::Contains("at most 40 questions"));
}

TEST_CASE("questions: every kind on the lecture's AlexNet") {
  const Assignment a = parse_assignment(assignment_text(preset("alexnet"), R"("questions": [
    {"id": "w", "kind": "output_width", "layer": 0}, {"id": "h", "kind": "output_height", "layer": 0},
    {"id": "c", "kind": "output_channels", "layer": 0}, {"id": "p", "kind": "layer_parameters", "layer": 0},
    {"id": "m", "kind": "layer_macs", "layer": 0}, {"id": "pool1", "kind": "output_width", "layer": 2},
    {"id": "p2", "kind": "layer_parameters", "layer": 3}, {"id": "rf", "kind": "receptive_field"},
    {"id": "rf1", "kind": "receptive_field", "layer": 2}, {"id": "fc", "kind": "fc_weights_per_neuron"},
    {"id": "all", "kind": "total_parameters"}, {"id": "pu", "kind": "pool_unchanged_fraction", "layer": 2},
    {"id": "far", "kind": "output_width", "layer": 30}, {"id": "rff", "kind": "receptive_field", "layer": 14}])"));
  const auto r = compute_answers(a, a.start, nullptr, {});
  REQUIRE(r.size() == 14);
  auto v = [&](size_t i) {
    INFO(r[i].id << ": " << r[i].message);
    REQUIRE(r[i].known);
    return r[i].value;
  };
  CHECK(v(0) == 55);                      // (227 - 11)/4 + 1
  CHECK(v(1) == 55);
  CHECK(v(2) == 96);
  CHECK(v(3) == 34944);                   // 96·(11·11·3) + 96
  CHECK(v(4) == 55.0 * 55 * 96 * 363);    // every output: 11·11·3 multiply-adds
  CHECK(v(5) == 27);                      // (55 - 3)/2 + 1
  CHECK(v(6) == 614656);                  // 256·(5·5·96) + 256
  CHECK(v(7) == 195);                     // the last pool's receptive field
  CHECK(v(8) == 19);                      // 11 + (3 - 1)·4
  CHECK(v(9) == 227.0 * 227 * 3);         // 154,587 weights for one neuron
  CHECK(v(10) == 62378344);               // AlexNet without groups
  CHECK_FALSE(r[11].known);               // needs weights
  CHECK_THAT(r[11].message, Catch::Contains("weights"));
  CHECK_FALSE(r[12].known);
  CHECK_THAT(r[12].message, Catch::Contains("layer 30 does not exist"));
  CHECK_FALSE(r[13].known);
  CHECK_THAT(r[13].message, Catch::Contains("whole input"));
  CHECK(answer_matches(r[0], 55));
  CHECK_FALSE(answer_matches(r[0], 54));
  CHECK_FALSE(answer_matches(r[0], 55.004));  // whole numbers are exact
}

TEST_CASE("questions: the fraction of max-pooled outputs unchanged by a one-pixel shift") {
  // a 2x8 gray image pooled 2x2 straight from the input: shifted right by one, the windows at
  // columns 2-3, 4-5, 6-7 see columns 1-2, 3-4, 5-6; only the first keeps its maximum (200)
  const char* spec = R"({"input": {"channels": 1, "height": 2, "width": 8}, "layers": [
    {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  const Assignment a = parse_assignment(assignment_text(spec, R"("questions": [
    {"kind": "pool_unchanged_fraction", "layer": 0}, {"kind": "pool_unchanged_fraction", "layer": 0, "image": 1},
    {"kind": "pool_unchanged_fraction", "layer": 1}])"));
  const uint8_t row[8] = {10, 20, 200, 30, 40, 50, 60, 250};
  std::vector<uint8_t> px;
  for (int y = 0; y < 2; ++y)
    for (uint8_t g : row) px.insert(px.end(), {g, g, g, 255});
  Model m(a.start, 1);
  const auto r = compute_answers(a, a.start, &m, {{px.data(), px.size(), 8, 2, 0}});
  REQUIRE(r[0].known);
  CHECK(r[0].fraction);
  CHECK(r[0].value == Approx(1.0 / 3.0));
  CHECK(answer_matches(r[0], 0.33));
  CHECK_FALSE(answer_matches(r[0], 0.34));
  CHECK_FALSE(r[1].known);
  CHECK_THAT(r[1].message, Catch::Contains("not among the 1 training images"));
  CHECK_FALSE(r[2].known);
  CHECK_THAT(r[2].message, Catch::Contains("not a max pool"));
}

TEST_CASE("constraints: one row per rule, with what to do") {
  const char* wide = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
    {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";  // 3072·2 + 2 = 6,146
  const char* wider = R"({"input": {"channels": 3, "height": 64, "width": 64}, "layers": [
    {"type": "avgpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";  // 6,146 too
  const Assignment a = parse_assignment(assignment_text(wide, R"("changes": {"max_parameters": 5000, "max_layers": 2,
    "required_types": ["maxpool2d"], "forbidden_types": ["avgpool2d"], "fixed_input": true},
    "fixed_settings": {"epochs": 3, "optimizer": "sgd", "lr": 0.005})"));
  auto rows = check_constraints(a, wider, R"({"epochs": 5, "optimizer": "sgd", "lr": 0.005})");
  auto find = [&](const std::string& rule) -> const RuleCheck& {
    for (const auto& r : rows)
      if (r.rule == rule) return r;
    FAIL("no rule " << rule);
    return rows.front();
  };
  CHECK(find("spec").ok);
  CHECK_FALSE(find("max_parameters").ok);
  CHECK(find("max_parameters").message == "parameters 6,146 of at most 5,000: remove a layer or make one smaller");
  CHECK(find("max_layers").message == "layers 3 of at most 2: remove 1 layer(s)");
  CHECK_FALSE(find("required_types.maxpool2d").ok);
  CHECK_THAT(find("forbidden_types.avgpool2d").message, Catch::Contains("forbids"));
  CHECK(find("fixed_input").message == "the input is 3×64×64 but the assignment fixes it at 3×32×32: set it back");
  CHECK(find("fixed_settings.epochs").message == "epochs is 5 but the assignment fixes it at 3: set it back");
  CHECK(find("fixed_settings.optimizer").ok);
  // a person reads 0.005, not the 17 digits of its JSON text
  CHECK(find("fixed_settings.lr").message == "lr is 0.005 as fixed");
  CHECK_FALSE(all_ok(rows));

  // within every rule
  const char* good = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
    {"type": "maxpool2d", "kernel": 4}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  const Assignment b = parse_assignment(assignment_text(wide, R"("changes": {"max_parameters": 5000, "max_layers": 3,
    "required_types": ["maxpool2d"], "fixed_input": true}, "fixed_settings": {"epochs": 3})"));
  rows = check_constraints(b, good, R"({"epochs": 3})");
  CHECK(all_ok(rows));
  CHECK(rows.size() == 6);

  // a spec that does not validate: the spec's own message; the class rule applies
  rows = check_constraints(b, R"({"layers": [{"type": "conv2d"}]})", "{}");
  CHECK_FALSE(rows[0].ok);
  CHECK(rows[0].message == "the model spec: " + check_spec(R"({"layers": [{"type": "conv2d"}]})", true, 2).error);
  const std::string three = R"({"input": {"channels": 3, "height": 32, "width": 32}, "layers": [
    {"type": "flatten"}, {"type": "linear", "out_features": 3}]})";
  CHECK_FALSE(check_constraints(b, three, "{}")[0].ok);
  CHECK_THAT(check_constraints(b, good, "{\"epochs\": \"x\"}").back().message, Catch::Contains("must be a number"));

  // "none": the starting spec (fitted to the classes) and nothing else
  const Assignment c = parse_assignment(assignment_text(wide, R"("changes": "none")"));
  CHECK(all_ok(check_constraints(c, wide, "{}")));
  CHECK_FALSE(all_ok(check_constraints(c, good, "{}")));
}

TEST_CASE("submission manifest: read, written back, and refused with messages") {
  const std::string hash(64, 'a'), wsha(64, 'b');
  const std::string text = R"({"format": "convlab-submission", "version": 1, "assignment_hash": ")" + hash +
                           R"(", "answers": {"q1": 55, "q2": 0.33}, "settings": {"seed": 7, "epochs": 2},
      "image_order": [3, 0, 2, 1], "engine_version": "convlab-core 1", "weights_sha256": ")" + wsha + "\"}";
  const Submission s = parse_submission(text);
  CHECK(s.answers.size() == 2);
  CHECK(s.answers[1].second == 0.33);
  CHECK(s.config.seed == 7);
  CHECK(s.config.epochs == 2);
  CHECK(s.image_order == std::vector<int>{3, 0, 2, 1});
  const std::string back = submission_to_json(s).dump();
  CHECK(submission_to_json(parse_submission(back)).dump() == back);

  auto err = [](const std::string& t) {
    try {
      parse_submission(t);
    } catch (const AssignmentError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_THAT(err(with(hash, "xyz")), Catch::Contains("64 lower-case hex"));
  CHECK_THAT(err(with("[3, 0, 2, 1]", "[3, 0, 3]")), Catch::Contains("image 3 is listed twice"));
  CHECK_THAT(err(with("[3, 0, 2, 1]", "[1.5]")), Catch::Contains("whole number"));
  CHECK_THAT(err(with("\"q1\": 55", "\"q1\": \"55\"")), Catch::Contains("must be a number"));
  CHECK_THAT(err(with("\"epochs\": 2", "\"epochs\": 2.5")), Catch::Contains("\"settings\""));
  CHECK_THAT(err(with("convlab-submission", "convlab-assignment")), Catch::Contains("not a ConvLab submission"));
  CHECK_THAT(err(std::string(size_t(rules::kSubmissionMaxBytes) + 1, ' ')), Catch::Contains("may be at most"));
}

TEST_CASE("grading: an honest page-style run reproduces; one changed weight, a wrong answer, a broken rule are flagged") {
  std::vector<int> labels;
  const auto ims = make_images(12, labels);
  const auto train = labelled(ims, labels);
  const std::string settings = R"({"seed": 5, "epochs": 2, "batch_size": 4, "shift": 1, "flip": true, "val_fraction": 0.25})";
  const Assignment a = parse_assignment(assignment_text(kSmall, R"("changes": {"max_parameters": 1000},
    "fixed_settings": {"seed": 5, "epochs": 2}, "accuracy_target": 0.01, "questions": [
    {"id": "w", "kind": "output_width", "layer": 2}, {"id": "p", "kind": "layer_parameters", "layer": 0},
    {"id": "pu", "kind": "pool_unchanged_fraction", "layer": 2}])"));

  // the student's page: setSpec, addImages in order, train in slices of 2 steps, save
  Session page;
  page.set_spec(kSmall, 1);
  for (const auto& im : train) page.add_image(im.rgba, im.bytes, im.w, im.h, im.label);
  page.train_begin(settings);
  while (page.training()) page.train_run(2);
  const std::vector<uint8_t> weights = page.save(R"({"classes": ["cat", "cup"]})");

  Model mine = load_model(weights.data(), weights.size());
  const auto right = compute_answers(a, a.start, &mine, train);
  REQUIRE(right[2].known);
  const std::string manifest_head = R"({"format": "convlab-submission", "version": 1, "assignment_hash": ")" +
                                    assignment_hash(a) + R"(", "settings": )" + settings +
                                    R"(, "image_order": [0,1,2,3,4,5,6,7,8,9,10,11], "engine_version": ")" +
                                    rules::kEngineVersion + R"(", "answers": {"w": 4, "p": 112, "pu": )" +
                                    Json(right[2].value).dump() + "}, ";
  const Submission honest = parse_submission(manifest_head + R"("weights_sha256": ")" +
                                             sha256_hex(weights.data(), weights.size()) + "\"}");
  GradeInput in{"alice", kSmall, weights.data(), weights.size(), train, train};
  const GradeRow ok = grade(a, honest, in);
  INFO(ok.message);
  CHECK(ok.hash_ok);
  CHECK(ok.weights_hash_ok);
  CHECK(all_ok(ok.constraints));
  REQUIRE(ok.answers.size() == 3);
  CHECK(ok.answers[0].correct);
  CHECK(ok.answers[0].right.value == 4);
  CHECK(ok.answers[1].correct);
  CHECK(ok.answers[2].correct);
  CHECK(ok.val_acc >= 0);
  CHECK(ok.test_acc >= 0);
  CHECK(ok.target_met);
  CHECK(ok.reproduced);
  CHECK(ok.message.empty());

  // one weight changed by the smallest step a float takes: the manifest names the new file
  SafeTensors st = read_safetensors(weights.data(), weights.size());
  NamedTensor* w0 = nullptr;
  for (auto& t : st.tensors)
    if (t.name == "0.weight") w0 = &t;
  REQUIRE(w0);
  w0->data[3] = std::nextafter(w0->data[3], 1.0f);
  const std::vector<uint8_t> swapped = write_safetensors(st);
  const Submission tampered = parse_submission(manifest_head + R"("weights_sha256": ")" +
                                               sha256_hex(swapped.data(), swapped.size()) + "\"}");
  GradeInput bad{"mallory", kSmall, swapped.data(), swapped.size(), train, {}};
  const GradeRow t = grade(a, tampered, bad);
  CHECK(t.weights_hash_ok);
  CHECK_FALSE(t.reproduced);
  CHECK_THAT(t.message, Catch::Contains("0.weight[3]"));
  CHECK(t.test_acc == -1);

  // fewer images than the manifest lists: said so (and the retrain cannot reproduce)
  GradeInput fewer{"carol", kSmall, weights.data(), weights.size(), std::vector<LabelledImage>(train.begin(), train.end() - 1), {}};
  const GradeRow fw = grade(a, honest, fewer);
  CHECK_THAT(fw.message, Catch::Contains("lists 12 training images but 11 were given"));
  CHECK_FALSE(fw.reproduced);

  // the swapped file under the honest manifest: its hash does not match
  GradeInput swap{"eve", kSmall, swapped.data(), swapped.size(), train, {}};
  CHECK_FALSE(grade(a, honest, swap).weights_hash_ok);

  // a wrong answer, another assignment, a spec outside the constraints
  const Submission wrong = parse_submission(
      std::string(manifest_head).replace(manifest_head.find("\"w\": 4"), 6, "\"w\": 5") + R"("weights_sha256": ")" +
      sha256_hex(weights.data(), weights.size()) + "\"}");
  const GradeRow wr = grade(a, wrong, in);
  CHECK_FALSE(wr.answers[0].correct);
  CHECK(wr.answers[1].correct);
  CHECK(wr.reproduced);
  Assignment other = a;
  other.title = "another";
  CHECK_FALSE(grade(other, honest, in).hash_ok);
  const char* big = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
    {"type": "conv2d", "out_channels": 40, "kernel": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  GradeInput outside{"bob", big, weights.data(), weights.size(), train, {}};
  const GradeRow ob = grade(a, honest, outside);
  CHECK_FALSE(all_ok(ob.constraints));
  CHECK_FALSE(ob.reproduced);  // the weights are not of this spec
  CHECK_THAT(ob.message, Catch::Contains("the weights file"));

  // rows as JSON and CSV
  const Json j = to_json(ok);
  CHECK(j.find("reproduced")->as_bool());
  CHECK(j.find("answers")->items().size() == 3);
  GradeRow odd = t;
  odd.student = "=HYPERLINK(\"x\"), really";
  const std::string csv = grade_csv({ok, odd});
  const std::string header = csv.substr(0, csv.find("\r\n"));
  CHECK(header == "student,assignment_hash_ok,weights_hash_ok,constraints_ok,constraints_failed,w given,w right,w correct,"
                  "p given,p right,p correct,pu given,pu right,pu correct,val_acc,test_acc,target_met,reproduced,message");
  CHECK_THAT(csv, Catch::Contains("\r\nalice,yes,yes,yes,,4,4,yes,112,112,yes,"));
  CHECK_THAT(csv, Catch::Contains("\r\n\"'=HYPERLINK(\"\"x\"\"), really\",yes,yes,yes,"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
}

TEST_CASE("the JSON entry points the worker hands through never throw") {
  const std::string good = assignment_text(kSmall, R"("changes": {"max_layers": 2})");
  const Json ok = Json::parse(assignment_check_json(good));
  CHECK(ok.find("ok")->as_bool());
  CHECK(ok.find("hash")->as_string() == assignment_hash(parse_assignment(good)));
  CHECK(ok.find("assignment")->find("changes")->find("max_layers")->as_number() == 2);
  const Json bad = Json::parse(assignment_check_json(std::string(300'000, '{')));
  CHECK_FALSE(bad.find("ok")->as_bool());
  CHECK_THAT(bad.find("error")->as_string(), Catch::Contains("may be at most"));
  const Json c = Json::parse(constraints_check_json(good, kSmall, "{}"));
  CHECK_FALSE(c.find("ok")->as_bool());
  CHECK(c.find("rules")->items().size() == 2);
  CHECK(c.find("rules")->items()[1].find("message")->as_string() == "layers 5 of at most 2: remove 3 layer(s)");
  const Json e = Json::parse(constraints_check_json("[]", kSmall, "{}"));
  CHECK(e.find("field")->as_string() == "");
  CHECK_THAT(e.find("error")->as_string(), Catch::Contains("must be a JSON object"));
}

TEST_CASE("hand in: the manifest core writes, and what it refuses") {
  std::vector<int> labels;
  const auto ims = make_images(8, labels);
  const auto train = labelled(ims, labels);
  const std::string text = assignment_text(kSmall, R"("questions": [{"id": "w", "kind": "output_width", "layer": 2}])");
  const std::string settings = R"({"seed": 3, "epochs": 1, "batch_size": 4})";
  Session page;
  page.set_spec(kSmall, 1);
  for (const auto& im : train) page.add_image(im.rgba, im.bytes, im.w, im.h, im.label);
  page.train_begin(settings);
  while (page.training()) page.train_run(4);
  const std::vector<uint8_t> weights = page.save(R"({"classes": ["cat", "cup"]})");

  const std::vector<int> order{7, 6, 5, 4, 3, 2, 1, 0};
  const std::string m = write_submission_manifest(text, kSmall, settings, R"({"w": 4})", order, weights.data(), weights.size());
  const Submission s = parse_submission(m);
  CHECK(s.assignment_hash == assignment_hash(parse_assignment(text)));
  CHECK(s.weights_sha256 == sha256_hex(weights.data(), weights.size()));
  CHECK(s.engine_version == rules::kEngineVersion);
  CHECK(s.image_order == order);
  CHECK(s.config.seed == 3);
  CHECK(s.answers == std::vector<std::pair<std::string, double>>{{"w", 4}});
  // the settings are written normalised: every key, as the retraining reads them
  CHECK(s.settings.dump() == train_config_json(parse_train_config(settings)).dump());

  auto refused = [&](const std::string& a, const std::string& spec, const std::string& set, const std::string& ans,
                     const std::string& ord, const std::vector<uint8_t>& w, std::string* field) {
    const Json j = Json::parse(submission_manifest_json(a, spec, set, ans, ord, w.data(), w.size()));
    REQUIRE(j.find("ok"));
    if (j.find("ok")->as_bool()) return std::string();
    *field = j.find("field")->as_string();
    return j.find("error")->as_string();
  };
  std::string f;
  const Json ok = Json::parse(submission_manifest_json(text, kSmall, settings, "{}", "[0, 1]", weights.data(), weights.size()));
  CHECK(ok.find("ok")->as_bool());
  CHECK(parse_submission(ok.find("manifest")->as_string()).image_order == std::vector<int>{0, 1});
  CHECK_THAT(refused("[]", kSmall, settings, "{}", "[]", weights, &f), Catch::Contains("must be a JSON object"));
  CHECK_THAT(refused(text, kSmall, settings, R"({"zz": 1})", "[]", weights, &f), Catch::Contains("\"zz\" is not a question"));
  CHECK(f == "answers.zz");
  CHECK_THAT(refused(text, kSmall, settings, R"({"w": "four"})", "[]", weights, &f), Catch::Contains("must be a number"));
  CHECK_THAT(refused(text, kSmall, settings, "{", "[]", weights, &f), Catch::Contains("not valid JSON"));
  CHECK(f == "answers");
  CHECK_THAT(refused(text, kSmall, R"({"epochs": 2.5})", "{}", "[]", weights, &f), Catch::Contains("\"epochs\" must be a whole number"));
  CHECK_THAT(refused(text, kSmall, R"({"epochs": -1})", "{}", "[]", weights, &f), Catch::Contains("epochs"));
  CHECK(f == "settings");
  CHECK_THAT(refused(text, kSmall, settings, "{}", "[1, 1]", weights, &f), Catch::Contains("listed twice"));
  CHECK_THAT(refused(text, kSmall, settings, "{}", "[-1]", weights, &f), Catch::Contains("between 0 and"));
  CHECK(f == "image_order[0]");
  CHECK_THAT(refused(text, kSmall, settings, "{}", "{}", weights, &f), Catch::Contains("list of at most"));
  CHECK_THAT(refused(text, kSmall, settings, "{}", "[]", {}, &f), Catch::Contains("train the model first"));
  CHECK(f == "weights");
  const std::string wider = std::string(kSmall).replace(std::string(kSmall).find("\"out_channels\": 4"), 17, "\"out_channels\": 5");
  CHECK_THAT(refused(text, wider, settings, "{}", "[]", weights, &f), Catch::Contains("train the model again"));
  CHECK_THAT(refused(text, kSmall, settings, "{}", "[]", std::vector<uint8_t>(40, 7), &f), Catch::Contains("does not fit"));
}

TEST_CASE("Grader: images in the file's order, image_order applied, bad parts in the row, the CSV over every row") {
  std::vector<int> labels;
  const auto ims = make_images(10, labels);
  const auto train = labelled(ims, labels);
  const std::string text = assignment_text(kSmall, R"("changes": {"max_parameters": 1000}, "questions": [
    {"id": "w", "kind": "output_width", "layer": 2}, {"id": "p", "kind": "layer_parameters", "layer": 0}])");
  const std::string settings = R"({"seed": 9, "epochs": 2, "batch_size": 4, "val_fraction": 0.2})";
  // the student's engine got the images in this order
  Session page;
  page.set_spec(kSmall, 1);
  for (const auto& im : train) page.add_image(im.rgba, im.bytes, im.w, im.h, im.label);
  page.train_begin(settings);
  while (page.training()) page.train_run(3);
  const std::vector<uint8_t> weights = page.save("{}");

  // the project file lists them otherwise (file position f holds training image 9 - f), with a
  // test-split image at the end that image_order never names
  std::vector<LabelledImage> file;
  for (int f = 0; f < 10; ++f) file.push_back(train[size_t(9 - f)]);
  file.push_back(train[0]);
  std::vector<int> order;
  for (int k = 0; k < 10; ++k) order.push_back(9 - k);
  const std::string manifest =
      write_submission_manifest(text, kSmall, settings, R"({"w": 4, "p": 112})", order, weights.data(), weights.size());

  Grader g(text);
  CHECK(g.hash() == assignment_hash(parse_assignment(text)));
  const GradeRow honest = g.add("alice", manifest, kSmall, weights.data(), weights.size(), file, {train[1], train[2]});
  INFO(honest.message);
  CHECK(honest.hash_ok);
  CHECK(honest.weights_hash_ok);
  CHECK(honest.reproduced);
  CHECK(honest.answers.size() == 2);
  CHECK(honest.answers[0].correct);
  CHECK(honest.answers[1].correct);
  CHECK(honest.test_acc >= 0);
  CHECK(honest.message.empty());

  // the same files in the file's order but without image_order applied do not reproduce: the
  // order matters, so this is a real test of applying it
  std::vector<int> identity;
  for (int k = 0; k < 10; ++k) identity.push_back(k);
  const std::string unordered =
      write_submission_manifest(text, kSmall, settings, R"({"w": 4, "p": 112})", identity, weights.data(), weights.size());
  CHECK_FALSE(g.add("file-order", unordered, kSmall, weights.data(), weights.size(), file, {}).reproduced);

  // a manifest that does not read: a row saying so, with the questions' columns empty
  const GradeRow broken = g.add("bob", "{\"format\": 1", kSmall, weights.data(), weights.size(), file, {});
  CHECK_FALSE(broken.hash_ok);
  CHECK_FALSE(broken.reproduced);
  CHECK(broken.answers.size() == 2);
  CHECK_THAT(broken.message, Catch::Contains("not graded: the submission manifest"));
  CHECK_THAT(broken.message, Catch::Contains("not valid JSON"));
  CHECK_FALSE(broken.graded);
  CHECK(honest.graded);

  // an index past the file's images, and a damaged image
  std::vector<int> past = order;
  past[0] = 40;
  const std::string far = write_submission_manifest(text, kSmall, settings, "{}", past, weights.data(), weights.size());
  const GradeRow outside = g.add("carol", far, kSmall, weights.data(), weights.size(), file, {});
  CHECK_THAT(outside.message, Catch::Contains("names images the project file does not hold (40 of 11)"));
  CHECK_FALSE(outside.reproduced);
  std::vector<LabelledImage> damaged = file;
  damaged[3].rgba = nullptr;
  const GradeRow dmg = g.add("dave", manifest, kSmall, weights.data(), weights.size(), damaged, {});
  CHECK_THAT(dmg.message, Catch::Contains("1 training image(s) of the project file are missing or damaged"));
  CHECK_FALSE(dmg.reproduced);

  // another assignment's submission: a row saying so
  const std::string other = assignment_text(kSmall, R"("title": "Another lab")");
  const std::string other_text = std::string(other).replace(other.find("\"title\": \"Pooling lab\", "), 23, "");
  const std::string elsewhere = write_submission_manifest(other_text, kSmall, settings, "{}", order, weights.data(), weights.size());
  const GradeRow foreign = g.add("erin", elsewhere, kSmall, weights.data(), weights.size(), file, {});
  CHECK_FALSE(foreign.hash_ok);
  CHECK_THAT(foreign.message, Catch::Contains("answers another assignment"));

  REQUIRE(g.rows().size() == 6);
  CHECK(g.rows()[0].student == "alice");
  const std::string csv = g.csv();
  // the header names each question's columns in the assignment's order; the honest row's answers
  // are the ones the manifest gave and the spec implies (w 4 after the pool, p 4·3·3·3 + 4 = 112)
  CHECK(csv.rfind("student,assignment_hash_ok,weights_hash_ok,constraints_ok,constraints_failed,"
                  "w given,w right,w correct,p given,p right,p correct,val_acc,test_acc,target_met,reproduced,message\r\n"
                  "alice,yes,yes,yes,,4,4,yes,112,112,yes,", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
  CHECK_THAT(csv, Catch::Contains("\r\nbob,,,,,,,no,,,no,,,no,no,\"not graded: the submission manifest"));

  // a bad assignment: the grading cannot start
  CHECK_THROWS_AS(Grader("{}"), AssignmentError);
}

TEST_CASE("Grader: a file that does not read gets core's words, the same from the page and the CLI") {
  Grader g(assignment_text(kSmall, R"("questions": [{"id": "w", "kind": "output_width", "layer": 2}])"));
  const GradeRow& cut = g.add_unread("erin", Grader::Unread::Damaged);
  CHECK_FALSE(cut.graded);
  CHECK(cut.answers.size() == 1);
  CHECK_THAT(cut.message, Catch::StartsWith("not graded: the file is not a readable submission (damaged"));
  CHECK_THAT(cut.message, Catch::Contains("ask the student for the file again"));
  const GradeRow& plain = g.add_unread("frank", Grader::Unread::NotASubmission);
  CHECK_THAT(plain.message, Catch::Contains("not a submission (it has no submission.json)"));
  CHECK_THAT(plain.message, Catch::Contains("Hand in"));
  const std::string csv = g.csv();
  CHECK_THAT(csv, Catch::Contains("\r\nerin,"));
  CHECK_THAT(csv, Catch::Contains("\r\nfrank,"));
}

TEST_CASE("student names: the file's name without its submission tail") {
  CHECK(student_name("Ana-submission.convlab") == "Ana");
  CHECK(student_name("/class/week 3/Bo Li-submission.convlab") == "Bo Li");
  CHECK(student_name("carol.convlab") == "carol");
  CHECK(student_name("dave-submission.convlab.zip") == "dave-submission.convlab.zip");  // not a tail
  CHECK(student_name("-submission.convlab") == "-submission");  // nothing before the tail: the next one
  CHECK(student_name(".convlab") == ".convlab");
  CHECK(student_name("dir/") == "");
  CHECK(student_name("Émile-submission.convlab") == "Émile");
}

TEST_CASE("class folders: exact ignoring case, then letters and digits only, ambiguous matches none") {
  const std::vector<std::string> fashion{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
  CHECK(folder_class("Trouser", fashion) == 1);
  CHECK(folder_class("  trouser ", fashion) == 1);
  CHECK(folder_class("TROUSER", fashion) == 1);
  CHECK(folder_class("T-shirt_top", fashion) == 0);
  CHECK(folder_class("tshirttop", fashion) == 0);
  CHECK(folder_class("ankle_boot", fashion) == 9);
  CHECK(folder_class("Ankle-Boot", fashion) == 9);
  CHECK(folder_class("boot", fashion) == -1);
  CHECK(folder_class("", fashion) == -1);
  CHECK(folder_class("---", {"+", "cat"}) == -1);
  CHECK(folder_class("Shirts", fashion) == -1);
  // exact wins over a loose match of another class; two loose matches are ambiguous
  CHECK(folder_class("a-b", {"ab", "a-b"}) == 1);
  CHECK(folder_class("a_b", {"ab", "a-b"}) == -1);
  CHECK(folder_class("Cat", {"cat", "CAT"}) == -1);
  // beyond ASCII: case folded for Latin-1, Greek, Cyrillic; letters of any script kept
  CHECK(folder_class("ÄPFEL", {"Birnen", "äpfel"}) == 1);
  CHECK(folder_class("ΓΆΤΑ", {"γάτα"}) == 0);
  CHECK(folder_class("ŁÓDŹ", {"łódź"}) == 0);
  CHECK(folder_class("ΓΑΤΑ", {"γατα"}) == 0);
  CHECK(folder_class("КОШКА", {"кошка"}) == 0);
  CHECK(folder_class("猫_1", {"猫 1", "犬"}) == 0);
  CHECK(folder_class("cat\xff", {"cat", "cup"}) == 0);  // a broken byte is no letter
  CHECK(folder_class("cat", {}) == -1);
}
