#include "engine/pairing.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

namespace chollima::engine::pairing {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMaxStepColumns = 4096;  // a step table of at most 4096^2 x 12 bytes
constexpr size_t kBlock = 64;              // columns per block of the two-level minimum search

std::string PairName(int32_t mentor, int32_t learner) {
  return "(mentor " + std::to_string(mentor) + ", learner " + std::to_string(learner) + ")";
}

// A b-matching between "rows" and "columns" solved one row unit at a time (the Hungarian
// method generalised to capacities). Rows are the side whose units are added: learners
// when the mentors' capacity can take every learner, else mentors (one unit per place).
//
// Invariants between two units (with reduced cost c' = c + pi(u) - pi(v) on the residual
// graph row -> column (unassigned pair), column -> row (assigned pair), free column -> sink
// and sink -> used column):
//   every residual edge has c' >= 0;
//   every row unit processed so far is assigned to a column or dropped (the "dummy" of a
//   lexicographic cost (unpaired count, cost)), and the assignment is optimal for that
//   cost among the rows processed so far.
class Solver {
 public:
  // w: rows x cols, row-major, kInf where the pair is not allowed. column_steps: every row
  // has one unit (rows are learners), and searches step from column to column through a
  // cols x cols table (below) instead of through each row of the column.
  Solver(int32_t rows, int32_t cols, std::vector<double> w, std::vector<int32_t> col_cap,
         bool column_steps)
      : cols_(cols),
        column_steps_(column_steps),
        w_(std::move(w)),
        col_free_(std::move(col_cap)),
        pi_(static_cast<size_t>(cols), 0.0),
        dist_(static_cast<size_t>(cols), kInf),
        block_min_((static_cast<size_t>(cols) + kBlock - 1) / kBlock, kInf),
        pred_row_(static_cast<size_t>(cols), -1),
        col_rows_(static_cast<size_t>(cols)),
        row_cols_(static_cast<size_t>(rows)),
        pi_row_(static_cast<size_t>(rows), 0.0),
        dist_row_(static_cast<size_t>(rows), kInf),
        entry_col_(static_cast<size_t>(rows), -1),
        expanded_(static_cast<size_t>(rows), 0),
        row_ready_(static_cast<size_t>(rows), 0) {
    if (column_steps_) {
      const size_t cells = static_cast<size_t>(cols) * static_cast<size_t>(cols);
      step_.assign(cells, kInf);
      step_row_.assign(cells, -1);
      step_stale_.assign(static_cast<size_t>(cols), 0);
      step_popped_.assign(static_cast<size_t>(cols), 0);
    }
  }

  // Adds one unit of row r0, along a shortest augmenting path, or re-arranges so that
  // the cheapest row of r0's search tree goes without a unit when no column is free.
  void AddUnit(int32_t r0) {
    const size_t r0i = At(r0);
    if (!row_ready_[r0i]) {
      // A row without units has no incoming residual edge: the least potential that keeps
      // its outgoing reduced costs >= 0 makes the cheapest of them tight.
      row_ready_[r0i] = 1;
      double p = -kInf;
      const double* row = w_.data() + Cell(r0, 0);
      for (int32_t j = 0; j < cols_; ++j) p = std::max(p, pi_[At(j)] - row[At(j)]);
      if (p == -kInf) return;  // no pair is allowed: the row is never paired
      pi_row_[r0i] = p;
    }
    settled_.clear();
    settled_dist_.clear();
    expanded_rows_.clear();
    pending_rows_.clear();
    double dist_t = kInf;
    int32_t end_col = -1;

    dist_row_[r0i] = 0;
    Expand(r0);
    while (true) {
      // The unsettled column with the least distance, ties to the lowest index.
      double best = kInf;
      int32_t best_col = -1;
      size_t best_block = 0;
      for (size_t b = 0; b < block_min_.size(); ++b) {
        if (block_min_[b] < best) {
          best = block_min_[b];
          best_block = b;
        }
      }
      if (best < kInf) {
        for (size_t j = best_block * kBlock;; ++j) {
          if (dist_[j] == best) {
            best_col = static_cast<int32_t>(j);
            break;
          }
        }
      }
      // Rows reached through their assigned columns come before columns on ties.
      size_t row_pos = pending_rows_.size();
      double row_best = kInf;
      for (size_t pos = 0; pos < pending_rows_.size(); ++pos) {
        const double d = dist_row_[At(pending_rows_[pos])];
        if (d < row_best) {
          row_best = d;
          row_pos = pos;
        }
      }
      if (dist_t <= best && dist_t <= row_best) break;  // the sink comes first: done
      if (row_pos < pending_rows_.size() && row_best <= best) {
        const int32_t r = pending_rows_[row_pos];
        pending_rows_[row_pos] = pending_rows_.back();
        pending_rows_.pop_back();
        Expand(r);
        continue;
      }
      if (best_col < 0) break;  // nothing reachable is left
      const size_t jb = At(best_col);
      settled_.push_back(best_col);
      settled_dist_.push_back(best);
      dist_[jb] = -kInf;
      UpdateBlockMin(jb / kBlock);
      if (col_free_[jb] > 0) {
        const double cand = best + pi_[jb] - pi_t_;
        if (cand < dist_t) {
          dist_t = cand;
          end_col = best_col;
        }
      }
      if (column_steps_) {
        StepFromColumn(best_col, best);
        continue;
      }
      for (const int32_t r : col_rows_[jb]) {
        const size_t ri = At(r);
        if (expanded_[ri]) continue;
        const double cand = best + pi_[jb] - w_[Cell(r, best_col)] - pi_row_[ri];
        if (cand < dist_row_[ri]) {
          if (dist_row_[ri] == kInf) pending_rows_.push_back(r);
          dist_row_[ri] = cand;
          entry_col_[ri] = best_col;
        }
      }
    }

    if (end_col >= 0) {
      // Johnson's update truncated at the sink's distance (shifted by it, so that nodes
      // not settled keep their potentials).
      for (size_t i = 0; i < settled_.size(); ++i) {
        pi_[At(settled_[i])] += settled_dist_[i] - dist_t;
      }
      for (const int32_t r : expanded_rows_) {
        pi_row_[At(r)] += std::min(dist_row_[At(r)], dist_t) - dist_t;  // (rounding)
      }
      --col_free_[At(end_col)];
      Augment(r0, end_col);
    } else {
      // No free column is reachable: the lexicographic optimum (fewest unpaired, then
      // least cost) takes the unit from the tree row where that costs least: the row
      // minimising its path cost d + pi (r0 itself on ties, which changes nothing).
      int32_t drop = r0;
      double drop_cost = pi_row_[r0i];
      for (const int32_t r : expanded_rows_) {
        const double c = dist_row_[At(r)] + pi_row_[At(r)];
        if (c < drop_cost) {
          drop = r;
          drop_cost = c;
        }
      }
      if (drop != r0) {
        double top = -kInf;
        for (const double d : settled_dist_) top = std::max(top, d);
        for (const int32_t r : expanded_rows_) top = std::max(top, dist_row_[At(r)]);
        for (size_t i = 0; i < settled_.size(); ++i) {
          pi_[At(settled_[i])] += settled_dist_[i] - top;
        }
        for (const int32_t r : expanded_rows_) pi_row_[At(r)] += dist_row_[At(r)] - top;
        const int32_t col = entry_col_[At(drop)];
        Unassign(drop, col);
        Augment(r0, col);
      }
    }
    std::fill(dist_.begin(), dist_.end(), kInf);
    std::fill(block_min_.begin(), block_min_.end(), kInf);
    for (const int32_t r : expanded_rows_) {
      expanded_[At(r)] = 0;
      dist_row_[At(r)] = kInf;
    }
    for (const int32_t r : pending_rows_) dist_row_[At(r)] = kInf;
  }

  const std::vector<int32_t>& RowCols(int32_t r) const { return row_cols_[At(r)]; }

 private:
  static size_t At(int32_t i) { return static_cast<size_t>(i); }
  size_t Cell(int32_t r, int32_t j) const {
    return static_cast<size_t>(r) * static_cast<size_t>(cols_) + static_cast<size_t>(j);
  }

  // Relaxes from row r (at dist_row_[r]) every unsettled column not assigned to it.
  void Expand(int32_t r) {
    expanded_[At(r)] = 1;
    expanded_rows_.push_back(r);
    // The pairs already assigned to r have no residual edge from r: hide their columns as
    // if settled.
    hidden_.clear();
    for (const int32_t j : row_cols_[At(r)]) {
      hidden_.emplace_back(j, dist_[At(j)]);
      dist_[At(j)] = -kInf;
    }
    Relax(dist_row_[At(r)] + pi_row_[At(r)], w_.data() + Cell(r, 0), nullptr, r);
    for (const auto& [j, d] : hidden_) dist_[At(j)] = d;
  }

  // dist(j) = min(dist(j), base + cost[j] - pi(j)) over every column, the improved ones
  // remembering row_of[j] (or `row` when row_of is null) as their predecessor. Settled and
  // hidden columns are at -infinity and never improve.
  void Relax(double base, const double* __restrict cost, const int32_t* __restrict row_of,
             int32_t row) {
    double* __restrict dist = dist_.data();
    int32_t* __restrict pred = pred_row_.data();
    double* __restrict block_min = block_min_.data();
    const double* __restrict pi = pi_.data();
    const auto n = static_cast<size_t>(cols_);
    for (size_t j = 0; j < n; ++j) {
      const double cand = base + cost[j] - pi[j];
      if (cand < dist[j]) {
        dist[j] = cand;
        pred[j] = row_of == nullptr ? row : row_of[j];
        block_min[j / kBlock] = std::min(block_min[j / kBlock], cand);
      }
    }
  }

  // Recomputes block b's least distance over its unsettled columns.
  void UpdateBlockMin(size_t b) {
    double m = kInf;
    const size_t end = std::min((b + 1) * kBlock, static_cast<size_t>(cols_));
    for (size_t j = b * kBlock; j < end; ++j) {
      if (dist_[j] != -kInf) m = std::min(m, dist_[j]);
    }
    block_min_[b] = m;
  }

  // With one unit per row, a row assigned to column j is reached from j only and its
  // reduced cost from j is 0, so relaxing from every row of j at once is
  //   dist(j') = dist(j) + pi(j) - pi(j') + step(j, j'),
  //   step(j, j') = min over rows r of j of w(r, j') - w(r, j),
  // which depends on the assignment only: one pass over the columns instead of one per
  // row. A joining row updates its column's table in place; after a row leaves, the table is
  // rebuilt when a search comes back to the column.
  void StepFromColumn(int32_t j, double dist_j) {
    const size_t jb = At(j);
    if (col_rows_[jb].empty()) return;
    double* step = step_.data() + jb * static_cast<size_t>(cols_);
    int32_t* step_row = step_row_.data() + jb * static_cast<size_t>(cols_);
    if (step_stale_[jb] && !step_popped_[jb]) {
      // The first search through a column since its rows changed relaxes row by row; the
      // table is rebuilt (at the same cost) only for a column that searches come back to.
      step_popped_[jb] = 1;
      for (const int32_t r : col_rows_[jb]) {
        dist_row_[At(r)] = dist_j + pi_[jb] - w_[Cell(r, j)] - pi_row_[At(r)];
        entry_col_[At(r)] = j;
        Expand(r);
      }
      return;
    }
    if (step_stale_[jb]) {
      step_stale_[jb] = 0;
      const double* first = w_.data() + Cell(col_rows_[jb].front(), 0);
      const double first_own = first[jb];
      const int32_t first_row = col_rows_[jb].front();
      for (size_t k = 0; k < static_cast<size_t>(cols_); ++k) {
        step[k] = first[k] - first_own;
        step_row[k] = first_row;
      }
      for (size_t i = 1; i < col_rows_[jb].size(); ++i) {
        const int32_t r = col_rows_[jb][i];
        const double* row = w_.data() + Cell(r, 0);
        const double own = row[jb];
        for (size_t k = 0; k < static_cast<size_t>(cols_); ++k) {
          const double v = row[k] - own;
          const bool better = v < step[k];
          step[k] = better ? v : step[k];
          step_row[k] = better ? r : step_row[k];
        }
      }
    }
    for (const int32_t r : col_rows_[jb]) {
      const size_t ri = At(r);
      expanded_[ri] = 1;
      expanded_rows_.push_back(r);
      entry_col_[ri] = j;
      dist_row_[ri] = dist_j + pi_[jb] - w_[Cell(r, j)] - pi_row_[ri];
    }
    Relax(dist_j + pi_[jb], step, step_row, -1);
  }

  // Walks back from column `col`, which has a place for its predecessor row, to r0.
  void Augment(int32_t r0, int32_t col) {
    while (true) {
      const int32_t r = pred_row_[At(col)];
      Assign(r, col);
      if (r == r0) return;
      col = entry_col_[At(r)];
      Unassign(r, col);
    }
  }

  void MarkChanged(int32_t j) {
    step_stale_[At(j)] = 1;
    step_popped_[At(j)] = 0;
  }
  void Assign(int32_t r, int32_t j) {
    if (column_steps_ && !step_stale_[At(j)]) {
      // A row joining a column only lowers its steps: update the table in place.
      const double* row = w_.data() + Cell(r, 0);
      const double own = row[At(j)];
      double* step = step_.data() + At(j) * static_cast<size_t>(cols_);
      int32_t* step_row = step_row_.data() + At(j) * static_cast<size_t>(cols_);
      for (size_t k = 0; k < static_cast<size_t>(cols_); ++k) {
        const double v = row[k] - own;
        const bool better = v < step[k];
        step[k] = better ? v : step[k];
        step_row[k] = better ? r : step_row[k];
      }
    }
    col_rows_[At(j)].push_back(r);
    row_cols_[At(r)].push_back(j);
  }
  static void Erase(std::vector<int32_t>& v, int32_t x) {
    auto it = std::find(v.begin(), v.end(), x);
    *it = v.back();
    v.pop_back();
  }
  void Unassign(int32_t r, int32_t j) {
    if (column_steps_) MarkChanged(j);
    Erase(col_rows_[At(j)], r);
    Erase(row_cols_[At(r)], j);
  }

  const int32_t cols_;
  const bool column_steps_;
  const std::vector<double> w_;
  std::vector<int32_t> col_free_;  // places left per column
  std::vector<double> pi_;         // column potentials
  double pi_t_ = 0;                // the sink's potential
  // Per search; dist_ is kInf between searches.
  std::vector<double> dist_;       // -infinity once settled (or hidden, in Expand)
  std::vector<double> block_min_;  // per kBlock columns: their least unsettled distance
  std::vector<int32_t> pred_row_;  // the row that last lowered a column's distance
  std::vector<int32_t> settled_, expanded_rows_, pending_rows_;
  std::vector<double> settled_dist_;  // per settled column, its distance
  std::vector<std::pair<int32_t, double>> hidden_;
  std::vector<std::vector<int32_t>> col_rows_, row_cols_;  // the assigned pairs
  std::vector<double> pi_row_;                             // row potentials
  std::vector<double> dist_row_;                           // per search; kInf between searches
  std::vector<int32_t> entry_col_;  // per reached row: the column it was reached from
  std::vector<char> expanded_;
  std::vector<char> row_ready_;  // the row's potential has been set
  // column_steps_ only: step(j, j') and the row attaining it, cols x cols; step_stale_[j]
  // when column j's rows changed since its step row was built.
  std::vector<double> step_;
  std::vector<int32_t> step_row_;
  std::vector<char> step_stale_;
  std::vector<char> step_popped_;  // a search went through the column since it changed
};

// Mentor places, when they are fewer than the learners: one search per place, over
// mentors only. A learner has at most one mentor, so its potential is implicit (its
// mentor's plus its cost, or the sink's while it is free) and learners contract away:
//   mentor m -> mentor t (m takes one of t's learners l): cost c(m, l) - c(t, l)
//   mentor m -> sink (m takes a free learner l):          cost c(m, l)
// The cheapest of each over the learners is kept: step_ (mentors x mentors, a column
// rebuilt when its mentor's learners change) and free_min_ (per mentor). A search then
// costs O(M) per settled mentor instead of O(L). Invariants as for Solver, on this graph.
class PlaceSolver {
 public:
  // w: mentors x learners; wt: learners x mentors; kInf where not allowed.
  PlaceSolver(int32_t mentors, int32_t learners, std::vector<double> w, std::vector<double> wt)
      : m_(static_cast<size_t>(mentors)),
        n_(static_cast<size_t>(learners)),
        w_(std::move(w)),
        wt_(std::move(wt)),
        owner_(n_, -1),
        learners_of_(m_),
        pi_(m_, 0.0),
        ready_(m_, 0),
        step_(m_ * m_, kInf),
        step_learner_(m_ * m_, -1),
        stale_(m_, 0),
        free_min_(m_, kInf),
        free_arg_(m_, -1),
        dist_(m_, kInf),
        pred_mentor_(m_, -1),
        pred_learner_(m_, -1) {
    for (size_t m = 0; m < m_; ++m) RebuildFreeMin(m);
  }

  void AddPlace(int32_t m0) {
    RebuildStale();
    const size_t r0 = At(m0);
    if (!ready_[r0]) {
      // A mentor without learners has no incoming edge: the least potential that keeps
      // its outgoing reduced costs >= 0.
      ready_[r0] = 1;
      double p = pi_t_ - free_min_[r0];
      for (size_t t = 0; t < m_; ++t) p = std::max(p, pi_[t] - step_[r0 * m_ + t]);
      if (p == -kInf) return;  // no pair is allowed: never paired
      pi_[r0] = p;
    }
    settled_.clear();
    settled_dist_.clear();
    double dist_t = kInf;
    int32_t end_mentor = -1;
    dist_[r0] = 0;
    while (true) {
      double best = kInf;
      size_t m = m_;
      for (size_t k = 0; k < m_; ++k) {
        if (dist_[k] < best && dist_[k] != -kInf) {
          best = dist_[k];
          m = k;
        }
      }
      if (dist_t <= best || m == m_) break;  // the sink comes first, or nothing is left
      settled_.push_back(static_cast<int32_t>(m));
      settled_dist_.push_back(best);
      dist_[m] = -kInf;
      const double to_sink = best + pi_[m] - pi_t_ + free_min_[m];
      if (to_sink < dist_t) {
        dist_t = to_sink;
        end_mentor = static_cast<int32_t>(m);
      }
      const double base = best + pi_[m];
      const double* step = step_.data() + m * m_;
      const int32_t* step_learner = step_learner_.data() + m * m_;
      for (size_t t = 0; t < m_; ++t) {
        const double cand = base + step[t] - pi_[t];
        if (cand < dist_[t]) {
          dist_[t] = cand;
          pred_mentor_[t] = static_cast<int32_t>(m);
          pred_learner_[t] = step_learner[t];
        }
      }
    }
    if (end_mentor >= 0) {
      for (size_t i = 0; i < settled_.size(); ++i) {
        pi_[At(settled_[i])] += settled_dist_[i] - dist_t;
      }
      const int32_t taken = free_arg_[At(end_mentor)];
      Augment(m0, taken, end_mentor);
      ForgetFree(taken);
    } else {
      // No free learner is reachable: the settled mentor whose place is cheapest to give
      // up (path cost d + pi; m0 itself on ties, which changes nothing) loses a learner.
      int32_t drop = m0;
      double drop_cost = pi_[r0];
      for (size_t i = 0; i < settled_.size(); ++i) {
        const double c = settled_dist_[i] + pi_[At(settled_[i])];
        if (c < drop_cost) {
          drop = settled_[i];
          drop_cost = c;
        }
      }
      if (drop != m0) {
        double top = -kInf;
        for (const double d : settled_dist_) top = std::max(top, d);
        for (size_t i = 0; i < settled_.size(); ++i) {
          pi_[At(settled_[i])] += settled_dist_[i] - top;
        }
        Augment(m0, pred_learner_[At(drop)], pred_mentor_[At(drop)]);
      }
    }
    std::fill(dist_.begin(), dist_.end(), kInf);
  }

  int32_t MentorOf(size_t learner) const { return owner_[learner]; }

 private:
  static size_t At(int32_t i) { return static_cast<size_t>(i); }

  // Gives `learner` to `mentor`, then each mentor on the search path back to m0 takes
  // the learner it was reached through from the mentor after it.
  void Augment(int32_t m0, int32_t learner, int32_t mentor) {
    while (true) {
      Move(learner, mentor);
      if (mentor == m0) return;
      learner = pred_learner_[At(mentor)];
      mentor = pred_mentor_[At(mentor)];
    }
  }

  void Move(int32_t learner, int32_t mentor) {
    const int32_t old = owner_[At(learner)];
    if (old >= 0) {
      auto& v = learners_of_[At(old)];
      *std::find(v.begin(), v.end(), learner) = v.back();
      v.pop_back();
      MarkStale(old);
    }
    owner_[At(learner)] = mentor;
    learners_of_[At(mentor)].push_back(learner);
    MarkStale(mentor);
  }

  void MarkStale(int32_t mentor) {
    if (!stale_[At(mentor)]) {
      stale_[At(mentor)] = 1;
      stale_list_.push_back(mentor);
    }
  }

  // step(m, t) = min over t's learners l of c(m, l) - c(t, l), for every mentor m: built
  // in a contiguous buffer, then written into the table's column t once.
  void RebuildStale() {
    for (const int32_t t32 : stale_list_) {
      const size_t t = At(t32);
      stale_[t] = 0;
      column_.assign(m_, kInf);
      column_learner_.assign(m_, -1);
      for (const int32_t l : learners_of_[t]) {
        const double* col = wt_.data() + At(l) * m_;
        const double own = col[t];
        for (size_t m = 0; m < m_; ++m) {
          const double v = col[m] - own;
          const bool better = v < column_[m];
          column_[m] = better ? v : column_[m];
          column_learner_[m] = better ? l : column_learner_[m];
        }
      }
      column_[t] = kInf;  // a mentor does not take its own learner
      for (size_t m = 0; m < m_; ++m) {
        step_[m * m_ + t] = column_[m];
        step_learner_[m * m_ + t] = column_learner_[m];
      }
    }
    stale_list_.clear();
  }

  // The learner has just been paired: mentors whose cheapest free learner it was look
  // again.
  void ForgetFree(int32_t learner) {
    for (size_t m = 0; m < m_; ++m) {
      if (free_arg_[m] == learner) RebuildFreeMin(m);
    }
  }

  void RebuildFreeMin(size_t m) {
    // Ties to the lowest index.
    double best = kInf;
    int32_t arg = -1;
    const double* row = w_.data() + m * n_;
    for (size_t l = 0; l < n_; ++l) {
      if (row[l] < best && owner_[l] < 0) {
        best = row[l];
        arg = static_cast<int32_t>(l);
      }
    }
    free_min_[m] = best;
    free_arg_[m] = arg;
  }

  const size_t m_;
  const size_t n_;
  const std::vector<double> w_;
  const std::vector<double> wt_;
  std::vector<int32_t> owner_;  // per learner: its mentor, or -1 while free
  std::vector<std::vector<int32_t>> learners_of_;
  std::vector<double> pi_;    // mentor potentials
  double pi_t_ = 0;           // the sink's potential
  std::vector<char> ready_;   // the mentor's potential has been set
  std::vector<double> step_;  // [m * mentors + t], see above
  std::vector<int32_t> step_learner_;
  std::vector<char> stale_;
  std::vector<int32_t> stale_list_;
  std::vector<double> column_;  // RebuildStale's buffer
  std::vector<int32_t> column_learner_;
  std::vector<double> free_min_;  // per mentor: its cheapest free learner's cost
  std::vector<int32_t> free_arg_;
  // Per search; dist_ is kInf between searches and -infinity once settled.
  std::vector<double> dist_;
  std::vector<int32_t> pred_mentor_, pred_learner_;
  std::vector<int32_t> settled_;
  std::vector<double> settled_dist_;
};

Status Validate(const Problem& p) {
  if (p.mentors < 0 || p.learners < 0) {
    return InvalidArgument("pairing: negative size: " + std::to_string(p.mentors) + " mentors, " +
                           std::to_string(p.learners) + " learners");
  }
  if (p.capacity.size() != static_cast<size_t>(p.mentors)) {
    return InvalidArgument("pairing: " + std::to_string(p.capacity.size()) + " capacities for " +
                           std::to_string(p.mentors) + " mentors");
  }
  const size_t cells = static_cast<size_t>(p.mentors) * static_cast<size_t>(p.learners);
  if (p.cost.size() != cells) {
    return InvalidArgument("pairing: " + std::to_string(p.cost.size()) + " costs for " +
                           std::to_string(p.mentors) + " x " + std::to_string(p.learners) +
                           " pairs");
  }
  for (int32_t m = 0; m < p.mentors; ++m) {
    if (p.capacity[static_cast<size_t>(m)] < 0) {
      return InvalidArgument("pairing: mentor " + std::to_string(m) + " has negative capacity " +
                             std::to_string(p.capacity[static_cast<size_t>(m)]));
    }
  }
  for (size_t i = 0; i < cells; ++i) {
    const double c = p.cost[i];
    if (std::isnan(c) || c == -kInf) {
      const auto m = static_cast<int32_t>(i / static_cast<size_t>(p.learners));
      const auto l = static_cast<int32_t>(i % static_cast<size_t>(p.learners));
      return InvalidArgument("pairing: cost of " + PairName(m, l) + " is " +
                             (std::isnan(c) ? "NaN" : "-infinity"));
    }
  }
  auto check_range = [&](const std::pair<int32_t, int32_t>& pr, const char* what) -> Status {
    if (pr.first < 0 || pr.first >= p.mentors || pr.second < 0 || pr.second >= p.learners) {
      return InvalidArgument(std::string("pairing: ") + what + " pair " +
                             PairName(pr.first, pr.second) + " is out of range");
    }
    return OkStatus();
  };
  for (const auto& pr : p.forbidden) CHOLLIMA_RETURN_IF_ERROR(check_range(pr, "forbidden"));
  for (const auto& pr : p.fixed) CHOLLIMA_RETURN_IF_ERROR(check_range(pr, "fixed"));
  return OkStatus();
}

}  // namespace

namespace internal {

// Assign, with the mentor x mentor tables on (as Assign) or off (as for more than
// kMaxStepColumns mentors), so that tests cover both ways of searching.
Result<Assignment> AssignWithTables(const Problem& problem, bool tables) {
  CHOLLIMA_RETURN_IF_ERROR(Validate(problem));
  const int32_t mentors = problem.mentors;
  const int32_t learners = problem.learners;
  const auto cell = [learners](int32_t m, int32_t l) {
    return static_cast<size_t>(m) * static_cast<size_t>(learners) + static_cast<size_t>(l);
  };

  std::vector<char> forbidden;  // per cell, only when some pair is forbidden
  if (!problem.forbidden.empty()) {
    forbidden.assign(problem.cost.size(), 0);
    for (const auto& [m, l] : problem.forbidden) forbidden[cell(m, l)] = 1;
  }
  const auto allowed = [&](int32_t m, int32_t l) {
    return (forbidden.empty() || !forbidden[cell(m, l)]) && problem.cost[cell(m, l)] < kInf;
  };

  Assignment out;
  out.mentor_of.assign(static_cast<size_t>(learners), -1);
  std::vector<int32_t> places(problem.capacity);
  for (const auto& [m, l] : problem.fixed) {
    int32_t& mentor = out.mentor_of[static_cast<size_t>(l)];
    if (mentor == m) continue;  // the same fixed pair listed twice counts once
    if (mentor >= 0) {
      return InvalidArgument("pairing: learner " + std::to_string(l) + " is fixed to mentor " +
                             std::to_string(mentor) + " and to mentor " + std::to_string(m));
    }
    if (!allowed(m, l)) {
      return InvalidArgument("pairing: fixed pair " + PairName(m, l) +
                             " is forbidden or not allowed");
    }
    if (--places[static_cast<size_t>(m)] < 0) {
      return InvalidArgument("pairing: mentor " + std::to_string(m) +
                             " has more fixed pairs than its capacity " +
                             std::to_string(problem.capacity[static_cast<size_t>(m)]));
    }
    mentor = m;
  }

  std::vector<int32_t> free_learners;  // the learners left to pair, by index
  for (int32_t l = 0; l < learners; ++l) {
    if (out.mentor_of[static_cast<size_t>(l)] < 0) free_learners.push_back(l);
  }
  const auto n_free = static_cast<int32_t>(free_learners.size());
  int64_t total_places = 0;
  for (int32_t& c : places) {
    c = std::min(c, n_free);
    total_places += c;
  }

  if (n_free > 0 && total_places > 0) {
    // The side with fewer units becomes the rows, so that (nearly) every unit added finds
    // a free column and searches stay short.
    const bool learner_rows = n_free <= total_places;
    const bool place_search = tables && !learner_rows && mentors <= kMaxStepColumns;
    const int32_t rows = learner_rows ? n_free : mentors;
    const int32_t cols = learner_rows ? mentors : n_free;
    const size_t cells = static_cast<size_t>(rows) * static_cast<size_t>(cols);
    std::vector<double> w(cells);
    std::vector<double> wt(place_search ? cells : 0);  // learners x mentors
    // Copied in tiles: a transpose row by row would miss the cache on every write.
    constexpr int32_t kTile = 64;
    for (int32_t m0 = 0; m0 < mentors; m0 += kTile) {
      for (int32_t k0 = 0; k0 < n_free; k0 += kTile) {
        for (int32_t m = m0; m < std::min(m0 + kTile, mentors); ++m) {
          for (int32_t k = k0; k < std::min(k0 + kTile, n_free); ++k) {
            const int32_t l = free_learners[static_cast<size_t>(k)];
            const double c = allowed(m, l) ? problem.cost[cell(m, l)] : kInf;
            const size_t by_learner =
                static_cast<size_t>(k) * static_cast<size_t>(mentors) + static_cast<size_t>(m);
            const size_t by_mentor =
                static_cast<size_t>(m) * static_cast<size_t>(n_free) + static_cast<size_t>(k);
            w[learner_rows ? by_learner : by_mentor] = c;
            if (place_search) wt[by_learner] = c;
          }
        }
      }
    }
    if (place_search) {
      PlaceSolver solver(mentors, n_free, std::move(w), std::move(wt));
      for (int32_t m = 0; m < mentors; ++m) {
        for (int32_t u = 0; u < places[static_cast<size_t>(m)]; ++u) solver.AddPlace(m);
      }
      for (size_t k = 0; k < free_learners.size(); ++k) {
        out.mentor_of[static_cast<size_t>(free_learners[k])] = solver.MentorOf(k);
      }
    } else {
      std::vector<int32_t> col_cap =
          learner_rows ? places : std::vector<int32_t>(static_cast<size_t>(n_free), 1);
      // Column steps pay off when columns hold several rows each; the table is cols^2.
      const bool column_steps = tables && learner_rows &&
                                total_places >= 2 * static_cast<int64_t>(cols) &&
                                static_cast<int64_t>(cols) <= kMaxStepColumns;
      Solver solver(rows, cols, std::move(w), std::move(col_cap), column_steps);
      for (int32_t r = 0; r < rows; ++r) {
        const int32_t units = learner_rows ? 1 : places[static_cast<size_t>(r)];
        for (int32_t u = 0; u < units; ++u) solver.AddUnit(r);
      }
      for (int32_t r = 0; r < rows; ++r) {
        for (const int32_t j : solver.RowCols(r)) {
          const int32_t m = learner_rows ? j : r;
          const int32_t k = learner_rows ? r : j;
          out.mentor_of[static_cast<size_t>(free_learners[static_cast<size_t>(k)])] = m;
        }
      }
    }
  }

  for (int32_t l = 0; l < learners; ++l) {
    const int32_t m = out.mentor_of[static_cast<size_t>(l)];
    if (m < 0) continue;
    ++out.pairs;
    out.total_cost += problem.cost[cell(m, l)];
  }
  return out;
}

}  // namespace internal

Result<Assignment> Assign(const Problem& problem) {
  return internal::AssignWithTables(problem, /*tables=*/true);
}

}  // namespace chollima::engine::pairing
