// Portable pseudo-randomness for the demo generator. The same seed gives the same bits
// and the same doubles on every platform and standard library: only integer arithmetic
// and the correctly rounded IEEE operations (+ - * / sqrt, round, ldexp) are used. The
// std:: distributions are avoided because their algorithms differ between standard
// libraries, and libm's exp/log/sin because their last bits differ between versions.
//
//   Rng rng(SeedFor(seed, kStreamGeography));
//   double u = rng.Uniform();               // [0, 1)
//   double z = rng.Normal();                // mean 0, variance 1, |z| < 3.47
//   uint64_t bits = Hash3(seed, unit, day); // stateless draws keyed by (unit, day)
//   double noise = ToUniform(bits);
#pragma once

#include <cmath>
#include <cstdint>

namespace chollima::demo::internal {

// splitmix64's step and finalizer: a bijection of 64 bits with good avalanche.
constexpr uint64_t Mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Stateless keyed hashes: each argument changes every bit of the result.
constexpr uint64_t Hash2(uint64_t a, uint64_t b) { return Mix64(Mix64(a) ^ b); }
constexpr uint64_t Hash3(uint64_t a, uint64_t b, uint64_t c) { return Mix64(Hash2(a, b) ^ c); }

// [0, 1) with 53 random bits.
constexpr double ToUniform(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// An approximately standard normal variate from 64 bits: the Irwin-Hall sum of four
// 16-bit uniforms, centred and scaled to variance 1. Its range is bounded (|z| < 3.47),
// which suits noise terms that must stay positive.
constexpr double ToNormal(uint64_t bits) {
  double sum = 0;
  for (int part = 0; part < 4; ++part) {
    sum += (static_cast<double>((bits >> (16 * part)) & 0xFFFF) + 0.5) * 0x1.0p-16;
  }
  constexpr double kSqrt3 = 1.7320508075688772;
  return (sum - 2.0) * kSqrt3;
}

// e^x for |x| < 700, accurate to about 1 ulp and identical on every IEEE platform.
inline double Exp(double x) {
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // trailing zero bits: k*hi exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::round(x * kInvLn2);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= 0.35
  // Taylor series in Horner form; the 14th term is below 2^-60.
  double p = 1.0;
  for (int n = 14; n >= 1; --n) p = 1.0 + p * r / n;
  return std::ldexp(p, static_cast<int>(k));
}

// E[Exp(sigma * ToNormal(bits))] over uniform bits (the product of four uniform
// moment-generating functions), so that Exp(sigma * z) / it has mean exactly 1.
inline double MeanExpOfNormal(double sigma) {
  const double a = sigma * 1.7320508075688772 / 2.0;
  if (a == 0) return 1.0;
  const double sinhc = (Exp(a) - Exp(-a)) / (2.0 * a);
  return sinhc * sinhc * sinhc * sinhc;
}

// xoshiro256** seeded through splitmix64: a sequential stream for the structure.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) {
      seed += 0x9E3779B97F4A7C15ULL;
      word = Mix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  double Uniform() { return ToUniform(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  double Normal() { return ToNormal(Next()); }
  // median * e^(sigma z): a log-normal-like size.
  double LogNormal(double median, double sigma) { return median * Exp(sigma * Normal()); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int IntIn(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace chollima::demo::internal
