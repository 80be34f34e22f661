// libFuzzer target for the model spec: parse_spec + validate and check_spec must turn any
// text into a spec or a SpecError (check_spec: a report), never a crash or a hang, and a
// spec that validates must round-trip through spec_to_json.
// Built by the native-fuzz preset (clang 14); make test runs it 20000 times on a fixed seed
// from the committed corpus tests/fuzz/corpus/spec/, make fuzz for minutes (Makefile).
// -write_seeds=DIR (handled here, not by libFuzzer) writes the seeds below, to start a corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "convlab/spec.h"

using namespace convlab;

namespace {

const char* kSeeds[] = {
    R"({"input":{"channels":1,"height":28,"width":28},"layers":[{"type":"conv2d","out_channels":16,"kernel":3,"padding":"same"},{"type":"relu"},{"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"linear","out_features":10}]})",
    R"({"input":{"channels":3,"height":9,"width":9},"layers":[{"type":"conv2d","out_channels":2,"kernel":4,"stride":2,"padding":1},{"type":"avgpool2d","kernel":3,"stride":1,"padding":1},{"type":"maxpool2d","kernel":2,"stride":2,"padding":1},{"type":"flatten"},{"type":"linear","out_features":2}]})",
    R"({"input":{"channels":3,"height":7,"width":7},"layers":[{"type":"conv2d","out_channels":1,"kernel":2,"stride":2}]})",
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    const char* flag = "-write_seeds=";
    if (std::strncmp((*argv)[i], flag, std::strlen(flag)) != 0) continue;
    std::string dir = (*argv)[i] + std::strlen(flag);
    int k = 0;
    for (const char* s : kSeeds) std::ofstream(dir + "/seed" + std::to_string(k++)) << s;
    std::printf("wrote %d seeds to %s\n", k, dir.c_str());
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  SpecReport r = check_spec(text);  // never throws
  if (r.ok != r.error.empty()) __builtin_trap();
  try {
    ModelSpec s = parse_spec(text);
    ModelInfo info = validate(s);
    if (!r.ok) __builtin_trap();  // check_spec and validate must agree
    // a valid spec round-trips: written, re-read, the same JSON
    const std::string once = spec_to_json(s).dump();
    if (spec_to_json(parse_spec(once)).dump() != once) __builtin_trap();
    if (info.params > kMaxParameters) __builtin_trap();
  } catch (const SpecError&) {
    if (r.ok) __builtin_trap();
  }
  return 0;
}
