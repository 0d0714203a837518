#include "engine/dea.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <tuple>

namespace chollima::engine::dea {
namespace {

constexpr double kEps = 1e-6;
constexpr double kInf = std::numeric_limits<double>::infinity();

Data Make(int m, int s, const std::vector<std::vector<double>>& rows) {
  Data d;
  d.inputs = m;
  d.outputs = s;
  for (const auto& r : rows) {
    d.x.insert(d.x.end(), r.begin(), r.begin() + m);
    d.y.insert(d.y.end(), r.begin() + m, r.end());
    ++d.units;
  }
  return d;
}

// Benchmarking's numerical example (Bogetoft & Otto, section 4.6.1): one input, one output.
Data OneByOne() { return Make(1, 1, {{20, 20}, {40, 30}, {40, 50}, {60, 40}, {70, 60}, {50, 20}}); }

Options Opt(Rts rts, Orientation o = Orientation::kInput, bool slacks = true, bool super = false) {
  Options opt;
  opt.rts = rts;
  opt.orientation = o;
  opt.slacks = slacks;
  opt.super_efficiency = super;
  opt.threads = 2;
  return opt;
}

std::vector<double> Scores(const Frontier& f) {
  std::vector<double> v;
  for (const auto& u : f.units) v.push_back(u.score);
  return v;
}

void ExpectScores(const Data& d, const Options& opt, const std::vector<double>& want) {
  for (bool naive : {false, true}) {
    auto r = naive ? SolveNaive(d, opt) : Solve(d, opt);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto got = Scores(*r);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t j = 0; j < want.size(); ++j) {
      EXPECT_NEAR(got[j], want[j], kEps)
          << "unit " << j << (naive ? " naive" : " frame") << " " << RtsName(opt.rts) << " "
          << OrientationName(opt.orientation);
    }
  }
}

TEST(DeaNames, RoundTrip) {
  for (Rts r : {Rts::kCrs, Rts::kVrs, Rts::kDrs, Rts::kIrs, Rts::kFdh}) {
    Rts back;
    ASSERT_TRUE(ParseRts(RtsName(r), back));
    EXPECT_EQ(back, r);
  }
  Orientation o;
  EXPECT_TRUE(ParseOrientation("out", o));
  EXPECT_EQ(o, Orientation::kOutput);
  EXPECT_FALSE(ParseOrientation("graph", o));
  Rts r;
  EXPECT_FALSE(ParseRts("add", r));
}

TEST(DeaValidate, NamesUnitAndColumn) {
  Data d = OneByOne();
  EXPECT_TRUE(Validate(d).ok());
  Data bad = d;
  bad.x[3] = 0;
  auto s = Validate(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unit 3, input 0"), std::string::npos) << s.error().message;
  bad = d;
  bad.y[2] = std::nan("");
  s = Validate(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unit 2, output 0"), std::string::npos) << s.error().message;
  bad = d;
  bad.y[4] = 0;
  s = Validate(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("unit 4"), std::string::npos);
  EXPECT_NE(s.error().message.find("all outputs are 0"), std::string::npos);
  bad = d;
  bad.x.pop_back();
  EXPECT_FALSE(Validate(bad).ok());
  bad = d;
  bad.inputs = 0;
  EXPECT_FALSE(Validate(bad).ok());
  bad = d;
  bad.x[0] = -kInf;
  EXPECT_FALSE(Solve(bad, Options{}).ok());
  EXPECT_FALSE(SolveNaive(bad, Options{}).ok());
}

TEST(DeaOneByOne, CrsScoresTargetsPeers) {
  const Data d = OneByOne();
  // The best ratio y/x is C's 1.25; every score is the unit's ratio over it.
  ExpectScores(d, Opt(Rts::kCrs), {0.8, 0.6, 1, 40.0 / 75, 60.0 / 87.5, 0.32});
  auto r = Solve(d, Opt(Rts::kCrs));
  ASSERT_TRUE(r.ok());
  const UnitResult& a = r->units[0];
  ASSERT_EQ(a.peers.size(), 1u);
  EXPECT_EQ(a.peers[0].unit, 2);
  EXPECT_NEAR(a.peers[0].lambda, 0.4, kEps);
  EXPECT_NEAR(a.input_targets[0], 16, kEps);
  EXPECT_NEAR(a.output_targets[0], 20, kEps);
  EXPECT_NEAR(a.input_slacks[0], 0, kEps);
  EXPECT_FALSE(a.efficient);
  EXPECT_TRUE(r->units[2].efficient);
  EXPECT_EQ(r->frame, std::vector<int32_t>({2}));
}

TEST(DeaOneByOne, VrsScoresTargetsPeers) {
  const Data d = OneByOne();
  ExpectScores(d, Opt(Rts::kVrs), {1, 2.0 / 3, 1, 5.0 / 9, 1, 0.4});
  auto r = Solve(d, Opt(Rts::kVrs));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->frame, std::vector<int32_t>({0, 2, 4}));
  // B (40, 30) projects to (26.67, 30) = 2/3 A + 1/3 C.
  const UnitResult& b = r->units[1];
  ASSERT_EQ(b.peers.size(), 2u);
  EXPECT_EQ(b.peers[0].unit, 0);
  EXPECT_NEAR(b.peers[0].lambda, 2.0 / 3, kEps);
  EXPECT_EQ(b.peers[1].unit, 2);
  EXPECT_NEAR(b.peers[1].lambda, 1.0 / 3, kEps);
  EXPECT_NEAR(b.input_targets[0], 80.0 / 3, kEps);
  // F (50, 20) projects onto A exactly.
  const UnitResult& f = r->units[5];
  ASSERT_EQ(f.peers.size(), 1u);
  EXPECT_EQ(f.peers[0].unit, 0);
  EXPECT_NEAR(f.input_targets[0], 20, kEps);
}

TEST(DeaOneByOne, OutputOrientation) {
  const Data d = OneByOne();
  // VRS: B (x 40) could make C's 50; D (x 60) 56.67 on C-E; F (x 50) 53.33.
  ExpectScores(d, Opt(Rts::kVrs, Orientation::kOutput),
               {1, 50.0 / 30, 1, (50 + 20.0 / 3) / 40, 1, (50 + 10.0 / 3) / 20});
  // CRS output scores are the inverse of the input ones.
  ExpectScores(d, Opt(Rts::kCrs, Orientation::kOutput),
               {1.25, 1 / 0.6, 1, 75.0 / 40, 87.5 / 60, 1 / 0.32});
  auto r = Solve(d, Opt(Rts::kVrs, Orientation::kOutput));
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->units[1].output_targets[0], 50, kEps);
  EXPECT_NEAR(r->units[1].input_targets[0], 40, kEps);
}

TEST(DeaOneByOne, DrsIrs) {
  const Data d = OneByOne();
  // DRS: the CRS ray up to C, then C-E: CRS scores below y = 50, E on C-E.
  ExpectScores(d, Opt(Rts::kDrs), {0.8, 0.6, 1, 40.0 / 75, 1, 0.32});
  // IRS: A, A-C, then C's ray beyond C: VRS scores except E (48 / 70 on the ray).
  ExpectScores(d, Opt(Rts::kIrs), {1, 2.0 / 3, 1, 5.0 / 9, 48.0 / 70, 0.4});
}

TEST(DeaOneByOne, FdhByHand) {
  const Data d = OneByOne();
  ExpectScores(d, Opt(Rts::kFdh), {1, 1, 1, 40.0 / 60, 1, 0.4});
  for (bool naive : {false, true}) {
    auto r = naive ? SolveNaive(d, Opt(Rts::kFdh)) : Solve(d, Opt(Rts::kFdh));
    ASSERT_TRUE(r.ok());
    // B (40, 30) is weakly efficient: C (40, 50) has the same input and 20 more output.
    const UnitResult& b = r->units[1];
    EXPECT_EQ(b.score, 1.0);
    EXPECT_FALSE(b.efficient);
    EXPECT_NEAR(b.output_slacks[0], 20, kEps);
    ASSERT_EQ(b.peers.size(), 1u);
    EXPECT_EQ(b.peers[0].unit, 2);
    EXPECT_NEAR(r->units[3].output_slacks[0], 10, kEps);
    EXPECT_TRUE(r->units[4].efficient);
  }
  // Output FDH: D (60, 40) can reach C's 50 with x <= 60: 1.25.
  ExpectScores(d, Opt(Rts::kFdh, Orientation::kOutput), {1, 50.0 / 30, 1, 1.25, 1, 50.0 / 20});
}

TEST(DeaOneByOne, SuperEfficiencyByHand) {
  const Data d = OneByOne();
  for (bool naive : {false, true}) {
    auto crs = naive ? SolveNaive(d, Opt(Rts::kCrs, Orientation::kInput, true, true))
                     : Solve(d, Opt(Rts::kCrs, Orientation::kInput, true, true));
    ASSERT_TRUE(crs.ok());
    // C without C: A's ratio 1 is the best, so C needs 50 of input: 50 / 40.
    EXPECT_NEAR(crs->units[2].super_score, 1.25, kEps);
    EXPECT_NEAR(crs->units[0].super_score, 0.8, kEps);  // not on the frame: its score
    auto vrs = naive ? SolveNaive(d, Opt(Rts::kVrs, Orientation::kInput, true, true))
                     : Solve(d, Opt(Rts::kVrs, Orientation::kInput, true, true));
    ASSERT_TRUE(vrs.ok());
    EXPECT_NEAR(vrs->units[0].super_score, 2.0, kEps);        // A: the least input is 40
    EXPECT_NEAR(vrs->units[2].super_score, 57.5 / 40, kEps);  // C: 1/4 A + 3/4 E
    EXPECT_EQ(vrs->units[4].super_score, kInf);               // E: nobody else makes 60: infeasible
    EXPECT_NEAR(vrs->units[1].super_score, 2.0 / 3, kEps);
  }
}

// Cooper, Seiford and Tone's two-input, one-output example: F (10, 1) is weakly
// efficient (score 1, 2 units of input 1 slack against C).
Data TwoByOne() {
  return Make(2, 1, {{4, 3, 1}, {7, 3, 1}, {8, 1, 1}, {4, 2, 1}, {2, 4, 1}, {10, 1, 1}});
}

TEST(DeaTwoByOne, WeaklyEfficientUnit) {
  const Data d = TwoByOne();
  for (Rts rts : {Rts::kCrs, Rts::kVrs}) {
    ExpectScores(d, Opt(rts), {6.0 / 7, 12.0 / 19, 1, 1, 1, 1});
    for (bool naive : {false, true}) {
      auto r = naive ? SolveNaive(d, Opt(rts)) : Solve(d, Opt(rts));
      ASSERT_TRUE(r.ok());
      const UnitResult& f = r->units[5];
      EXPECT_EQ(f.score, 1.0);
      EXPECT_FALSE(f.efficient);
      EXPECT_NEAR(f.input_slacks[0], 2, kEps);
      EXPECT_NEAR(f.input_slacks[1], 0, kEps);
      EXPECT_NEAR(f.input_targets[0], 8, kEps);
      ASSERT_EQ(f.peers.size(), 1u);
      EXPECT_EQ(f.peers[0].unit, 2);
      const UnitResult& a = r->units[0];
      ASSERT_EQ(a.peers.size(), 2u);
      EXPECT_EQ(a.peers[0].unit, 3);
      EXPECT_NEAR(a.peers[0].lambda, 5.0 / 7, kEps);
      EXPECT_EQ(a.peers[1].unit, 4);
      EXPECT_NEAR(a.peers[1].lambda, 2.0 / 7, kEps);
      const UnitResult& b = r->units[1];
      ASSERT_EQ(b.peers.size(), 2u);
      EXPECT_EQ(b.peers[0].unit, 3);
      EXPECT_NEAR(b.peers[0].lambda, 17.0 / 19, kEps);
      for (int j : {2, 3, 4}) EXPECT_TRUE(r->units[static_cast<std::size_t>(j)].efficient);
      // Without the second stage F's slack is not reported, but F is still not efficient.
      auto nos = naive ? SolveNaive(d, Opt(rts, Orientation::kInput, false))
                       : Solve(d, Opt(rts, Orientation::kInput, false));
      ASSERT_TRUE(nos.ok());
      EXPECT_FALSE(nos->units[5].efficient);
      EXPECT_EQ(nos->units[5].input_slacks[0], 0.0);
      EXPECT_NEAR(nos->units[5].input_targets[0], 10, kEps);
    }
    auto r = Solve(d, Opt(rts));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->frame, std::vector<int32_t>({2, 3, 4}));
  }
}

TEST(DeaDuplicates, IdenticalUnitsShareTheFrameSlot) {
  // A unit twice: one of them is in the frame, both score 1 and are efficient; the
  // super-efficiency of each is 1 (the twin envelops it).
  const Data d = Make(1, 1, {{20, 20}, {40, 50}, {40, 50}, {70, 60}, {60, 40}});
  for (bool naive : {false, true}) {
    const Options opt = Opt(Rts::kVrs, Orientation::kInput, true, true);
    auto r = naive ? SolveNaive(d, opt) : Solve(d, opt);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->units[1].efficient);
    EXPECT_TRUE(r->units[2].efficient);
    EXPECT_NEAR(r->units[1].super_score, 1, kEps);
    EXPECT_NEAR(r->units[2].super_score, 1, kEps);
  }
  auto r = Solve(d, Opt(Rts::kVrs));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->frame, std::vector<int32_t>({0, 1, 3}));
}

// Random data with duplicates and units on the frontier's faces.
struct Case {
  int n, m, s;
  uint64_t seed;
  bool degenerate;  // duplicates and units on faces added
};

Data Random(const Case& c) {
  std::mt19937_64 rng(c.seed);
  std::uniform_real_distribution<double> u(1.0, 10.0);
  std::uniform_real_distribution<double> ineff(0.5, 1.0);
  Data d;
  d.inputs = c.m;
  d.outputs = c.s;
  const int base = c.degenerate ? c.n * 8 / 10 : c.n;
  for (int j = 0; j < base; ++j) {
    double size = 0;
    for (int i = 0; i < c.m; ++i) {
      const double v = u(rng);
      d.x.push_back(v);
      size += std::log(v);
    }
    const double f = std::exp(0.8 * size / c.m) * ineff(rng);
    std::vector<double> w(static_cast<std::size_t>(c.s));
    double sum = 0;
    for (double& v : w) sum += (v = u(rng));
    for (double v : w) d.y.push_back(f * v / sum * c.s);
    ++d.units;
  }
  if (c.degenerate) {
    Options o = Opt(Rts::kVrs);
    auto r = SolveNaive(d, o);
    std::uniform_int_distribution<int> pick(0, base - 1);
    while (d.units < c.n) {
      const int j = pick(rng);
      const auto& t = r->units[static_cast<std::size_t>(j)];
      if (d.units % 3 == 0) {  // a duplicate
        for (int i = 0; i < c.m; ++i) d.x.push_back(d.x[static_cast<std::size_t>(j * c.m + i)]);
        for (int k = 0; k < c.s; ++k) d.y.push_back(d.y[static_cast<std::size_t>(j * c.s + k)]);
      } else if (d.units % 3 == 1) {  // its radial projection: on a (possibly weak) face
        for (int i = 0; i < c.m; ++i) {
          d.x.push_back(t.score * d.x[static_cast<std::size_t>(j * c.m + i)]);
        }
        for (int k = 0; k < c.s; ++k) d.y.push_back(d.y[static_cast<std::size_t>(j * c.s + k)]);
      } else {  // its target: on an efficient face
        d.x.insert(d.x.end(), t.input_targets.begin(), t.input_targets.end());
        d.y.insert(d.y.end(), t.output_targets.begin(), t.output_targets.end());
      }
      ++d.units;
    }
  }
  return d;
}

void ExpectNear(double a, double b, const std::string& what) {
  if (std::isinf(a) || std::isinf(b)) {
    EXPECT_EQ(a, b) << what;
  } else {
    EXPECT_NEAR(a, b, kEps * std::max(1.0, std::fabs(b))) << what;
  }
}

class DeaProperty : public ::testing::TestWithParam<std::tuple<Case, Rts, Orientation>> {};

TEST_P(DeaProperty, SolveEqualsNaive) {
  const auto [c, rts, o] = GetParam();
  const Data d = Random(c);
  {
    // Passes 2 and 3 limit the dense simplex's iterations: every LP (0) or most of them
    // (2, mid-way) go to CLP, which must give the same results.
    for (int pass = 0; pass < 4; ++pass) {
      const bool slacks = pass != 1;
      Options opt = Opt(rts, o, slacks, /*super=*/true);
      if (pass >= 2) opt.lp_iteration_limit = pass == 2 ? 0 : 2;
      auto fast = Solve(d, opt);
      auto ref = SolveNaive(d, opt);
      ASSERT_TRUE(fast.ok()) << fast.error().message;
      ASSERT_TRUE(ref.ok()) << ref.error().message;
      int peers_compared = 0;
      for (int32_t j = 0; j < d.units; ++j) {
        const UnitResult& a = fast->units[static_cast<std::size_t>(j)];
        const UnitResult& b = ref->units[static_cast<std::size_t>(j)];
        const std::string what =
            std::string(RtsName(rts)) + " " + OrientationName(o) + (slacks ? " slacks" : "") +
            (pass >= 2 ? " limit " + std::to_string(opt.lp_iteration_limit) : "") + " unit " +
            std::to_string(j);
        ExpectNear(a.score, b.score, what + " score");
        ExpectNear(a.super_score, b.super_score, what + " super");
        EXPECT_EQ(a.efficient, b.efficient) << what;
        for (int i = 0; i < d.inputs; ++i) {
          ExpectNear(a.input_slacks[static_cast<std::size_t>(i)],
                     b.input_slacks[static_cast<std::size_t>(i)], what + " sx");
          ExpectNear(a.input_targets[static_cast<std::size_t>(i)],
                     b.input_targets[static_cast<std::size_t>(i)], what + " tx");
        }
        for (int r = 0; r < d.outputs; ++r) {
          ExpectNear(a.output_slacks[static_cast<std::size_t>(r)],
                     b.output_slacks[static_cast<std::size_t>(r)], what + " sy");
          ExpectNear(a.output_targets[static_cast<std::size_t>(r)],
                     b.output_targets[static_cast<std::size_t>(r)], what + " ty");
        }
        // The peers of either method span the reference point (the targets when the
        // second stage ran), within the returns to scale.
        for (const UnitResult* res : {&a, &b}) {
          double sum = 0;
          std::vector<double> px(static_cast<std::size_t>(d.inputs), 0.0),
              py(static_cast<std::size_t>(d.outputs), 0.0);
          for (const Peer& p : res->peers) {
            sum += p.lambda;
            for (int i = 0; i < d.inputs; ++i)
              px[static_cast<std::size_t>(i)] +=
                  p.lambda * d.x[static_cast<std::size_t>(p.unit * d.inputs + i)];
            for (int r = 0; r < d.outputs; ++r)
              py[static_cast<std::size_t>(r)] +=
                  p.lambda * d.y[static_cast<std::size_t>(p.unit * d.outputs + r)];
          }
          for (int i = 0; i < d.inputs; ++i)
            EXPECT_LE(px[static_cast<std::size_t>(i)],
                      res->input_targets[static_cast<std::size_t>(i)] + 1e-5)
                << what;
          for (int r = 0; r < d.outputs; ++r)
            EXPECT_GE(py[static_cast<std::size_t>(r)],
                      res->output_targets[static_cast<std::size_t>(r)] - 1e-5)
                << what;
          if (rts == Rts::kVrs || rts == Rts::kFdh) {
            EXPECT_NEAR(sum, 1, 1e-6) << what;
          }
          if (rts == Rts::kDrs) {
            EXPECT_LE(sum, 1 + 1e-6) << what;
          }
          if (rts == Rts::kIrs) {
            EXPECT_GE(sum, 1 - 1e-6) << what;
          }
        }
        // In general position the max-slack solution is unique: the peers agree.
        if (!c.degenerate && slacks) {
          ++peers_compared;
          ASSERT_EQ(a.peers.size(), b.peers.size()) << what;
          for (std::size_t p = 0; p < a.peers.size(); ++p) {
            EXPECT_EQ(a.peers[p].unit, b.peers[p].unit) << what;
            EXPECT_NEAR(a.peers[p].lambda, b.peers[p].lambda, 1e-6) << what;
          }
        }
      }
      // Every frame unit is efficient (DRS and IRS use the VRS frame as reference set);
      // the naive efficient set contains the frame.
      if (rts == Rts::kCrs || rts == Rts::kVrs || rts == Rts::kFdh) {
        for (int32_t k : fast->frame) {
          EXPECT_TRUE(fast->units[static_cast<std::size_t>(k)].efficient) << k;
        }
        EXPECT_GE(ref->frame.size(), fast->frame.size());
      }
      (void)peers_compared;
      if (pass == 2 && rts != Rts::kFdh) {
        EXPECT_GT(fast->stats.clp_fallbacks, 0);
      }
      if (pass < 2) {
        EXPECT_EQ(fast->stats.clp_fallbacks, 0);
      }
    }
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::tuple<Case, Rts, Orientation>>& info) {
  const Case& c = std::get<0>(info.param);
  return std::string(RtsName(std::get<1>(info.param))) + "_" +
         OrientationName(std::get<2>(info.param)) + "_n" + std::to_string(c.n) + "_m" +
         std::to_string(c.m) + "_s" + std::to_string(c.s) + "_seed" + std::to_string(c.seed) +
         (c.degenerate ? "_degenerate" : "");
}

INSTANTIATE_TEST_SUITE_P(
    Random, DeaProperty,
    ::testing::Combine(::testing::Values(Case{40, 1, 1, 1, false}, Case{60, 1, 2, 2, true},
                                         Case{120, 2, 2, 3, false}, Case{150, 3, 1, 4, true},
                                         Case{260, 2, 3, 5, true}),
                       ::testing::Values(Rts::kCrs, Rts::kVrs, Rts::kDrs, Rts::kIrs, Rts::kFdh),
                       ::testing::Values(Orientation::kInput, Orientation::kOutput)),
    CaseName);

}  // namespace
}  // namespace chollima::engine::dea
