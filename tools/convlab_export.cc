// convlab_export SPEC.json SEED MODEL.safetensors IO.safetensors
//
// Writes what tools/torch_convlab.py needs to check ConvLab -> torch: a seeded model saved by
// convlab::save_safetensors (MODEL), and a fixed input batch with ConvLab's logits on it (IO:
// "input" (3, C, H, W), "convlab_logits" (3, classes)). Run by tools/make_fixtures.py; native
// only, since core/ does no file I/O.
//
// convlab_export model MODEL.safetensors OUT_DIR NAME
//
// A model saved by ConvLab (the page's NAME.safetensors) as the page's other two downloads:
// OUT_DIR/NAME.onnx and OUT_DIR/NAME.py (class names from the file's "classes" metadata).
//
// convlab_export suite MODELS.json FIXTURES_DIR OUT_DIR
//
// The models out (make test-onnx, tools/make_export_fixtures.py): for every model of
// MODELS.json (tests/onnx/models.json) the page's three downloads, OUT_DIR/NAME.onnx,
// NAME.safetensors and NAME.py, made by the same core functions, and NAME.io.safetensors:
// "input" (n, C, H, W), the fixture images through ConvLab's preprocessing, and
// "probabilities" (n, classes), ConvLab's (Model::predict, as the Predict tab), and "logits".
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "convlab/layers.h"
#include "convlab/learn.h"
#include "convlab/model.h"
#include "convlab/onnx.h"
#include "convlab/preprocess.h"
#include "convlab/rng.h"
#include "convlab/safetensors.h"
#include "convlab/torch_script.h"
#include "model_file.h"

namespace {

std::string read_text(const char* path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(std::string("cannot read ") + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_bytes(const char* path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error(std::string("cannot write ") + path);
}

void write_text(const std::string& path, const std::string& text) {
  write_bytes(path.c_str(), std::vector<uint8_t>(text.begin(), text.end()));
}

// "chelsea-157x101.rgba" -> 157, 101
void rgba_size(const std::string& file, int& w, int& h) {
  const size_t dash = file.rfind('-'), x = file.rfind('x'), dot = file.rfind('.');
  if (dash == std::string::npos || x == std::string::npos || dot == std::string::npos || !(dash < x && x < dot))
    throw std::runtime_error(file + ": an RGBA fixture is named NAME-WxH.rgba");
  w = std::stoi(file.substr(dash + 1, x - dash - 1));
  h = std::stoi(file.substr(x + 1, dot - x - 1));
}

int suite(const std::string& models_path, const std::string& fixtures, const std::string& out) {
  using namespace convlab;
  const Json doc = Json::parse(read_text(models_path.c_str()));
  struct Image { std::vector<uint8_t> rgba; int w, h; };
  std::vector<Image> images;
  for (const Json& f : doc.find("images")->items()) {
    Image im;
    rgba_size(f.as_string(), im.w, im.h);
    const std::string bytes = read_text((fixtures + "/" + f.as_string()).c_str());
    im.rgba.assign(bytes.begin(), bytes.end());
    check_rgba(im.rgba.size(), im.w, im.h);
    images.push_back(std::move(im));
  }
  for (const Json& m : doc.find("models")->items()) {
    const std::string name = m.find("name")->as_string();
    std::string spec_text;
    if (const Json* preset = m.find("preset")) {
      for (const auto& p : learn::presets())
        if (p.id == preset->as_string()) spec_text = p.spec;
      if (spec_text.empty()) throw std::runtime_error(name + ": no preset " + preset->as_string());
    } else {
      spec_text = m.find("spec")->dump();
    }
    const ModelSpec spec = parse_spec(spec_text);
    Model model(spec, uint64_t(m.find("seed")->as_number()), /*enforce_budget=*/false);
    // the last layer x10: probabilities far from uniform, so that a wrong pad or layout shows
    auto& params = model.params();
    for (size_t k = params.size() - 2; k < params.size(); ++k)
      for (float& v : params[k].value) v *= 10.0f;
    const int n = m.find("batch") ? int(m.find("batch")->as_number()) : int(images.size());
    std::vector<float> x(size_t(n * model.input_size()));
    for (int i = 0; i < n; ++i)
      preprocess_rgba(x.data() + size_t(i) * size_t(model.input_size()), images[size_t(i)].rgba.data(), images[size_t(i)].w,
                      images[size_t(i)].h, model.input());
    const int c = model.num_classes();
    const float* logits = model.predict(x.data(), n);
    std::vector<float> probs(size_t(n * c));
    softmax_forward(probs.data(), logits, n, c);
    const std::vector<float> logit_v(logits, logits + size_t(n * c));

    std::vector<std::string> classes;
    Json names = Json::array();
    for (int k = 0; k < c; ++k) {
      classes.push_back("class " + std::to_string(k));
      names.push_back(classes.back());
    }
    const std::map<std::string, std::string> meta = {{"classes", names.dump()},
                                                     {"convlab_preprocessing", preprocessing_json(spec.input).dump()}};
    write_bytes((out + "/" + name + ".onnx").c_str(), export_onnx(model, {{"classes", names.dump()}}));
    // torch: false (AlexNet) is for ONNX Runtime only: no 250 MB weights file nobody reads
    if (!m.find("torch") || m.find("torch")->as_bool()) {
      write_bytes((out + "/" + name + ".safetensors").c_str(), save_safetensors(model, meta));
      write_text(out + "/" + name + ".py", torch_script(spec, classes, name + ".safetensors"));
    }
    SafeTensors io;
    io.metadata["written_by"] = "tools/convlab_export.cc suite";
    io.tensors.push_back({"input", {n, spec.input.channels, spec.input.height, spec.input.width}, x});
    io.tensors.push_back({"probabilities", {n, c}, probs});
    io.tensors.push_back({"logits", {n, c}, logit_v});
    write_bytes((out + "/" + name + ".io.safetensors").c_str(), write_safetensors(io));
    std::printf("%s: %d image(s), %d classes, %lld parameters\n", name.c_str(), n, c, (long long)model.num_params());
  }
  return 0;
}

}  // namespace

// The page's .onnx and .py downloads of its NAME.safetensors: the code `convlab export` runs.
int model_files(const std::string& in, const std::string& out, const std::string& name) {
  const std::string bytes = read_text(in.c_str());
  const convlab::cli::ModelFile f =
      convlab::cli::read_model_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  write_bytes((out + "/" + name + ".onnx").c_str(), convlab::cli::model_onnx(f));
  write_text(out + "/" + name + ".py", convlab::cli::model_torch(f, name + ".safetensors"));
  std::printf("wrote %s/%s.onnx and %s/%s.py (for %s.safetensors)\n", out.c_str(), name.c_str(), out.c_str(), name.c_str(),
              name.c_str());
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "model") {
    try {
      return model_files(argv[2], argv[3], argv[4]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "convlab_export model: %s\n", e.what());
      return 1;
    }
  }
  if (argc == 5 && std::string(argv[1]) == "suite") {
    try {
      return suite(argv[2], argv[3], argv[4]);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "convlab_export suite: %s\n", e.what());
      return 1;
    }
  }
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SPEC.json SEED MODEL.safetensors IO.safetensors\n       %s model MODEL.safetensors OUT_DIR NAME\n       %s suite MODELS.json FIXTURES_DIR OUT_DIR\n", argv[0], argv[0], argv[0]);
    return 2;
  }
  try {
    const uint64_t seed = std::stoull(argv[2]);
    convlab::Model model(convlab::parse_spec(read_text(argv[1])), seed);
    constexpr int kBatch = 3;
    // a fixed input in [0, 1), like preprocessed images; its own stream so it is not the init's
    convlab::Rng rng(seed, /*stream=*/99);
    std::vector<float> x(size_t(kBatch * model.input_size()));  // (n, C, H, W)
    for (float& v : x) v = rng.uniform();
    const float* logits = model.forward(x.data(), kBatch);  // (n, classes)

    write_bytes(argv[3], convlab::save_safetensors(model, {{"convlab_seed", argv[2]}}));
    const auto& in = model.input();
    convlab::SafeTensors io;
    io.metadata["written_by"] = "tools/convlab_export.cc";
    io.tensors.push_back({"input", {kBatch, in.channels, in.height, in.width}, x});
    io.tensors.push_back({"convlab_logits", {kBatch, model.num_classes()},
                          std::vector<float>(logits, logits + kBatch * model.num_classes())});
    write_bytes(argv[4], convlab::write_safetensors(io));
    std::printf("wrote %s and %s\n", argv[3], argv[4]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convlab_export: %s\n", e.what());
    return 1;
  }
  return 0;
}
