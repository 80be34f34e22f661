// make bench, native half: the same source runs natively and as wasm under node (NODERAWFS).
// Measures training and inference images/s of workloads A and B (batch 32, SGD momentum),
// the f32 mul-add peak and the fraction of it training achieves, prediction latency, the
// heap across 100 training steps, and (natively) Fashion-MNIST test accuracy of workload A.
//
// usage: convlab_bench [--json FILE] [--reps N] [--min-seconds S] [--quick] [--default-spec FILE]
//                      [--fmnist DIR --epochs N --train-limit N]
//        convlab_bench --profile-train A|B [--seconds S] [--threads N]   (training steps only, for make profile)
//        convlab_bench --grading [--submissions N] [--images N] [--json FILE]   (only the grading section, make bench-grading)
//        convlab_bench --pool N [--threads T] [--reps R]   (what one parallel_for over N items costs the pool)
// DIR holds the four uncompressed idx files (train-images-idx3-ubyte, ...); run.mjs
// unpacks Debian's gzipped ones.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_core.h"
#include "convlab/assignment.h"
#include "convlab/kernels.h"
#include "convlab/rules.h"
#include "convlab/session.h"
#include "convlab/testset.h"
#include "convlab/threadpool.h"
#include "convlab/train.h"

using namespace convlab;
using namespace convlab::bench;

namespace {

// ---- machine load: jiffies of every CPU from /proc/stat, ours from /proc/self/stat ----
struct CpuSample {
  double busy = 0, total = 0, self = 0;  // seconds (at USER_HZ = 100)
  bool ok = false;
};
CpuSample cpu_sample() {
  CpuSample s;
  std::ifstream st("/proc/stat");
  std::string cpu;
  double v[10] = {};
  if (!(st >> cpu) || cpu != "cpu") return s;
  for (double& x : v) st >> x;
  double total = 0;
  for (double x : v) total += x;
  s.total = total / 100;
  s.busy = (total - v[3] - v[4]) / 100;  // minus idle and iowait
  std::ifstream self("/proc/self/stat");
  std::string line((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
  size_t close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::vector<std::string> f;
  std::string cur;
  for (char c : line.substr(close + 2)) {
    if (c == ' ') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (f.size() < 13) return s;
  s.self = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / 100;  // utime, stime
  s.ok = true;
  return s;
}

Json load_json(const CpuSample& a, const CpuSample& b) {
  Json j = Json::object();
  if (!a.ok || !b.ok) return j;
  double others = (b.busy - a.busy) - (b.self - a.self);
  j["wall_cpu_seconds"] = b.total - a.total;  // all CPUs
  j["ours_cpu_seconds"] = b.self - a.self;
  j["others_cpu_seconds"] = std::max(0.0, others);
  j["others_fraction"] = b.total > a.total ? std::max(0.0, others) / (b.total - a.total) : 0.0;
  return j;
}

// ---- Fashion-MNIST (idx format: big-endian magic and dims, then bytes) ----
std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

struct Idx {
  std::vector<uint8_t> images, labels;  // (n, 28, 28), (n)
  int n = 0;
};
Idx load_idx(const std::string& dir, const std::string& prefix) {
  Idx d;
  auto im = read_file(dir + "/" + prefix + "-images-idx3-ubyte");
  auto lb = read_file(dir + "/" + prefix + "-labels-idx1-ubyte");
  if (im.size() < 16 || be32(im.data()) != 0x803 || lb.size() < 8 || be32(lb.data()) != 0x801)
    throw std::runtime_error(prefix + ": not idx files (uncompress them first)");
  d.n = int(be32(im.data() + 4));
  if (be32(im.data() + 8) != 28 || be32(im.data() + 12) != 28 || int(be32(lb.data() + 4)) != d.n ||
      im.size() != 16 + size_t(d.n) * 784 || lb.size() != 8 + size_t(d.n))
    throw std::runtime_error(prefix + ": unexpected idx sizes");
  d.images.assign(im.begin() + 16, im.end());
  d.labels.assign(lb.begin() + 8, lb.end());
  return d;
}

Json fashion_mnist(const std::string& dir, int epochs, int train_limit, uint64_t seed) {
  Idx train = load_idx(dir, "train"), test = load_idx(dir, "t10k");
  ModelSpec spec = parse_spec(std::string(kWorkloadA));
  Dataset data(spec.input);
  int ntrain = train_limit > 0 ? std::min(train_limit, train.n) : train.n;
  for (int i = 0; i < ntrain; ++i) data.add_bytes(train.images.data() + size_t(i) * 784, train.labels[size_t(i)]);
  Model model(spec, seed);
  TrainConfig cfg;
  cfg.epochs = epochs;
  cfg.batch_size = 32;
  cfg.optim.kind = "adam";
  cfg.optim.lr = 1e-3;
  cfg.val_fraction = 0;
  cfg.shift = 0;
  cfg.seed = seed;
  Trainer trainer(model, data, cfg);
  double t0 = now_s();
  while (!trainer.run(100)) {
  }
  double train_s = now_s() - t0;

  // Test accuracy: the 10,000 test images, never seen in training, no augmentation.
  const int bs = 100;
  std::vector<float> x(size_t(bs) * 784);
  int correct = 0;
  model.reserve(bs);
  for (int b = 0; b < test.n; b += bs) {
    int n = std::min(bs, test.n - b);
    for (size_t i = 0; i < size_t(n) * 784; ++i) x[i] = float(test.images[size_t(b) * 784 + i]) / 255.0f;
    const float* logits = model.predict(x.data(), n);
    for (int i = 0; i < n; ++i) {
      int best = 0;
      for (int k = 1; k < 10; ++k)
        if (logits[i * 10 + k] > logits[i * 10 + best]) best = k;
      correct += best == test.labels[size_t(b + i)];
    }
  }
  Json j = Json::object();
  j["test_accuracy"] = double(correct) / test.n;
  j["test_images"] = test.n;
  j["train_images"] = ntrain;
  j["epochs"] = epochs;
  j["seed"] = int64_t(seed);
  j["optimizer"] = "adam lr 1e-3, batch 32, no augmentation";
  j["final_train_acc"] = trainer.history().empty() ? 0.0 : double(trainer.history().back().train_acc);
  j["train_seconds"] = train_s;
  return j;
}

const char* arg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}
bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return true;
  return false;
}
double num(const Json& j, const char* k) {
  const Json* v = j.find(k);
  return v && v->is_number() ? v->as_number() : 0;
}

}  // namespace

// ---- test set and evaluation ----
// Images/s of evaluating a test set as the page's Evaluate does: n 28×28 RGBA images through
// Session::predict_batch (preprocessing included) and testset::evaluate, on the built-in
// dataset's net (testset::builtin_spec, 10 classes, random weights); median of reps.
Json evaluate_rate(int n, int reps) {
  Session s;
  s.set_spec(testset::builtin_spec(10), 1);
  std::vector<std::vector<uint8_t>> px(static_cast<size_t>(n));
  std::vector<Session::Rgba> ims;
  std::vector<int> labels;
  for (int i = 0; i < n; ++i) {
    auto& b = px[size_t(i)];
    b.resize(28 * 28 * 4);
    for (size_t k = 0; k < b.size(); ++k) b[k] = uint8_t((k * 7 + size_t(i) * 13) % 256);
    ims.push_back({b.data(), b.size(), 28, 28});
    labels.push_back(i % 10);
  }
  std::vector<double> rates;
  for (int r = 0; r < reps + 1; ++r) {
    const double t0 = now_s();
    const auto& probs = s.predict_batch(ims.data(), n);
    const auto e = testset::evaluate(probs.data(), labels.data(), n, 10);
    const double dt = now_s() - t0;
    if (e.n != n) throw std::runtime_error("evaluate lost images");
    if (r > 0) rates.push_back(n / dt);  // the first run warms the buffers up
  }
  Json j = Json::object();
  j["images"] = n;
  j["images_per_s"] = median(rates);
  return j;
}

// ---- grading a class (issue 14) ----
// "Grading 30 submissions of the default webcam net with 200 images each": core's Grader, as the
// page's grading view and `convlab grade` run it, retraining included (the page's default
// settings, 2 classes, images at the net's stored size). The submission is one honest run handed
// in n times: every row must reproduce, so each one did the whole retraining.
Json grading(int submissions, int images) {
  const std::string spec = rules::default_spec(2);
  Session page;
  page.set_spec(spec, 1);
  const Json info = Json::parse(page.info_json());
  const int w = int(info.find("stored_size")->find("width")->as_number());
  const int h = int(info.find("stored_size")->find("height")->as_number());
  std::vector<std::vector<uint8_t>> px(static_cast<size_t>(images));
  std::vector<LabelledImage> file;
  std::vector<int> order;
  uint32_t r = 1;
  for (int i = 0; i < images; ++i) {
    auto& b = px[size_t(i)];
    b.resize(size_t(w) * size_t(h) * 4);
    for (size_t k = 0; k < b.size(); ++k) {
      r = r * 1664525u + 1013904223u;
      b[k] = k % 4 == 3 ? 255 : uint8_t((r >> 24) % 100 + (i % 2 && (k / 4) % size_t(w) < size_t(w) / 2 ? 120 : 0));
    }
    file.push_back({b.data(), b.size(), w, h, i % 2});
    order.push_back(images - 1 - i);  // the engine got them in another order than the file's
  }
  for (int i : order) page.add_image(px[size_t(i)].data(), px[size_t(i)].size(), w, h, i % 2);
  const std::string settings = train_config_json(TrainConfig{}).dump();  // the page's defaults
  page.train_begin(settings);
  while (page.training()) page.train_run(64);
  const std::vector<uint8_t> weights = page.save("{}");
  const std::string assignment = R"({"format": "convlab-assignment", "version": 1, "title": "Webcam", "spec": )" + spec +
                                 R"(, "classes": ["a", "b"], "questions": [{"id": "p", "kind": "total_parameters"}]})";
  const std::string manifest =
      write_submission_manifest(assignment, spec, settings, R"({"p": 1})", order, weights.data(), weights.size());
  Grader g(assignment);
  const double t0 = now_s();
  for (int n = 0; n < submissions; ++n) {
    const GradeRow& row = g.add("student " + std::to_string(n), manifest, spec, weights.data(), weights.size(), file, {});
    if (!row.reproduced) throw std::runtime_error("the grading bench's honest submission did not reproduce: " + row.message);
  }
  const double dt = now_s() - t0;
  Json j = Json::object();
  j["submissions"] = submissions;
  j["images"] = images;
  j["input"] = std::to_string(w) + "x" + std::to_string(h);
  j["epochs"] = TrainConfig{}.epochs;
  j["seconds"] = dt;
  j["seconds_per_submission"] = dt / submissions;
  j["csv_bytes"] = double(g.csv().size());
  return j;
}

void print_grading(const Json& g, const char* env) {
  std::printf("\n## Grading (%s, 1 thread)\n\nGrading %d submissions of the default webcam net with %d images each (%s stored, "
              "%d epochs, retraining included): %.1f s total, %.2f s per submission\n",
              env, int(num(g, "submissions")), int(num(g, "images")), g.find("input")->as_string().c_str(),
              int(num(g, "epochs")), num(g, "seconds"), num(g, "seconds_per_submission"));
}

int main(int argc, char** argv) try {
#ifdef __EMSCRIPTEN__
  const char* env = "wasm (node)";
#else
  const char* env = "native";
#endif
  bool quick = flag(argc, argv, "--quick");  // the harness smoke check: tiny budgets
  int reps = std::atoi(arg(argc, argv, "--reps", quick ? "1" : "3"));
  double min_s = std::atof(arg(argc, argv, "--min-seconds", quick ? "0.01" : "0.4"));
  const int batch = 32;
  // make profile: only training steps of one workload, for a sampling profiler to watch.
  if (const char* w = arg(argc, argv, "--profile-train", nullptr)) {
    const double seconds = std::atof(arg(argc, argv, "--seconds", "4"));
    set_num_threads(std::atoi(arg(argc, argv, "--threads", "1")));  // a threaded build uses up to 2
    Json r = train_rate(w, batch, 1, seconds / 3, 1);  // warm-up 2/3 of the time, then 1/3 timed
    std::printf("workload %s: %.0f training images/s while profiled\n", w, num(r, "images_per_s"));
    return 0;
  }
  // One cell of the interleaved run, alone: --rep infer --workload default --batch 1 --threads 2
  // (images/s of each of --reps repetitions), to compare thread counts by hand. --threads 1/2
  // alternates the two counts rep by rep in this one process and prints each rep's ratio and
  // their median: on a VM whose second core comes and goes, runs seconds apart are not
  // comparable, one rep's pair is.
  if (const char* what = arg(argc, argv, "--rep", nullptr)) {
    const std::string threads = arg(argc, argv, "--threads", "1");
    const size_t slash = threads.find('/');
    const int t1 = std::atoi(threads.c_str()), t2 = slash == std::string::npos ? t1 : std::atoi(threads.c_str() + slash + 1);
    const char* w = arg(argc, argv, "--workload", "A");
    const int b = std::atoi(arg(argc, argv, "--batch", "32"));
    std::vector<double> ratios;
    for (int r = 0; r < reps; ++r) {
      set_num_threads(t1);
      const double x1 = num(one_rep(what, w, b, min_s), "images_per_s");
      std::printf("%s %s b%d, %d threads: %.0f images/s", w, what, b, num_threads(), x1);
      if (t2 != t1) {
        set_num_threads(t2);
        const double x2 = num(one_rep(what, w, b, min_s), "images_per_s");
        ratios.push_back(x2 / x1);
        std::printf("; %d threads: %.0f images/s; ratio %.2f", num_threads(), x2, x2 / x1);
      }
      std::printf("\n");
    }
    if (!ratios.empty())
      std::printf("%s %s b%d, %d/%d threads: median ratio %.3f of %d reps\n", w, what, b, t2, t1, median(ratios), reps);
    return 0;
  }
  // What one parallel_for costs the pool: --pool 32 --threads 2 runs calls over 32 items, empty
  // and then each a short busy loop (about half a microsecond on one core), and prints microseconds
  // per call, the median of --reps runs of 20000 calls: the hand-over, the claims of the pieces
  // and the wait for the last, which every layer of a training step or a prediction pays.
  if (const char* pool = arg(argc, argv, "--pool", nullptr)) {
    const int n = std::atoi(pool);
    set_num_threads(std::atoi(arg(argc, argv, "--threads", "2")));
    float acc[rules::kMaxThreads * 16] = {};  // each thread's sum on its own cache line, kept so the loop stays
    for (const int work : {0, 300}) {
      auto call = [&] {
        parallel_for(n, [&](int b, int e, int t) {
          float s = 0;
          for (int i = b; i < e; ++i)
            for (int k = 0; k < work; ++k) s = s * 0.999f + 1.0f;
          acc[t * 16] += s;
        });
      };
      for (int i = 0; i < 2000; ++i) call();
      std::vector<double> us;
      for (int r = 0; r < std::max(reps, 1); ++r) {
        const double t0 = bench::now_s();
        for (int i = 0; i < 20000; ++i) call();
        us.push_back((bench::now_s() - t0) / 20000 * 1e6);
      }
      std::printf("parallel_for over %d items%s on %d threads: %.2f us a call (median of %d x 20000 calls)\n", n,
                  work ? ", each a short busy loop," : ", empty,", num_threads(), median(us), std::max(reps, 1));
    }
    std::printf("(sums %g)\n", double(acc[0] + acc[16]));
    return 0;
  }
  // make bench-grading: only the grading section (it takes minutes: 30 retrainings)
  if (flag(argc, argv, "--grading")) {
    CpuSample c0 = cpu_sample();
    Json g = grading(std::atoi(arg(argc, argv, "--submissions", quick ? "2" : "30")), std::atoi(arg(argc, argv, "--images", quick ? "20" : "200")));
    print_grading(g, env);
    Json load = load_json(c0, cpu_sample());
    if (load.size() > 0)
      std::printf("machine load during this run: other processes used %.0f%% of the CPU time available\n", 100 * num(load, "others_fraction"));
    g["load"] = load;
    if (const char* path = arg(argc, argv, "--json", nullptr)) {
      std::ofstream f(path);
      f << g.dump(2) << "\n";
      if (!f) throw std::runtime_error(std::string("cannot write ") + path);
    }
    return 0;
  }
  CpuSample cpu0 = cpu_sample();

  Json out = Json::object();
  out["env"] = env;
  out["batch"] = batch;
  out["reps"] = reps;
  Json peak = peak_gflops(quick ? 0.05 : 2.0);
  out["peak"] = peak;
  std::printf("## ConvLab %s (batch %d, SGD momentum, median of %d)\n\n", env, batch, reps);
  std::printf("f32 4-lane mul-add peak, 1 thread: %.1f GFLOP/s\n\n", num(peak, "gflops"));
  std::printf("| workload | MFLOP/img (train) | train img/s | train GFLOP/s | %% of peak | infer b32 img/s | infer b1 img/s |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  Json work = Json::object();
  for (const char* w : {"A", "B"}) {
    Json j = Json::object();
    j["train"] = train_rate(w, batch, reps, min_s);
    j["infer32"] = infer_rate(w, batch, reps, min_s);
    j["infer1"] = infer_rate(w, 1, reps, min_s);
    const Json& t = *j.find("train");
    double frac = num(t, "gflops") / num(peak, "gflops");
    j["train_peak_fraction"] = frac;
    std::printf("| %s | %.2f | %.0f | %.2f | %.1f%% | %.0f | %.0f |\n", w, num(t, "mflop_per_image"),
                num(t, "images_per_s"), num(t, "gflops"), 100 * frac, num(*j.find("infer32"), "images_per_s"),
                num(*j.find("infer1"), "images_per_s"));
    std::fflush(stdout);
    work[w] = j;
  }
  out["workloads"] = work;

  std::printf("\n| single-image prediction (320x240 frame) | input | p50 ms | p95 ms | + every feature map p50 / p95 ms |\n");
  std::printf("|---|---|---|---|---|\n");
  Json lat = Json::object();
  // --default-spec FILE: another net for the "default" row; without it, the page's default
  // (core's webcam preset, see bench_core.h latency).
  std::string default_spec;
  if (const char* path = arg(argc, argv, "--default-spec", nullptr)) {
    auto bytes = read_file(path);
    default_spec.assign(bytes.begin(), bytes.end());
  }
  for (const char* w : {"default", "B"}) {
    Json l = latency(workload_spec(w) ? workload_spec(w) : default_spec, quick ? 5 : 200);
    std::printf("| %s | %s | %.3f | %.3f | %.3f / %.3f |\n", w, l.find("input")->as_string().c_str(),
                num(l, "p50_ms"), num(l, "p95_ms"), num(l, "maps_p50_ms"), num(l, "maps_p95_ms"));
    lat[w] = l;
  }
  out["latency"] = lat;

  // ---- test set and evaluation ----
  Json ev = evaluate_rate(quick ? 50 : 1000, reps);
  out["evaluate"] = ev;
  std::printf("\ntest-set evaluation (Evaluate: predict_batch + testset::evaluate, 28x28 built-in net, %d images): %.0f "
              "images/s\n",
              int(num(ev, "images")), num(ev, "images_per_s"));

  Json heap = heap_check("B", batch, quick ? 5 : 100);
  out["heap"] = heap;
  std::printf("\nheap over %d training steps of B: %lld -> %lld bytes in use", int(num(heap, "steps")),
              (long long)num(heap, "in_use_before"), (long long)num(heap, "in_use_after"));
  if (num(heap, "memory_before") > 0)
    std::printf(", wasm memory %lld -> %lld bytes", (long long)num(heap, "memory_before"),
                (long long)num(heap, "memory_after"));
  std::printf(" (%s)\n", num(heap, "in_use_after") == num(heap, "in_use_before") ? "no growth" : "GREW");

  if (const char* dir = arg(argc, argv, "--fmnist", nullptr)) {
    int epochs = std::atoi(arg(argc, argv, "--epochs", "2"));
    int limit = std::atoi(arg(argc, argv, "--train-limit", "0"));
    Json f = fashion_mnist(dir, epochs, limit, 1);
    out["fashion_mnist"] = f;
    std::printf("\nFashion-MNIST, workload A: test accuracy %.2f%% on %d test images after %d epochs on %d training "
                "images (%s, seed 1, %.0f s)\n",
                100 * num(f, "test_accuracy"), int(num(f, "test_images")), epochs, int(num(f, "train_images")),
                f.find("optimizer")->as_string().c_str(), num(f, "train_seconds"));
  }

  CpuSample cpu1 = cpu_sample();
  Json load = load_json(cpu0, cpu1);
  out["load"] = load;
  if (load.size() > 0)
    std::printf("\nmachine load during this run: other processes used %.1f CPU-s of %.1f available (%.0f%%); we used "
                "%.1f\n",
                num(load, "others_cpu_seconds"), num(load, "wall_cpu_seconds"), 100 * num(load, "others_fraction"),
                num(load, "ours_cpu_seconds"));

  if (const char* path = arg(argc, argv, "--json", nullptr)) {
    std::ofstream f(path);
    f << out.dump(2) << "\n";
    if (!f) throw std::runtime_error(std::string("cannot write ") + path);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "convlab_bench: %s\n", e.what());
  return 1;
}
