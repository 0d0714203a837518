// The demo economy's emulation: its drives (a coal miners' drive with leagues by branch
// and size, and a drive of the provinces), and standards of output per worker for each
// coal branch, with a history of two revisions.
//
//   Changes drives = DemoDrives(economy);                 // before or after the reports
//   Changes standards = DemoStandards(economy, state);    // needs the reports in `state`
//
// Deterministic like the economy itself.
#pragma once

#include "core/changes.h"
#include "demo/demo.h"
#include "engine/state.h"

namespace chollima::demo {

// The drives of the demo, as new_drives of a Changes (ids continue `state_drives`).
//   coal-<year>: units of the coal sector; quarterly seasons over the year; score 70%
//     coal output against plan and 30% energy against its ceiling (lower is better);
//     leagues by coal branch in two tiers by capacity (800 t/day), two promoted and two
//     relegated between seasons; streaks in days.
//   provinces-<year>: the provinces (region level 1) over the year; score the provinces'
//     coal, power and steel output against plan and energy against its ceiling.
Changes DemoDrives(const DemoEconomy& economy);

// Standards of coal output per worker for each coal branch: a manual one from the
// first day of the year, and one derived by engine::DeriveStandardValue from the first
// quarter's data, in force from the second quarter. REQUIRES: `state` holds the economy
// with its reports.
Changes DemoStandards(const DemoEconomy& economy, const engine::State& state);

// Models and learning: for each coal branch, its most super-efficient mine of the first
// quarter (VRS, input-oriented, inputs workers, energy and capital) as the model from the
// second quarter, and learning pairs from then on assigned on that frontier (each mentor
// at most three learners, closest input/output mixes). REQUIRES: `state` holds the
// economy with its reports.
Changes DemoLearning(const DemoEconomy& economy, const engine::State& state);

}  // namespace chollima::demo
