# Thin wrapper over CMake. `make demo` and `make test` are the Quick start: each installs the
# Debian packages it needs (scripts/install-deps.sh), configures and builds.
JOBS    ?= 2
BUILD   ?= build
ASAN    ?= build-asan
CLANG   ?= build-clang
RELEASE ?= build-release
PGO_GEN ?= build-pgo-generate
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-gcc test-asan test-clang test-release release bench fuzz clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./scripts/demo.sh $(BUILD)/tools/tapedeck

# Every test in the default (gcc, -Werror) build, then the journal, schema, core, sim-exchange
# and FIX (codec, session, QuickFIX acceptance suite) tests under ASan+UBSan, then the clang
# build: core goldens and short seeded runs of the fuzz targets (scripts/test-clang.sh), then
# the release binary against the default one (scripts/test-release.sh).
test: test-gcc test-asan test-clang test-release

test-gcc: build
	@ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

test-asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DTD_SANITIZE=ON -DTD_BENCH=OFF >/dev/null
	@cmake --build $(ASAN) -j $(JOBS) --target journal_tests schema_tests core_tests sim_exchange_tests fix_tests \
	  fix-acceptance-server
	@ctest --test-dir $(ASAN) -j $(JOBS) --output-on-failure -L 'journal|schema|core|sim-exchange|fix'

test-clang: deps
	@JOBS=$(JOBS) ./scripts/test-clang.sh $(CLANG)

# The release binary, $(RELEASE)/tools/tapedeck: profile-guided and link-time optimised. An
# instrumented build ($(PGO_GEN)) runs scripts/pgo-train.sh on the embedded synthetic market
# and example scenarios, then the release build compiles with that profile and links with
# -flto. Both builds are incremental and the training runs every time (about 15 s); an
# object of the release build is compiled again when its source changes, not when only the
# profile does (a stale profile costs speed, never correctness: `make test` compares).
release: deps
	@cmake -S . -B $(PGO_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTD_BENCH=OFF -DTD_PGO=generate \
	  -DTD_PGO_DATA=$(abspath $(PGO_GEN))/profile $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(PGO_GEN) -j $(JOBS) --target tapedeck
	@rm -rf $(PGO_GEN)/profile
	@./scripts/pgo-train.sh $(PGO_GEN)/tools/tapedeck
	@cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTD_BENCH=OFF -DTD_PGO=use \
	  -DTD_PGO_DATA=$(abspath $(PGO_GEN))/profile -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON \
	  $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS) --target tapedeck

# The release binary's journals must be the default build's, byte for byte.
test-release: build release
	@./scripts/test-release.sh $(BUILD)/tools/tapedeck $(RELEASE)/tools/tapedeck

# Google Benchmark micro-benchmarks from the default build; the tapedeck figures from the
# release binary.
bench: build release
	@$(BUILD)/bench/journal_benchmark --benchmark_min_time=0.5
	@$(BUILD)/bench/order_book_benchmark --benchmark_min_time=0.5
	@$(BUILD)/bench/fix_benchmark --benchmark_min_time=0.5
	@$(RELEASE)/tools/tapedeck bench journal --events 5000000 --json
	@$(RELEASE)/tools/tapedeck bench book --json
	@$(RELEASE)/tools/tapedeck bench simulate --json

# Fuzz the journal reader, the order book, the FIX session, then whole simulations under
# fault schedules, FUZZ_SECONDS each (new journal inputs land in the committed corpus
# directory).
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B $(CLANG) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DTD_FUZZ=ON -DTD_BENCH=OFF >/dev/null
	@cmake --build $(CLANG) -j $(JOBS) --target journal_reader_fuzzer order_book_fuzzer \
	  fix_session_fuzzer sim_fault_fuzzer
	@$(CLANG)/fuzz/journal_reader_fuzzer -max_total_time=$(FUZZ_SECONDS) \
	  -artifact_prefix=$(CLANG)/ fuzz/corpus/journal_reader
	@mkdir -p $(CLANG)/fuzz-book
	@$(CLANG)/fuzz/order_book_fuzzer -max_total_time=$(FUZZ_SECONDS) \
	  -artifact_prefix=$(CLANG)/ $(CLANG)/fuzz-book
	@mkdir -p $(CLANG)/fuzz-fix
	@$(CLANG)/fuzz/fix_session_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=$(CLANG)/ $(CLANG)/fuzz-fix fuzz/corpus/fix_session
	@mkdir -p $(CLANG)/fuzz-sim
	@$(CLANG)/fuzz/sim_fault_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=48 -len_control=0 \
	  -artifact_prefix=$(CLANG)/ $(CLANG)/fuzz-sim fuzz/corpus/sim_fault

clean:
	rm -rf $(BUILD) $(ASAN) $(CLANG) $(RELEASE) $(PGO_GEN)
