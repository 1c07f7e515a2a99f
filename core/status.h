// Status and Result<T>: the project's way to return expected failures (I/O, parse errors,
// corrupt input) with a message that names the file, offset or line. No exceptions cross
// the deterministic core. Values, single-threaded unless shared read-only.
//
//   Result<int64_t> r = ParseDecimal("12.5", 9);
//   if (!r.ok()) return r.status();
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/check.h"

namespace td {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kOutOfRange,
  kNotFound,
  kCorruption,
  kIoError,
  kUnavailable,
  kFailedPrecondition,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: seg-000000.tdj offset 65600: block checksum mismatch"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    TD_CHECK_MSG(!std::get<Status>(v_).ok(), "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    TD_CHECK_MSG(ok(), status().ToString().c_str());
    return std::get<T>(v_);
  }
  const T& value() const& {
    TD_CHECK_MSG(ok(), status().ToString().c_str());
    return std::get<T>(v_);
  }
  T&& value() && {
    TD_CHECK_MSG(ok(), status().ToString().c_str());
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace td

#define TD_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::td::Status td_status_ = (expr);        \
    if (!td_status_.ok()) return td_status_; \
  } while (0)
