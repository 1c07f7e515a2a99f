#!/usr/bin/env bash
# The clang leg of `make test`: builds with clang (the fuzz target needs it), runs the core
# tests (their golden random sequences must match gcc's bit for bit), replays the fuzz corpus,
# and fuzzes the journal reader, the order book (differentially, against the reference book),
# the FIX session state machine and whole simulations under fault schedules (FIX sessions on
# the links) for short, seeded runs.
set -euo pipefail
BUILD=${1:-build-clang}
JOBS=${JOBS:-2}
if ! command -v clang++ >/dev/null; then
  echo "clang++ not installed: skipping the clang build"
  exit 0
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DTD_FUZZ=ON -DTD_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target journal_reader_fuzzer order_book_fuzzer fix_session_fuzzer \
  sim_fault_fuzzer core_tests replayer_tests
ctest --test-dir "$BUILD" -j "$JOBS" --output-on-failure -L "core|replayer"
log="$BUILD/fuzz.log"
mkdir -p "$BUILD/fuzz-new"  # new inputs go here; the committed corpus is only read
if ! "$BUILD/fuzz/journal_reader_fuzzer" -seed=1 -runs=20000 -max_len=8192 \
    -artifact_prefix="$BUILD/" "$BUILD/fuzz-new" fuzz/corpus/journal_reader >"$log" 2>&1; then
  tail -40 "$log"
  echo "journal_reader_fuzzer found a crash: see $BUILD/crash-* (add it to fuzz/corpus)" >&2
  exit 1
fi
echo "journal_reader_fuzzer: $(ls fuzz/corpus/journal_reader | wc -l) corpus inputs, 20000 seeded runs, no crash"
mkdir -p "$BUILD/fuzz-book"
if ! "$BUILD/fuzz/order_book_fuzzer" -seed=1 -runs=20000 -max_len=4096 \
    -artifact_prefix="$BUILD/" "$BUILD/fuzz-book" >"$BUILD/fuzz-book.log" 2>&1; then
  tail -40 "$BUILD/fuzz-book.log"
  echo "order_book_fuzzer found a divergence or crash: see $BUILD/crash-*" >&2
  exit 1
fi
echo "order_book_fuzzer: 20000 seeded runs against the reference book, no divergence"
mkdir -p "$BUILD/fuzz-fix"
if ! "$BUILD/fuzz/fix_session_fuzzer" -seed=1 -runs=20000 -max_len=4096 \
    -artifact_prefix="$BUILD/" "$BUILD/fuzz-fix" fuzz/corpus/fix_session \
    >"$BUILD/fuzz-fix.log" 2>&1; then
  tail -40 "$BUILD/fuzz-fix.log"
  echo "fix_session_fuzzer found an invariant violation or crash: see $BUILD/crash-*" \
    "(add it to fuzz/corpus/fix_session)" >&2
  exit 1
fi
echo "fix_session_fuzzer: $(ls fuzz/corpus/fix_session | wc -l) corpus inputs, 20000 seeded runs, no violation"
mkdir -p "$BUILD/fuzz-sim"
if ! "$BUILD/fuzz/sim_fault_fuzzer" -seed=1 -runs=300 -max_len=48 -len_control=0 \
    -artifact_prefix="$BUILD/" "$BUILD/fuzz-sim" fuzz/corpus/sim_fault \
    >"$BUILD/fuzz-sim.log" 2>&1; then
  tail -60 "$BUILD/fuzz-sim.log"
  echo "sim_fault_fuzzer: the engine drifted from the venue: see $BUILD/crash-*" \
    "(add it to fuzz/corpus/sim_fault)" >&2
  exit 1
fi
echo "sim_fault_fuzzer: $(ls fuzz/corpus/sim_fault | wc -l) corpus inputs, 300 seeded simulations under fault schedules, no drift"
