// convlab_export SPEC.json SEED MODEL.safetensors IO.safetensors
//
// Writes what tools/torch_convlab.py needs to check ConvLab -> torch: a seeded model saved by
// convlab::save_safetensors (MODEL), and a fixed input batch with ConvLab's logits on it (IO:
// "input" (3, C, H, W), "convlab_logits" (3, classes)). Run by tools/make_fixtures.py; native
// only, since core/ does no file I/O.
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "convlab/model.h"
#include "convlab/rng.h"
#include "convlab/safetensors.h"

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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SPEC.json SEED MODEL.safetensors IO.safetensors\n", argv[0]);
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
