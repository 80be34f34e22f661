// `convlab predict` and `convlab export` on model files (tools/convlab/model_file.h), issue 28:
// a .safetensors that PyTorch wrote (a state_dict, no ConvLab metadata) opens with --spec as
// the page's Load model opens it into a project (its weights into the project's model by name
// and shape); without --spec the message says to pass it. The commands are run in-process
// (their Args), stdout captured, and compared with the page's path: Session::set_spec, then
// Session::load, predict, export_onnx.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli.h"
#include "convlab/json.h"
#include "convlab/onnx.h"
#include "convlab/safetensors.h"
#include "convlab/session.h"
#include "image.h"
#include "model_file.h"

using namespace convlab;
using namespace convlab::cli;
using Catch::Matchers::Contains;

namespace {

const std::string kFixtures = std::string(CONVLAB_FIXTURES) + "/cli/";

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A fresh temporary folder, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "convlab-cli-model-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

void write(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  REQUIRE(f);
}

// What safetensors' save_file(model.state_dict()) writes for the tiny spec's model: its tensors
// under nn.Sequential's names and {"format": "pt"}, no ConvLab spec, no classes.
std::vector<uint8_t> torch_state_dict(const Model& m) {
  SafeTensors st;
  st.metadata["format"] = "pt";
  for (const Param& p : m.params()) st.tensors.push_back({p.name, p.shape, p.value});
  return write_safetensors(st);
}

// Runs a command with stdout going to a file; returns {exit code, what it printed}.
std::pair<int, std::string> run(int (*cmd)(Args&), std::vector<std::string> args, const TempDir& tmp) {
  const std::string out = tmp / "stdout.txt";
  std::fflush(stdout);
  const int saved = dup(fileno(stdout));
  REQUIRE(std::freopen(out.c_str(), "w", stdout) != nullptr);
  int code = -1;
  std::string error;
  try {
    Args a(std::move(args));
    code = cmd(a);
  } catch (const std::exception& e) {
    error = e.what();
  }
  std::fflush(stdout);
  dup2(saved, fileno(stdout));
  close(saved);
  const std::vector<uint8_t> b = slurp(out);
  if (!error.empty()) throw std::runtime_error(error);
  return {code, std::string(b.begin(), b.end())};
}

// --spec PATH --classes LIST as the commands read them
ModelSource source(const std::string& spec_path, const std::string& classes) {
  std::string text;
  if (!spec_path.empty()) {
    const std::vector<uint8_t> b = slurp(spec_path);
    text.assign(b.begin(), b.end());
  }
  return model_source(spec_path, text, classes);
}

std::string message_of(int (*cmd)(Args&), std::vector<std::string> args, const TempDir& tmp) {
  try {
    run(cmd, std::move(args), tmp);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("model file: a PyTorch state_dict without ConvLab metadata needs --spec, and the message says so", "[cli]") {
  TempDir tmp;
  const std::string spec_text = [] {
    auto b = slurp(kFixtures + "tiny.spec.json");
    return std::string(b.begin(), b.end());
  }();
  const Model theirs(parse_spec(spec_text), 7);
  const std::vector<uint8_t> file = torch_state_dict(theirs);
  write(tmp / "torch.safetensors", file);

  // without --spec: refused, naming what to pass (both commands)
  CHECK_THROWS_WITH(read_model_file(file.data(), file.size()), Contains("has no ConvLab spec in its metadata"));
  CHECK_THROWS_WITH(read_model_file(file.data(), file.size()), Contains("Pass the spec of its model with --spec SPEC.json"));
  CHECK_THAT(message_of(cmd_predict, {tmp / "torch.safetensors", kFixtures + "chelsea.jpg"}, tmp), Contains("--spec SPEC.json"));
  CHECK_THAT(message_of(cmd_export, {tmp / "torch.safetensors", "--onnx", tmp / "x.onnx"}, tmp), Contains("--spec SPEC.json"));
  CHECK_FALSE(std::filesystem::exists(tmp / "x.onnx"));

  // with --spec: the file's weights in the spec's model, classes "class 0", "class 1"
  const ModelFile f = read_model_file(file.data(), file.size(), source(kFixtures + "tiny.spec.json", ""));
  REQUIRE(f.model.params().size() == theirs.params().size());
  for (size_t i = 0; i < f.model.params().size(); ++i) CHECK(f.model.params()[i].value == theirs.params()[i].value);
  CHECK(f.classes == std::vector<std::string>{"class 0", "class 1"});
  CHECK(f.metadata.at("classes") == R"(["class 0","class 1"])");
  // --classes names them; a wrong count or an empty name is refused
  const ModelFile named = read_model_file(file.data(), file.size(), source(kFixtures + "tiny.spec.json", "cat, coffee"));
  CHECK(named.classes == std::vector<std::string>{"cat", "coffee"});
  CHECK_THROWS_WITH(read_model_file(file.data(), file.size(), source(kFixtures + "tiny.spec.json", "a,b,c")),
                    Contains("--classes gives 3 names but the model has 2 outputs"));
  CHECK_THROWS_WITH(source("", "a,,b"), Contains("has an empty name"));
  // a spec of another model: the tensor that differs is named, as by the page
  TempDir specs;
  {
    std::string other = spec_text;
    other.replace(other.find("\"out_channels\": 4"), 17, "\"out_channels\": 6");
    write(specs / "other.spec.json", std::vector<uint8_t>(other.begin(), other.end()));
  }
  CHECK_THROWS_WITH(read_model_file(file.data(), file.size(), source(specs / "other.spec.json", "")),
                    Contains("tensor \"0.weight\" has shape (4, 3, 3, 3) but the model of other.spec.json needs (6, 3, 3, 3)"));
  // a spec file that is not a valid spec is named
  write(specs / "bad.json", {'{', '}'});
  CHECK_THAT(message_of(cmd_predict, {tmp / "torch.safetensors", kFixtures + "chelsea.jpg", "--spec", specs / "bad.json"}, tmp),
             Contains("bad.json: "));
}

TEST_CASE("convlab predict --spec: a PyTorch state_dict predicts what the page gives after Load model", "[cli]") {
  TempDir tmp;
  const std::vector<uint8_t> spec_bytes = slurp(kFixtures + "tiny.spec.json");
  const std::string spec_text(spec_bytes.begin(), spec_bytes.end());
  const std::vector<uint8_t> file = torch_state_dict(Model(parse_spec(spec_text), 9));
  write(tmp / "torch.safetensors", file);

  // the page: the project's model (the spec), then Load model of the file, then Predict
  Session page;
  page.set_spec(spec_text, 1);
  REQUIRE(Json::parse(page.load_check(file.data(), file.size(), 2)).find("fits")->as_bool());
  page.load(file.data(), file.size(), false, 2);
  const std::vector<uint8_t> jpg = slurp(kFixtures + "chelsea.jpg");
  const Rgba im = decode_image(jpg.data(), jpg.size(), "chelsea.jpg");
  const std::vector<float> want = page.predict(im.pixels.data(), im.pixels.size(), im.width, im.height);

  const auto [code, out] = run(cmd_predict, {tmp / "torch.safetensors", kFixtures + "chelsea.jpg", "--spec",
                                             kFixtures + "tiny.spec.json", "--classes", "cat,coffee", "--json"}, tmp);
  CHECK(code == kExitOk);
  const Json got = Json::parse(out);
  REQUIRE(got.size() == 1);
  const Json& r = got.items()[0];
  const auto& probs = r.find("probabilities")->items();
  REQUIRE(probs.size() == 2);
  for (size_t k = 0; k < 2; ++k) CHECK(float(probs[k].as_number()) == want[k]);
  CHECK(r.find("class")->as_string() == (want[0] >= want[1] ? "cat" : "coffee"));
  // without --classes: "class 0", "class 1"
  const auto [code2, text] = run(cmd_predict, {tmp / "torch.safetensors", kFixtures + "chelsea.jpg", "--spec", kFixtures + "tiny.spec.json"}, tmp);
  CHECK(code2 == kExitOk);
  CHECK_THAT(text, Contains("class 0 ") && Contains("class 1 "));

  // a ConvLab file of another model with --spec: refused, saying to leave --spec out
  Session other;
  std::string o = spec_text;
  o.replace(o.find("\"out_features\": 2"), 17, "\"out_features\": 3");
  other.set_spec(o, 2);
  write(tmp / "other.safetensors", other.save(""));
  CHECK_THAT(message_of(cmd_predict, {tmp / "other.safetensors", kFixtures + "chelsea.jpg", "--spec", kFixtures + "tiny.spec.json"}, tmp),
             Contains("leave out --spec to use the file's own model"));
  // ... and without --spec it predicts with its own model (as before)
  CHECK(run(cmd_predict, {tmp / "other.safetensors", kFixtures + "chelsea.jpg"}, tmp).first == kExitOk);
}

TEST_CASE("convlab export --spec: a PyTorch state_dict as ONNX (with logits) and as a PyTorch script", "[cli]") {
  TempDir tmp;
  const std::vector<uint8_t> spec_bytes = slurp(kFixtures + "tiny.spec.json");
  const std::string spec_text(spec_bytes.begin(), spec_bytes.end());
  const Model theirs(parse_spec(spec_text), 5);
  write(tmp / "torch.safetensors", torch_state_dict(theirs));
  const auto [code, out] = run(cmd_export, {tmp / "torch.safetensors", "--spec", kFixtures + "tiny.spec.json", "--classes",
                                            "cat,coffee", "--onnx", tmp / "m.onnx", "--torch", tmp / "m.py"}, tmp);
  CHECK(code == kExitOk);
  CHECK_THAT(out, Contains("wrote " + (tmp / "m.onnx")));
  // the ONNX file is core's export of those weights with the class names
  CHECK(slurp(tmp / "m.onnx") == export_onnx(theirs, {{"classes", R"(["cat","coffee"])"}}));
  const std::vector<uint8_t> py = slurp(tmp / "m.py");
  const std::string script(py.begin(), py.end());
  CHECK_THAT(script, Contains(R"(CLASSES = json.loads("[\"cat\",\"coffee\"]"))"));
  CHECK_THAT(script, Contains("WEIGHTS = \"m.safetensors\""));
}
