// A dense primal simplex for linear programs with few rows and many columns: the
// envelopment LPs of data envelopment analysis (engine/dea.h), which have one row per
// input and output (and one for returns to scale) and one column per reference unit.
//
//   min c·z  s.t.  row r of A z (<=, >= or =) b_r,  z >= 0
//
// General-purpose solvers spend most of a solve of such an LP on set-up (scaling, sparse
// factorization, work areas); here the basis matrix is R x R with R small, so every
// iteration factorizes it afresh from the original columns (dense LU with partial
// pivoting, R³/3 flops: no update error accumulates), and the work is the pricing of the
// columns in blocks, one contiguous pass per row. Two phases (artificials only where a
// row's slack cannot start the basis), partial Dantzig pricing (a block at a time) with
// Bland's rule for the rest of the phase after a run of degenerate pivots (no cycling),
// textbook ratio test with the largest pivot among ties. A solve starts from the last
// optimal basis when it is still primal feasible for the new right-hand side and
// columns (warm start), else from the caller's basis (SetStart) when that is.
//
// The caller scales its data so that entries are of order 1: the tolerances are
// absolute. Anything the method cannot settle (iteration limit, a singular basis) is
// reported as kFailed, never as an answer; dea.cc then solves that LP with CLP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chollima::engine::lp {

enum class RowType { kLe, kGe, kEq };

// kTargetReached: a feasible solution at or below the objective target was found (it
// need not be optimal; see set_objective_target).
enum class Outcome { kOptimal, kInfeasible, kUnbounded, kFailed, kTargetReached };

class DenseLp {
 public:
  explicit DenseLp(int rows);

  int rows() const { return rows_; }
  int columns() const { return cols_; }

  void SetRow(int r, RowType type, double rhs);
  void SetRhs(int r, double rhs);
  // Appends a column (rows() coefficients) with its cost; returns its index.
  int AddColumn(const double* a, double cost);
  // Row r's coefficients of the structural columns (columns() of them; valid until the
  // next AddColumn).
  const double* Row(int r) const {
    return a_.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(cap_);
  }
  // Changes coefficient r of column j (keeps a warm basis: it is re-checked).
  void SetCoefficient(int j, int r, double value);
  // An excluded column is fixed at 0 (never enters the basis).
  void SetExcluded(int j, bool excluded);

  // A starting basis for the next Solve (rows() ids: structural columns and SlackId(r)),
  // tried after the last optimal basis and before the slack/artificial basis; used only
  // when it is nonsingular and primal feasible.
  int SlackId(int r) const { return cols_ + r; }
  void SetStart(const std::vector<int>& ids) { start_ = ids; }

  // Iterations (both phases) one Solve may take before it gives up with kFailed.
  void set_iteration_limit(int64_t limit) { limit_ = limit; }

  // Stops phase 2 as soon as the objective is at or below target (kTargetReached), for
  // callers that only ask whether the optimum is that low; -1e300 (the default): off.
  void set_objective_target(double target) { target_ = target; }

  Outcome Solve();

  double objective() const { return objective_; }
  // The value of structural column j in the last optimal solution.
  double value(int j) const;
  // The structural columns in the last optimal basis (values may be 0).
  void BasicColumns(std::vector<int>& out) const;
  int64_t iterations() const { return iterations_; }

 private:
  // Column ids: [0, cols_) structural, cols_ + r the slack or surplus of row r,
  // cols_ + rows_ + r the artificial of row r.
  double Coef(int id, int r) const;
  bool Factor();
  void SolveB(std::vector<double>& v) const;   // v := B⁻¹ v
  void SolveBt(std::vector<double>& v) const;  // v := B⁻ᵀ v
  bool StartBasis();
  bool TryBasis(const std::vector<int>& ids);
  Outcome Iterate(bool phase1);
  bool DriveOutArtificials();
  bool IsBasic(int id) const;

  int rows_;
  int cols_ = 0;
  int cap_ = 0;
  std::vector<RowType> type_;
  std::vector<double> rhs_;
  std::vector<double> a_;  // row-major, row r at a_[r * cap_]
  std::vector<double> cost_;
  // Base reduced costs per phase, padded to the capacity: 0 (phase 1) and the cost
  // (phase 2); excluded columns get a huge value instead.
  std::vector<double> base1_, base2_;
  int next_block_ = 0;  // where partial pricing resumes
  std::vector<char> excluded_;
  std::vector<int> basis_;  // id per row position
  bool warm_ = false;       // basis_ holds the last optimal basis without artificials
  std::vector<int> start_;
  // LU of the basis matrix (row-major R x R) with row permutation.
  std::vector<double> lu_;
  std::vector<int> perm_;
  std::vector<double> xb_, pi_, w_, d_, cb_;
  mutable std::vector<double> z_;  // scratch of the triangular solves
  double objective_ = 0;
  std::vector<double> value_;  // per structural column
  int64_t iterations_ = 0;
  int64_t limit_ = 5000;
  double target_ = -1e300;
};

}  // namespace chollima::engine::lp
