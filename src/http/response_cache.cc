#include "http/response_cache.h"

#include <algorithm>

namespace chollima::http {

std::shared_ptr<const std::string> ResponseCache::Get(const std::string& key,
                                                      uint64_t generation) const {
  std::lock_guard lock(mu_);
  if (generation != generation_) return nullptr;
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void ResponseCache::Put(const std::string& key, uint64_t generation, std::string body) {
  std::lock_guard lock(mu_);
  if (generation < generation_) return;  // computed before a write that is now visible
  if (generation > generation_ || entries_.size() >= max_entries_) {
    entries_.clear();
    generation_ = generation;
  }
  entries_[key] = std::make_shared<const std::string>(std::move(body));
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::string ResponseCache::KeyOf(const Request& request) {
  auto items = request.query.items();
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string key = request.method + " " + request.path;
  for (const auto& [name, value] : items) {
    key += '\x1f';
    key += name;
    key += '=';
    key += value;
  }
  return key;
}

}  // namespace chollima::http
