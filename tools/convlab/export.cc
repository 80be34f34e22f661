// convlab export MODEL.safetensors --onnx OUT.onnx | --torch OUT.py [--spec SPEC.json]
// [--classes a,b,c]: the page's two other model downloads, made from its NAME.safetensors by
// core's exporters (model_file.h); --spec for a file without ConvLab's metadata.
#include <cstdio>
#include <string>

#include "cli.h"
#include "convlab/rules.h"
#include "model_file.h"

namespace convlab::cli {

namespace {
// "dir/cat-model.py" -> "cat-model.safetensors": the weights file the script loads, beside it
std::string weights_beside(const std::string& script) {
  std::string base = script.substr(script.find_last_of('/') + 1);
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".py") == 0) base.resize(base.size() - 3);
  return base + ".safetensors";
}
}  // namespace

int cmd_export(Args& args) {
  std::string in, onnx, torch, spec, classes;
  while (!args.empty()) {
    const std::string a = args.next();
    if (a == "--onnx") onnx = args.value_of(a);
    else if (a == "--torch") torch = args.value_of(a);
    else if (a == "--spec") spec = args.value_of(a);
    else if (a == "--classes") classes = args.value_of(a);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option " + a);
    else if (in.empty()) in = a;
    else throw UsageError("one model file at a time (got " + in + " and " + a + ")");
  }
  if (in.empty()) throw UsageError("give the model file (.safetensors) to export");
  if (onnx.empty() && torch.empty()) throw UsageError("say what to write: --onnx OUT.onnx, --torch OUT.py or both");
  const ModelSource src =
      model_source(spec, spec.empty() ? "" : read_text_file(spec, rules::kMaxProjectJsonBytes), classes);
  const std::vector<uint8_t> bytes = read_file(in, rules::kMaxProjectEntryBytes);
  ModelFile f = [&] {
    try {
      return read_model_file(bytes.data(), bytes.size(), src);
    } catch (const std::exception& e) {
      throw std::runtime_error(in + ": " + e.what());
    }
  }();
  if (!onnx.empty()) {
    write_file(onnx, model_onnx(f));
    std::printf("wrote %s\n", onnx.c_str());
  }
  if (!torch.empty()) {
    const std::string weights = weights_beside(torch);
    write_text_file(torch, model_torch(f, weights));
    std::printf("wrote %s (it loads %s: keep the model file beside it under that name)\n", torch.c_str(), weights.c_str());
  }
  return kExitOk;
}

}  // namespace convlab::cli
