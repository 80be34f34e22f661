# Two commands do everything on a fresh Debian 12 machine:
#   make serve   installs what is missing, builds, serves the page at http://localhost:8080
#   make test    installs what is missing, then in order: native tests (test-native), ASan+UBSan
#                with asserts on (test-asan), ThreadSanitizer on the threaded tests (test-tsan),
#                short seeded libFuzzer runs (test-fuzz), wasm tests under node (test-wasm), the
#                exported ONNX models under ONNX Runtime (test-onnx), the
#                check that the page's engine holds no bench code (test-exports), browser e2e
#                (test-e2e, whose "N passed, N failed" line closes the output)
# Other targets: make dist (the folder to put on a static host), make bench, make bench-quick, make bench-grading,
# make profile, make fuzz (long fuzz runs), make native, make wasm, make fixtures (needs python3-torch), make export-fixtures (needs
# python3-torch, python3-onnx, python3-pil).
# Tools that make native and make wasm build, to run by hand (in wasm: node --no-experimental-fetch
# --no-liftoff build/wasm/<tool>.js ARGS; --no-liftoff so that optimised code is timed):
#   build/native/convlab --help                ConvLab on the command line: check, train, grade, export, predict
#                                              (README "Command line"; tools/convlab/)
#   build/native/convlab_bench --quick         the bench CLI (make bench runs it, see tools/bench.cc)
#   build/native/convlab_bench_mt --profile-train A --threads 2   the same on the threaded core
#   build/native/convlab_winograd_bench [runs [layer [threads [m]]]]  direct vs Winograd F(m x m)
#   build/native/convlab_winograd_bench_mt 5 -1 2                  the same on 2 threads

SHELL := /bin/bash
# Debian's emscripten finds its JS parser (acorn) here; without it -O2 links fail.
export NODE_PATH := /usr/share/nodejs
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# ccache (see CMakeLists.txt): paths under the checkout are hashed relative to it, and the
# working directory is left out, so two clones share their cache entries.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
JOBS ?= 2
# clang-14 + libclang-rt-14-dev: libFuzzer and its sanitizer runtimes (make test-fuzz);
# libpng, libjpeg-turbo and zlib: the convlab command-line tool reads images and project files;
# dataset-fashion-mnist: the page's built-in dataset is made from it by the build; ccache: see
# CMakeLists.txt.
APT_PACKAGES := emscripten catch2 chromium binaryen clang-14 libclang-rt-14-dev libpng-dev \
  libjpeg62-turbo-dev zlib1g-dev dataset-fashion-mnist ccache

.PHONY: all deps apt npm native asan tsan fuzz-build wasm web dist test test-native test-asan test-tsan test-fuzz \
        test-wasm test-onnx test-exports test-e2e fuzz serve bench fixtures export-fixtures clean

all: native wasm

deps: apt npm

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

# A node_modules that is a symlink is a shared install made elsewhere (several checkouts of one
# machine): npm ci would empty the directory it points to, for every checkout, so it is left as
# it is.
npm:
	@if [ -L node_modules ]; then echo "node_modules is a shared install ($$(readlink node_modules)): not reinstalled"; \
	else $(MAKE) --no-print-directory node_modules/.package-lock.json; fi
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

native: apt
	cmake --preset native-release >/dev/null
	cmake --build build/native -j$(JOBS)

# The sanitizer builds compile only the tests (the native build compiles the tools), and the
# convlab CLI with its tests (ctest runs them: its readers parse outside bytes).
asan: apt
	cmake --preset native-asan >/dev/null
	cmake --build build/asan -j$(JOBS) --target convlab_tests convlab_tests_mt convlab_cli_tests convlab_cli

TSAN_DIR ?= build/tsan
tsan: apt
	cmake --preset native-tsan -B $(TSAN_DIR) >/dev/null
	cmake --build $(TSAN_DIR) -j$(JOBS) --target convlab_tests_mt

FUZZ_DIR ?= build/fuzz
fuzz-build: apt
	cmake --preset native-fuzz -B $(FUZZ_DIR) >/dev/null
	cmake --build $(FUZZ_DIR) -j$(JOBS) --target fuzz_spec fuzz_safetensors fuzz_zip fuzz_assignment fuzz_submission

wasm: apt
	cmake --preset wasm-release >/dev/null
	cmake --build build/wasm -j$(JOBS)

# The page serves only its own origin: the engine builds (and any pinned npm web library)
# are copied into web/gen, which git ignores.
web: wasm npm web/gen/fashion-mnist.json
	mkdir -p web/gen
	cp build/wasm/web/convlab.js build/wasm/web/convlab.wasm build/wasm/web/convlab-mt.js \
	   build/wasm/web/convlab-mt.wasm build/wasm/web/convlab-mt.worker.js web/gen/
	cp node_modules/fflate/esm/browser.js web/gen/fflate.js
	node tools/precache.mjs --root web

# One folder to copy to any static server or GitHub Pages (README, "Offline and static
# hosting"): web/ with gen/ filled, the service worker's manifest and a _headers file.
dist: web
	node tools/make-dist.mjs --out dist

# The built-in dataset (a Fashion-MNIST subset, tools/make-fashion.mjs) from Debian's package.
web/gen/fashion-mnist.json: tools/make-fashion.mjs | apt
	node tools/make-fashion.mjs web/gen

test-native: native
	cd build/native && ctest --output-on-failure
test-asan: asan
	cd build/asan && ctest --output-on-failure
# setarch -R turns ASLR off for the run: TSan of gcc 12 cannot map its shadow memory on kernels
# with 32 bits of mmap randomness. Not needed on a kernel with vm.mmap_rnd_bits = 28.
TSAN_RUN := setarch $(shell uname -m) -R
test-tsan: tsan
	$(TSAN_RUN) $(TSAN_DIR)/convlab_tests_mt
test-wasm: wasm
	cd build/wasm && ctest --output-on-failure
test-exports: wasm
	node tests/check_exports.mjs build/wasm
test-e2e: web native
	node e2e/run.mjs
# Models out: the native tool exports every model of tests/onnx/models.json as the page does
# (one per layer type, the three presets, AlexNet with random weights), then ONNX Runtime
# (onnxruntime-web under node) runs each and must give ConvLab's probabilities within 1e-5;
# the committed ONNX checker verdicts must be for these very files.
test-onnx: native npm
	rm -rf build/onnx && mkdir -p build/onnx
	build/native/convlab_export suite tests/onnx/models.json tests/fixtures/export build/onnx
	node tests/onnx/run.mjs build/onnx

# Fuzzing: libFuzzer writes what it finds into the first corpus directory (under build/fuzz),
# reads the committed seeds from the second, and leaves a crashing input as build/fuzz/crash-*.
FUZZ_FLAGS_spec := -dict=tests/fuzz/spec.dict -max_len=2048
FUZZ_FLAGS_safetensors := -max_len=8192 -rss_limit_mb=2048
FUZZ_FLAGS_zip := -max_len=8192
FUZZ_FLAGS_assignment := -dict=tests/fuzz/assignment.dict -max_len=4096
FUZZ_FLAGS_submission := -dict=tests/fuzz/assignment.dict -max_len=8192
# $(1): the target (spec, safetensors, zip, assignment or submission); $(2): the work corpus; $(3): how long
fuzz_run = mkdir -p $(2) && $(FUZZ_DIR)/fuzz_$(1) $(FUZZ_FLAGS_$(1)) $(3) -artifact_prefix=$(FUZZ_DIR)/ \
  $(2) tests/fuzz/corpus/$(1)
# make test's smoke runs: a fixed seed and number of runs from a fresh work corpus, so a run is
# repeatable and a crash fails the build (its log is printed).
fuzz_smoke = rm -rf $(FUZZ_DIR)/smoke-$(1) && echo "fuzz_$(1): 20000 runs, seed 1" && \
  { $(call fuzz_run,$(1),$(FUZZ_DIR)/smoke-$(1),-seed=1 -runs=20000) 2>$(FUZZ_DIR)/smoke-$(1).log || \
    { tail -40 $(FUZZ_DIR)/smoke-$(1).log; echo "fuzz_$(1) failed: see $(FUZZ_DIR)/crash-*"; exit 1; }; }
test-fuzz: fuzz-build
	@$(call fuzz_smoke,spec)
	@$(call fuzz_smoke,safetensors)
	@$(call fuzz_smoke,zip)
	@$(call fuzz_smoke,assignment)
	@$(call fuzz_smoke,submission)
# Long runs, FUZZ_SECONDS per target, keeping what they find in $(FUZZ_DIR)/corpus-*.
FUZZ_SECONDS ?= 300
fuzz: fuzz-build
	$(call fuzz_run,spec,$(FUZZ_DIR)/corpus-spec,-max_total_time=$(FUZZ_SECONDS))
	$(call fuzz_run,safetensors,$(FUZZ_DIR)/corpus-safetensors,-max_total_time=$(FUZZ_SECONDS))
	$(call fuzz_run,zip,$(FUZZ_DIR)/corpus-zip,-max_total_time=$(FUZZ_SECONDS))
	$(call fuzz_run,assignment,$(FUZZ_DIR)/corpus-assignment,-max_total_time=$(FUZZ_SECONDS))
	$(call fuzz_run,submission,$(FUZZ_DIR)/corpus-submission,-max_total_time=$(FUZZ_SECONDS))

# Each stage's time is printed as it ends ("make test: test-asan took 212 s"), so a slow CI run
# says where its time went; the e2e stage runs last and its "N passed, N failed" line closes it.
TEST_STAGES := test-native test-asan test-tsan test-fuzz test-wasm test-onnx test-exports
test: deps
	@for t in $(TEST_STAGES); do s=$$(date +%s); $(MAKE) $$t || exit 1; \
	  echo "make test: $$t took $$(( $$(date +%s) - s )) s"; done
	$(MAKE) test-e2e

serve: deps web
	node tools/serve.mjs --port 8080

# The benchmark (never part of make test): native and wasm-under-node CLI (tools/bench.cc),
# then headless Chromium running ConvLab beside TensorFlow.js and ConvNetJS (tools/bench/);
# prints Markdown tables and writes build/bench.json. About 5 to 10 minutes.
BENCH_PORT ?= 8701
bench: deps native wasm bench-data
	node tools/bench/run.mjs --port $(BENCH_PORT)
	$(MAKE) bench-storage
	$(MAKE) bench-grading
	$(MAKE) bench-amplify

# Grading a class (issue 14): 30 submissions of the default webcam net with 200 images each,
# retraining included, with core's Grader natively (as convlab grade runs it) and in wasm under
# node (as the page's grading view runs it, one thread). Runs alone too: make bench-grading.
.PHONY: bench-grading
bench-grading: native wasm
	build/native/convlab_bench --grading --json build/bench-grading-native.json
	node --no-experimental-fetch --no-liftoff build/wasm/convlab_bench.js --grading --json build/bench-grading-wasm.json

# Bytes per stored image (webcam-like photos, Fashion-MNIST) and a 1,000-image project file's
# size, with the page's own codec and file writer (tools/bench/storage.mjs).
.PHONY: bench-storage
bench-storage: npm web bench-data
	node --no-warnings tools/bench/storage.mjs --port $$(( $(BENCH_PORT) + 90 ))

# Issue 28's amplifying project file (2,500 12x12 PNGs padded to 400 KB each): the peak memory
# and time of convlab check and of the page opening it (tools/bench/amplify.mjs).
.PHONY: bench-amplify
bench-amplify: npm web native
	node --no-warnings tools/bench/amplify.mjs --port $$(( $(BENCH_PORT) + 95 ))

# The same harness with tiny budgets, to check that it runs (its figures mean nothing).
.PHONY: bench-quick bench-data
bench-quick: deps native wasm bench-data
	node tools/bench/run.mjs --port $(BENCH_PORT) --quick --out build/bench-quick.json

# Where a training step's time goes: the wasm bench CLI with function names under node's
# sampling profiler, workloads A and B; prints self time per function.
.PHONY: profile
profile: apt
	cmake --preset wasm-profile >/dev/null
	cmake --build build/wasm-prof -j$(JOBS) --target convlab_bench
	node tools/bench/profile.mjs build/wasm-prof/convlab_bench.js

bench-data:
	@dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || { SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q --no-install-recommends dataset-fashion-mnist; }

# Regenerates the committed PyTorch reference fixtures (not needed by make test).
fixtures:
	python3 tools/make_fixtures.py tests/fixtures

# Regenerates the models-out fixtures in tests/fixtures/export/ (ONNX checker verdicts, the
# PyTorch script's output under torch); needed after any change to the exporters.
export-fixtures: native
	/usr/bin/python3 tools/make_export_fixtures.py

clean:
	rm -rf build web/gen dist
