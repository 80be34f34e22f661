// libFuzzer target for the model-file reader: read_safetensors and load_model must turn any
// bytes into a model or a FormatError, never a crash, a hang or a huge allocation.
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
  try {
    Model m = load_model(data, size);
    // a loaded model must run
    std::vector<float> x(size_t(m.input_size()), 0.5f);
    m.forward(x.data(), 1);
  } catch (const FormatError&) {
  }
  return 0;
}
