# The README's two commands: `make run` and `make test`. Everything else is a helper.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
DEMO_DB    ?= demo.db
CMAKE_GEN  := -G Ninja

.PHONY: all deps build build-asan run test test-fast bench fuzz format format-check tidy clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCHOLLIMA_SANITIZE=ON

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j$(JOBS)

# Builds, generates the demo economy once, shows its January fulfilment by sector, then
# serves it over HTTP until stopped (Ctrl-C).
LISTEN ?= 127.0.0.1:8080
run: build
	@if [ ! -f $(DEMO_DB) ]; then ./$(BUILD)/chollima demo --db $(DEMO_DB); fi
	./$(BUILD)/chollima fulfilment --db $(DEMO_DB) --period 2026-01 --by sector
	./$(BUILD)/chollima serve --db $(DEMO_DB) --listen $(LISTEN)

# Every test: the optimized build, then the address+undefined sanitizer build.
test: build build-asan format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE slow

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bash scripts/install-deps.sh --bench
	bash bench/run.sh $(BUILD)

# libFuzzer targets (clang); see fuzz/README.md.
fuzz:
	@bash scripts/install-deps.sh --fuzz
	CC=clang CXX=clang++ cmake -S . -B build-fuzz $(CMAKE_GEN) -DCHOLLIMA_FUZZ=ON
	cmake --build build-fuzz -j$(JOBS) --target fuzzers

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

format-check:
	@clang-format --dry-run -Werror $$(git ls-files '*.cc' '*.h')

tidy: build
	run-clang-tidy -quiet -p $(BUILD) -extra-arg=-std=c++2b 'src/'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
