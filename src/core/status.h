// Errors as values: Error carries a stable code and a message a person can act on;
// Result<T> holds either a T or an Error; Status is Result<void>.
//
//   Result<Date> d = ParseDate("2026-02-30");
//   if (!d.ok()) return d.error();   // "'2026-02-30' is not a date: day 30 ..."
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace chollima {

enum class ErrorCode {
  kInvalidArgument,     // malformed input: a bad date, a non-number, a missing column
  kNotFound,            // a referenced thing does not exist: unknown unit or indicator
  kAlreadyExists,       // a duplicate code
  kFailedPrecondition,  // the request contradicts the stored state: a hierarchy cycle
  kIo,                  // the file system or the store failed
  kInternal,            // a bug: an invariant did not hold
  kUnauthenticated,     // no valid credentials: wrong name or password, unknown session
  kPermissionDenied,    // the caller is known but its role or scope does not allow this
};

// Returns a stable lower-case name for the code, e.g. "invalid_argument".
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
inline Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Error AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Error FailedPrecondition(std::string m) {
  return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Error IoError(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
inline Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
inline Error Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
inline Error PermissionDenied(std::string m) {
  return {ErrorCode::kPermissionDenied, std::move(m)};
}

// Either a value or an Error. Accessing the wrong alternative is a bug and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status OkStatus() { return {}; }

}  // namespace chollima

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define CHOLLIMA_RETURN_IF_ERROR(expr)                           \
  do {                                                           \
    auto chollima_status_ = (expr);                              \
    if (!chollima_status_.ok()) return chollima_status_.error(); \
  } while (false)

#define CHOLLIMA_CONCAT_INNER_(a, b) a##b
#define CHOLLIMA_CONCAT_(a, b) CHOLLIMA_CONCAT_INNER_(a, b)
// Evaluates `expr` (a Result<T>); on error returns the Error, else assigns the value to
// `lhs` (which may declare it: `CHOLLIMA_ASSIGN_OR_RETURN(const int n, Parse(x));`).
#define CHOLLIMA_ASSIGN_OR_RETURN(lhs, expr) \
  CHOLLIMA_ASSIGN_OR_RETURN_IMPL_(CHOLLIMA_CONCAT_(chollima_result_, __LINE__), lhs, expr)
// `lhs` cannot be parenthesized (it may be a declaration), nor `tmp` (a name).
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CHOLLIMA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.error();                    \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
