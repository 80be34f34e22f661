// convlab predict MODEL.safetensors IMAGE... [--spec SPEC.json] [--classes a,b,c] [--json]: per
// image the top class and every class's probability, as the Predict tab gives them for the same
// pixels: the image decoded to RGBA (image.h) and handed whole to Session::predict, whose
// preprocessing (core's one path: crop, resize, normalise) is the page's. --spec: the model of
// a file without ConvLab's metadata (a state_dict PyTorch saved), as the page's Load model
// takes the project's (model_file.h).
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "convlab/json.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "image.h"
#include "model_file.h"

namespace convlab::cli {

int cmd_predict(Args& args) {
  std::string model, spec, classes;
  std::vector<std::string> images;
  bool json = false;
  while (!args.empty()) {
    const std::string a = args.next();
    if (a == "--json") json = true;
    else if (a == "--spec") spec = args.value_of(a);
    else if (a == "--classes") classes = args.value_of(a);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option " + a);
    else if (model.empty()) model = a;
    else images.push_back(a);
  }
  if (model.empty()) throw UsageError("give the model file (.safetensors) and the images");
  if (images.empty()) throw UsageError("give at least one image (PNG or JPEG) after the model file");
  const ModelSource src =
      model_source(spec, spec.empty() ? "" : read_text_file(spec, rules::kMaxProjectJsonBytes), classes);
  const std::vector<uint8_t> bytes = read_file(model, rules::kMaxProjectEntryBytes);
  Session s;
  std::vector<std::string> names;
  try {
    const ModelFile f = read_model_file(bytes.data(), bytes.size(), src);
    names = f.classes;
    // the session's model is the file's (its spec, then its weights: they fit by spec or by name)
    s.set_spec(spec_to_json(f.model.spec()).dump(), 1);
    s.load(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    throw std::runtime_error(model + ": " + e.what());
  }
  const int c = s.model().num_classes();
  if (int(names.size()) != c) {
    names.clear();
    for (int k = 0; k < c; ++k) names.push_back("class " + std::to_string(k));
  }
  int failed = 0;
  Json all = Json::array();
  for (const std::string& path : images) {
    std::vector<float> probs;
    try {
      // the largest image file read: its pixels are bounded by the upload limits anyway
      const std::vector<uint8_t> file = read_file(path, rules::kMaxProjectEntryBytes);
      const Rgba im = decode_image(file.data(), file.size(), path);
      probs = s.predict(im.pixels.data(), im.pixels.size(), im.width, im.height);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      ++failed;
      continue;
    }
    int top = 0;
    for (int k = 1; k < c; ++k)
      if (probs[size_t(k)] > probs[size_t(top)]) top = k;
    if (json) {
      Json r = Json::object();
      r["image"] = path;
      r["class"] = names[size_t(top)];
      Json p = Json::array();
      for (float v : probs) p.push_back(double(v));
      r["probabilities"] = p;
      all.push_back(r);
      continue;
    }
    std::printf("%s: %s (%.1f%%)", path.c_str(), names[size_t(top)].c_str(), 100.0 * probs[size_t(top)]);
    for (int k = 0; k < c; ++k) std::printf("%s %s %.4f", k ? "," : "  ", names[size_t(k)].c_str(), double(probs[size_t(k)]));
    std::printf("\n");
  }
  if (json) std::printf("%s\n", all.dump().c_str());
  if (failed) std::fprintf(stderr, "%d of %zu image(s) could not be read\n", failed, images.size());
  return failed ? kExitInput : kExitOk;
}

}  // namespace convlab::cli
