# The README's two commands: `make run` and `make test`. Everything else is a helper.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
DEMO_DB    ?= demo.db
CMAKE_GEN  := -G Ninja

.PHONY: all deps build build-asan web run test test-fast tsan bench fuzz format format-check tidy clean

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

# The dashboard (web/): npm packages from the lock file, then a Vite build into web/dist.
web: deps web/node_modules/.installed
	cd web && npm run -s build

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Builds the binary and the dashboard, generates the demo economy and its admin account
# once (the admin's password is printed that once), then serves the dashboard and the API
# until stopped (Ctrl-C). Lost the password? build/chollima user password --db demo.db
# admin --password-stdin
LISTEN ?= 127.0.0.1:8080
run: build web
	@if [ ! -f $(DEMO_DB) ]; then ./$(BUILD)/chollima demo --db $(DEMO_DB); fi
	@if ! ./$(BUILD)/chollima user list --db $(DEMO_DB) --format csv | grep -q '^admin,'; then \
	  ./$(BUILD)/chollima user add --db $(DEMO_DB) admin --role admin --author "make run"; \
	fi
	@echo "open the URL below and log in as admin (the password was printed when $(DEMO_DB) was made)"
	./$(BUILD)/chollima serve --db $(DEMO_DB) --listen $(LISTEN)

# Every test: the optimized build (with the dashboard's browser tests), then the
# address+undefined sanitizer build.
test: build build-asan web format-check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -LE slow

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bash scripts/install-deps.sh --bench
	bash bench/run.sh $(BUILD)

# The engine and http tests under ThreadSanitizer (the server's threads, the event bus).
TSAN_BUILD   ?= build-tsan
TSAN_OPTIONS ?= halt_on_error=1 second_deadlock_stack=1
tsan: deps
	cmake -S . -B $(TSAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHOLLIMA_TSAN=ON
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target src/engine/all src/http/all
	@for t in $(TSAN_BUILD)/src/engine/*_test $(TSAN_BUILD)/src/http/*_test; do \
	  echo "== $$t"; TSAN_OPTIONS="$(TSAN_OPTIONS)" $$t --gtest_brief=1 || exit 1; \
	done

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
