#include "engine/dea.h"

#include <ClpSimplex.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <utility>

#include "engine/dense_lp.h"

namespace chollima::engine::dea {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// A candidate whose input score against a reference set is at most 1 + kEnvelopeTol lies
// inside the set's production possibility set (docs/design.md, "Frontier").
constexpr double kEnvelopeTol = 1e-9;
// A non-frame unit scored against the frame may come out at most this far outside it
// (round-off); further means the frame search missed an extreme unit: a bug.
constexpr double kVerifyTol = 1e-6;
// λ at or below this is not a peer.
constexpr double kPeerTol = 1e-9;
// A slack at or below this (relative to the column's mean) is 0.
constexpr double kSlackTol = 1e-8;
// The dominance filter compares each unit with at most this many kept units.
constexpr std::size_t kSkylineWindow = 2048;

std::size_t Z(int v) { return static_cast<std::size_t>(v); }

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Dims {
  int m = 0;
  int s = 0;
  const double* X(const Data& d, int32_t j) const {
    return d.x.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(m);
  }
  const double* Y(const Data& d, int32_t j) const {
    return d.y.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(s);
  }
};

// Column means and the second stage's weights (Benchmarking's slack(): when a mean is
// outside [1e-4, 1e4] the data are divided by their column means, i.e. the sum of
// slacks is weighted by 1 / mean).
struct Scale {
  std::vector<double> x_mean, y_mean;  // for the slack tolerance
  std::vector<double> wx, wy;          // objective weights of s⁻ and s⁺
};

Scale ComputeScale(const Data& d) {
  const int m = d.inputs, s = d.outputs;
  Scale sc;
  sc.x_mean.assign(static_cast<std::size_t>(m), 0.0);
  sc.y_mean.assign(static_cast<std::size_t>(s), 0.0);
  for (int32_t j = 0; j < d.units; ++j) {
    for (int i = 0; i < m; ++i)
      sc.x_mean[static_cast<std::size_t>(i)] +=
          d.x[static_cast<std::size_t>(j) * static_cast<std::size_t>(m) +
              static_cast<std::size_t>(i)];
    for (int r = 0; r < s; ++r)
      sc.y_mean[static_cast<std::size_t>(r)] +=
          d.y[static_cast<std::size_t>(j) * static_cast<std::size_t>(s) +
              static_cast<std::size_t>(r)];
  }
  bool rescale = false;
  for (double& v : sc.x_mean) {
    v /= d.units;
    rescale = rescale || v < 1e-4 || v > 1e4;
  }
  for (double& v : sc.y_mean) {
    v /= d.units;
    rescale = rescale || v < 1e-4 || v > 1e4;
  }
  sc.wx.assign(static_cast<std::size_t>(m), 1.0);
  sc.wy.assign(static_cast<std::size_t>(s), 1.0);
  if (rescale) {
    for (int i = 0; i < m; ++i)
      sc.wx[static_cast<std::size_t>(i)] = 1.0 / sc.x_mean[static_cast<std::size_t>(i)];
    for (int r = 0; r < s; ++r)
      sc.wy[static_cast<std::size_t>(r)] = 1.0 / sc.y_mean[static_cast<std::size_t>(r)];
  }
  return sc;
}

void SetRtsRow(ClpSimplex& lp, int row, Rts rts) {
  switch (rts) {
    case Rts::kVrs:
    case Rts::kFdh:
      lp.setRowLower(row, 1.0);
      lp.setRowUpper(row, 1.0);
      break;
    case Rts::kDrs:
      lp.setRowLower(row, -COIN_DBL_MAX);
      lp.setRowUpper(row, 1.0);
      break;
    case Rts::kIrs:
      lp.setRowLower(row, 1.0);
      lp.setRowUpper(row, COIN_DBL_MAX);
      break;
    case Rts::kCrs:
      break;
  }
}

void SetRtsRow(lp::DenseLp& lp, int row, Rts rts) {
  lp.SetRow(row,
            rts == Rts::kDrs   ? lp::RowType::kLe
            : rts == Rts::kIrs ? lp::RowType::kGe
                               : lp::RowType::kEq,
            1.0);
}

// Reference unit u's column for the dense LPs: its inputs and outputs divided by the
// column means, then 1 in the returns-to-scale row (not CRS).
void ScaledColumn(const Data& d, const Scale& sc, Rts rts, int32_t u, std::vector<double>& col) {
  const int m = d.inputs, s = d.outputs;
  const double* x = d.x.data() + Z(u) * Z(m);
  const double* y = d.y.data() + Z(u) * Z(s);
  for (int i = 0; i < m; ++i) col[Z(i)] = x[i] / sc.x_mean[Z(i)];
  for (int r = 0; r < s; ++r) col[Z(m + r)] = y[r] / sc.y_mean[Z(r)];
  if (rts != Rts::kCrs) col[Z(m + s)] = 1.0;
}

// The first stage (the radial score) of one unit against a reference set with CLP,
// column-major with the reference units' columns only. Column 0 is θ (input) or φ
// (output); column 1 + p is λ of the reference set's p-th unit. The matrix changes only
// in column 0 between units, so each solve starts from the previous unit's basis.
class ClpRadialLp {
 public:
  ClpRadialLp(const Data& d, Rts rts, Orientation o)
      : d_(d), dims_{d.inputs, d.outputs}, rts_(rts), o_(o) {
    lp_.setLogLevel(0);
    lp_.resize(dims_.m + dims_.s + (rts == Rts::kCrs ? 0 : 1), 0);
    for (int i = 0; i < dims_.m; ++i) {
      lp_.setRowLower(i, -COIN_DBL_MAX);
      lp_.setRowUpper(i, o == Orientation::kInput ? 0.0 : 1.0);
    }
    for (int r = 0; r < dims_.s; ++r) {
      lp_.setRowLower(dims_.m + r, o == Orientation::kInput ? 1.0 : 0.0);
      lp_.setRowUpper(dims_.m + r, COIN_DBL_MAX);
    }
    if (rts != Rts::kCrs) SetRtsRow(lp_, dims_.m + dims_.s, rts);
    // Column 0 with every coefficient present (so later changes never change the
    // sparsity): -x_j in the input rows (input) or -y_j in the output rows (output).
    std::vector<int> idx;
    std::vector<double> val;
    if (o == Orientation::kInput) {
      for (int i = 0; i < dims_.m; ++i) idx.push_back(i), val.push_back(-1.0);
    } else {
      for (int r = 0; r < dims_.s; ++r) idx.push_back(dims_.m + r), val.push_back(-1.0);
    }
    lp_.addColumn(static_cast<int>(idx.size()), idx.data(), val.data(), 0.0, COIN_DBL_MAX,
                  o == Orientation::kInput ? 1.0 : -1.0);
    lp_.setOptimizationDirection(1.0);
  }

  void AddUnits(const std::vector<int32_t>& units) {
    if (units.empty()) return;
    const int per = dims_.m + dims_.s + (rts_ == Rts::kCrs ? 0 : 1);
    std::vector<CoinBigIndex> start;
    std::vector<int> idx;
    std::vector<double> val, lo(units.size(), 0.0), up(units.size(), COIN_DBL_MAX),
        obj(units.size(), 0.0);
    start.reserve(units.size() + 1);
    idx.reserve(units.size() * static_cast<std::size_t>(per));
    val.reserve(units.size() * static_cast<std::size_t>(per));
    for (int32_t u : units) {
      start.push_back(static_cast<CoinBigIndex>(idx.size()));
      const double* x = dims_.X(d_, u);
      const double* y = dims_.Y(d_, u);
      for (int i = 0; i < dims_.m; ++i) idx.push_back(i), val.push_back(x[i]);
      for (int r = 0; r < dims_.s; ++r) {
        if (y[r] != 0.0) idx.push_back(dims_.m + r), val.push_back(y[r]);
      }
      if (rts_ != Rts::kCrs) idx.push_back(dims_.m + dims_.s), val.push_back(1.0);
      ref_.push_back(u);
    }
    start.push_back(static_cast<CoinBigIndex>(idx.size()));
    lp_.addColumns(static_cast<int>(units.size()), lo.data(), up.data(), obj.data(), start.data(),
                   idx.data(), val.data());
  }

  int32_t size() const { return static_cast<int32_t>(ref_.size()); }
  int32_t ref(int p) const { return ref_[static_cast<std::size_t>(p)]; }
  // Leaves reference unit p out (λ_p = 0) or takes it back.
  void SetExcluded(int p, bool excluded) {
    lp_.setColumnUpper(1 + p, excluded ? 0.0 : COIN_DBL_MAX);
  }

  // Solves for unit j. Returns false when the LP is infeasible; else sets score and the
  // positive λ (by reference position).
  bool Solve(int32_t j, double& score, std::vector<std::pair<int, double>>* lambdas) {
    const double* x = dims_.X(d_, j);
    const double* y = dims_.Y(d_, j);
    if (o_ == Orientation::kInput) {
      for (int i = 0; i < dims_.m; ++i) lp_.modifyCoefficient(i, 0, -x[i], true);
      for (int r = 0; r < dims_.s; ++r) lp_.setRowLower(dims_.m + r, y[r]);
    } else {
      for (int i = 0; i < dims_.m; ++i) lp_.setRowUpper(i, x[i]);
      for (int r = 0; r < dims_.s; ++r) lp_.modifyCoefficient(dims_.m + r, 0, -y[r], true);
    }
    lp_.dual();
    if (lp_.status() != 0) {
      // Clp reports primal infeasibility as status 1; anything else (a numerical stop)
      // is retried from scratch with the primal simplex.
      if (lp_.status() == 1) return false;
      lp_.allSlackBasis(true);
      lp_.primal();
      if (lp_.status() == 1) return false;
      if (lp_.status() != 0) return false;
    }
    const double* sol = lp_.primalColumnSolution();
    score = sol[0];
    if (lambdas != nullptr) {
      lambdas->clear();
      for (int p = 0; p < size(); ++p) {
        if (sol[1 + p] > 0.0) lambdas->emplace_back(p, sol[1 + p]);
      }
    }
    return true;
  }

 private:
  const Data& d_;
  Dims dims_;
  Rts rts_;
  Orientation o_;
  ClpSimplex lp_;
  std::vector<int32_t> ref_;
};

// The first stage with the dense simplex (engine/dense_lp.h) on the data divided by the
// column means (a row scaling: θ, φ and λ are unchanged), the same rows and columns as
// ClpRadialLp. An LP the dense method cannot settle is solved again with CLP, built on
// first need; with Engine::kClp only CLP is used (SolveNaive, the reference).
enum class Engine { kDense, kClp };
struct LpCounters {
  std::atomic<int64_t> fallbacks{0};   // LPs left to CLP
  std::atomic<int64_t> iterations{0};  // of the dense method
};
struct LpSetup {
  Engine engine = Engine::kDense;
  LpCounters* counters = nullptr;
  int64_t iteration_limit = 5000;  // of the dense method, per LP
};

class RadialLp {
 public:
  RadialLp(const Data& d, const Scale& sc, Rts rts, Orientation o, const LpSetup& setup)
      : d_(d), sc_(sc), dims_{d.inputs, d.outputs}, rts_(rts), o_(o), counters_(setup.counters) {
    const int m = dims_.m, s = dims_.s;
    const int rows = m + s + (rts == Rts::kCrs ? 0 : 1);
    col_.assign(Z(rows), 0.0);
    row_.assign(Z(m + s), nullptr);
    inv_.assign(Z(m + s), 0.0);
    yjs_.assign(Z(s), 0.0);
    if (setup.engine == Engine::kClp) {
      clp_ = std::make_unique<ClpRadialLp>(d, rts, o);
      return;
    }
    dense_ = std::make_unique<lp::DenseLp>(rows);
    dense_->set_iteration_limit(setup.iteration_limit);
    const bool in = o == Orientation::kInput;
    for (int i = 0; i < m; ++i) dense_->SetRow(i, lp::RowType::kLe, 0.0);
    for (int r = 0; r < s; ++r) dense_->SetRow(m + r, lp::RowType::kGe, 0.0);
    if (rts != Rts::kCrs) SetRtsRow(*dense_, m + s, rts);
    // Column 0: θ (cost 1, -x_j in the input rows) or φ (cost -1, -y_j in the output
    // rows), set per unit in Solve.
    dense_->AddColumn(col_.data(), in ? 1.0 : -1.0);
  }

  void AddUnits(const std::vector<int32_t>& units) {
    if (units.empty()) return;
    ref_.insert(ref_.end(), units.begin(), units.end());
    excluded_.resize(ref_.size(), 0);
    if (clp_) clp_->AddUnits(units);
    if (!dense_) return;
    for (int32_t u : units) {
      ScaledColumn(d_, sc_, rts_, u, col_);
      dense_->AddColumn(col_.data(), 0.0);
    }
  }

  int32_t size() const { return static_cast<int32_t>(ref_.size()); }
  int32_t ref(int p) const { return ref_[static_cast<std::size_t>(p)]; }
  // Input orientation: Solve may stop as soon as θ <= score (then the score it reports
  // is a feasible θ at most that, not the optimum): for tests that only ask whether a
  // unit is enveloped.
  void SetStopAt(double score) {
    if (dense_) dense_->set_objective_target(score);
  }

  // Leaves reference unit p out (λ_p = 0) or takes it back.
  void SetExcluded(int p, bool excluded) {
    if (dense_) dense_->SetExcluded(1 + p, excluded);
    if (clp_) clp_->SetExcluded(p, excluded);
    excluded_[Z(p)] = excluded ? 1 : 0;
  }

  // Solves for unit j. Returns false when the LP is infeasible; else sets score and the
  // positive λ (by reference position).
  bool Solve(int32_t j, double& score, std::vector<std::pair<int, double>>* lambdas) {
    if (dense_) {
      const int m = dims_.m, s = dims_.s;
      const double* x = dims_.X(d_, j);
      const double* y = dims_.Y(d_, j);
      if (o_ == Orientation::kInput) {
        for (int i = 0; i < m; ++i) dense_->SetCoefficient(0, i, -x[i] / sc_.x_mean[Z(i)]);
        for (int r = 0; r < s; ++r) dense_->SetRhs(m + r, y[r] / sc_.y_mean[Z(r)]);
      } else {
        for (int i = 0; i < m; ++i) dense_->SetRhs(i, x[i] / sc_.x_mean[Z(i)]);
        for (int r = 0; r < s; ++r) dense_->SetCoefficient(0, m + r, -y[r] / sc_.y_mean[Z(r)]);
      }
      Crash(x, y);
      const lp::Outcome out = dense_->Solve();
      if (counters_ != nullptr) counters_->iterations += dense_->iterations();
      if (out == lp::Outcome::kInfeasible) return false;
      if (out == lp::Outcome::kOptimal || out == lp::Outcome::kTargetReached) {
        score = dense_->value(0);
        if (lambdas != nullptr) {
          lambdas->clear();
          dense_->BasicColumns(basic_);
          std::sort(basic_.begin(), basic_.end());
          for (int c : basic_) {
            if (c > 0 && dense_->value(c) > 0.0) lambdas->emplace_back(c - 1, dense_->value(c));
          }
        }
        return true;
      }
      if (counters_ != nullptr) ++counters_->fallbacks;
      if (!clp_) {
        clp_ = std::make_unique<ClpRadialLp>(d_, rts_, o_);
        clp_->AddUnits(ref_);
        for (int p = 0; p < size(); ++p) {
          if (excluded_[Z(p)]) clp_->SetExcluded(p, true);
        }
      }
    }
    return clp_->Solve(j, score, lambdas);
  }

 private:
  // A starting basis from the best single reference unit k (an FDH-like reference
  // point): input orientation: λ_k covers j's outputs (CRS: λ_k = max_r y_jr / y_kr;
  // else λ_k = 1 and y_k >= y_j), θ = λ_k max_i x_ki / x_ji is the smallest over k; the
  // basis is θ, λ_k and the slacks of every row but the binding ones (output
  // orientation: the same with the roles of inputs and outputs exchanged). The dense
  // method checks it is nonsingular and feasible; none found leaves phase 1 to start.
  void Crash(const double* xj, const double* yj) {
    const int m = dims_.m, s = dims_.s;
    const bool in = o_ == Orientation::kInput;
    const bool crs = rts_ == Rts::kCrs;
    // The reference units' scaled data, row by row in the dense LP (column 1 + p);
    // ratios of scaled values are those of the data.
    for (int i = 0; i < m; ++i) {
      row_[Z(i)] = dense_->Row(i) + 1;
      inv_[Z(i)] = sc_.x_mean[Z(i)] / xj[i];
    }
    for (int r = 0; r < s; ++r) {
      row_[Z(m + r)] = dense_->Row(m + r) + 1;
      yjs_[Z(r)] = yj[r] / sc_.y_mean[Z(r)];
      inv_[Z(m + r)] = yj[r] > 0 ? sc_.y_mean[Z(r)] / yj[r] : 0.0;
    }
    double best = in ? kInf : -kInf;
    int best_p = -1, bind_a = -1, bind_b = -1;
    const double* const* x = row_.data();
    const double* const* y = row_.data() + m;
    const double* inv_x = inv_.data();
    const double* inv_y = inv_.data() + m;
    for (int p = 0; p < size(); ++p) {
      if (excluded_[Z(p)]) continue;
      // a: the row fixing λ_k (CRS), b: the row fixing the score.
      double lambda = 1.0;
      int a = -1, b = -1;
      bool ok = true;
      if (in) {
        if (crs) {
          lambda = 0;
          for (int r = 0; r < s && ok; ++r) {
            if (yjs_[Z(r)] == 0) continue;
            const double ykr = y[r][p];
            if (ykr <= 0) {
              ok = false;
            } else if (yjs_[Z(r)] > lambda * ykr) {
              lambda = yjs_[Z(r)] / ykr, a = r;
            }
          }
        } else {
          for (int r = 0; r < s && ok; ++r) ok = y[r][p] >= yjs_[Z(r)];
        }
        if (!ok || lambda <= 0) continue;
        double theta = 0;
        for (int i = 0; i < m; ++i) {
          const double t = lambda * x[i][p] * inv_x[i];
          if (t > theta) theta = t, b = i;
        }
        if (theta < best) best = theta, best_p = p, bind_a = a, bind_b = b;
      } else {
        if (crs) {
          lambda = kInf;
          for (int i = 0; i < m; ++i) {
            const double l = 1.0 / (x[i][p] * inv_x[i]);
            if (l < lambda) lambda = l, a = i;
          }
        } else {
          for (int i = 0; i < m && ok; ++i) ok = x[i][p] * inv_x[i] <= 1.0;
        }
        if (!ok) continue;
        double phi = kInf;
        for (int r = 0; r < s; ++r) {
          if (inv_y[r] > 0 && lambda * y[r][p] * inv_y[r] < phi) {
            phi = lambda * y[r][p] * inv_y[r], b = r;
          }
        }
        if (phi > best && phi < kInf) best = phi, best_p = p, bind_a = a, bind_b = b;
      }
    }
    if (best_p < 0) return;
    start_.clear();
    start_.push_back(0);
    start_.push_back(1 + best_p);
    // Rows: inputs 0..m-1, outputs m..m+s-1, then returns to scale.
    const int fix_lambda = crs ? (in ? m + bind_a : bind_a) : m + s;
    const int fix_score = in ? bind_b : m + bind_b;
    const int rows = m + s + (crs ? 0 : 1);
    for (int r = 0; r < rows; ++r) {
      if (r != fix_lambda && r != fix_score) start_.push_back(dense_->SlackId(r));
    }
    dense_->SetStart(start_);
  }

  const Data& d_;
  const Scale& sc_;
  Dims dims_;
  Rts rts_;
  Orientation o_;
  std::unique_ptr<lp::DenseLp> dense_;
  std::unique_ptr<ClpRadialLp> clp_;
  std::vector<int32_t> ref_;
  std::vector<char> excluded_;  // per position (replayed on a CLP instance built late)
  std::vector<double> col_;
  std::vector<int> basic_, start_;
  std::vector<const double*> row_;  // Crash's scratch
  std::vector<double> inv_, yjs_;
  LpCounters* counters_;
};

// The second stage: the score fixed, maximize the (weighted) sum of slacks. Only row
// bounds change between units, so the dual simplex restarts from the last basis.
class ClpSlackLp {
 public:
  ClpSlackLp(const Data& d, const std::vector<int32_t>& ref, Rts rts, const Scale& sc)
      : d_(d), dims_{d.inputs, d.outputs}, ref_(ref) {
    const int m = dims_.m, s = dims_.s;
    const int rows = m + s + (rts == Rts::kCrs ? 0 : 1);
    const std::size_t k = ref.size();
    const std::size_t cols = k + static_cast<std::size_t>(m + s);
    std::vector<CoinBigIndex> start;
    std::vector<int> idx;
    std::vector<double> val, lo(cols, 0.0), up(cols, COIN_DBL_MAX), obj(cols, 0.0);
    for (int32_t u : ref) {
      start.push_back(static_cast<CoinBigIndex>(idx.size()));
      const double* x = dims_.X(d_, u);
      const double* y = dims_.Y(d_, u);
      for (int i = 0; i < m; ++i) idx.push_back(i), val.push_back(x[i]);
      for (int r = 0; r < s; ++r) {
        if (y[r] != 0.0) idx.push_back(m + r), val.push_back(y[r]);
      }
      if (rts != Rts::kCrs) idx.push_back(m + s), val.push_back(1.0);
    }
    for (int i = 0; i < m; ++i) {
      obj[k + static_cast<std::size_t>(i)] = -sc.wx[static_cast<std::size_t>(i)];
      start.push_back(static_cast<CoinBigIndex>(idx.size()));
      idx.push_back(i), val.push_back(1.0);
    }
    for (int r = 0; r < s; ++r) {
      obj[k + static_cast<std::size_t>(m + r)] = -sc.wy[static_cast<std::size_t>(r)];
      start.push_back(static_cast<CoinBigIndex>(idx.size()));
      idx.push_back(m + r), val.push_back(-1.0);
    }
    start.push_back(static_cast<CoinBigIndex>(idx.size()));
    std::vector<double> rlo(static_cast<std::size_t>(rows), 0.0),
        rup(static_cast<std::size_t>(rows), 0.0);
    lp_.setLogLevel(0);
    lp_.loadProblem(static_cast<int>(cols), rows, start.data(), idx.data(), val.data(), lo.data(),
                    up.data(), obj.data(), rlo.data(), rup.data());
    if (rts != Rts::kCrs) SetRtsRow(lp_, m + s, rts);
  }

  // Solves with the reference point's inputs t (m) and outputs u (s) fixed; returns
  // false on failure. Sets the slacks and the positive λ.
  bool Solve(const double* t, const double* u, double* sx, double* sy,
             std::vector<std::pair<int, double>>& lambdas) {
    const int m = dims_.m, s = dims_.s;
    for (int i = 0; i < m; ++i) lp_.setRowLower(i, t[i]), lp_.setRowUpper(i, t[i]);
    for (int r = 0; r < s; ++r) lp_.setRowLower(m + r, u[r]), lp_.setRowUpper(m + r, u[r]);
    lp_.dual();
    if (lp_.status() != 0) {
      lp_.allSlackBasis(true);
      lp_.primal();
      if (lp_.status() != 0) return false;
    }
    const double* sol = lp_.primalColumnSolution();
    const std::size_t k = ref_.size();
    for (int i = 0; i < m; ++i) sx[i] = sol[k + static_cast<std::size_t>(i)];
    for (int r = 0; r < s; ++r) sy[r] = sol[k + static_cast<std::size_t>(m + r)];
    lambdas.clear();
    for (std::size_t p = 0; p < k; ++p) {
      if (sol[p] > 0.0) lambdas.emplace_back(static_cast<int>(p), sol[p]);
    }
    return true;
  }

 private:
  const Data& d_;
  Dims dims_;
  const std::vector<int32_t>& ref_;
  ClpSimplex lp_;
};

// The second stage with the dense simplex: the same LP as ClpSlackLp on the data divided
// by the column means (a slack's cost is its weight times its column's mean); CLP, built
// on first need, when the dense method cannot settle it, and always with Engine::kClp.
class SlackLp {
 public:
  SlackLp(const Data& d, const std::vector<int32_t>& ref, Rts rts, const Scale& sc,
          const LpSetup& setup)
      : d_(d),
        dims_{d.inputs, d.outputs},
        ref_(ref),
        rts_(rts),
        sc_(sc),
        counters_(setup.counters) {
    if (setup.engine == Engine::kClp) {
      clp_ = std::make_unique<ClpSlackLp>(d, ref, rts, sc);
      return;
    }
    const int m = dims_.m, s = dims_.s;
    const int rows = m + s + (rts == Rts::kCrs ? 0 : 1);
    dense_ = std::make_unique<lp::DenseLp>(rows);
    dense_->set_iteration_limit(setup.iteration_limit);
    for (int r = 0; r < m + s; ++r) dense_->SetRow(r, lp::RowType::kEq, 0.0);
    if (rts != Rts::kCrs) SetRtsRow(*dense_, m + s, rts);
    std::vector<double> col(Z(rows), 0.0);
    for (int32_t u : ref) {
      ScaledColumn(d_, sc, rts, u, col);
      dense_->AddColumn(col.data(), 0.0);
    }
    for (int r = 0; r < m + s; ++r) {
      std::fill(col.begin(), col.end(), 0.0);
      col[Z(r)] = r < m ? 1.0 : -1.0;  // s⁻ (inputs), s⁺ (outputs)
      const double cost =
          r < m ? sc.wx[Z(r)] * sc.x_mean[Z(r)] : sc.wy[Z(r - m)] * sc.y_mean[Z(r - m)];
      dense_->AddColumn(col.data(), -cost);
    }
  }

  // As ClpSlackLp::Solve.
  bool Solve(const double* t, const double* u, double* sx, double* sy,
             std::vector<std::pair<int, double>>& lambdas) {
    if (dense_) {
      const int m = dims_.m, s = dims_.s;
      for (int i = 0; i < m; ++i) dense_->SetRhs(i, t[i] / sc_.x_mean[Z(i)]);
      for (int r = 0; r < s; ++r) dense_->SetRhs(m + r, u[r] / sc_.y_mean[Z(r)]);
      const lp::Outcome out = dense_->Solve();
      if (counters_ != nullptr) counters_->iterations += dense_->iterations();
      if (out == lp::Outcome::kOptimal) {
        const int k = static_cast<int>(ref_.size());
        for (int i = 0; i < m; ++i) sx[i] = dense_->value(k + i) * sc_.x_mean[Z(i)];
        for (int r = 0; r < s; ++r) sy[r] = dense_->value(k + m + r) * sc_.y_mean[Z(r)];
        lambdas.clear();
        dense_->BasicColumns(basic_);
        std::sort(basic_.begin(), basic_.end());
        for (int c : basic_) {
          if (c < k && dense_->value(c) > 0.0) lambdas.emplace_back(c, dense_->value(c));
        }
        return true;
      }
      if (counters_ != nullptr) ++counters_->fallbacks;
      if (!clp_) clp_ = std::make_unique<ClpSlackLp>(d_, ref_, rts_, sc_);
    }
    return clp_->Solve(t, u, sx, sy, lambdas);
  }

 private:
  const Data& d_;
  Dims dims_;
  const std::vector<int32_t>& ref_;
  Rts rts_;
  const Scale& sc_;
  LpCounters* counters_;
  std::unique_ptr<lp::DenseLp> dense_;
  std::unique_ptr<ClpSlackLp> clp_;
  std::vector<int> basic_;
};

bool IsOne(double score, double tol) { return std::fabs(score - 1.0) <= tol; }

void SetPeers(UnitResult& u, const std::vector<std::pair<int, double>>& lambdas,
              const std::vector<int32_t>& ref) {
  u.peers.clear();
  for (const auto& [p, l] : lambdas) {
    if (l > kPeerTol) u.peers.push_back({ref[static_cast<std::size_t>(p)], l});
  }
  std::sort(u.peers.begin(), u.peers.end(), [](const Peer& a, const Peer& b) {
    return a.lambda != b.lambda ? a.lambda > b.lambda : a.unit < b.unit;
  });
}

// Cleans the second stage's slacks, sets the efficient flag (score 1 and every slack
// zero; only meaningful when the second stage ran), the reported slacks (zero without
// Options::slacks) and the targets.
void Finish(const Data& d, const Options& opt, const Scale& sc, int32_t j, bool have_slacks,
            UnitResult& u) {
  const Dims dims{d.inputs, d.outputs};
  const double* x = dims.X(d, j);
  const double* y = dims.Y(d, j);
  bool zero = true;
  for (int i = 0; i < dims.m; ++i) {
    double& v = u.input_slacks[Z(i)];
    if (v <= kSlackTol * std::max(1.0, sc.x_mean[Z(i)])) v = 0.0;
    zero = zero && v == 0.0;
  }
  for (int r = 0; r < dims.s; ++r) {
    double& v = u.output_slacks[Z(r)];
    if (v <= kSlackTol * std::max(1.0, sc.y_mean[Z(r)])) v = 0.0;
    zero = zero && v == 0.0;
  }
  u.efficient = u.score == 1.0 && have_slacks && zero;
  if (!opt.slacks) {
    std::fill(u.input_slacks.begin(), u.input_slacks.end(), 0.0);
    std::fill(u.output_slacks.begin(), u.output_slacks.end(), 0.0);
  }
  const bool in = opt.orientation == Orientation::kInput;
  for (int i = 0; i < dims.m; ++i) {
    u.input_targets[Z(i)] = (in ? u.score * x[i] : x[i]) - u.input_slacks[Z(i)];
  }
  for (int r = 0; r < dims.s; ++r) {
    u.output_targets[Z(r)] = (in ? y[r] : u.score * y[r]) + u.output_slacks[Z(r)];
  }
}

void InitUnit(const Data& d, UnitResult& u) {
  u.input_slacks.assign(Z(d.inputs), 0.0);
  u.output_slacks.assign(Z(d.outputs), 0.0);
  u.input_targets.assign(Z(d.inputs), 0.0);
  u.output_targets.assign(Z(d.outputs), 0.0);
}

// Snaps a score within the tolerance of 1 to exactly 1.
double Snap(double score, double tol) { return IsOne(score, tol) ? 1.0 : score; }

// Scores units against one reference set (the frame in Solve, every unit in
// SolveNaive) with LP returns to scale. One per thread.
class LpWorker {
 public:
  LpWorker(const Data& d, const Options& opt, const Scale& sc, const std::vector<int32_t>& ref,
           const LpSetup& setup)
      : d_(d), opt_(opt), sc_(sc), ref_(ref), t_(Z(d.inputs)), v_(Z(d.outputs)) {
    radial_ = std::make_unique<RadialLp>(d, sc, opt.rts, opt.orientation, setup);
    radial_->AddUnits(ref);
    slack_ = std::make_unique<SlackLp>(d, ref, opt.rts, sc, setup);
  }

  // Scores unit j. A unit outside the reference set must still be enveloped by it (the
  // check that the frame spans every unit). support: the first stage's positive λ
  // (reference positions), when wanted.
  Status Score(int32_t j, UnitResult& u, int64_t& lps, std::vector<int>* support) {
    const Dims dims{d_.inputs, d_.outputs};
    const double* x = dims.X(d_, j);
    const double* y = dims.Y(d_, j);
    double score = 0;
    ++lps;
    if (!radial_->Solve(j, score, &lambdas_))
      return Internal("dea: the score LP of unit " + std::to_string(j) + " is infeasible");
    const bool in = opt_.orientation == Orientation::kInput;
    const double outside = in ? score - 1.0 : 1.0 - score;
    if (outside > kVerifyTol) {
      return Internal("dea: unit " + std::to_string(j) + " is not enveloped by the frame (score " +
                      std::to_string(score) + ")");
    }
    score = outside > 0 ? 1.0 : Snap(score, opt_.tolerance);
    u.score = score;
    if (support != nullptr) {
      support->clear();
      for (const auto& pl : lambdas_) support->push_back(pl.first);
    }
    InitUnit(d_, u);
    bool have_slacks = false;
    if (opt_.slacks || score == 1.0) {
      for (int i = 0; i < d_.inputs; ++i) t_[Z(i)] = in ? score * x[i] : x[i];
      for (int r = 0; r < d_.outputs; ++r) v_[Z(r)] = in ? y[r] : score * y[r];
      ++lps;
      if (!slack_->Solve(t_.data(), v_.data(), u.input_slacks.data(), u.output_slacks.data(),
                         second_))
        return Internal("dea: the slack LP of unit " + std::to_string(j) + " failed");
      have_slacks = true;
      if (opt_.slacks) lambdas_.swap(second_);
    }
    SetPeers(u, lambdas_, ref_);
    Finish(d_, opt_, sc_, j, have_slacks, u);
    return {};
  }

  // The super-efficiency score of unit j against the reference set
  // without position p.
  double SuperScore(int32_t j, int p, int64_t& lps) {
    radial_->SetExcluded(p, true);
    double score = 0;
    ++lps;
    const bool ok = radial_->Solve(j, score, nullptr);
    radial_->SetExcluded(p, false);
    return ok ? Snap(score, opt_.tolerance) : kInf;
  }

 private:
  const Data& d_;
  const Options& opt_;
  const Scale& sc_;
  const std::vector<int32_t>& ref_;
  std::unique_ptr<RadialLp> radial_;
  std::unique_ptr<SlackLp> slack_;
  std::vector<double> t_, v_;
  std::vector<std::pair<int, double>> lambdas_, second_;
};

// FDH by enumeration over a reference set (exact; no LP). exclude: a unit left out.
// Returns false when no reference unit qualifies (super-efficiency only).
bool FdhScore(const Data& d, const Options& opt, const Scale& sc, int32_t j,
              const std::vector<int32_t>& ref, int32_t exclude, UnitResult* u, double* score_out) {
  const Dims dims{d.inputs, d.outputs};
  const double* xj = dims.X(d, j);
  const double* yj = dims.Y(d, j);
  const bool in = opt.orientation == Orientation::kInput;
  double best = in ? kInf : -kInf;
  int32_t best_k = -1;
  for (int32_t k : ref) {
    if (k == exclude) continue;
    const double* xk = dims.X(d, k);
    const double* yk = dims.Y(d, k);
    double rho;
    if (in) {
      bool ok = true;
      for (int r = 0; r < dims.s && ok; ++r) ok = yk[r] >= yj[r];
      if (!ok) continue;
      rho = 0;
      for (int i = 0; i < dims.m; ++i) rho = std::max(rho, xk[i] / xj[i]);
      if (rho < best) best = rho, best_k = k;
    } else {
      bool ok = true;
      for (int i = 0; i < dims.m && ok; ++i) ok = xk[i] <= xj[i];
      if (!ok) continue;
      rho = kInf;
      for (int r = 0; r < dims.s; ++r) {
        if (yj[r] > 0) rho = std::min(rho, yk[r] / yj[r]);
      }
      if (rho > best) best = rho, best_k = k;
    }
  }
  if (best_k < 0) return false;
  const double score = Snap(best, opt.tolerance);
  if (score_out != nullptr) *score_out = score;
  if (u == nullptr) return true;
  u->score = score;
  InitUnit(d, *u);
  bool have_slacks = false;
  int32_t peer = best_k;
  if (opt.slacks || score == 1.0) {
    // Second stage: among the units that reach the score, the one with the largest
    // (weighted) sum of slacks; ties by index.
    double best_sum = -kInf;
    for (int32_t k : ref) {
      if (k == exclude) continue;
      const double* xk = dims.X(d, k);
      const double* yk = dims.Y(d, k);
      bool ok = true;
      if (in) {
        for (int r = 0; r < dims.s && ok; ++r) ok = yk[r] >= yj[r];
        double rho = 0;
        for (int i = 0; i < dims.m && ok; ++i) rho = std::max(rho, xk[i] / xj[i]);
        ok = ok && rho <= best;
      } else {
        for (int i = 0; i < dims.m && ok; ++i) ok = xk[i] <= xj[i];
        double rho = kInf;
        for (int r = 0; r < dims.s && ok; ++r) {
          if (yj[r] > 0) rho = std::min(rho, yk[r] / yj[r]);
        }
        ok = ok && rho >= best;
      }
      if (!ok) continue;
      double sum = 0;
      for (int i = 0; i < dims.m; ++i) {
        sum += sc.wx[Z(i)] * std::max(0.0, (in ? score * xj[i] : xj[i]) - xk[i]);
      }
      for (int r = 0; r < dims.s; ++r) {
        sum += sc.wy[Z(r)] * std::max(0.0, yk[r] - (in ? yj[r] : score * yj[r]));
      }
      if (sum > best_sum || (sum == best_sum && k < peer)) best_sum = sum, peer = k;
    }
    const double* xk = dims.X(d, peer);
    const double* yk = dims.Y(d, peer);
    for (int i = 0; i < dims.m; ++i) {
      u->input_slacks[Z(i)] = std::max(0.0, (in ? score * xj[i] : xj[i]) - xk[i]);
    }
    for (int r = 0; r < dims.s; ++r) {
      u->output_slacks[Z(r)] = std::max(0.0, yk[r] - (in ? yj[r] : score * yj[r]));
    }
    have_slacks = true;
    if (!opt.slacks) peer = best_k;
  }
  u->peers = {Peer{peer, 1.0}};
  Finish(d, opt, sc, j, have_slacks, *u);
  return true;
}

// A key that strictly grows when a unit improves (less input, more output); floating
// point rounding is monotone, so a dominating unit never has a smaller key.
std::vector<double> Keys(const Data& d, const Scale& sc) {
  const Dims dims{d.inputs, d.outputs};
  std::vector<double> key(Z(d.units));
  for (int32_t j = 0; j < d.units; ++j) {
    const double* x = dims.X(d, j);
    const double* y = dims.Y(d, j);
    double v = 0;
    for (int r = 0; r < dims.s; ++r) v += y[r] / sc.y_mean[Z(r)];
    for (int i = 0; i < dims.m; ++i) v -= x[i] / sc.x_mean[Z(i)];
    key[Z(j)] = v;
  }
  return key;
}

// Sort-filter skyline: in descending key order (ties by index) a unit is kept unless one
// of the first kSkylineWindow kept units weakly dominates it (no more of any input, no
// less of any output; identical units are kept once, the lowest index). Dominated units
// are not extreme under any returns to scale, so the frame is among the kept units. The
// window bounds the filter to O(n · window): a dominated unit it misses costs one LP in
// the frame search, cheaper than comparing every survivor with every kept unit.
std::vector<int32_t> Skyline(const Data& d, const std::vector<int32_t>& order) {
  const Dims dims{d.inputs, d.outputs};
  std::vector<int32_t> kept;
  std::vector<double> packed;  // kept units' x and y, contiguous for the scan
  const std::size_t w = Z(dims.m + dims.s);
  for (int32_t j : order) {
    const double* x = dims.X(d, j);
    const double* y = dims.Y(d, j);
    bool dominated = false;
    const std::size_t window = std::min(kept.size(), kSkylineWindow);
    for (std::size_t q = 0; q < window && !dominated; ++q) {
      const double* z = packed.data() + q * w;
      bool dom = true;
      for (int i = 0; i < dims.m && dom; ++i) dom = z[i] <= x[i];
      for (int r = 0; r < dims.s && dom; ++r) dom = z[Z(dims.m + r)] >= y[r];
      dominated = dom;
    }
    if (dominated) continue;
    kept.push_back(j);
    if (kept.size() <= kSkylineWindow) {
      packed.insert(packed.end(), x, x + dims.m);
      packed.insert(packed.end(), y, y + dims.s);
    }
  }
  return kept;
}

// Units along a Z-order (Morton) curve over their log-scaled inputs and outputs: units
// close in that order are close in the data, so each LP starts from a basis that is
// nearly optimal for it (the key order alone puts far-apart units side by side).
std::vector<int32_t> LocalityOrder(const Data& d, std::vector<int32_t> units) {
  const Dims dims{d.inputs, d.outputs};
  const int w = dims.m + dims.s;
  const int bits = std::max(1, 60 / w);
  std::vector<double> lo(Z(w), kInf), hi(Z(w), -kInf);
  auto coord = [&](int32_t j, int c) {
    const double v = c < dims.m ? dims.X(d, j)[c] : dims.Y(d, j)[c - dims.m];
    return std::log(std::max(v, 1e-300));
  };
  for (int32_t j : units) {
    for (int c = 0; c < w; ++c) {
      lo[Z(c)] = std::min(lo[Z(c)], coord(j, c));
      hi[Z(c)] = std::max(hi[Z(c)], coord(j, c));
    }
  }
  std::vector<std::pair<uint64_t, int32_t>> keyed;
  keyed.reserve(units.size());
  const double cells = std::ldexp(1.0, bits) - 1;
  for (int32_t j : units) {
    uint64_t key = 0;
    std::vector<uint64_t> q(Z(w));
    for (int c = 0; c < w; ++c) {
      const double span = hi[Z(c)] - lo[Z(c)];
      const double t = span > 0 ? (coord(j, c) - lo[Z(c)]) / span : 0.0;
      q[Z(c)] = static_cast<uint64_t>(std::clamp(t, 0.0, 1.0) * cells);
    }
    for (int b = bits - 1; b >= 0; --b) {
      for (int c = 0; c < w; ++c) key = (key << 1) | ((q[Z(c)] >> b) & 1u);
    }
    keyed.emplace_back(key, j);
  }
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t k = 0; k < keyed.size(); ++k) units[k] = keyed[k].second;
  return units;
}

int ThreadCount(const Options& opt, int64_t work) {
  int t = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  t = std::max(1, t);
  return static_cast<int>(std::min<int64_t>(t, std::max<int64_t>(1, work / 32)));
}

// Runs fn(t) on threads t = 0..threads-1 (inline when there is one).
template <typename Fn>
void OnThreads(int threads, Fn fn) {
  if (threads <= 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(Z(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(fn, t);
  for (auto& th : pool) th.join();
}

// The skyline on threads: each takes a contiguous slice of the key order (a unit its
// slice drops is dominated), then one pass over the slices' survivors, still in key
// order.
std::vector<int32_t> ParallelSkyline(const Data& d, const std::vector<int32_t>& order,
                                     int threads) {
  if (threads <= 1 || order.size() < 4096) return Skyline(d, order);
  std::vector<std::vector<int32_t>> part(Z(threads));
  const std::size_t chunk = (order.size() + Z(threads) - 1) / Z(threads);
  OnThreads(threads, [&](int t) {
    const std::size_t begin = std::min(order.size(), Z(t) * chunk);
    const std::size_t end = std::min(order.size(), begin + chunk);
    part[Z(t)] = Skyline(d, std::vector<int32_t>(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 order.begin() + static_cast<std::ptrdiff_t>(end)));
  });
  std::vector<int32_t> merged;
  for (const auto& p : part) merged.insert(merged.end(), p.begin(), p.end());
  return Skyline(d, merged);
}

// The frame: the extreme-efficient units of the candidates (which must span the
// production possibility set of all units). Each thread takes every threads-th
// candidate and adds it to its own list when that list so far does not envelop it; the
// union of the lists spans everything. A member the others of the union do not envelop
// is extreme ("sure"); a member the sure ones envelop is not (the sure ones stay, so
// all such members can go at once, in parallel); the few left (copies, units on the
// same CRS ray) are re-tested one by one against the sure units and those not yet
// dropped (dropping one at a time keeps what the set spans, and keeps one of each
// group). What is left is exactly the extreme units. Every test only asks whether a
// unit is enveloped, so its LP stops at the first θ <= 1.
std::vector<int32_t> FindFrame(const Data& d, const Scale& sc, Rts frame_rts,
                               const std::vector<int32_t>& candidates, int threads, int64_t& lps,
                               const LpSetup& setup) {
  threads = static_cast<int>(
      std::min<std::size_t>(Z(threads), std::max<std::size_t>(1, candidates.size() / 256)));
  std::vector<int64_t> counts(Z(threads), 0);
  // Is unit c enveloped (input score at most 1) by lp's reference set? Stops as soon as
  // a θ that low is found.
  auto enveloped = [&](RadialLp& lp, int32_t c, int t) {
    double score = 0;
    ++counts[Z(t)];
    return lp.Solve(c, score, nullptr) && score <= 1.0 + kEnvelopeTol;
  };
  auto make_lp = [&] {
    auto lp = std::make_unique<RadialLp>(d, sc, frame_rts, Orientation::kInput, setup);
    lp->SetStopAt(1.0 + kEnvelopeTol);
    return lp;
  };
  std::vector<std::vector<int32_t>> lists(Z(threads));
  OnThreads(threads, [&](int t) {
    auto lp = make_lp();
    for (std::size_t k = Z(t); k < candidates.size(); k += Z(threads)) {
      const int32_t c = candidates[k];
      if (lp->size() == 0 || !enveloped(*lp, c, t)) {
        lp->AddUnits({c});
        lists[Z(t)].push_back(c);
      }
    }
  });
  std::vector<int32_t> added;
  for (const auto& l : lists) added.insert(added.end(), l.begin(), l.end());
  // maybe[p]: the rest of the union envelops member p (in parallel, nothing dropped).
  // A member it does not is extreme: in the frame for certain.
  std::vector<char> maybe(added.size(), 1);
  auto each = [&](const std::vector<int32_t>& ref, const std::vector<std::size_t>& members,
                  auto body) {
    std::atomic<std::size_t> next{0};
    OnThreads(threads, [&](int t) {
      auto lp = make_lp();
      lp->AddUnits(ref);
      for (std::size_t k = next++; k < members.size(); k = next++) body(*lp, members[k], t);
    });
  };
  std::vector<std::size_t> all(added.size());
  std::iota(all.begin(), all.end(), 0);
  each(added, all, [&](RadialLp& lp, std::size_t p, int t) {
    lp.SetExcluded(static_cast<int>(p), true);
    maybe[p] = enveloped(lp, added[p], t) ? 1 : 0;
    lp.SetExcluded(static_cast<int>(p), false);
  });
  // A member the certain frame units alone envelop goes (in parallel: they stay). What
  // is left are units of which copies or (CRS) units on the same ray envelop each other.
  std::vector<int32_t> sure;
  std::vector<std::size_t> open;
  for (std::size_t p = 0; p < added.size(); ++p) {
    if (maybe[p]) {
      open.push_back(p);
    } else {
      sure.push_back(added[p]);
    }
  }
  std::vector<char> removed(added.size(), 0);  // written by threads: not vector<bool>
  if (!sure.empty()) {
    each(sure, open, [&](RadialLp& lp, std::size_t p, int t) {
      if (enveloped(lp, added[p], t)) removed[p] = 1;
    });
  }
  for (int64_t c : counts) lps += c;
  // The rest one by one against the certain units and the rest not yet dropped
  // (dropping one at a time keeps what the set spans, and keeps one of each group).
  std::vector<int32_t> rest = sure;
  std::vector<std::size_t> rest_pos;
  for (std::size_t p : open) {
    if (!removed[p]) rest.push_back(added[p]), rest_pos.push_back(p);
  }
  auto lp = make_lp();
  lp->AddUnits(rest);
  for (int k = static_cast<int>(rest_pos.size()) - 1; k >= 0; --k) {
    const int pos = static_cast<int>(sure.size()) + k;
    lp->SetExcluded(pos, true);
    ++lps;
    double score = 0;
    if (lp->Solve(rest[Z(pos)], score, nullptr) && score <= 1.0 + kEnvelopeTol) {
      removed[rest_pos[Z(k)]] = 1;  // stays excluded: the others span what it spanned
    } else {
      lp->SetExcluded(pos, false);
    }
  }
  std::vector<int32_t> frame;
  for (std::size_t p = 0; p < added.size(); ++p) {
    if (!removed[p]) frame.push_back(added[p]);
  }
  std::sort(frame.begin(), frame.end());
  return frame;
}

// Runs body(thread, item) for items [0, n) on threads that take chunks in order.
template <typename Make, typename Body>
Status ParallelFor(int threads, int64_t n, Make make, Body body) {
  std::atomic<int64_t> next{0};
  std::mutex mu;
  Status first;
  auto run = [&](int t) {
    auto state = make(t);
    constexpr int64_t kChunk = 64;
    for (;;) {
      const int64_t begin = next.fetch_add(kChunk);
      if (begin >= n) return;
      const int64_t end = std::min(n, begin + kChunk);
      for (int64_t k = begin; k < end; ++k) {
        Status s = body(*state, t, k);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first.ok()) first = s;
          next.store(n);
          return;
        }
      }
    }
  };
  if (threads <= 1) {
    run(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(Z(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back(run, t);
    for (auto& th : pool) th.join();
  }
  return first;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

const char* RtsName(Rts r) {
  switch (r) {
    case Rts::kCrs:
      return "crs";
    case Rts::kVrs:
      return "vrs";
    case Rts::kDrs:
      return "drs";
    case Rts::kIrs:
      return "irs";
    case Rts::kFdh:
      return "fdh";
  }
  return "?";
}

bool ParseRts(std::string_view s, Rts& out) {
  for (Rts r : {Rts::kCrs, Rts::kVrs, Rts::kDrs, Rts::kIrs, Rts::kFdh}) {
    if (s == RtsName(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

const char* OrientationName(Orientation o) { return o == Orientation::kInput ? "in" : "out"; }

bool ParseOrientation(std::string_view s, Orientation& out) {
  if (s == "in") {
    out = Orientation::kInput;
  } else if (s == "out") {
    out = Orientation::kOutput;
  } else {
    return false;
  }
  return true;
}

Status Validate(const Data& data) {
  if (data.units < 1) return InvalidArgument("dea: no units");
  if (data.inputs < 1) return InvalidArgument("dea: no inputs (at least one is needed)");
  if (data.outputs < 1) return InvalidArgument("dea: no outputs (at least one is needed)");
  const std::size_t n = Z(data.units);
  if (data.x.size() != n * Z(data.inputs)) {
    return InvalidArgument("dea: x has " + std::to_string(data.x.size()) + " values, expected " +
                           std::to_string(n * Z(data.inputs)) + " (units x inputs)");
  }
  if (data.y.size() != n * Z(data.outputs)) {
    return InvalidArgument("dea: y has " + std::to_string(data.y.size()) + " values, expected " +
                           std::to_string(n * Z(data.outputs)) + " (units x outputs)");
  }
  for (int32_t j = 0; j < data.units; ++j) {
    for (int i = 0; i < data.inputs; ++i) {
      const double v = data.x[Z(j) * Z(data.inputs) + Z(i)];
      if (!std::isfinite(v) || v <= 0) {
        return InvalidArgument("dea: unit " + std::to_string(j) + ", input " + std::to_string(i) +
                               ": " + Num(v) + " (inputs must be finite and > 0)");
      }
    }
    bool any = false;
    for (int r = 0; r < data.outputs; ++r) {
      const double v = data.y[Z(j) * Z(data.outputs) + Z(r)];
      if (!std::isfinite(v) || v < 0) {
        return InvalidArgument("dea: unit " + std::to_string(j) + ", output " + std::to_string(r) +
                               ": " + Num(v) + " (outputs must be finite and >= 0)");
      }
      any = any || v > 0;
    }
    if (!any) {
      return InvalidArgument("dea: unit " + std::to_string(j) + ", outputs 0.." +
                             std::to_string(data.outputs - 1) +
                             ": all outputs are 0 (at least one must be > 0)");
    }
  }
  return {};
}

Result<Frontier> SolveNaive(const Data& data, const Options& options) {
  if (Status s = Validate(data); !s.ok()) return s.error();
  const Scale sc = ComputeScale(data);
  Frontier f;
  f.units.resize(Z(data.units));
  std::vector<int32_t> all(Z(data.units));
  std::iota(all.begin(), all.end(), 0);
  const auto t0 = Clock::now();
  if (options.rts == Rts::kFdh) {
    for (int32_t j = 0; j < data.units; ++j) {
      UnitResult& u = f.units[Z(j)];
      FdhScore(data, options, sc, j, all, -1, &u, nullptr);
      if (options.super_efficiency) {
        double s = 0;
        u.super_score = FdhScore(data, options, sc, j, all, j, nullptr, &s) ? s : kInf;
      }
      if (u.efficient) f.frame.push_back(j);
    }
  } else {
    LpWorker w(data, options, sc, all, LpSetup{Engine::kClp, nullptr, 0});
    for (int32_t j = 0; j < data.units; ++j) {
      UnitResult& u = f.units[Z(j)];
      if (Status s = w.Score(j, u, f.stats.lps_solved, nullptr); !s.ok()) return s.error();
      if (options.super_efficiency) u.super_score = w.SuperScore(j, j, f.stats.lps_solved);
      if (u.efficient) f.frame.push_back(j);
    }
  }
  // Without a frame search the "frame" here is the efficient units (a superset of the
  // extreme ones).
  f.stats.frame_size = static_cast<int32_t>(f.frame.size());
  f.stats.seconds_scoring = SecondsSince(t0);
  return f;
}

Result<Frontier> Solve(const Data& data, const Options& options) {
  if (Status s = Validate(data); !s.ok()) return s.error();
  const Scale sc = ComputeScale(data);
  Frontier f;
  f.units.resize(Z(data.units));
  const auto t0 = Clock::now();

  const std::vector<double> key = Keys(data, sc);
  std::vector<int32_t> order(Z(data.units));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return key[Z(a)] != key[Z(b)] ? key[Z(a)] > key[Z(b)] : a < b;
  });
  const std::vector<int32_t> sky = ParallelSkyline(data, order, ThreadCount(options, data.units));
  f.stats.dominated = data.units - static_cast<int32_t>(sky.size());

  if (options.rts == Rts::kFdh) {
    // The FDH frame is the non-dominated units: a dominated unit's reference unit is
    // never better than its dominator's.
    f.frame = sky;
    std::sort(f.frame.begin(), f.frame.end());
    f.stats.frame_size = static_cast<int32_t>(f.frame.size());
    f.stats.seconds_frame = SecondsSince(t0);
    const auto t1 = Clock::now();
    std::vector<bool> in_frame(Z(data.units), false);
    for (int32_t k : f.frame) in_frame[Z(k)] = true;
    std::vector<int32_t> all;
    if (options.super_efficiency) {
      all.resize(Z(data.units));
      std::iota(all.begin(), all.end(), 0);
    }
    const int threads = ThreadCount(options, data.units);
    Status s = ParallelFor(
        threads, data.units, [](int) { return std::make_unique<int>(0); },
        [&](int&, int, int64_t k) -> Status {
          const int32_t j = order[Z(static_cast<int>(k))];
          UnitResult& u = f.units[Z(j)];
          FdhScore(data, options, sc, j, f.frame, -1, &u, nullptr);
          if (options.super_efficiency) {
            if (!in_frame[Z(j)]) {
              u.super_score = u.score;
            } else {
              // Leaving j out can expose units only j dominated: scan them all.
              double v = 0;
              u.super_score = FdhScore(data, options, sc, j, all, j, nullptr, &v) ? v : kInf;
            }
          }
          return {};
        });
    if (!s.ok()) return s.error();
    f.stats.seconds_scoring = SecondsSince(t1);
    return f;
  }

  // VRS, DRS and IRS share the VRS frame: every unit is dominated by a convex
  // combination of it, and substituting that combination keeps Σλ, so it spans the
  // DRS and IRS sets too. CRS has its own (smaller) frame of extreme rays.
  const Rts frame_rts = options.rts == Rts::kCrs ? Rts::kCrs : Rts::kVrs;
  LpCounters counters;
  const LpSetup setup{Engine::kDense, &counters, options.lp_iteration_limit};
  f.frame = FindFrame(data, sc, frame_rts, LocalityOrder(data, sky),
                      ThreadCount(options, data.units), f.stats.lps_solved, setup);
  f.stats.frame_size = static_cast<int32_t>(f.frame.size());
  f.stats.seconds_frame = SecondsSince(t0);

  const auto t1 = Clock::now();
  const std::vector<int32_t> near = LocalityOrder(data, order);
  const int threads = ThreadCount(options, data.units);
  std::vector<int64_t> lps(Z(threads), 0);
  // With super-efficiency: for every non-frame unit, the frame positions its first
  // stage used (a unit that only j's column envelops must join j's reference set).
  std::vector<std::vector<std::pair<int, int32_t>>> uses(Z(threads));
  struct State {
    LpWorker worker;
    std::vector<int> support;
  };
  std::vector<int> frame_pos(Z(data.units), -1);
  for (std::size_t p = 0; p < f.frame.size(); ++p) frame_pos[Z(f.frame[p])] = static_cast<int>(p);
  Status s = ParallelFor(
      threads, data.units,
      [&](int) {
        return std::make_unique<State>(State{LpWorker(data, options, sc, f.frame, setup), {}});
      },
      [&](State& st, int t, int64_t k) -> Status {
        const int32_t j = near[Z(static_cast<int>(k))];
        UnitResult& u = f.units[Z(j)];
        const bool want = options.super_efficiency && frame_pos[Z(j)] < 0;
        if (Status e = st.worker.Score(j, u, lps[Z(t)], want ? &st.support : nullptr); !e.ok()) {
          return e;
        }
        if (want) {
          u.super_score = u.score;
          for (int p : st.support) uses[Z(t)].emplace_back(p, j);
        }
        return {};
      });
  if (!s.ok()) return s.error();

  if (options.super_efficiency) {
    std::vector<std::vector<int32_t>> extra(f.frame.size());
    for (auto& list : uses) {
      for (const auto& [p, j] : list) extra[Z(p)].push_back(j);
      list.clear();
      list.shrink_to_fit();
    }
    const int st = ThreadCount(options, static_cast<int64_t>(f.frame.size()) * 32);
    lps.resize(std::max(lps.size(), Z(st)), 0);
    s = ParallelFor(
        st, static_cast<int64_t>(f.frame.size()), [](int) { return std::make_unique<int>(0); },
        [&](int&, int t, int64_t pk) -> Status {
          const std::size_t p = Z(static_cast<int>(pk));
          const int32_t j = f.frame[p];
          std::vector<int32_t> ref;
          ref.reserve(f.frame.size() + extra[p].size());
          for (int32_t k : f.frame) {
            if (k != j) ref.push_back(k);
          }
          std::sort(extra[p].begin(), extra[p].end());
          ref.insert(ref.end(), extra[p].begin(), extra[p].end());
          RadialLp lp(data, sc, options.rts, options.orientation, setup);
          lp.AddUnits(ref);
          double v = 0;
          ++lps[Z(t)];
          f.units[Z(j)].super_score = lp.Solve(j, v, nullptr) ? Snap(v, options.tolerance) : kInf;
          return {};
        });
    if (!s.ok()) return s.error();
  }
  for (int64_t v : lps) f.stats.lps_solved += v;
  f.stats.clp_fallbacks = counters.fallbacks.load();
  f.stats.simplex_iterations = counters.iterations.load();
  f.stats.seconds_scoring = SecondsSince(t1);
  return f;
}

}  // namespace chollima::engine::dea
