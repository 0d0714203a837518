#include "demo/emulation.h"

#include <cmath>
#include <string>

#include "engine/frontier.h"
#include "engine/learning.h"
#include "engine/standards.h"

namespace chollima::demo {
namespace {

IndicatorId IndicatorOf(const DemoEconomy& economy, std::string_view code) {
  const auto& indicators = economy.structure.indicators;
  for (size_t i = 0; i < indicators.size(); ++i) {
    if (indicators[i].code == code) return static_cast<IndicatorId>(i);
  }
  return kNoId;
}

}  // namespace

Changes DemoDrives(const DemoEconomy& economy) {
  const int year = economy.options.year;
  const Date start = Date::FromCivil(year, 1, 1);
  const Date end = Date::FromCivil(year + 1, 1, 1);
  const IndicatorId coal = IndicatorOf(economy, "coal_output");
  const IndicatorId power = IndicatorOf(economy, "power_output");
  const IndicatorId steel = IndicatorOf(economy, "steel_output");
  const IndicatorId energy = economy.energy_indicator;
  Changes changes;

  Drive coal_drive;
  coal_drive.code = "coal-" + std::to_string(year);
  coal_drive.name = "Coal miners' Chollima drive " + std::to_string(year);
  coal_drive.start = start;
  coal_drive.end = end;
  coal_drive.season_grain = Grain::kQuarter;
  coal_drive.participants = {
      .groups = false,
      .hierarchy = DemoEconomy::kSectorHierarchy,
      .level = 1,
      .within = economy.sector_groups.empty() ? kNoId : economy.sector_groups[0]};
  coal_drive.terms = {
      {.indicator = coal, .weight = 0.7, .normalization = Normalization::kPercentOfPlan},
      {.indicator = energy, .weight = 0.3, .normalization = Normalization::kPercentOfPlan}};
  coal_drive.growth_base = GrowthBase::kPreviousSeason;
  coal_drive.leagues = {.hierarchy = DemoEconomy::kSectorHierarchy,
                        .level = 2,
                        .size_attribute = "capacity",
                        .size_bounds = {800},
                        .promote = 2,
                        .relegate = 2};
  coal_drive.streak_grain = Grain::kDay;
  if (coal != kNoId) changes.new_drives.push_back(coal_drive);

  Drive provinces;
  provinces.code = "provinces-" + std::to_string(year);
  provinces.name = "Provinces' drive " + std::to_string(year);
  provinces.start = start;
  provinces.end = end;
  provinces.participants = {
      .groups = true, .hierarchy = DemoEconomy::kRegionHierarchy, .level = 1, .within = kNoId};
  for (const auto& [indicator, weight] :
       {std::pair{coal, 0.3}, std::pair{power, 0.3}, std::pair{steel, 0.2}}) {
    if (indicator != kNoId) {
      provinces.terms.push_back({.indicator = indicator,
                                 .weight = weight,
                                 .normalization = Normalization::kPercentOfPlan});
    }
  }
  provinces.terms.push_back(
      {.indicator = energy, .weight = 0.2, .normalization = Normalization::kPercentOfPlan});
  provinces.streak_grain = Grain::kMonth;
  changes.new_drives.push_back(provinces);
  return changes;
}

Changes DemoStandards(const DemoEconomy& economy, const engine::State& state) {
  Changes changes;
  const auto per_worker = state.FindIndicator("coal_per_worker");
  if (!per_worker || economy.sector_groups.empty()) return changes;
  const int year = economy.options.year;
  const Period q1 = PeriodOf(Grain::kQuarter, Date::FromCivil(year, 1, 1));
  for (GroupId g = 0; g < static_cast<GroupId>(state.groups().size()); ++g) {
    const Group& group = state.groups()[static_cast<size_t>(g)];
    if (group.parent != economy.sector_groups[0]) continue;  // the coal branches
    const double derived = engine::DeriveStandardValue(state, *per_worker, g, q1);
    if (!std::isfinite(derived)) continue;
    // The office's earlier norm was a round figure somewhat below what the advanced reach.
    const double manual = std::floor(derived * 0.9);
    changes.standards.push_back({.indicator = *per_worker,
                                 .peer_group = g,
                                 .from = Date::FromCivil(year, 1, 1),
                                 .value = manual,
                                 .source = StandardSource::kManual,
                                 .note = "the ministry's norm for the year"});
    changes.standards.push_back(
        {.indicator = *per_worker,
         .peer_group = g,
         .from = q1.end,
         .value = derived,
         .source = StandardSource::kDerived,
         .note = "the median of the top quartile of the branch in the first quarter"});
  }
  return changes;
}

Changes DemoLearning(const DemoEconomy& economy, const engine::State& state) {
  Changes changes;
  if (economy.sector_groups.empty()) return changes;
  const int year = economy.options.year;
  const Period q1 = PeriodOf(Grain::kQuarter, Date::FromCivil(year, 1, 1));
  const std::string period = FormatPeriod(q1);
  for (GroupId g = 0; g < static_cast<GroupId>(state.groups().size()); ++g) {
    const Group& group = state.groups()[static_cast<size_t>(g)];
    if (group.parent != economy.sector_groups[0]) continue;  // the coal branches
    engine::FrontierQuery q;
    q.peers = {.kind = engine::PeerGroupSpec::Kind::kGroup, .group = g};
    q.period = q1;
    q.options.super_efficiency = true;
    auto frontier = engine::ComputeFrontier(state, q);
    if (!frontier.ok()) continue;
    auto peers = engine::PeerGroupUnits(state, q.peers, q1);
    if (!peers.ok()) continue;
    // The model: the first frontier suggestion (the most super-efficient unit).
    for (const engine::ModelSuggestion& s : engine::SuggestModels(state, *frontier, *peers, 1)) {
      if (s.basis != "frontier") continue;
      changes.models.push_back(
          {.peer_group = g,
           .unit = s.unit,
           .from = q1.end,
           .reason = "the branch's most efficient mine in " + period + " (" + s.note + ")",
           .author = "demo"});
    }
    // Learning pairs from the second quarter: three learners per mentor, closest mixes.
    auto plan = engine::ProposePairs(state, *frontier, g, 3, engine::PairObjective::kMix);
    if (!plan.ok()) continue;
    for (const engine::PairProposal& p : plan->pairs) {
      changes.pairs.push_back({.peer_group = g,
                               .mentor = p.mentor,
                               .learner = p.learner,
                               .from = q1.end,
                               .basis = "assigned",
                               .period = period,
                               .score_at_pairing = p.learner_score,
                               .author = "demo"});
    }
  }
  return changes;
}

}  // namespace chollima::demo
