#include "engine/dense_lp.h"

#include <gtest/gtest.h>

#include <ClpSimplex.hpp>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

namespace chollima::engine::lp {
namespace {

// Builds an LP from rows x columns coefficients (row-major) for both solvers.
struct Problem {
  std::size_t rows = 0, cols = 0;
  std::vector<double> a;  // a[r * cols + j]
  std::vector<double> c, b;
  std::vector<RowType> type;
  std::vector<char> excluded;
};

DenseLp MakeDense(const Problem& p) {
  DenseLp lp(static_cast<int>(p.rows));
  for (std::size_t r = 0; r < p.rows; ++r) lp.SetRow(static_cast<int>(r), p.type[r], p.b[r]);
  std::vector<double> col(p.rows);
  for (std::size_t j = 0; j < p.cols; ++j) {
    for (std::size_t r = 0; r < p.rows; ++r) col[r] = p.a[r * p.cols + j];
    lp.AddColumn(col.data(), p.c[j]);
    if (!p.excluded.empty() && p.excluded[j]) lp.SetExcluded(static_cast<int>(j), true);
  }
  return lp;
}

// CLP on the same problem: status 0 optimal, 1 infeasible, 2 unbounded.
int SolveClp(const Problem& p, double& objective) {
  ClpSimplex clp;
  clp.setLogLevel(0);
  std::vector<int> start, idx;
  std::vector<double> val, lo(p.cols, 0.0), up(p.cols, COIN_DBL_MAX), rlo(p.rows), rup(p.rows);
  for (std::size_t j = 0; j < p.cols; ++j) {
    start.push_back(static_cast<int>(idx.size()));
    for (std::size_t r = 0; r < p.rows; ++r) {
      if (p.a[r * p.cols + j] != 0.0)
        idx.push_back(static_cast<int>(r)), val.push_back(p.a[r * p.cols + j]);
    }
    if (!p.excluded.empty() && p.excluded[j]) up[j] = 0.0;
  }
  start.push_back(static_cast<int>(idx.size()));
  for (std::size_t r = 0; r < p.rows; ++r) {
    rlo[r] = p.type[r] == RowType::kLe ? -COIN_DBL_MAX : p.b[r];
    rup[r] = p.type[r] == RowType::kGe ? COIN_DBL_MAX : p.b[r];
  }
  clp.loadProblem(static_cast<int>(p.cols), static_cast<int>(p.rows), start.data(), idx.data(),
                  val.data(), lo.data(), up.data(), p.c.data(), rlo.data(), rup.data());
  clp.primal();
  objective = clp.objectiveValue();
  return clp.status();
}

// The solution's feasibility, checked from the original data.
void ExpectFeasible(const Problem& p, const DenseLp& lp) {
  double obj = 0;
  for (std::size_t j = 0; j < p.cols; ++j) {
    EXPECT_GE(lp.value(static_cast<int>(j)), 0.0);
    if (!p.excluded.empty() && p.excluded[j]) {
      EXPECT_EQ(lp.value(static_cast<int>(j)), 0.0);
    }
    obj += p.c[j] * lp.value(static_cast<int>(j));
  }
  EXPECT_NEAR(obj, lp.objective(), 1e-9 * (1 + std::fabs(obj)));
  for (std::size_t r = 0; r < p.rows; ++r) {
    double v = 0;
    for (std::size_t j = 0; j < p.cols; ++j)
      v += p.a[r * p.cols + j] * lp.value(static_cast<int>(j));
    const double tol = 1e-8 * (1 + std::fabs(p.b[r]));
    if (p.type[r] != RowType::kGe) {
      EXPECT_LE(v, p.b[r] + tol) << "row " << r;
    }
    if (p.type[r] != RowType::kLe) {
      EXPECT_GE(v, p.b[r] - tol) << "row " << r;
    }
  }
}

TEST(DenseLp, TwoVariablesByHand) {
  // min -x1 - x2  s.t.  x1 + 2 x2 <= 4,  3 x1 + x2 <= 6: the vertex (1.6, 1.2), -2.8.
  Problem p{2, 2, {1, 2, 3, 1}, {-1, -1}, {4, 6}, {RowType::kLe, RowType::kLe}, {}};
  DenseLp lp = MakeDense(p);
  ASSERT_EQ(lp.Solve(), Outcome::kOptimal);
  EXPECT_NEAR(lp.objective(), -2.8, 1e-12);
  EXPECT_NEAR(lp.value(0), 1.6, 1e-12);
  EXPECT_NEAR(lp.value(1), 1.2, 1e-12);
}

TEST(DenseLp, GreaterEqualRowsNeedPhaseOne) {
  // min 2 x1 + 3 x2  s.t.  x1 + x2 >= 4,  x1 - x2 <= 2: x = (3, 1), 9.
  Problem p{2, 2, {1, 1, 1, -1}, {2, 3}, {4, 2}, {RowType::kGe, RowType::kLe}, {}};
  DenseLp lp = MakeDense(p);
  ASSERT_EQ(lp.Solve(), Outcome::kOptimal);
  EXPECT_NEAR(lp.objective(), 9.0, 1e-12);
  EXPECT_NEAR(lp.value(0), 3.0, 1e-12);
  EXPECT_NEAR(lp.value(1), 1.0, 1e-12);
}

TEST(DenseLp, Infeasible) {
  // x1 + x2 >= 5 with x1 <= 1 and x2 <= 1.
  Problem p{3, 2, {1, 1, 1, 0, 0, 1}, {1, 1}, {5, 1, 1}, {RowType::kGe, RowType::kLe, RowType::kLe},
            {}};
  DenseLp lp = MakeDense(p);
  EXPECT_EQ(lp.Solve(), Outcome::kInfeasible);
}

TEST(DenseLp, Unbounded) {
  // min -x1 s.t. x1 - x2 <= 1.
  Problem p{1, 2, {1, -1}, {-1, 0}, {1}, {RowType::kLe}, {}};
  DenseLp lp = MakeDense(p);
  EXPECT_EQ(lp.Solve(), Outcome::kUnbounded);
}

TEST(DenseLp, RedundantEqualityRows) {
  // x1 + x2 = 2 twice (the second scaled): min x1 -> (0, 2).
  Problem p{2, 2, {1, 1, 2, 2}, {1, 0}, {2, 4}, {RowType::kEq, RowType::kEq}, {}};
  DenseLp lp = MakeDense(p);
  ASSERT_EQ(lp.Solve(), Outcome::kOptimal);
  EXPECT_NEAR(lp.objective(), 0.0, 1e-12);
  EXPECT_NEAR(lp.value(1), 2.0, 1e-12);
}

TEST(DenseLp, ExcludedColumnStaysZero) {
  // min x1 + 2 x2 s.t. x1 + x2 >= 1; without x1 the optimum is x2 = 1.
  Problem p{1, 2, {1, 1}, {1, 2}, {1}, {RowType::kGe}, {1, 0}};
  DenseLp lp = MakeDense(p);
  ASSERT_EQ(lp.Solve(), Outcome::kOptimal);
  EXPECT_NEAR(lp.objective(), 2.0, 1e-12);
  lp.SetExcluded(0, false);
  ASSERT_EQ(lp.Solve(), Outcome::kOptimal);
  EXPECT_NEAR(lp.objective(), 1.0, 1e-12);
}

// Random LPs with small integer data (many ties and degenerate vertices) against CLP:
// the same outcome and the same optimum; then new right-hand sides from the warm basis.
TEST(DenseLp, RandomAgainstClp) {
  std::mt19937_64 rng(20261203);
  int optimal = 0, infeasible = 0, unbounded = 0;
  for (int t = 0; t < 3000; ++t) {
    Problem p;
    p.rows = 1 + rng() % 8;
    p.cols = 1 + rng() % 40;
    const bool integer = t % 2 == 0;
    auto draw = [&](double lo, double hi) {
      const double u = std::uniform_real_distribution<double>(lo, hi)(rng);
      return integer ? std::round(u) : u;
    };
    p.a.resize(p.rows * p.cols);
    for (double& v : p.a) v = rng() % 4 == 0 ? 0.0 : draw(-1, 4);
    p.c.resize(p.cols);
    for (double& v : p.c) v = draw(-2, 3);
    p.type.resize(p.rows);
    p.b.resize(p.rows);
    for (std::size_t r = 0; r < p.rows; ++r) {
      p.type[r] = static_cast<RowType>(static_cast<int>(rng() % 3));
      p.b[r] = draw(-1, 5);
    }
    if (t % 3 == 0) {
      p.excluded.resize(p.cols);
      for (auto& e : p.excluded) e = rng() % 4 == 0;
    }
    DenseLp lp = MakeDense(p);
    for (int round = 0; round < 3; ++round) {
      if (round > 0) {
        for (std::size_t r = 0; r < p.rows; ++r) {
          if (rng() % 2 == 0) p.b[r] = draw(-1, 5), lp.SetRhs(static_cast<int>(r), p.b[r]);
        }
      }
      double clp_obj = 0;
      const int status = SolveClp(p, clp_obj);
      const Outcome o = lp.Solve();
      ASSERT_NE(o, Outcome::kFailed) << "lp " << t << " round " << round;
      if (status == 0) {
        ASSERT_EQ(o, Outcome::kOptimal) << "lp " << t << " round " << round;
        EXPECT_NEAR(lp.objective(), clp_obj, 1e-8 * (1 + std::fabs(clp_obj))) << "lp " << t;
        ExpectFeasible(p, lp);
        ++optimal;
      } else if (status == 1) {
        // CLP's primal reports some unbounded problems as infeasible: settle it with
        // the feasibility problem (the same rows, no objective).
        Problem f = p;
        std::fill(f.c.begin(), f.c.end(), 0.0);
        double ignored = 0;
        const bool feasible = SolveClp(f, ignored) == 0;
        EXPECT_EQ(o, feasible ? Outcome::kUnbounded : Outcome::kInfeasible)
            << "lp " << t << " round " << round;

        ++infeasible;
      } else if (status == 2) {
        EXPECT_EQ(o, Outcome::kUnbounded) << "lp " << t << " round " << round;
        ++unbounded;
      }
    }
  }
  // Every outcome was exercised many times.
  EXPECT_GT(optimal, 1000);
  EXPECT_GT(infeasible, 300);
  EXPECT_GT(unbounded, 300);
}

}  // namespace
}  // namespace chollima::engine::lp
