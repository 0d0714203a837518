#include "auth/rate_limiter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace chollima::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class RateLimiterTest : public ::testing::Test {
 protected:
  LoginRateLimiter Make(RateLimitOptions options = {}) {
    return LoginRateLimiter([this] { return now_; }, options);
  }
  void Fail(LoginRateLimiter& l, const std::string& name, const std::string& addr, int times) {
    for (int i = 0; i < times; ++i) l.RecordFailure(name, addr);
  }

  LoginRateLimiter::TimePoint now_{std::chrono::hours(1000)};
};

TEST_F(RateLimiterTest, FiveFailuresBlockForThirtySeconds) {
  auto l = Make();
  Fail(l, "kim", "10.0.0.1", 4);
  EXPECT_FALSE(l.Check("kim", "10.0.0.1"));
  l.RecordFailure("kim", "10.0.0.1");
  EXPECT_EQ(l.Check("kim", "10.0.0.1"), seconds(30));
  EXPECT_EQ(l.Check("kim", "10.0.0.2"), seconds(30));  // by name, from anywhere
  EXPECT_EQ(l.Check("lee", "10.0.0.1"), seconds(30));  // by address, for any name
  EXPECT_FALSE(l.Check("lee", "10.0.0.2"));
  now_ += seconds(29) + milliseconds(500);
  EXPECT_EQ(l.Check("kim", "10.0.0.1"), seconds(1));  // rounded up
  now_ += milliseconds(500);
  EXPECT_FALSE(l.Check("kim", "10.0.0.1"));
}

TEST_F(RateLimiterTest, EachFurtherBlockDoublesUpToFifteenMinutes) {
  auto l = Make();
  Fail(l, "kim", "a", 5);
  // Within the window, every failure after a block blocks again, twice as long.
  for (const seconds expected : {seconds(30), seconds(60), seconds(120), seconds(240)}) {
    ASSERT_EQ(l.Check("kim", "a"), expected);
    now_ += expected;
    ASSERT_FALSE(l.Check("kim", "a"));
    l.RecordFailure("kim", "a");
  }
  ASSERT_EQ(l.Check("kim", "a"), seconds(480));
  now_ += seconds(480);
  // The window is over (7.5 + 8 minutes): five failures again, and a 15-minute block.
  Fail(l, "kim", "a", 4);
  EXPECT_FALSE(l.Check("kim", "a"));
  l.RecordFailure("kim", "a");
  EXPECT_EQ(l.Check("kim", "a"), minutes(15));
  // Once the block is over, the back-off stays at its longest until a quiet window.
  now_ += minutes(15);
  Fail(l, "kim", "a", 5);
  EXPECT_EQ(l.Check("kim", "a"), minutes(15));
}

TEST_F(RateLimiterTest, FailuresOlderThanTheWindowDoNotCount) {
  auto l = Make();
  Fail(l, "kim", "a", 4);
  now_ += minutes(15);
  Fail(l, "kim", "a", 4);
  EXPECT_FALSE(l.Check("kim", "a"));
  l.RecordFailure("kim", "a");
  EXPECT_EQ(l.Check("kim", "a"), seconds(30));
}

TEST_F(RateLimiterTest, BackOffStartsAgainAfterAQuietWindow) {
  auto l = Make();
  Fail(l, "kim", "a", 5);
  now_ += seconds(30);
  l.RecordFailure("kim", "a");
  EXPECT_EQ(l.Check("kim", "a"), seconds(60));
  now_ += minutes(16);
  Fail(l, "kim", "a", 5);
  EXPECT_EQ(l.Check("kim", "a"), seconds(30));
}

TEST_F(RateLimiterTest, SuccessClearsTheNameButNotTheAddress) {
  auto l = Make();
  Fail(l, "kim", "a", 4);
  l.RecordSuccess("kim", "a");
  l.RecordFailure("kim", "b");
  EXPECT_FALSE(l.Check("kim", "b"));  // the name starts from one failure again
  l.RecordFailure("lee", "a");        // the address has five now
  EXPECT_EQ(l.Check("nobody", "a"), seconds(30));
  // A success while the address is blocked does not lift the address's block.
  l.RecordSuccess("lee", "a");
  EXPECT_EQ(l.Check("lee", "a"), seconds(30));
}

TEST_F(RateLimiterTest, GuessingManyNamesFromOneAddressIsBlocked) {
  auto l = Make();
  for (int i = 0; i < 5; ++i) l.RecordFailure("user" + std::to_string(i), "6.6.6.6");
  EXPECT_EQ(l.Check("user9", "6.6.6.6"), seconds(30));
  EXPECT_FALSE(l.Check("user0", "1.2.3.4"));
}

TEST_F(RateLimiterTest, MemoryIsBounded) {
  auto l = Make({.max_entries = 10});
  for (int i = 0; i < 100; ++i) l.RecordFailure("n" + std::to_string(i), "a" + std::to_string(i));
  EXPECT_LE(l.size(), 10u);
  // The newest keys are the ones kept.
  Fail(l, "n99", "a99", 4);
  EXPECT_EQ(l.Check("n99", "x"), seconds(30));
}

TEST_F(RateLimiterTest, ForgottenKeysAreDroppedAsTimeGoesOn) {
  auto l = Make();
  for (int i = 0; i < 50; ++i) l.RecordFailure("n" + std::to_string(i), "a");
  EXPECT_EQ(l.size(), 51u);
  now_ += minutes(31);  // past the window and the address's block
  l.RecordFailure("late", "b");
  EXPECT_EQ(l.size(), 2u);
}

TEST_F(RateLimiterTest, ManyThreads) {
  auto l = Make({.max_entries = 64});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string name = "n" + std::to_string((t * 500 + i) % 97);
        (void)l.Check(name, "addr" + std::to_string(t));
        if (i % 3 == 0) {
          l.RecordSuccess(name, "addr");
        } else {
          l.RecordFailure(name, "addr" + std::to_string(t));
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(l.size(), 64u);
}

}  // namespace
}  // namespace chollima::auth
