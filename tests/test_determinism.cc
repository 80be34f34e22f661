// Same seed, same bits, on every platform: two fixed training runs must end with the
// parameter hashes committed in tests/fixtures/determinism_hash.txt. This very test runs
// natively and in the wasm build under node (NODERAWFS reads the same file), so passing in
// both proves native == wasm bit for bit: seeded init, split, shuffling, augmentation,
// forward, backward, softmax (det_expf/det_logf, no libm), SGD and Adam.
//
// To regenerate after an intended numeric change: run this test natively and copy the
// "got" lines of the failure message into the fixture; then check the wasm build agrees.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "convlab/threadpool.h"
#include "convlab/train.h"
#include "synthetic.h"

using namespace convlab;

namespace {

std::map<std::string, std::string> read_fixture() {
  std::map<std::string, std::string> out;
  std::ifstream f(CONVLAB_FIXTURES "/determinism_hash.txt");
  std::string name, hex;
  while (f >> name >> hex) out[name] = hex;
  return out;
}

std::string hex(uint64_t h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, h);
  return buf;
}

// Trains `spec` on the 3-class synthetic task with every random choice switched on.
uint64_t train(const std::string& spec, const OptimConfig& optim, int epochs) {
  Dataset d = synthetic::dataset(3, 16, 2024);
  Model m(parse_spec(spec), 2024);
  TrainConfig cfg;
  cfg.epochs = epochs;
  cfg.batch_size = 10;  // 36 training images: batches of 10, 10, 10 and a ragged 6
  cfg.optim = optim;
  cfg.val_fraction = 0.25;
  cfg.shift = 2;
  cfg.flip = true;
  cfg.seed = 2024;
  Trainer t(m, d, cfg);
  t.run(1 << 20);
  return hash_params(m);
}

// Every layer type and both paddings: conv k4 same (1, 2), avgpool with padding, conv
// stride 2, maxpool with padding, two linears.
const char* kEveryLayer = R"({"input": {"channels": 1, "height": 16, "width": 16}, "layers": [
  {"type": "conv2d", "out_channels": 6, "kernel": 4, "padding": "same"}, {"type": "relu"},
  {"type": "avgpool2d", "kernel": 3, "stride": 1, "padding": 1},
  {"type": "conv2d", "out_channels": 8, "kernel": 4, "stride": 2, "padding": 1}, {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2, "stride": 2, "padding": 1}, {"type": "flatten"},
  {"type": "linear", "out_features": 16}, {"type": "relu"}, {"type": "linear", "out_features": 3}]})";

}  // namespace

TEST_CASE("determinism: fixed training runs end with the committed parameter hashes, on 1, 2, 3, 4 and 8 threads") {
  OptimConfig adam;
  adam.kind = "adam";
  adam.lr = 0.01;
  adam.weight_decay = 1e-4;
  OptimConfig sgd;
  sgd.kind = "sgd";
  sgd.lr = 0.05;
  sgd.momentum = 0.9;
  sgd.weight_decay = 5e-4;
  const auto want = read_fixture();
  const int saved = num_threads();
  // the single-threaded build runs once; the threaded one (convlab_tests_mt) with each count,
  // more threads than the machine has cores included (only slower)
  for (int threads : {1, 2, 3, 4, 8}) {
    if (threads > max_threads()) break;
    set_num_threads(threads);
    INFO(threads << " threads (" << num_threads() << " in use)");
    const std::map<std::string, std::string> got = {
        {"adam_convnet", hex(train(synthetic::spec(3), adam, 3))},
        {"sgd_every_layer", hex(train(kEveryLayer, sgd, 3))},
    };
    std::string got_lines;
    for (const auto& [name, h] : got) got_lines += name + " " + h + "\n";
    INFO("got (put these lines in tests/fixtures/determinism_hash.txt only after an intended change):\n" << got_lines);
    REQUIRE(want.size() == got.size());
    for (const auto& [name, h] : got) {
      INFO(name << ": committed " << (want.count(name) ? want.at(name) : "(none)") << ", this build " << h);
      CHECK(want.count(name) == 1);
      if (want.count(name)) CHECK(want.at(name) == h);
    }
  }
  set_num_threads(saved);
}

TEST_CASE("determinism: a run does not depend on the run before it (no hidden global state)") {
  OptimConfig adam;
  adam.kind = "adam";
  adam.lr = 0.01;
  const uint64_t first = train(synthetic::spec(3), adam, 1);
  OptimConfig sgd;
  sgd.kind = "sgd";
  sgd.lr = 0.05;
  train(kEveryLayer, sgd, 1);
  CHECK(train(synthetic::spec(3), adam, 1) == first);
}
