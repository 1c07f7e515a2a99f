#include "core/check.h"

#include <cstdio>
#include <cstdlib>

namespace td {
namespace {
thread_local CheckContextFn g_context_fn = nullptr;
thread_local const void* g_context_arg = nullptr;
}  // namespace

CheckContextScope::CheckContextScope(CheckContextFn fn, const void* arg)
    : prev_fn_(g_context_fn), prev_arg_(g_context_arg) {
  g_context_fn = fn;
  g_context_arg = arg;
}

CheckContextScope::~CheckContextScope() {
  g_context_fn = prev_fn_;
  g_context_arg = prev_arg_;
}

void CheckFailed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "CHECK failed: %s at %s:%d", expr, file, line);
  if (msg != nullptr) std::fprintf(stderr, ": %s", msg);
  std::fputc('\n', stderr);
  if (g_context_fn != nullptr) {
    std::fputs("context: ", stderr);
    g_context_fn(g_context_arg);
    std::fputc('\n', stderr);
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace td
