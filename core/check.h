// TD_CHECK: an always-on invariant check (release builds too). On failure it prints the
// condition, the source location, an optional message and the context of the current run
// (sequence, simulated time, seed: whatever the running component registered), then aborts.
// For programmer errors only; expected failures return a Status.
//
//   TD_CHECK(qty > 0);
//   TD_CHECK_MSG(ts >= last_ts, "timestamps must not go backwards");
#pragma once

namespace td {

// A component that owns a run (a simulation, a replay, a journal writer) may register a
// function that prints its context to stderr when a check fails. One per thread; the
// previous one is restored by the guard's destructor.
using CheckContextFn = void (*)(const void* arg);

class CheckContextScope {
 public:
  CheckContextScope(CheckContextFn fn, const void* arg);
  ~CheckContextScope();
  CheckContextScope(const CheckContextScope&) = delete;
  CheckContextScope& operator=(const CheckContextScope&) = delete;

 private:
  CheckContextFn prev_fn_;
  const void* prev_arg_;
};

[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const char* msg);

}  // namespace td

#define TD_CHECK(cond)                                                   \
  do {                                                                   \
    if (__builtin_expect(!(cond), 0)) {                                  \
      ::td::CheckFailed(#cond, __FILE__, __LINE__, nullptr);             \
    }                                                                    \
  } while (0)

#define TD_CHECK_MSG(cond, msg)                                          \
  do {                                                                   \
    if (__builtin_expect(!(cond), 0)) {                                  \
      ::td::CheckFailed(#cond, __FILE__, __LINE__, (msg));               \
    }                                                                    \
  } while (0)
