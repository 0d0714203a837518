// Login rate limiting: failed logins are counted per account name and, separately, per
// client address. After `max_failures` failures within `window`, that key is refused for a
// back-off of `first_backoff`, doubling with every further block (at most `max_backoff`);
// the caller answers 429 with Retry-After. A successful login clears its name's record
// (not its address's: one good account must not reset an address guessing others).
// Failures are counted in windows that start at a window's first failure. A key quiet for
// a whole `window` after its last failure and its last block is forgotten, so its
// back-off starts again from `first_backoff`.
//
//   LoginRateLimiter limiter([] { return std::chrono::steady_clock::now(); });
//   if (auto wait = limiter.Check(name, address)) return TooManyRequests(wait->count());
//   if (password_ok) limiter.RecordSuccess(name, address);
//   else limiter.RecordFailure(name, address);
//
// Memory is bounded: at most `max_entries` keys; when full, forgotten keys go first, then
// the least recently touched. Thread-safety: any thread may call it (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chollima::auth {

struct RateLimitOptions {
  int max_failures = 5;
  std::chrono::seconds window = std::chrono::minutes(15);
  std::chrono::seconds first_backoff = std::chrono::seconds(30);
  std::chrono::seconds max_backoff = std::chrono::minutes(15);
  size_t max_entries = 100000;
};

class LoginRateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Now = std::function<TimePoint()>;

  explicit LoginRateLimiter(Now now, RateLimitOptions options = {});

  // Before checking a password: nullopt when the attempt may go on, else how long to wait
  // (whole seconds, at least 1), the longer of the name's and the address's blocks.
  std::optional<std::chrono::seconds> Check(std::string_view name, std::string_view address);
  void RecordFailure(std::string_view name, std::string_view address);
  void RecordSuccess(std::string_view name, std::string_view address);

  // Keys currently remembered (names and addresses), for tests and metrics.
  size_t size() const;

 private:
  struct Entry {
    int failures = 0;           // within the current window
    TimePoint window_start{};   // first failure of the current window
    TimePoint last_failure{};   // most recent failure
    TimePoint blocked_until{};  // refused before this
    int blocks = 0;             // blocks so far; the next lasts first_backoff * 2^blocks
    std::list<std::string>::iterator lru;
  };

  // REQUIRES: mu_ held.
  std::optional<std::chrono::seconds> Wait(const std::string& key, TimePoint now);
  void Fail(const std::string& key, TimePoint now);
  Entry& Touch(const std::string& key, TimePoint now);
  bool Forgotten(const Entry& e, TimePoint now) const;
  void Evict();

  Now now_;
  RateLimitOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // least recently touched first
};

}  // namespace chollima::auth
