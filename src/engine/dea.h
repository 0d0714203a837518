// Data envelopment analysis: the efficiency frontier of a peer group (F8, F9).
//
// Every unit j has inputs x_j (m of them, all > 0) and outputs y_j (s of them, >= 0,
// not all 0). The kernel scores each unit against the production possibility set
// spanned by the units, with the conventions of the R package Benchmarking's dea():
//
//   input orientation:  E_j = min θ  s.t.  Σ λ_k x_k <= θ x_j,  Σ λ_k y_k >= y_j
//   output orientation: F_j = max φ  s.t.  Σ λ_k x_k <= x_j,    Σ λ_k y_k >= φ y_j
//
// with λ >= 0 and, by returns to scale, CRS: no further constraint; VRS: Σλ = 1;
// DRS: Σλ <= 1; IRS: Σλ >= 1; FDH: λ binary with Σλ = 1 (free disposal hull). Input
// scores are in (0, 1], output scores in [1, ∞) (Benchmarking's "eff" for ORIENTATION
// "out"), 1 on the frontier.
//
// Solve() does not solve one LP per unit against all units. It finds the frame first
// (the extreme-efficient units: dominance filtering, then an LP-based frame search) and
// scores every unit against the frame only, with warm-started LPs reused per thread: a
// dense simplex for these few-row LPs (engine/dense_lp.h), CLP for any LP it cannot
// settle. The production possibility set spanned by the frame is the one spanned by
// all units, so scores, slacks and targets equal SolveNaive()'s (the naive method on
// CLP, kept as the reference and the benchmarks' in-process baseline); peers can differ
// only where the naive LP is degenerate (a non-extreme efficient unit on a face of the
// frontier).
// The conventions that change a number are documented in docs/design.md ("Frontier").
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace chollima::engine::dea {

enum class Rts { kCrs, kVrs, kDrs, kIrs, kFdh };
enum class Orientation { kInput, kOutput };

const char* RtsName(Rts r);  // "crs", "vrs", "drs", "irs", "fdh"
bool ParseRts(std::string_view s, Rts& out);
const char* OrientationName(Orientation o);  // "in", "out"
bool ParseOrientation(std::string_view s, Orientation& out);

struct Options {
  Rts rts = Rts::kVrs;
  Orientation orientation = Orientation::kInput;
  // Second stage: with the score fixed, maximize the sum of slacks (Benchmarking's
  // SLACK=TRUE; weighted by 1 / column mean when a mean is outside [1e-4, 1e4], as
  // Benchmarking scales). Without it slacks are reported as 0 and targets are radial
  // (θx, y) or (x, φy) (the first stage's slacks are not unique); units with score 1
  // still get the second stage, so that `efficient` is exact either way.
  bool slacks = true;
  // Also compute super-efficiency (Andersen–Petersen: the unit itself left out of its
  // reference set), which ranks the efficient units among themselves.
  bool super_efficiency = false;
  // A score within this of 1 counts as 1 (efficient); documented in docs/design.md.
  double tolerance = 1e-9;
  // Worker threads; 0 = std::thread::hardware_concurrency().
  int threads = 0;
  // Solve(): simplex iterations the dense method (engine/dense_lp.h) may spend on one
  // LP; beyond it CLP solves that LP again (counted in Stats::clp_fallbacks). The
  // default is never reached on DEA data; tests set a small value to exercise CLP.
  int64_t lp_iteration_limit = 5000;

  friend bool operator==(const Options&, const Options&) = default;
};

// The units of one peer group, row-major: x[j * m + i] is input i of unit j,
// y[j * s + r] output r of unit j.
struct Data {
  int32_t units = 0;
  int32_t inputs = 0;   // m >= 1
  int32_t outputs = 0;  // s >= 1
  std::vector<double> x;
  std::vector<double> y;
};

struct Peer {
  int32_t unit = 0;   // index into Data
  double lambda = 0;  // its weight in the unit's reference point
};

struct UnitResult {
  double score = std::numeric_limits<double>::quiet_NaN();  // θ (input) or φ (output)
  bool efficient = false;  // score == 1 within tolerance and every slack ~0
  // Peers: the units of the reference set with λ > 0, heaviest first (ties by index).
  std::vector<Peer> peers;
  std::vector<double> input_slacks;   // m values >= 0
  std::vector<double> output_slacks;  // s values >= 0
  // Targets: input: θ x - s⁻ and y + s⁺; output: x - s⁻ and φ y + s⁺.
  std::vector<double> input_targets;
  std::vector<double> output_targets;
  // With Options::super_efficiency: the score against all other units; +∞ when that
  // LP is infeasible (a VRS/IRS/DRS/FDH unit no other units can envelop), in either
  // orientation, documented.
  double super_score = std::numeric_limits<double>::quiet_NaN();
};

struct Stats {
  int32_t frame_size = 0;          // extreme-efficient units found
  int32_t dominated = 0;           // units removed by dominance filtering
  int64_t lps_solved = 0;          // linear programs solved (all stages)
  int64_t clp_fallbacks = 0;       // first-stage LPs the dense simplex left to CLP
  int64_t simplex_iterations = 0;  // of the dense simplex, all its LPs
  double seconds_frame = 0;        // wall clock of the frame search
  double seconds_scoring = 0;      // wall clock of scoring every unit
};

struct Frontier {
  std::vector<UnitResult> units;  // one per unit of Data, in order
  // Indexes of the frame's units, ascending: Solve(): the extreme-efficient units of the
  // VRS set for VRS, DRS and IRS (it spans those sets too), of the CRS cone for CRS, the
  // non-dominated units for FDH; of identical units the lowest index. SolveNaive(): the
  // efficient units.
  std::vector<int32_t> frame;
  Stats stats;
};

// Checks shape and values (finite, inputs > 0, outputs >= 0 and not all 0) and names
// the first offending unit and column in the error.
Status Validate(const Data& data);

Result<Frontier> Solve(const Data& data, const Options& options);
// One LP per unit against all units (no frame); single-threaded. The reference.
Result<Frontier> SolveNaive(const Data& data, const Options& options);

}  // namespace chollima::engine::dea
