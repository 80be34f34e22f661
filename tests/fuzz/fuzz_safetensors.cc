// libFuzzer target for the model-file reader: read_safetensors and load_model must turn any
// bytes into a model or a FormatError, never a crash, a hang or a huge allocation. The page's
// load path too (Session::load_check, Session::load with and without adopt): a refused file
// leaves the session's model exactly as it was.
// Built by the native-fuzz preset (clang 14); make test runs it 20000 times on a fixed seed
// from the committed corpus tests/fuzz/corpus/safetensors/, make fuzz for minutes (Makefile).
// -write_seeds=DIR (handled here, not by libFuzzer) writes the seeds below, to start a corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "convlab/safetensors.h"
#include "convlab/session.h"

using namespace convlab;

namespace {

const char* kSeedSpecs[] = {
    R"({"input":{"channels":1,"height":4,"width":4},"layers":[{"type":"conv2d","out_channels":2,"kernel":3,"padding":1},{"type":"relu"},{"type":"flatten"},{"type":"linear","out_features":3}]})",
    R"({"input":{"channels":3,"height":4,"width":4},"layers":[{"type":"maxpool2d","kernel":2,"padding":1},{"type":"avgpool2d","kernel":3,"stride":1,"padding":1},{"type":"flatten"},{"type":"linear","out_features":2}]})",
    R"({"input":{"channels":1,"height":2,"width":2},"layers":[{"type":"flatten"}]})",
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    const char* flag = "-write_seeds=";
    if (std::strncmp((*argv)[i], flag, std::strlen(flag)) != 0) continue;
    std::string dir = (*argv)[i] + std::strlen(flag);
    int k = 0;
    for (const char* spec : kSeedSpecs) {
      auto bytes = save_safetensors(Model(parse_spec(spec), 1), {{"note", "seed"}});
      std::ofstream(dir + "/seed" + std::to_string(k++), std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }
    std::printf("wrote %d seeds to %s\n", k, dir.c_str());
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    SafeTensors st = read_safetensors(data, size);
    // whatever it read must write back and read again to the same tensors
    auto again = write_safetensors(st);
    SafeTensors st2 = read_safetensors(again.data(), again.size());
    if (st2.tensors.size() != st.tensors.size()) __builtin_trap();
  } catch (const FormatError&) {
  }
  {
    // the session holds the first seed's model, so a mutated seed is often "another model"
    static Session* s = [] {
      auto* x = new Session();
      x->set_spec(kSeedSpecs[0], 1);
      return x;
    }();
    const std::string spec = s->spec_json();
    std::vector<float> before;
    for (const auto& p : s->model().params()) before.insert(before.end(), p.value.begin(), p.value.end());
    try {
      s->load_check(data, size, 3);
    } catch (const FormatError&) {
    }
    bool changed = false;
    try {
      s->load(data, size, /*adopt=*/false, 3);
      changed = true;
    } catch (const FormatError&) {
    }
    if (!changed) {
      std::vector<float> after;
      for (const auto& p : s->model().params()) after.insert(after.end(), p.value.begin(), p.value.end());
      if (s->spec_json() != spec || after != before) __builtin_trap();  // a refusal changed the model
    }
    try {
      s->load(data, size, /*adopt=*/true, 3);
    } catch (const FormatError&) {
    }
    s->set_spec(kSeedSpecs[0], 1);  // the next input meets the same model
  }
  try {
    Model m = load_model(data, size);
    // a loaded model must run
    std::vector<float> x(size_t(m.input_size()), 0.5f);
    m.forward(x.data(), 1);
  } catch (const FormatError&) {
  }
  return 0;
}
