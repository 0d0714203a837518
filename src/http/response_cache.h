// Answers of expensive reads kept until the next write: the engine's State only changes
// when a write commits, so an answer computed for a query stays exact until then.
//
//   ResponseCache cache;
//   if (auto body = cache.Get(key, generation)) return *body;
//   cache.Put(key, generation, body);
//   ... a write commits: ++generation (entries of older generations are never served)
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/router.h"

namespace chollima::http {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_entries = 512) : max_entries_(max_entries) {}

  // The body stored for `key` at `generation`, or null.
  std::shared_ptr<const std::string> Get(const std::string& key, uint64_t generation) const;
  // Stores `body`; forgets everything of older generations, and everything when full.
  void Put(const std::string& key, uint64_t generation, std::string body);
  size_t size() const;

  // A key for `request` that does not depend on the order of its query parameters.
  static std::string KeyOf(const Request& request);

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;  // of every entry in entries_
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;
};

}  // namespace chollima::http
