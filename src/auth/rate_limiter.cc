#include "auth/rate_limiter.h"

#include <algorithm>

namespace chollima::auth {
namespace {

std::string NameKey(std::string_view name) { return "n:" + std::string(name); }
std::string AddressKey(std::string_view address) { return "a:" + std::string(address); }

}  // namespace

LoginRateLimiter::LoginRateLimiter(Now now, RateLimitOptions options)
    : now_(std::move(now)), options_(options) {
  options_.max_failures = std::max(options_.max_failures, 1);
  options_.max_entries = std::max<size_t>(options_.max_entries, 2);
}

std::optional<std::chrono::seconds> LoginRateLimiter::Check(std::string_view name,
                                                            std::string_view address) {
  const TimePoint now = now_();
  std::lock_guard lock(mu_);
  auto by_name = Wait(NameKey(name), now);
  auto by_address = Wait(AddressKey(address), now);
  if (!by_name) return by_address;
  if (!by_address) return by_name;
  return std::max(*by_name, *by_address);
}

void LoginRateLimiter::RecordFailure(std::string_view name, std::string_view address) {
  const TimePoint now = now_();
  std::lock_guard lock(mu_);
  Fail(NameKey(name), now);
  Fail(AddressKey(address), now);
}

void LoginRateLimiter::RecordSuccess(std::string_view name, std::string_view /*address*/) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(NameKey(name));
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

size_t LoginRateLimiter::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::optional<std::chrono::seconds> LoginRateLimiter::Wait(const std::string& key, TimePoint now) {
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.blocked_until) return std::nullopt;
  // Rounded up, so that a client waiting exactly Retry-After seconds is let in.
  const auto left = it->second.blocked_until - now;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
  if (secs < left) ++secs;
  return std::max(secs, std::chrono::seconds(1));
}

void LoginRateLimiter::Fail(const std::string& key, TimePoint now) {
  Entry& e = Touch(key, now);
  if (e.failures > 0 && now - std::max(e.last_failure, e.blocked_until) >= options_.window) {
    e.blocks = 0;  // quiet for a whole window after the last block: back-off starts again
  }
  if (e.failures == 0 || now - e.window_start >= options_.window) {
    e.failures = 0;
    e.window_start = now;
  }
  ++e.failures;
  e.last_failure = now;
  if (e.failures >= options_.max_failures) {
    auto backoff = options_.first_backoff;
    for (int i = 0; i < e.blocks && backoff < options_.max_backoff; ++i) backoff *= 2;
    backoff = std::min(backoff, options_.max_backoff);
    e.blocked_until = now + backoff;
    ++e.blocks;
  }
}

LoginRateLimiter::Entry& LoginRateLimiter::Touch(const std::string& key, TimePoint now) {
  // Forgotten keys sit at the front (touched longest ago): drop them as we go.
  while (!lru_.empty() && lru_.front() != key && Forgotten(entries_.at(lru_.front()), now)) {
    entries_.erase(lru_.front());
    lru_.pop_front();
  }
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    lru_.splice(lru_.end(), lru_, it->second.lru);
    return it->second;
  }
  Evict();
  lru_.push_back(key);
  Entry& e = entries_[key];
  e.lru = std::prev(lru_.end());
  return e;
}

bool LoginRateLimiter::Forgotten(const Entry& e, TimePoint now) const {
  return now - std::max(e.last_failure, e.blocked_until) >= options_.window;
}

void LoginRateLimiter::Evict() {
  // Full: the least recently touched key goes, blocked or not.
  while (entries_.size() >= options_.max_entries && !lru_.empty()) {
    entries_.erase(lru_.front());
    lru_.pop_front();
  }
}

}  // namespace chollima::auth
