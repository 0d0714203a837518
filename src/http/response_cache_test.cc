#include "http/response_cache.h"

#include <gtest/gtest.h>

namespace chollima::http {
namespace {

Request Get(const std::string& target) {
  Request r{.method = "GET", .path = target.substr(0, target.find('?'))};
  if (target.find('?') != std::string::npos)
    r.query = *ParseQuery(target.substr(target.find('?') + 1));
  return r;
}

TEST(ResponseCache, ServesOnlyTheCurrentGeneration) {
  ResponseCache cache;
  cache.Put("a", 1, "one");
  ASSERT_TRUE(cache.Get("a", 1));
  EXPECT_EQ(*cache.Get("a", 1), "one");
  EXPECT_FALSE(cache.Get("a", 2));  // a write happened since
  EXPECT_FALSE(cache.Get("b", 1));
  cache.Put("a", 0, "stale");  // computed before the write: dropped
  EXPECT_EQ(*cache.Get("a", 1), "one");
  cache.Put("b", 2, "two");  // a newer generation forgets the older entries
  EXPECT_FALSE(cache.Get("a", 1));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ResponseCache, IsBounded) {
  ResponseCache cache(3);
  for (int i = 0; i < 10; ++i) cache.Put(std::to_string(i), 1, "x");
  EXPECT_LE(cache.size(), 3u);
  EXPECT_TRUE(cache.Get("9", 1));
}

TEST(ResponseCache, KeyIgnoresParameterOrderButNotValues) {
  EXPECT_EQ(ResponseCache::KeyOf(Get("/api/fulfilment?period=2026&by=sector")),
            ResponseCache::KeyOf(Get("/api/fulfilment?by=sector&period=2026")));
  EXPECT_NE(ResponseCache::KeyOf(Get("/api/fulfilment?period=2026&by=sector")),
            ResponseCache::KeyOf(Get("/api/fulfilment?period=2026&by=region")));
  EXPECT_NE(ResponseCache::KeyOf(Get("/api/fulfilment?period=2026")),
            ResponseCache::KeyOf(Get("/api/units?period=2026")));
}

}  // namespace
}  // namespace chollima::http
