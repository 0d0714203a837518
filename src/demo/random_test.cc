#include "demo/random.h"

#include <gtest/gtest.h>

#include <cmath>

namespace chollima::demo::internal {
namespace {

TEST(Exp, MatchesLibmToAFewUlps) {
  for (double x = -20; x <= 20; x += 0.0137) {
    EXPECT_NEAR(Exp(x), std::exp(x), 4e-16 * std::exp(x)) << x;
  }
  EXPECT_EQ(Exp(0), 1.0);
}

TEST(ToNormal, HasMeanZeroAndVarianceOne) {
  double sum = 0;
  double sum_sq = 0;
  constexpr int kDraws = 200000;
  for (uint64_t i = 0; i < kDraws; ++i) {
    const double z = ToNormal(Mix64(i));
    ASSERT_LT(std::abs(z), 3.47);
    sum += z;
    sum_sq += z * z;
  }
  EXPECT_NEAR(sum / kDraws, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / kDraws, 1.0, 0.01);
}

TEST(MeanExpOfNormal, MakesLogNormalNoiseMeanOne) {
  constexpr double kSigma = 0.15;
  double sum = 0;
  constexpr int kDraws = 200000;
  for (uint64_t i = 0; i < kDraws; ++i) sum += Exp(kSigma * ToNormal(Mix64(i)));
  EXPECT_NEAR(sum / kDraws / MeanExpOfNormal(kSigma), 1.0, 0.002);
  EXPECT_EQ(MeanExpOfNormal(0), 1.0);
}

TEST(Rng, SameSeedSameStreamDifferentSeedDifferent) {
  Rng a(42);
  Rng b(42);
  Rng c(43);
  int differences = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differences += x != c.Next() ? 1 : 0;
  }
  EXPECT_EQ(differences, 100);
}

TEST(Rng, BelowAndIntInStayInRange) {
  Rng rng(7);
  int seen_low = 0;
  int seen_high = 0;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t b = rng.Below(5);
    ASSERT_LT(b, 5u);
    const int n = rng.IntIn(-2, 2);
    ASSERT_GE(n, -2);
    ASSERT_LE(n, 2);
    seen_low += n == -2 ? 1 : 0;
    seen_high += n == 2 ? 1 : 0;
  }
  EXPECT_GT(seen_low, 0);
  EXPECT_GT(seen_high, 0);
}

TEST(ToUniform, StaysInHalfOpenUnitInterval) {
  EXPECT_EQ(ToUniform(0), 0.0);
  EXPECT_LT(ToUniform(~uint64_t{0}), 1.0);
}

}  // namespace
}  // namespace chollima::demo::internal
