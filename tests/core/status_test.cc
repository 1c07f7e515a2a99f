// Tests for core/status and core/check: Status and Result<T> carry values and errors, and
// TD_CHECK aborts with the condition, the location, the message and the registered context.
#include "core/status.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "core/check.h"

namespace td {
namespace {

TEST(Status, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(Status, HelpersSetCodeAndMessage) {
  const Status s = Corruption("seg-000000.tdj offset 65600: block checksum mismatch");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.ToString(), "corruption: seg-000000.tdj offset 65600: block checksum mismatch");
  EXPECT_EQ(InvalidArgument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OutOfRange("x").code(), StatusCode::kOutOfRange);
  EXPECT_EQ(NotFound("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(IoError("x").code(), StatusCode::kIoError);
  EXPECT_EQ(FailedPrecondition("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(IoError("open a.csv: no such file").ToString(), "I/O error: open a.csv: no such file");
}

TEST(Status, EveryCodeHasAName) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
  EXPECT_EQ(StatusCodeName(StatusCode::kInvalidArgument), "invalid argument");
  EXPECT_EQ(StatusCodeName(StatusCode::kOutOfRange), "out of range");
  EXPECT_EQ(StatusCodeName(StatusCode::kNotFound), "not found");
  EXPECT_EQ(StatusCodeName(StatusCode::kCorruption), "corruption");
  EXPECT_EQ(StatusCodeName(StatusCode::kIoError), "I/O error");
  EXPECT_EQ(StatusCodeName(StatusCode::kUnavailable), "unavailable");
  EXPECT_EQ(StatusCodeName(StatusCode::kFailedPrecondition), "failed precondition");
  EXPECT_EQ(StatusCodeName(StatusCode::kInternal), "internal");
}

TEST(Result, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(*r, 42);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(Result, HoldsAnError) {
  const Result<int> r = NotFound("instrument 17");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "instrument 17");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

TEST(Result, ArrowReachesMembers) {
  Result<std::string> r = std::string("abc");
  EXPECT_EQ(r->size(), 3U);
}

Status FailIfNegative(int v) {
  return v < 0 ? OutOfRange("negative: " + std::to_string(v)) : Status();
}

// Counts how far it got, to show that TD_RETURN_IF_ERROR returns early.
Status TwoSteps(int a, int b, int* steps) {
  TD_RETURN_IF_ERROR(FailIfNegative(a));
  ++*steps;
  TD_RETURN_IF_ERROR(FailIfNegative(b));
  ++*steps;
  return Status::Ok();
}

TEST(ReturnIfError, PropagatesTheFirstError) {
  int steps = 0;
  EXPECT_TRUE(TwoSteps(1, 2, &steps).ok());
  EXPECT_EQ(steps, 2);
  steps = 0;
  const Status s = TwoSteps(1, -2, &steps);
  EXPECT_EQ(s.ToString(), "out of range: negative: -2");
  EXPECT_EQ(steps, 1);
}

TEST(Check, PassingCheckEvaluatesTheConditionOnce) {
  int evaluations = 0;
  TD_CHECK(++evaluations == 1);
  TD_CHECK_MSG(++evaluations == 2, "unused");
  EXPECT_EQ(evaluations, 2);
}

// The context a simulation would register: the sequence and seed of the run.
struct RunContext {
  int64_t seq;
  uint64_t seed;
};

void PrintRunContext(const void* arg) {
  const auto* ctx = static_cast<const RunContext*>(arg);
  std::fprintf(stderr, "seq=%lld seed=%llu", static_cast<long long>(ctx->seq),
               static_cast<unsigned long long>(ctx->seed));
}

TEST(CheckDeathTest, PrintsConditionAndLocation) {
  EXPECT_DEATH(TD_CHECK(1 + 1 == 3), "CHECK failed: 1 \\+ 1 == 3 at .*status_test\\.cc:[0-9]+");
}

TEST(CheckDeathTest, PrintsTheMessage) {
  const int qty = -3;
  EXPECT_DEATH(TD_CHECK_MSG(qty > 0, "qty must be positive"),
               "CHECK failed: qty > 0 at .*status_test\\.cc:[0-9]+: qty must be positive");
}

TEST(CheckDeathTest, PrintsTheRegisteredContext) {
  const RunContext ctx{1234, 42};
  const CheckContextScope scope(&PrintRunContext, &ctx);
  EXPECT_DEATH(TD_CHECK_MSG(false, "boom"), "boom\ncontext: seq=1234 seed=42");
}

TEST(CheckDeathTest, InnerScopeRestoresTheOuterContext) {
  const RunContext outer{1, 7};
  const CheckContextScope outer_scope(&PrintRunContext, &outer);
  {
    const RunContext inner{2, 8};
    const CheckContextScope inner_scope(&PrintRunContext, &inner);
    EXPECT_DEATH(TD_CHECK(false), "context: seq=2 seed=8");
  }
  EXPECT_DEATH(TD_CHECK(false), "context: seq=1 seed=7");
}

TEST(CheckDeathTest, NoContextLineWithoutAScope) {
  EXPECT_EXIT(
      {
        std::fputs("start\n", stderr);
        TD_CHECK(false);
      },
      ::testing::KilledBySignal(SIGABRT), "start\nCHECK failed: false at [^\n]*\n$");
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsWithTheStatus) {
  const Result<int> r = Corruption("block 3");
  EXPECT_DEATH((void)r.value(), "corruption: block 3");
}

TEST(ResultDeathTest, BuildingFromAnOkStatusAborts) {
  EXPECT_DEATH((void)Result<int>{Status::Ok()}, "Result built from an ok Status");
}

}  // namespace
}  // namespace td
