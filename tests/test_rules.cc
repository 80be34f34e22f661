// The rules the page reads (rules_json) are the rules the engine enforces: every limit is
// driven from the JSON the page gets and checked against the engine's own validation,
// accepted at the limit and refused just past it. Defaults, the class rule, fit_spec,
// default_spec and stored_size are checked against their stated values.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "convlab/learn.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/spec.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {

// A spec whose layer `layer` (JSON) sits where every field of it can take any legal value
// as far as parsing goes (parse_spec checks the field ranges; shapes are validate's job).
std::string spec_with(const Json& layer) {
  return R"({"input": {"channels": 1, "height": 8, "width": 8}, "layers": [)" + layer.dump() +
         R"(, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
}

// "" when parse_spec accepts, else "field: message".
std::string parse_error(const std::string& text) {
  try {
    parse_spec(text);
  } catch (const SpecError& e) {
    return e.field + ": " + e.what();
  }
  return "";
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// A session with images of both classes at 32x32 (so a shift of 16 is legal).
Session& trainable_session() {
  static Session s;
  static bool ready = false;
  if (!ready) {
    s.set_spec(R"({"input": {"channels": 1, "height": 32, "width": 32}, "layers": [
      {"type": "flatten"}, {"type": "linear", "out_features": 2}]})", 1);
    std::vector<uint8_t> px(32 * 32 * 4, 255);
    for (int i = 0; i < 4; ++i) s.add_image(px.data(), px.size(), 32, 32, i % 2);
    ready = true;
  }
  return s;
}

// "" when training can begin with this one setting, else the message.
std::string train_error(const std::string& key, double v) {
  try {
    trainable_session().train_begin("{\"" + key + "\": " + num(v) + "}");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

const char* kSmall = R"({"input": {"channels": 3, "height": 8, "width": 8}, "layers": [
  {"type": "conv2d", "out_channels": 4, "kernel": 3, "padding": "same"}, {"type": "relu"},
  {"type": "flatten"}, {"type": "linear", "out_features": 3}]})";

}  // namespace

TEST_CASE("rules: every layer field the page is told is accepted at its limits and refused past them") {
  const Json r = rules::rules_json();
  const Json& fields = *r.find("layers")->find("fields");
  int checked = 0;
  for (const auto& member : fields.members()) {
    const std::string& type = member.first;  // (clang 14 lambdas cannot capture a structured binding)
    for (const Json& f : member.second.items()) {
      const std::string key = f.find("key")->as_string();
      const int lo = int(f.find("min")->as_number()), hi = int(f.find("max")->as_number());
      // the other fields at values that let this one range freely (pool padding <= kernel / 2)
      auto layer = [&](int v) {
        Json l = Json::object();
        l["type"] = type;
        if (type == "conv2d") {
          l["out_channels"] = 4;
          l["kernel"] = 3;
        } else if (type != "linear") {
          l["kernel"] = 64;
        }
        l[key] = v;
        return spec_with(l);
      };
      INFO(type << "." << key << " in [" << lo << ", " << hi << "]");
      CHECK(parse_error(layer(lo)) == "");
      CHECK(parse_error(layer(hi)) == "");
      const std::string range = "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
      CHECK_THAT(parse_error(layer(lo - 1)), Contains(key + ": ") && Contains(range));
      CHECK_THAT(parse_error(layer(hi + 1)), Contains(key + ": ") && Contains(range));
      ++checked;
    }
  }
  CHECK(checked == 4 + 3 + 3 + 1);  // conv2d, maxpool2d, avgpool2d, linear
  // the defaults the page is told: conv stride 1, a pool's stride its kernel
  auto pool = parse_spec(spec_with(Json::parse(R"({"type": "maxpool2d", "kernel": 3})"))).layers[0];
  CHECK(pool.stride == 3);
  auto conv = parse_spec(spec_with(Json::parse(R"({"type": "conv2d", "out_channels": 2, "kernel": 3})"))).layers[0];
  CHECK(conv.stride == int(fields.find("conv2d")->items()[2].find("default")->as_number()));
  CHECK(fields.find("maxpool2d")->items()[1].find("default")->as_string() == "kernel");
}

TEST_CASE("rules: the input's limits are the engine's") {
  const Json r = rules::rules_json();
  const Json& in = *r.find("input");
  auto spec = [](int c, int h, int w) {
    return R"({"input": {"channels": )" + std::to_string(c) + R"(, "height": )" + std::to_string(h) +
           R"(, "width": )" + std::to_string(w) + R"(}, "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  };
  std::vector<int> allowed;
  for (const Json& c : in.find("channels")->items()) allowed.push_back(int(c.as_number()));
  CHECK(allowed == std::vector<int>{1, 3});
  for (int c = 0; c <= 4; ++c) {
    INFO("channels " << c);
    bool ok = c == 1 || c == 3;
    CHECK((parse_error(spec(c, 8, 8)) == "") == ok);
  }
  CHECK_THAT(parse_error(spec(2, 8, 8)), Contains("must be 1 (grayscale) or 3 (RGB)"));
  for (const char* axis : {"height", "width"}) {
    const int lo = int(in.find(axis)->find("min")->as_number()), hi = int(in.find(axis)->find("max")->as_number());
    const bool h = std::string(axis) == "height";
    INFO(axis << " in [" << lo << ", " << hi << "]");
    CHECK(parse_error(h ? spec(1, lo, 8) : spec(1, 8, lo)) == "");
    CHECK(parse_error(h ? spec(1, hi, 8) : spec(1, 8, hi)) == "");
    CHECK_THAT(parse_error(h ? spec(1, lo - 1, 8) : spec(1, 8, lo - 1)), Contains(std::string(axis) + ": "));
    CHECK_THAT(parse_error(h ? spec(1, hi + 1, 8) : spec(1, 8, hi + 1)), Contains(std::string(axis) + ": "));
  }
}

TEST_CASE("rules: every training field the page is told is accepted at its limits and refused past them") {
  const Json r = rules::rules_json();
  const Json& fields = *r.find("train")->find("fields");
  CHECK(fields.size() == 7);
  for (const auto& [key, f] : fields.members()) {
    const double lo = f.find("min")->as_number(), hi = f.find("max")->as_number();
    const Json& step = *f.find("step");
    // just past: one step, or 1% for a field of any value (the learning rate)
    const double below = step.is_number() ? lo - step.as_number() : lo * 0.99;
    const double above = step.is_number() ? hi + step.as_number() : hi * 1.01;
    INFO(key << " in [" << lo << ", " << hi << "]");
    CHECK(train_error(key, lo) == "");
    CHECK(train_error(key, hi) == "");
    CHECK_THAT(train_error(key, below), Contains("must be"));
    CHECK_THAT(train_error(key, above), Contains("must be"));
  }
  CHECK(fields.find("lr")->find("step")->as_string() == "any");
  // the messages say the range in a person's numbers
  CHECK_THAT(train_error("lr", 2), Contains("learning rate must be between 0.00001 and 1, e.g. 0.001 for Adam"));
  CHECK_THAT(train_error("batch_size", 1025), Contains("batch size must be between 1 and 1024, e.g. 16, not 1025"));
  CHECK_THAT(train_error("epochs", 2.5), Contains("\"epochs\" must be a whole number"));  // parse_train_config's check
  CHECK_THAT(train_error("momentum", 0.995), Contains("momentum must be between 0 and 0.99, e.g. 0.9, not 0.995"));
  CHECK_THAT(train_error("val_fraction", 0.6), Contains("validation fraction must be between 0 and 0.5, e.g. 0.2, not 0.6"));
  CHECK_THAT(train_error("seed", -1), Contains("seed must be between 0 and 9007199254740991, not -1"));
  CHECK_THAT(train_error("lr", 0), Contains("learning rate must be a positive number"));  // the optimiser's own check
}

TEST_CASE("rules: the shift is also at most half the input") {
  Session s;
  s.set_spec(R"({"input": {"channels": 1, "height": 10, "width": 12}, "layers": [
      {"type": "flatten"}, {"type": "linear", "out_features": 2}]})", 1);
  std::vector<uint8_t> px(12 * 10 * 4, 9);
  for (int i = 0; i < 4; ++i) s.add_image(px.data(), px.size(), 12, 10, i % 2);
  CHECK_NOTHROW(s.train_begin(R"({"shift": 5})"));
  CHECK_THROWS_WITH(s.train_begin(R"({"shift": 6})"), Contains("shift must be between 0 and half the input size (5 pixels here)"));
}

TEST_CASE("rules: the training defaults are what parse_train_config gives for {}") {
  const Json r = rules::rules_json();
  const Json& d = *r.find("train")->find("defaults");
  const Json parsed = train_config_json(parse_train_config("{}"));
  CHECK(d.size() == 9);
  for (const auto& [key, v] : d.members()) {
    INFO(key);
    REQUIRE(parsed.find(key) != nullptr);
    CHECK(parsed.find(key)->dump() == v.dump());
  }
  // the product's values (the page's settings before this table existed)
  CHECK(d.dump() == R"({"epochs":15,"batch_size":16,"optimizer":"adam","lr":0.001,"momentum":0.90000000000000002,)"
                    R"("val_fraction":0.20000000000000001,"shift":4,"flip":false,"seed":1})");
  // a default-constructed config is the same
  const TrainConfig c;
  CHECK(train_config_json(c).dump() == parsed.dump());
  // SGD without a learning rate gets SGD's default
  const Json& lrs = *r.find("train")->find("default_lr");
  CHECK(parse_train_config(R"({"optimizer": "sgd"})").optim.lr == lrs.find("sgd")->as_number());
  CHECK(lrs.find("sgd")->as_number() == 0.01);
  CHECK(parse_train_config(R"({"optimizer": "adam"})").optim.lr == lrs.find("adam")->as_number());
  std::vector<std::string> opts;
  for (const Json& o : r.find("train")->find("optimizers")->items()) opts.push_back(o.as_string());
  CHECK(opts == std::vector<std::string>{"adam", "sgd"});
  for (const auto& o : opts) CHECK_NOTHROW(trainable_session().train_begin(R"({"optimizer": ")" + o + "\"}"));
}

TEST_CASE("rules: the class rule, with the page's messages") {
  const Json r = rules::rules_json();
  CHECK(r.find("classes")->dump() == R"({"min":2,"max":10,"name_max":60,"default_names":["Class 1","Class 2"]})");
  CHECK(check_spec(kSmall, true, 3).ok);
  CHECK(check_spec(kSmall, true, 0).ok);  // no class rule
  SpecReport two = check_spec(kSmall, true, 2);
  CHECK_FALSE(two.ok);
  CHECK(two.error_layer == 3);
  CHECK(two.error_field == "out_features");
  CHECK(two.error == "layer 3 (linear) has out_features 3 but the project has 2 classes: set out_features to 2");
  CHECK(two.info.layers.size() == 4);  // the table is still shown
  CHECK(two.info.output.c == 3);

  std::string relu_last = kSmall;
  relu_last.replace(relu_last.find("]}"), 2, R"(, {"type": "relu"}]})");
  SpecReport no_linear = check_spec(relu_last, true, 3);
  CHECK_FALSE(no_linear.ok);
  CHECK(no_linear.error_layer == 4);
  CHECK(no_linear.error_field == "type");
  CHECK(no_linear.error == "the last layer must be a linear layer with out_features 3 (one output per class): "
                           R"(add {"type": "linear", "out_features": 3} at the end)");
  // the class count itself is the rule's too
  for (int n : {1, 11}) {
    SpecReport bad = check_spec(kSmall, true, n);
    CHECK_FALSE(bad.ok);
    CHECK_THAT(bad.error, Contains("a project has 2 to 10 classes, not " + std::to_string(n)));
  }
  CHECK(check_spec(kSmall, true, 10).error == "layer 3 (linear) has out_features 3 but the project has 10 classes: set out_features to 10");
  // an engine error comes first and keeps its own message
  CHECK_THAT(check_spec("{}", true, 3).error, Contains("needs \"input\""));
}

TEST_CASE("rules: checkSpec and learnCheckSpec JSON carry the class rule and the budget") {
  Json a = Json::parse(check_spec_json(kSmall, 2));
  CHECK_FALSE(a.find("ok")->as_bool());
  CHECK(a.find("error_field")->as_string() == "out_features");
  CHECK(a.find("layers")->size() == 4);
  CHECK(Json::parse(check_spec_json(kSmall, 3)).find("ok")->as_bool());

  Json b = Json::parse(learn_check_spec_json(kSmall, 2));
  CHECK(b.find("error_layer")->as_number() == 3);
  CHECK_FALSE(b.find("over_budget")->as_bool());
  CHECK(b.find("budget_error") == nullptr);

  // AlexNet: shown beyond the budget, with the message the budgeted check gives
  std::string alexnet;
  for (const auto& p : learn::presets())
    if (p.id == "alexnet") alexnet = p.spec;
  Json c = Json::parse(learn_check_spec_json(alexnet, 0));
  CHECK(c.find("ok")->as_bool());
  CHECK(c.find("params")->as_number() == 62378344);
  CHECK(c.find("over_budget")->as_bool());
  CHECK(c.find("max_params")->as_number() == 16'000'000);
  CHECK(c.find("params")->as_number() > c.find("max_params")->as_number());
  const std::string budgeted = check_spec(alexnet).error;
  CHECK_THAT(budgeted, Contains("over the budget"));
  CHECK(c.find("budget_error")->as_string() == budgeted);
  // over the parameter budget it is for reading: 1000 outputs are no error in a 2-class project
  Json d = Json::parse(learn_check_spec_json(alexnet, 2));
  CHECK(d.find("ok")->as_bool());
  CHECK(d.find("over_budget")->as_bool());
  // within it, what training would refuse: here one activation of 16 x 1024 x 1024 floats
  const std::string wide = R"({"input": {"channels": 1, "height": 1024, "width": 1024},
    "layers": [{"type": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1},
               {"type": "maxpool2d", "kernel": 64}, {"type": "flatten"}, {"type": "linear", "out_features": 2}]})";
  Json e = Json::parse(learn_check_spec_json(wide, 2));
  CHECK_FALSE(e.find("ok")->as_bool());
  CHECK_FALSE(e.find("over_budget")->as_bool());
  CHECK_THAT(e.find("error")->as_string(), Contains("16,777,216"));
  CHECK(e.find("error")->as_string() == check_spec(wide, true, 2).error);
  CHECK(e.find("layers")->size() == 4);  // the whole table, as the unbudgeted check sees it
  CHECK_FALSE(Json::parse(check_spec_json(alexnet)).find("ok")->as_bool());
}

TEST_CASE("rules: fit_spec sets the last linear layer, keeps the rest, one layer per line") {
  const std::string two_linears = R"({"input": {"channels": 1, "height": 4, "width": 4},
    "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 7}, {"type": "relu"},
               {"type": "linear", "out_features": 2}]})";
  const std::string fitted = rules::fit_spec(two_linears, 5);
  CHECK(fitted ==
        "{\n"
        "  \"input\": {\"channels\":1,\"height\":4,\"width\":4},\n"
        "  \"layers\": [\n"
        "    {\"type\":\"flatten\"},\n"
        "    {\"type\":\"linear\",\"out_features\":7},\n"
        "    {\"type\":\"relu\"},\n"
        "    {\"type\":\"linear\",\"out_features\":5}\n"
        "  ]\n"
        "}\n");
  CHECK(check_spec(fitted, true, 5).ok);
  // a linear layer that is not last is still the one fitted (check_spec then names the fix)
  const std::string relu_last = rules::fit_spec(R"({"input": {"channels": 1, "height": 4, "width": 4},
    "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 2}, {"type": "relu"}]})", 3);
  CHECK_THAT(relu_last, Contains("{\"type\":\"linear\",\"out_features\":3}"));
  CHECK_THROWS_WITH(rules::fit_spec(R"({"input": {}, "layers": [{"type": "flatten"}]})", 3), Contains("no linear layer"));
  CHECK_THROWS_WITH(rules::fit_spec("{", 3), Contains("not valid JSON"));
  CHECK_THROWS_WITH(rules::fit_spec("[]", 3), Contains("needs \"layers\""));
  CHECK_THROWS_WITH(rules::fit_spec(two_linears, 11), Contains("2 to 10 classes"));
}

TEST_CASE("rules: default_spec is the webcam preset with one output per class") {
  std::string webcam;
  for (const auto& p : learn::presets())
    if (p.id == "webcam") webcam = p.spec;
  const std::string d2 = rules::default_spec(2);
  CHECK(d2 == rules::spec_text(Json::parse(webcam)));  // the preset has 2 outputs
  CHECK(spec_to_json(parse_spec(d2)).dump() == spec_to_json(parse_spec(webcam)).dump());
  for (int n = rules::kMinClasses; n <= rules::kMaxClasses; ++n) {
    const std::string d = rules::default_spec(n);
    INFO(d);
    CHECK(check_spec(d, true, n).ok);
    CHECK(parse_spec(d).layers.back().out_features == n);
  }
  // one layer per line, as the page has always written specs
  CHECK_THAT(d2, Contains("\n    {\"type\":\"conv2d\",\"out_channels\":8,\"kernel\":3,\"padding\":\"same\"},\n"));
}

TEST_CASE("rules: stored_size keeps the aspect ratio, 96 on the longer side, the input's own up to 224") {
  auto size = [](int h, int w) {
    rules::Size s = rules::stored_size(h, w);
    return std::to_string(s.width) + "x" + std::to_string(s.height);
  };
  CHECK(size(64, 64) == "96x96");
  CHECK(size(28, 28) == "96x96");
  CHECK(size(48, 64) == "96x72");    // w x h
  CHECK(size(100, 50) == "50x100");  // larger than 96: its own size
  CHECK(size(160, 120) == "120x160");
  CHECK(size(227, 227) == "224x224");  // capped
  CHECK(size(1024, 1) == "1x224");     // never 0 pixels
  CHECK(size(5, 7) == "96x69");        // 68.57 rounds up
  Json store = *rules::rules_json().find("store");
  CHECK(store.dump() == R"({"max_side":96,"cap":224})");
  CHECK(rules::rules_json().find("file_names")->dump() == R"({"model":"convlab-model","project":"convlab-project","name_max":80})");
}

TEST_CASE("rules: the budget, the editor's layer defaults and the playground presets") {
  const Json r = rules::rules_json();
  CHECK(r.find("budget")->dump() == R"({"max_params":16000000,"max_activation":4000000})");
  // every type the page lists has a default layer the engine accepts, as the editor inserts it
  const Json& layers = *r.find("layers");
  Json spec = Json::parse(R"({"input": {"channels": 3, "height": 8, "width": 8}})");
  Json list = Json::array();
  std::vector<std::string> types;
  for (const Json& t : layers.find("types")->items()) {
    types.push_back(t.as_string());
    const Json* d = layers.find("defaults")->find(t.as_string());
    REQUIRE(d != nullptr);
    CHECK(d->find("type")->as_string() == t.as_string());
  }
  CHECK(types == std::vector<std::string>{"conv2d", "relu", "maxpool2d", "avgpool2d", "flatten", "linear"});
  for (const char* t : {"conv2d", "relu", "maxpool2d", "avgpool2d", "flatten", "linear"})
    list.push_back(*layers.find("defaults")->find(t));
  spec["layers"] = list;
  CHECK(check_spec(spec.dump()).ok);
  CHECK(layers.find("defaults")->find("conv2d")->dump() ==
        R"({"type":"conv2d","out_channels":16,"kernel":3,"stride":1,"padding":"same"})");

  const Json& pg = *r.find("playground");
  REQUIRE(pg.size() == 4);
  std::vector<bool> exact;
  for (const Json& p : pg.items()) {
    auto c = learn::coverage(int(p.find("w")->as_number()), int(p.find("k")->as_number()), int(p.find("s")->as_number()),
                             int(p.find("p")->as_number()));
    exact.push_back(c.exact);
  }
  CHECK(exact == std::vector<bool>{true, true, true, false});  // the last one shows an inexact stride
  CHECK(pg.items()[2].find("name")->as_string() == "7×7, stride 2 → 3×3");
}

TEST_CASE("rules: check_range says what is wrong and what to do") {
  CHECK_NOTHROW(rules::check_range(rules::kEpochs, 1));
  CHECK_THROWS_WITH(rules::check_range(rules::kEpochs, 2.5), "epochs must be a whole number between 1 and 10000, not 2.5");
  CHECK_THROWS_WITH(rules::check_range(rules::kLr, NAN, "0.001"), "learning rate must be between 0.00001 and 1, e.g. 0.001");
  CHECK_THROWS_WITH(rules::check_range(rules::kMomentum, 1), "momentum must be between 0 and 0.99, not 1");
}

TEST_CASE("rules: the lecture calculators' fields are what learn::coverage and fc_vs_conv accept") {
  const Json r = rules::rules_json();
  const Json& calc = *r.find("calculators");
  // The playground: each field accepted at its limits and refused just past them.
  const Json& pg = *calc.find("playground");
  REQUIRE(pg.size() == 4);
  const int base[4] = {7, 3, 1, 0};  // w, k, s, p
  for (size_t i = 0; i < 4; ++i) {
    const Json& f = pg.items()[i];
    INFO(f.find("key")->as_string());
    for (double edge : {f.find("min")->as_number(), f.find("max")->as_number()}) {
      int v[4] = {base[0], base[1], base[2], base[3]};
      v[i] = int(edge);
      if (i == 0) v[1] = 1;  // a 1-pixel input needs a 1-pixel kernel to be drawn at all
      CHECK_NOTHROW(learn::coverage(v[0], v[1], v[2], v[3]));
    }
    int over[4] = {base[0], base[1], base[2], base[3]};
    over[i] = int(f.find("max")->as_number()) + 1;
    CHECK_THROWS_WITH(learn::coverage(over[0], over[1], over[2], over[3]),
                      Contains(f.find("key")->as_string() + " must be a whole number from"));
  }
  CHECK(pg.items()[0].dump() == R"({"key":"w","min":1,"max":24})");
  // FC versus conv: the lecture's 300×300×3 is inside, one past each maximum is not.
  const Json& fc = *calc.find("fc_vs_conv");
  REQUIRE(fc.size() == 6);
  CHECK_NOTHROW(learn::fc_vs_conv(3, 300, 300, 1, 3, 16));
  CHECK_THROWS_WITH(learn::fc_vs_conv(513, 3, 3, 1, 1, 1), "fully-connected versus convolutional: c must be a whole number from 1 to 512, not 513");
  CHECK_THROWS_WITH(learn::fc_vs_conv(1, 3, 3, 100001, 1, 1), Contains("units must be a whole number from 1 to 100000"));
  CHECK(fc.items()[3].dump() == R"({"key":"units","min":1,"max":100000})");
}

TEST_CASE("rules: the project file's and the upload's limits, as the page is told them") {
  const Json r = rules::rules_json();
  CHECK(r.find("project")->dump() ==
        R"({"format_version":1,"name_max":80,"max_images":20000,"max_file_bytes":536870912,)"
        R"("max_unpacked_bytes":1073741824,"max_entry_bytes":72388608,"max_json_bytes":16777216})");
  CHECK(r.find("upload")->dump() == R"({"max_side":16384,"max_pixels":50000000})");
  // the bounds between these limits (an entry holds the largest weights, a 40000 x 40000 upload
  // is refused) are static_asserts in rules.h; the CLI's image reader enforces the upload limits
  // (test_cli.cc)
}

TEST_CASE("rules: the thread count the page is told is what the engine accepts, capped at kMaxThreads") {
  const Json r = rules::rules_json();
  const Json* t = r.find("threads");
  REQUIRE(t);
  const int lo = int(t->find("min")->as_number()), hi = int(t->find("max")->as_number());
  CHECK(lo == 1);
  CHECK(hi == 8);
  Session s;
  CHECK_NOTHROW(s.set_threads(lo));
  CHECK_NOTHROW(s.set_threads(hi));
  CHECK_THROWS_WITH(s.set_threads(hi + 1), Contains("threads must be a whole number from 1 to 8, not 9"));
  CHECK_THROWS_WITH(s.set_threads(lo - 1), Contains("not 0"));
  // the machine's count, clamped: unknown (0) is one thread, 16 cores run 8
  CHECK(rules::default_threads(0) == 1);
  CHECK(rules::default_threads(1) == 1);
  CHECK(rules::default_threads(3) == 3);
  CHECK(rules::default_threads(8) == 8);
  CHECK(rules::default_threads(16) == 8);
}
