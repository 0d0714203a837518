#include "engine/dense_lp.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace chollima::engine::lp {
namespace {

// Data are scaled to order 1 by the caller, so the tolerances are absolute.
constexpr double kPivotTol = 1e-9;      // smallest |B⁻¹a| entry a ratio test pivots on
constexpr double kOptTol = 1e-10;       // a reduced cost below -kOptTol improves
constexpr double kFeasTol = 1e-9;       // phase 1 ends infeasible above this (times |b|)
constexpr double kSingularTol = 1e-11;  // an LU pivot below this: the basis is singular
constexpr double kDriveOutTol = 1e-7;   // pivot an artificial out on at least this
// A run of this many degenerate pivots switches Dantzig's rule to Bland's.
constexpr int kDegenerateRun = 16;

// Pricing works on blocks of columns (the storage is padded to whole blocks, so the
// kernel's trip count is fixed and it vectorizes). Partial pricing: an iteration prices
// one block, the next one after the last, and goes on only while none improves. (One
// block beat a quarter or all of them by 1.2-2.4x at 2,093 columns: 20% more
// iterations, each far cheaper.)
constexpr int kBlock = 256;
// The base reduced cost of an excluded column: it never prices out.
constexpr double kExcludedCost = 1e300;
constexpr double kHuge = 1e300;

std::size_t Z(int v) { return static_cast<std::size_t>(v); }

// d[j] = base[j] - Σ_r π_r a[r * stride + j] for j < kBlock. (No fused multiply-add:
// both versions below round alike.)
inline __attribute__((always_inline)) void PriceBody(const double* __restrict a, std::size_t stride,
                                                     const double* __restrict pi, int rows,
                                                     const double* __restrict base,
                                                     double* __restrict d) {
  for (int j = 0; j < kBlock; ++j) d[j] = base[j];
  for (int r = 0; r < rows; ++r) {
    const double p = pi[r];
    if (p == 0.0) continue;
    const double* __restrict row = a + static_cast<std::size_t>(r) * stride;
    for (int j = 0; j < kBlock; ++j) d[j] -= p * row[j];
  }
}

__attribute__((target("avx2"))) void PriceAvx2(const double* a, std::size_t stride,
                                               const double* pi, int rows, const double* base,
                                               double* d) {
  PriceBody(a, stride, pi, rows, base, d);
}

void PriceGeneric(const double* a, std::size_t stride, const double* pi, int rows,
                  const double* base, double* d) {
  PriceBody(a, stride, pi, rows, base, d);
}

// Chosen once at run time (not an ifunc: the sanitizers' runtimes are not up yet when
// ifunc resolvers run).
void PriceBlock(const double* a, std::size_t stride, const double* pi, int rows, const double* base,
                double* d) {
  static const auto price = __builtin_cpu_supports("avx2") ? PriceAvx2 : PriceGeneric;
  price(a, stride, pi, rows, base, d);
}

}  // namespace

DenseLp::DenseLp(int rows)
    : rows_(rows),
      type_(Z(rows), RowType::kEq),
      rhs_(Z(rows), 0.0),
      basis_(Z(rows), 0),
      lu_(Z(rows) * Z(rows), 0.0),
      perm_(Z(rows), 0),
      xb_(Z(rows), 0.0),
      pi_(Z(rows), 0.0),
      w_(Z(rows), 0.0),
      cb_(Z(rows), 0.0) {}

void DenseLp::SetRow(int r, RowType type, double rhs) {
  type_[Z(r)] = type;
  rhs_[Z(r)] = rhs;
}

void DenseLp::SetRhs(int r, double rhs) { rhs_[Z(r)] = rhs; }

int DenseLp::AddColumn(const double* a, double cost) {
  if (cols_ == cap_) {
    const int cap = std::max(kBlock, cap_ * 2);
    std::vector<double> grown(Z(rows_) * Z(cap), 0.0);
    for (int r = 0; r < rows_; ++r) {
      std::copy_n(a_.data() + Z(r) * Z(cap_), Z(cols_), grown.data() + Z(r) * Z(cap));
    }
    a_.swap(grown);
    cap_ = cap;
    base1_.resize(Z(cap), 0.0);
    base2_.resize(Z(cap), 0.0);
  }
  for (int r = 0; r < rows_; ++r) a_[Z(r) * Z(cap_) + Z(cols_)] = a[r];
  cost_.push_back(cost);
  excluded_.push_back(0);
  base1_[Z(cols_)] = 0.0;
  base2_[Z(cols_)] = cost;
  // Slack and artificial ids follow the structural columns: shift them.
  for (int& id : basis_) {
    if (id >= cols_) ++id;
  }
  return cols_++;
}

void DenseLp::SetCoefficient(int j, int r, double value) { a_[Z(r) * Z(cap_) + Z(j)] = value; }

void DenseLp::SetExcluded(int j, bool excluded) {
  excluded_[Z(j)] = excluded ? 1 : 0;
  base1_[Z(j)] = excluded ? kExcludedCost : 0.0;
  base2_[Z(j)] = excluded ? kExcludedCost : cost_[Z(j)];
}

bool DenseLp::IsBasic(int id) const {
  for (int b : basis_) {
    if (b == id) return true;
  }
  return false;
}

double DenseLp::value(int j) const { return value_[Z(j)]; }

void DenseLp::BasicColumns(std::vector<int>& out) const {
  out.clear();
  for (int id : basis_) {
    if (id < cols_) out.push_back(id);
  }
}

double DenseLp::Coef(int id, int r) const {
  if (id < cols_) return a_[Z(r) * Z(cap_) + Z(id)];
  if (id < cols_ + rows_) {
    if (id - cols_ != r) return 0.0;
    return type_[Z(r)] == RowType::kLe ? 1.0 : -1.0;
  }
  if (id - cols_ - rows_ != r) return 0.0;
  return rhs_[Z(r)] < 0 ? -1.0 : 1.0;
}

bool DenseLp::Factor() {
  const int n = rows_;
  for (int r = 0; r < n; ++r) {
    perm_[Z(r)] = r;
    for (int q = 0; q < n; ++q) lu_[Z(r) * Z(n) + Z(q)] = Coef(basis_[Z(q)], r);
  }
  for (int k = 0; k < n; ++k) {
    int p = k;
    double best = std::fabs(lu_[Z(k) * Z(n) + Z(k)]);
    for (int r = k + 1; r < n; ++r) {
      const double v = std::fabs(lu_[Z(r) * Z(n) + Z(k)]);
      if (v > best) best = v, p = r;
    }
    if (best < kSingularTol) return false;
    if (p != k) {
      std::swap_ranges(lu_.begin() + static_cast<std::ptrdiff_t>(Z(k) * Z(n)),
                       lu_.begin() + static_cast<std::ptrdiff_t>(Z(k + 1) * Z(n)),
                       lu_.begin() + static_cast<std::ptrdiff_t>(Z(p) * Z(n)));
      std::swap(perm_[Z(k)], perm_[Z(p)]);
    }
    const double piv = lu_[Z(k) * Z(n) + Z(k)];
    for (int r = k + 1; r < n; ++r) {
      double& l = lu_[Z(r) * Z(n) + Z(k)];
      if (l == 0.0) continue;
      l /= piv;
      for (int q = k + 1; q < n; ++q) lu_[Z(r) * Z(n) + Z(q)] -= l * lu_[Z(k) * Z(n) + Z(q)];
    }
  }
  return true;
}

void DenseLp::SolveB(std::vector<double>& v) const {
  // B = Pᵀ L U: solve L U z = P v.
  const int n = rows_;
  std::vector<double>& z = z_;
  z.resize(Z(n));
  for (int r = 0; r < n; ++r) z[Z(r)] = v[Z(perm_[Z(r)])];
  for (int r = 0; r < n; ++r) {
    double s = z[Z(r)];
    for (int q = 0; q < r; ++q) s -= lu_[Z(r) * Z(n) + Z(q)] * z[Z(q)];
    z[Z(r)] = s;
  }
  for (int r = n - 1; r >= 0; --r) {
    double s = z[Z(r)];
    for (int q = r + 1; q < n; ++q) s -= lu_[Z(r) * Z(n) + Z(q)] * z[Z(q)];
    z[Z(r)] = s / lu_[Z(r) * Z(n) + Z(r)];
  }
  std::copy(z.begin(), z.end(), v.begin());
}

void DenseLp::SolveBt(std::vector<double>& v) const {
  // Bᵀ = Uᵀ Lᵀ P: solve Uᵀ t = v, Lᵀ s = t, then y[perm[r]] = s[r].
  const int n = rows_;
  std::vector<double>& t = z_;
  t.assign(v.begin(), v.end());
  for (int r = 0; r < n; ++r) {
    double s = t[Z(r)];
    for (int q = 0; q < r; ++q) s -= lu_[Z(q) * Z(n) + Z(r)] * t[Z(q)];
    t[Z(r)] = s / lu_[Z(r) * Z(n) + Z(r)];
  }
  for (int r = n - 1; r >= 0; --r) {
    double s = t[Z(r)];
    for (int q = r + 1; q < n; ++q) s -= lu_[Z(q) * Z(n) + Z(r)] * t[Z(q)];
    t[Z(r)] = s;
  }
  for (int r = 0; r < n; ++r) v[Z(perm_[Z(r)])] = t[Z(r)];
}

bool DenseLp::TryBasis(const std::vector<int>& ids) {
  if (ids.size() != Z(rows_)) return false;
  for (int id : ids) {
    if (id < 0 || id >= cols_ + rows_ || (id < cols_ && excluded_[Z(id)])) return false;
  }
  basis_ = ids;
  if (!Factor()) return false;
  xb_ = rhs_;
  SolveB(xb_);
  for (double v : xb_) {
    if (v < -kFeasTol) return false;
  }
  return true;
}

bool DenseLp::StartBasis() {
  // The last optimal basis, then the caller's start, when nonsingular and primal
  // feasible; else slacks and artificials.
  const std::vector<int> start = std::move(start_);
  start_.clear();
  if (warm_) {
    const std::vector<int> last = basis_;
    if (TryBasis(last)) return false;
  }
  if (!start.empty() && TryBasis(start)) return false;
  bool artificial = false;
  for (int r = 0; r < rows_; ++r) {
    const double b = rhs_[Z(r)];
    // A slack starts the basis where its value (b, or -b for a surplus) is >= 0.
    if ((type_[Z(r)] == RowType::kLe && b >= 0) || (type_[Z(r)] == RowType::kGe && b <= 0)) {
      basis_[Z(r)] = cols_ + r;
    } else {
      basis_[Z(r)] = cols_ + rows_ + r;
      artificial = true;
    }
  }
  return artificial;
}

Outcome DenseLp::Iterate(bool phase1) {
  const int n = rows_;
  const int art = cols_ + rows_;
  int degenerate = 0;
  d_.resize(Z(kBlock));
  for (;;) {
    if (++iterations_ > limit_) return Outcome::kFailed;
    if (!Factor()) return Outcome::kFailed;
    xb_ = rhs_;
    SolveB(xb_);
    for (int q = 0; q < n; ++q) {
      const int id = basis_[Z(q)];
      cb_[Z(q)] = phase1 ? (id >= art ? 1.0 : 0.0) : (id < cols_ ? cost_[Z(id)] : 0.0);
    }
    if (!phase1 && target_ > -kHuge) {
      double objective = 0;
      for (int q = 0; q < n; ++q) objective += cb_[Z(q)] * xb_[Z(q)];
      if (objective <= target_) return Outcome::kTargetReached;
    }
    pi_ = cb_;
    SolveBt(pi_);
    // Pricing, slacks first (cheap), then the structural columns block by block:
    // d_j = c_j - π·a_j. Dantzig's rule picks the most negative d_j among the blocks
    // scanned (partial pricing, see kBlock); Bland's rule the first improving column of
    // all. Once a run of degenerate pivots switched to Bland's rule it stays for the
    // phase: switching back after a step of round-off size could stall for thousands of
    // iterations.
    const bool bland = degenerate >= kDegenerateRun;
    int enter = -1;
    double best = -kOptTol;
    // Slacks come after the structural columns in Bland's order (that of the ids).
    auto price_slacks = [&] {
      for (int r = 0; r < n && !(bland && enter >= 0); ++r) {
        if (type_[Z(r)] == RowType::kEq) continue;
        const double dj = -pi_[Z(r)] * (type_[Z(r)] == RowType::kLe ? 1.0 : -1.0);
        if (dj < best && !IsBasic(cols_ + r)) enter = cols_ + r, best = dj;
      }
    };
    if (!bland) price_slacks();
    const int blocks = (cols_ + kBlock - 1) / kBlock;
    const int enough = bland ? blocks : 1;
    const double* base = phase1 ? base1_.data() : base2_.data();
    int first = bland ? 0 : next_block_ % std::max(1, blocks);
    for (int k = 0; k < blocks; ++k) {
      if (enter >= 0 && (bland || k >= enough)) break;
      const int blk = (first + k) % blocks;
      const int begin = blk * kBlock;
      PriceBlock(a_.data() + begin, Z(cap_), pi_.data(), n, base + begin, d_.data());
      const int len = std::min(kBlock, cols_ - begin);
      for (int jj = 0; jj < len; ++jj) {
        if (d_[Z(jj)] < best && !IsBasic(begin + jj)) {
          enter = begin + jj;
          best = d_[Z(jj)];
          if (bland) break;
        }
      }
      next_block_ = blk + 1;
    }
    if (bland && enter < 0) price_slacks();
    if (enter < 0) return Outcome::kOptimal;
    for (int r = 0; r < n; ++r) w_[Z(r)] = Coef(enter, r);
    SolveB(w_);
    int leave = -1;
    double ratio = 0, piv = 0;
    for (int q = 0; q < n; ++q) {
      const int id = basis_[Z(q)];
      const double wq = w_[Z(q)];
      double t;
      double mag;
      if (!phase1 && id >= art) {
        // An artificial left basic at 0 after phase 1 (a redundant row) must stay 0.
        if (std::fabs(wq) <= kPivotTol) continue;
        t = 0.0;
        mag = std::fabs(wq);
      } else {
        if (wq <= kPivotTol) continue;
        t = std::max(0.0, xb_[Z(q)]) / wq;
        mag = wq;
      }
      bool take = leave < 0 || t < ratio - 1e-12;
      if (!take && t <= ratio + 1e-12) {
        take = bland ? id < basis_[Z(leave)] : mag > piv;
      }
      if (take) leave = q, ratio = t, piv = mag;
    }
    if (leave < 0) return phase1 ? Outcome::kFailed : Outcome::kUnbounded;
    degenerate = ratio * -best <= 1e-14 || bland ? degenerate + 1 : 0;
    basis_[Z(leave)] = enter;
  }
}

bool DenseLp::DriveOutArtificials() {
  const int n = rows_;
  const int art = cols_ + rows_;
  for (int q = 0; q < n; ++q) {
    if (basis_[Z(q)] < art) continue;
    if (!Factor()) return false;
    // Row q of B⁻¹: Bᵀ y = e_q.
    std::vector<double> y(Z(n), 0.0);
    y[Z(q)] = 1.0;
    SolveBt(y);
    int pick = -1;
    double bestmag = kDriveOutTol;
    auto consider = [&](int id) {
      for (int b : basis_) {
        if (b == id) return;
      }
      double alpha = 0;
      for (int r = 0; r < n; ++r) alpha += y[Z(r)] * Coef(id, r);
      if (std::fabs(alpha) > bestmag) bestmag = std::fabs(alpha), pick = id;
    };
    for (int j = 0; j < cols_; ++j) {
      if (!excluded_[Z(j)]) consider(j);
    }
    for (int r = 0; r < n; ++r) {
      if (type_[Z(r)] != RowType::kEq) consider(cols_ + r);
    }
    if (pick >= 0) basis_[Z(q)] = pick;  // a degenerate pivot: the artificial is at 0
  }
  return true;
}

Outcome DenseLp::Solve() {
  iterations_ = 0;
  objective_ = 0;
  value_.assign(Z(cols_), 0.0);
  const bool artificial = StartBasis();
  warm_ = false;
  if (artificial) {
    Outcome o = Iterate(true);
    if (o != Outcome::kOptimal) return Outcome::kFailed;
    double infeasibility = 0, scale = 1;
    for (int q = 0; q < rows_; ++q) {
      if (basis_[Z(q)] >= cols_ + rows_) infeasibility += std::fabs(xb_[Z(q)]);
      scale = std::max(scale, std::fabs(rhs_[Z(q)]));
    }
    if (infeasibility > kFeasTol * scale) return Outcome::kInfeasible;
    if (!DriveOutArtificials()) return Outcome::kFailed;
  }
  Outcome o = Iterate(false);
  if (o != Outcome::kOptimal && o != Outcome::kTargetReached) return o;
  bool clean = o == Outcome::kOptimal;
  for (int q = 0; q < rows_; ++q) {
    const int id = basis_[Z(q)];
    if (id < cols_) {
      value_[Z(id)] = std::max(0.0, xb_[Z(q)]);
      objective_ += cost_[Z(id)] * value_[Z(id)];
    }
    clean = clean && id < cols_ + rows_;
  }
  warm_ = clean;
  return o;
}

}  // namespace chollima::engine::lp
