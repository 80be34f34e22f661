// convlab train PROJECT.convlab --out MODEL.safetensors [--epochs N] [--seed S] [--threads T]
// Trains a project file's model as the page's Train button does, and writes the model file as
// its Download model does. Bit for bit the page's, for the same project and seed: the same
// Session calls with the same arguments (e2e/cli.spec.js compares the weights):
//   set_spec(spec.json)                    the Model tab's spec (train_begin re-seeds the init)
//   add_image(rgba, w, h, label)           class by class in label order, each class's images in
//                                          order (web/js/engine/worker-sync.js)
//   train_begin(settings.json)             the Train tab's settings (web/js/views/train/settings.js)
//   train_run(...) until done              the slice size changes nothing but how often we print
//   save({"classes": [names]})             project.weightsMetadata(), web/js/project-model.js
#include <cstdio>
#include <string>
#include <thread>

#include "cli.h"
#include "convlab/json.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "project.h"

namespace convlab::cli {

namespace {

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

int cmd_train(Args& args) {
  std::string in, out;
  int64_t epochs = -1, seed = -1, threads = 0;
  while (!args.empty()) {
    const std::string a = args.next();
    if (a == "--out") out = args.value_of(a);
    else if (a == "--epochs") epochs = args.int_of(a, int64_t(rules::kEpochs.min), int64_t(rules::kEpochs.max));
    else if (a == "--seed") seed = args.int_of(a, int64_t(rules::kSeed.min), int64_t(rules::kSeed.max));
    else if (a == "--threads") threads = args.int_of(a, 1, rules::kMaxThreads);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option " + a);
    else if (in.empty()) in = a;
    else throw UsageError("one project file at a time (got " + in + " and " + a + ")");
  }
  if (in.empty()) throw UsageError("give the project file (.convlab) to train");
  if (out.empty()) throw UsageError("give --out MODEL.safetensors, where the trained model goes");

  const std::vector<uint8_t> bytes = read_file(in, rules::kMaxProjectFileBytes);
  Project p;
  try {
    p = read_project(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    throw std::runtime_error(in + ": " + e.what());
  }
  for (const std::string& s : p.skipped) std::fprintf(stderr, "%s: note: %s\n", in.c_str(), s.c_str());
  if (p.spec.empty()) throw std::runtime_error(in + ": the project has no model spec (spec.json): open it in ConvLab, set the model on the Model tab and save it again");
  if (p.has_draft)
    std::fprintf(stderr, "%s: note: the project holds a refused spec being edited; its last valid spec (spec.json) is trained\n", in.c_str());

  // the settings as the page sends them, with the command line's overrides
  Json settings = p.settings.empty() ? Json::object() : Json::parse(p.settings);
  if (epochs >= 0) settings["epochs"] = Json(epochs);
  if (seed >= 0) settings["seed"] = Json(seed);

  Session s;
  s.set_threads(threads ? int(threads) : rules::default_threads(int(std::thread::hardware_concurrency())));
  try {
    s.set_spec(p.spec, 1);
  } catch (const std::exception& e) {
    throw std::runtime_error(in + ": the project's spec is not valid: " + e.what() + " (fix it on the Model tab, or check it with convlab check)");
  }
  std::vector<int> per_class(p.classes.size(), 0);
  for (const ProjectImage& im : p.images) {
    s.add_image(im.image.pixels.data(), im.image.pixels.size(), im.image.width, im.image.height, im.label);
    ++per_class[size_t(im.label)];
  }
  for (size_t k = 0; k < p.classes.size(); ++k)
    if (per_class[k] == 0)
      throw std::runtime_error(in + ": every class needs images: \"" + p.classes[k] + "\" has none (add some on the Data tab)");
  try {
    s.train_begin(settings.dump());
  } catch (const std::exception& e) {
    throw std::runtime_error(in + ": training refused: " + e.what());
  }
  std::printf("%s: %d images, %zu classes, %d thread(s)\n", in.c_str(), s.num_images(), p.classes.size(), s.threads());
  size_t printed = 0;
  Json last;
  for (;;) {
    last = Json::parse(s.train_run(8));
    const auto& hist = last.find("history")->items();
    for (; printed < hist.size(); ++printed) {
      const Json& e = hist[printed];
      const Json* vl = e.find("val_loss");
      const Json* va = e.find("val_acc");
      std::printf("epoch %d/%d  train loss %s acc %s%%", int(e.find("epoch")->as_number()), int(last.find("epochs")->as_number()),
                  fixed(e.find("train_loss")->as_number(), 4).c_str(), fixed(100 * e.find("train_acc")->as_number(), 1).c_str());
      if (vl && vl->is_number() && va && va->is_number())
        std::printf("  val loss %s acc %s%%", fixed(vl->as_number(), 4).c_str(), fixed(100 * va->as_number(), 1).c_str());
      std::printf("\n");
      std::fflush(stdout);
    }
    if (last.find("done")->as_bool()) break;
  }
  if (last.find("diverged")->as_bool())
    std::fprintf(stderr, "%s: %s\n", in.c_str(), last.find("diverged_message")->as_string().c_str());

  Json names = Json::array();
  for (const std::string& c : p.classes) names.push_back(c);
  Json meta = Json::object();
  meta["classes"] = names;
  write_file(out, s.save(meta.dump()));
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

}  // namespace convlab::cli
