// Feeds arbitrary bytes to io::ParseImport against a small fixed engine::State. The first
// byte picks the ImportKind (byte % 8, so '0'..'7' name groups..profiles in order); the
// rest is the CSV text. Checks that parsing never crashes; that a result with errors
// carries no changes; that the changes of a clean result only name ids that exist in the
// State or among the new things before them, and keep what may not change; that they
// apply to a copy of the State with engine::ApplyChanges; and that importing the
// same file again into the changed State changes nothing more. Set IMPORT_FUZZER_VERBOSE
// to print the kind and errors of each input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "core/changes.h"
#include "core/csv.h"
#include "engine/state.h"
#include "io/import.h"

namespace {

using namespace chollima;

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

const Report kStoredK1{.unit = 0, .indicator = 0, .date = Date::FromCivil(2026, 1, 5), .value = 7};

// region: north > south; units U1 (north), U2, U3 (south); indicators out (daily sum),
// wk (mean), pw (monthly), opw = out / wk; profile winter; a few plans and reports.
engine::State MakeState() {
  engine::State s;
  const HierarchyId region = s.AddHierarchy({"region"});
  const GroupId north = s.AddGroup({.hierarchy = region, .code = "north", .name = "North"});
  const GroupId south =
      s.AddGroup({.hierarchy = region, .code = "south", .name = "South", .parent = north});
  const UnitId u1 = s.AddUnit({"U1", "Unit one", {{"capacity", 100}}});
  const UnitId u2 = s.AddUnit({"U2", "Unit two", {}});
  const UnitId u3 = s.AddUnit({"U3", "Unit three", {}});
  s.AddMembership({u1, region, north, kBeginningOfTime});
  s.AddMembership({u2, region, south, kBeginningOfTime});
  s.AddMembership({u3, region, south, Date::FromCivil(2026, 1, 1)});
  const IndicatorId out = s.AddIndicator({.code = "out", .name = "Output", .measure = "t"});
  const IndicatorId wk =
      s.AddIndicator({.code = "wk", .name = "Workers", .aggregation = Aggregation::kMean});
  const IndicatorId pw = s.AddIndicator({.code = "pw", .name = "Power", .grain = Grain::kMonth});
  const IndicatorId opw =
      s.AddIndicator({.code = "opw", .name = "Per worker", .numerator = out, .denominator = wk});
  Profile winter{"winter", {3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3}};
  const int32_t winter_id = s.AddProfile(winter);
  const Period jan{Grain::kMonth, Date::FromCivil(2026, 1, 1), Date::FromCivil(2026, 2, 1)};
  const Period y2026{Grain::kYear, Date::FromCivil(2026, 1, 1), Date::FromCivil(2027, 1, 1)};
  s.SetPlan({.target = {false, u1}, .indicator = out, .period = jan, .value = 100});
  s.SetPlan({.target = {true, north},
             .indicator = out,
             .period = y2026,
             .value = 5000,
             .method = SplitMethod::kProfile,
             .profile = winter_id});
  s.SetPlan({.target = {false, u2}, .indicator = pw, .period = y2026, .value = 12});
  s.SetPlan({.target = {true, south}, .indicator = opw, .period = jan, .value = 2});
  s.SetReport(kStoredK1);
  s.SetReport({u1, wk, Date::FromCivil(2026, 1, 5), 3});
  s.SetReport({u2, out, Date::FromCivil(2026, 1, 6), 4.5});
  s.SetReport({u2, pw, Date::FromCivil(2026, 1, 1), 900});
  return s;
}

const engine::State& BaseState() {
  static const engine::State* state = new engine::State(MakeState());
  return *state;
}

Result<std::optional<Report>> LookupKey(const std::string& key) {
  if (key == "k1") return std::optional<Report>(kStoredK1);
  return std::optional<Report>();
}

bool InRange(int32_t id, size_t size) { return id >= 0 && static_cast<size_t>(id) < size; }

// Every id the changes name exists in `s` or among the new things before it.
void CheckChanges(const Changes& c, const engine::State& s) {
  const size_t hierarchies = s.hierarchies().size() + c.new_hierarchies.size();
  std::set<std::string> codes;
  for (const Hierarchy& h : c.new_hierarchies) {
    FUZZ_CHECK(!s.FindHierarchy(h.code));
    FUZZ_CHECK(codes.insert(h.code).second);
  }

  // Hierarchy of each group, existing then new.
  std::vector<HierarchyId> group_hierarchy;
  for (const Group& g : s.groups()) group_hierarchy.push_back(g.hierarchy);
  std::set<std::pair<HierarchyId, std::string>> group_codes;
  for (const Group& g : c.new_groups) {
    FUZZ_CHECK(InRange(g.hierarchy, hierarchies));
    FUZZ_CHECK(g.parent == kNoId || InRange(g.parent, group_hierarchy.size()));
    if (g.parent != kNoId) {
      FUZZ_CHECK(group_hierarchy[static_cast<size_t>(g.parent)] == g.hierarchy);
    }
    if (InRange(g.hierarchy, s.hierarchies().size())) FUZZ_CHECK(!s.FindGroup(g.hierarchy, g.code));
    FUZZ_CHECK(group_codes.emplace(g.hierarchy, g.code).second);
    group_hierarchy.push_back(g.hierarchy);
  }
  for (const auto& [id, g] : c.changed_groups) {
    FUZZ_CHECK(InRange(id, s.groups().size()));
    const Group& old = s.groups()[static_cast<size_t>(id)];
    FUZZ_CHECK(g.hierarchy == old.hierarchy && g.code == old.code && g.parent == old.parent);
  }

  const size_t units = s.units().size() + c.new_units.size();
  codes.clear();
  for (const Unit& u : c.new_units) {
    FUZZ_CHECK(!s.FindUnit(u.code));
    FUZZ_CHECK(codes.insert(u.code).second);
  }
  for (const auto& [id, u] : c.changed_units) {
    FUZZ_CHECK(InRange(id, s.units().size()));
    FUZZ_CHECK(u.code == s.units()[static_cast<size_t>(id)].code);
  }
  for (const Membership& m : c.memberships) {
    FUZZ_CHECK(InRange(m.unit, units));
    FUZZ_CHECK(InRange(m.hierarchy, hierarchies));
    FUZZ_CHECK(InRange(m.group, group_hierarchy.size()));
    FUZZ_CHECK(group_hierarchy[static_cast<size_t>(m.group)] == m.hierarchy);
  }

  // Derivedness of each indicator, existing then new; parts precede ratios.
  std::vector<Indicator> indicators = s.indicators();
  codes.clear();
  for (const Indicator& i : c.new_indicators) {
    FUZZ_CHECK(!s.FindIndicator(i.code));
    FUZZ_CHECK(codes.insert(i.code).second);
    FUZZ_CHECK((i.numerator == kNoId) == (i.denominator == kNoId));
    if (i.IsDerived()) {
      FUZZ_CHECK(InRange(i.numerator, indicators.size()));
      FUZZ_CHECK(InRange(i.denominator, indicators.size()));
      FUZZ_CHECK(!indicators[static_cast<size_t>(i.numerator)].IsDerived());
      FUZZ_CHECK(!indicators[static_cast<size_t>(i.denominator)].IsDerived());
    }
    indicators.push_back(i);
  }
  for (const auto& [id, i] : c.changed_indicators) {
    FUZZ_CHECK(InRange(id, s.indicators().size()));
    const Indicator& old = s.indicators()[static_cast<size_t>(id)];
    FUZZ_CHECK(i.code == old.code && i.numerator == old.numerator &&
               i.denominator == old.denominator && i.grain == old.grain &&
               i.aggregation == old.aggregation);
  }

  size_t profiles = s.profiles().size();
  codes.clear();
  for (const Profile& p : c.profiles) {
    FUZZ_CHECK(codes.insert(p.code).second);
    if (!s.FindProfile(p.code)) ++profiles;
    double total = 0;
    for (double w : p.month_weights) {
      FUZZ_CHECK(std::isfinite(w) && w >= 0);
      total += w;
    }
    FUZZ_CHECK(total > 0);
  }
  if (c.calendar) {
    for (size_t i = 1; i < c.calendar->exceptions.size(); ++i) {
      FUZZ_CHECK(c.calendar->exceptions[i - 1].first < c.calendar->exceptions[i].first);
    }
  }

  for (const Plan& p : c.plans) {
    FUZZ_CHECK(InRange(p.target.id, p.target.is_group ? group_hierarchy.size() : units));
    FUZZ_CHECK(InRange(p.indicator, indicators.size()));
    FUZZ_CHECK(p.period.begin < p.period.end);
    FUZZ_CHECK(std::isfinite(p.value) && p.value >= 0);
    FUZZ_CHECK((p.method == SplitMethod::kProfile) == (p.profile != kNoId));
    if (p.method == SplitMethod::kProfile) FUZZ_CHECK(InRange(p.profile, profiles));
  }
  for (const Report& r : c.reports) {
    FUZZ_CHECK(InRange(r.unit, units));
    FUZZ_CHECK(InRange(r.indicator, indicators.size()));
    const Indicator& info = indicators[static_cast<size_t>(r.indicator)];
    FUZZ_CHECK(!info.IsDerived());
    FUZZ_CHECK(info.grain != Grain::kMonth || r.date.ToCivil().day == 1);
    FUZZ_CHECK(std::isfinite(r.value));
  }
  // A keyed report is new, or already the current value (then only its key is stored,
  // so that a resubmission stays a no-op after a later correction).
  codes.clear();
  for (const ReportKey& k : c.report_keys) {
    FUZZ_CHECK(!k.key.empty());
    FUZZ_CHECK(codes.insert(k.key).second);
    const Report& kr = k.report;
    bool found = false;
    for (const Report& r : c.reports) {
      found = found || (r.unit == kr.unit && r.indicator == kr.indicator && r.date == kr.date &&
                        r.value == kr.value);
    }
    if (!found && InRange(kr.unit, s.units().size()) &&
        InRange(kr.indicator, s.indicators().size())) {
      found = s.ReportValue(kr.unit, kr.indicator, kr.date) == std::optional<double>(kr.value);
    }
    FUZZ_CHECK(found);
  }
}

Result<io::ImportResult> Parse(io::ImportKind kind, const std::string& text,
                               const engine::State& state) {
  CsvReader reader = CsvReader::FromString("fuzz.csv", text);
  const io::KeyLookup lookup = LookupKey;
  return io::ParseImport(kind, reader, state, lookup, {.max_errors = 5});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const io::ImportKind kind = io::kAllImportKinds[data[0] % std::size(io::kAllImportKinds)];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const engine::State& base = BaseState();

  auto result = Parse(kind, text, base);
  FUZZ_CHECK(result.ok());  // the lookup never fails
  FUZZ_CHECK(result->errors.size() <= 5);
  FUZZ_CHECK(!result->errors_truncated || result->errors.size() == 5);
  static const bool verbose = std::getenv("IMPORT_FUZZER_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%s: %zu errors, %lld rows\n", io::ImportKindName(kind),
                 result->errors.size(), static_cast<long long>(result->rows));
    for (const io::ImportError& e : result->errors) {
      std::fprintf(stderr, "  %s\n", e.message.c_str());
    }
  }
  if (!result->errors.empty()) {
    FUZZ_CHECK(result->changes.empty());
    return 0;
  }
  FUZZ_CHECK(result->rows >= 0);
  CheckChanges(result->changes, base);

  engine::State changed = base;
  engine::ApplyChanges(result->changes, changed);

  // The changed State already holds every fact of the file. Left out: keyed reports (the
  // lookup does not see keys stored by this import) and files that report one day twice
  // (the later value wins, so the earlier one differs from the State).
  if (!result->changes.report_keys.empty()) return 0;
  std::set<std::tuple<UnitId, IndicatorId, int32_t>> days;
  for (const Report& r : result->changes.reports) {
    if (!days.emplace(r.unit, r.indicator, r.date.days()).second) return 0;
  }
  auto again = Parse(kind, text, changed);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->errors.empty());
  FUZZ_CHECK(again->changes.empty());
  return 0;
}
