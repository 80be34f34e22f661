# Two commands do everything on a fresh Debian 12 machine:
#   make serve   installs what is missing, builds, serves the page at http://localhost:8080
#   make test    installs what is missing, runs native, sanitizer, wasm and browser tests
# Other targets: make bench, make profile, make native, make wasm, make fixtures (needs python3-torch).

SHELL := /bin/bash
# Debian's emscripten finds its JS parser (acorn) here; without it -O2 links fail.
export NODE_PATH := /usr/share/nodejs
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
JOBS ?= 2
APT_PACKAGES := emscripten catch2 chromium binaryen

.PHONY: all deps apt npm native asan wasm web test test-native test-asan test-wasm test-e2e serve bench fixtures clean

all: native wasm

deps: apt npm

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

npm: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

native: apt
	cmake --preset native-release >/dev/null
	cmake --build build/native -j$(JOBS)

asan: apt
	cmake --preset native-asan >/dev/null
	cmake --build build/asan -j$(JOBS)

wasm: apt
	cmake --preset wasm-release >/dev/null
	cmake --build build/wasm -j$(JOBS)

# The page serves only its own origin: the engine builds (and any pinned npm web library)
# are copied into web/gen, which git ignores.
web: wasm npm
	mkdir -p web/gen
	cp build/wasm/web/convlab.js build/wasm/web/convlab.wasm build/wasm/web/convlab-mt.js \
	   build/wasm/web/convlab-mt.wasm build/wasm/web/convlab-mt.worker.js web/gen/

test-native: native
	cd build/native && ctest --output-on-failure
test-asan: asan
	cd build/asan && ctest --output-on-failure
test-wasm: wasm
	cd build/wasm && ctest --output-on-failure
test-e2e: web
	node e2e/run.mjs

test: deps
	$(MAKE) test-native
	$(MAKE) test-asan
	$(MAKE) test-wasm
	$(MAKE) test-e2e

serve: deps web
	node tools/serve.mjs --port 8080

# The benchmark (never part of make test): native and wasm-under-node CLI (tools/bench.cc),
# then headless Chromium running ConvLab beside TensorFlow.js and ConvNetJS (tools/bench/);
# prints Markdown tables and writes build/bench.json. About 5 to 10 minutes.
BENCH_PORT ?= 8701
bench: deps native wasm bench-data
	node tools/bench/run.mjs --port $(BENCH_PORT)

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

clean:
	rm -rf build web/gen
