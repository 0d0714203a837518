#include "io/emulation_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace chollima::io {
namespace {

using ::testing::HasSubstr;

class EmulationInput : public ::testing::Test {
 protected:
  void SetUp() override {
    region_ = state_.AddHierarchy({"region"});
    sector_ = state_.AddHierarchy({"sector"});
    p01_ = state_.AddGroup({.hierarchy = region_, .code = "P01", .name = "P01"});
    c1_ = state_.AddGroup({.hierarchy = region_, .code = "C1", .name = "C1", .parent = p01_});
    coal_group_ = state_.AddGroup({.hierarchy = sector_, .code = "coal", .name = "Coal"});
    m1_ = state_.AddUnit({.code = "M1", .name = "Mine 1", .attributes = {{"capacity", 500}}});
    state_.AddMembership({m1_, region_, c1_, kBeginningOfTime});
    coal_ = state_.AddIndicator({.code = "coal_output"});
    workers_ = state_.AddIndicator(
        {.code = "workers", .aggregation = Aggregation::kMean, .role = Role::kInput});
    per_worker_ = state_.AddIndicator(
        {.code = "coal_per_worker", .numerator = coal_, .denominator = workers_});
    state_.SetReport({m1_, coal_, Date::FromCivil(2026, 1, 5), 9000});
  }

  DriveFields Basic() const {
    return {.code = "winter26",
            .name = "Winter drive",
            .start = "2026-01-01",
            .end = "2026-12-31",
            .rule = "coal_output:percent_of_plan@0.6,coal_output:per_capacity:workers@0.4"};
  }

  // The message of MakeDrive's error after `edit` of the basic fields.
  Error DriveError(void (*edit)(DriveFields&)) const {
    DriveFields f = Basic();
    edit(f);
    auto d = MakeDrive(state_, f);
    EXPECT_FALSE(d.ok());
    return d.ok() ? Error{} : d.error();
  }

  engine::State state_;
  HierarchyId region_ = 0, sector_ = 0;
  GroupId p01_ = 0, c1_ = 0, coal_group_ = 0;
  UnitId m1_ = 0;
  IndicatorId coal_ = 0, workers_ = 0, per_worker_ = 0;
};

TEST_F(EmulationInput, ParsesTheRuleTextForm) {
  auto terms =
      ParseRule(state_, "coal_output:percent_of_plan@0.6, coal_output:per_capacity:workers@0.4");
  ASSERT_TRUE(terms.ok()) << terms.error().message;
  ASSERT_EQ(terms->size(), 2u);
  EXPECT_EQ((*terms)[0], (ScoreTerm{.indicator = coal_, .weight = 0.6}));
  EXPECT_EQ((*terms)[1], (ScoreTerm{.indicator = coal_,
                                    .weight = 0.4,
                                    .normalization = Normalization::kPerCapacity,
                                    .capacity = workers_}));
  auto plain = ParseRule(state_, "workers:zscore");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)[0].weight, 1);  // the default weight
  EXPECT_EQ((*plain)[0].normalization, Normalization::kZScore);
  EXPECT_EQ(FormatRule(state_, *terms),
            "coal_output:percent_of_plan@0.6,coal_output:per_capacity:workers@0.4");
  EXPECT_EQ(FormatRule(state_, *plain), "workers:zscore@1");
}

TEST_F(EmulationInput, RuleErrorsNameTheTermAndTheReason) {
  auto bad = ParseRule(state_, "coal_output:percent_of_plan@0.6,coal_output:percentx");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "rule: term 2: 'percentx' is not a normalization (percent_of_plan, growth, "
            "per_capacity, zscore)");
  auto unknown = ParseRule(state_, "coke:growth");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message, "rule: term 1: unknown indicator 'coke'");
  EXPECT_EQ(ParseRule(state_, "coal_output:growth@x").error().message,
            "rule: term 1: weight 'x' is not a number");
  EXPECT_THAT(ParseRule(state_, "coal_output").error().message,
              HasSubstr("rule: term 1: 'coal_output' is not indicator:normalization"));
  EXPECT_THAT(ParseRule(state_, "").error().message, HasSubstr("rule: no terms"));
  EXPECT_THAT(ParseRule(state_, "coal_output:growth,").error().message, HasSubstr("rule: term 2:"));
}

// Property: any terms, formatted and parsed again, are the same terms.
TEST_F(EmulationInput, FormattedRulesParseBackToTheSameTerms) {
  std::mt19937 rng(4);
  const Normalization norms[] = {Normalization::kPercentOfPlan, Normalization::kGrowth,
                                 Normalization::kPerCapacity, Normalization::kZScore};
  for (int round = 0; round < 200; ++round) {
    std::vector<ScoreTerm> terms(1 + rng() % 4);
    for (ScoreTerm& t : terms) {
      t.indicator = static_cast<IndicatorId>(rng() % 2);
      t.normalization = norms[rng() % 4];
      if (t.normalization == Normalization::kPerCapacity) t.capacity = workers_;
      t.weight = std::uniform_real_distribution<double>(1e-3, 100)(rng);
    }
    const std::string text = FormatRule(state_, terms);
    auto parsed = ParseRule(state_, text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, terms) << text;
  }
}

TEST_F(EmulationInput, MakesADriveFromTextFields) {
  DriveFields f = Basic();
  f.season = "quarter";
  f.participants = "units within region/P01";
  f.leagues = "sector:1";
  f.size_bands = "capacity:100, 1000";
  f.promote = 2;
  f.relegate = 1;
  f.growth_base = "previous_season";
  f.streak = "month";
  auto d = MakeDrive(state_, f);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->code, "winter26");
  EXPECT_EQ(d->start, Date::FromCivil(2026, 1, 1));
  EXPECT_EQ(d->end, Date::FromCivil(2027, 1, 1));  // exclusive
  EXPECT_EQ(d->season_grain, Grain::kQuarter);
  EXPECT_EQ(d->participants, (DriveParticipants{.hierarchy = region_, .within = p01_}));
  EXPECT_EQ(d->terms.size(), 2u);
  EXPECT_EQ(d->leagues, (LeagueRule{.hierarchy = sector_,
                                    .level = 1,
                                    .size_attribute = "capacity",
                                    .size_bounds = {100, 1000},
                                    .promote = 2,
                                    .relegate = 1}));
  EXPECT_EQ(d->growth_base, GrowthBase::kPreviousSeason);
  EXPECT_EQ(d->streak_grain, Grain::kMonth);
  EXPECT_EQ(FormatParticipants(state_, d->participants), "units within region/P01");
  EXPECT_EQ(FormatLeagues(state_, d->leagues), "sector:1");
  EXPECT_EQ(FormatSizeBands(d->leagues), "capacity:100,1000");

  auto plain = MakeDrive(state_, Basic());
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_FALSE(plain->season_grain.has_value());
  EXPECT_FALSE(plain->participants.groups);
  EXPECT_EQ(plain->leagues.hierarchy, kNoId);
  EXPECT_EQ(plain->growth_base, GrowthBase::kPreviousYear);
  EXPECT_EQ(plain->streak_grain, Grain::kDay);

  f = Basic();
  f.participants = "groups region:2 within region/P01";
  f.end = "2026-01-01";  // a one-day drive
  auto groups = MakeDrive(state_, f);
  ASSERT_TRUE(groups.ok()) << groups.error().message;
  EXPECT_EQ(groups->participants,
            (DriveParticipants{.groups = true, .hierarchy = region_, .level = 2, .within = p01_}));
  EXPECT_EQ(groups->end - groups->start, 1);
  EXPECT_EQ(FormatParticipants(state_, groups->participants), "groups region:2 within region/P01");
}

TEST_F(EmulationInput, DriveErrorsNameTheFieldAndTheReason) {
  EXPECT_EQ(DriveError([](DriveFields& f) { f.code = ""; }).message,
            "code: a drive code is required");
  EXPECT_THAT(DriveError([](DriveFields& f) { f.code = "a b"; }).message, HasSubstr("code: "));
  EXPECT_EQ(DriveError([](DriveFields& f) { f.name = " "; }).message, "name: a name is required");
  EXPECT_THAT(DriveError([](DriveFields& f) { f.start = "2026-02-30"; }).message,
              HasSubstr("start: '2026-02-30' is not a date"));
  EXPECT_EQ(DriveError([](DriveFields& f) { f.end = "2025-12-31"; }).message,
            "end: 2025-12-31 is before the start 2026-01-01 (the end is the last day of the "
            "drive)");
  EXPECT_EQ(DriveError([](DriveFields& f) { f.season = "week"; }).message,
            "season: 'week' is not a season grain (month, quarter, half, year)");
  EXPECT_THAT(DriveError([](DriveFields& f) { f.participants = "everyone"; }).message,
              HasSubstr("participants: 'everyone' is not 'units'"));
  const Error unknown_group =
      DriveError([](DriveFields& f) { f.participants = "units within region/P99"; });
  EXPECT_EQ(unknown_group.code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown_group.message, "participants: unknown group 'P99' in hierarchy 'region'");
  EXPECT_EQ(DriveError([](DriveFields& f) { f.leagues = "branch:1"; }).message,
            "leagues: unknown hierarchy 'branch'");
  EXPECT_EQ(DriveError([](DriveFields& f) { f.leagues = "sector:x"; }).message,
            "leagues: 'x' is not a level (1 = the top)");
  EXPECT_THAT(DriveError([](DriveFields& f) { f.size_bands = "capacity"; }).message,
              HasSubstr("size_bands: 'capacity' is not ATTRIBUTE:B1,B2"));
  EXPECT_EQ(DriveError([](DriveFields& f) { f.growth_base = "last_year"; }).message,
            "growth_base: 'last_year' is not a growth base (previous_year, previous_season)");
  EXPECT_EQ(DriveError([](DriveFields& f) { f.streak = "week"; }).message,
            "streak: 'week' is not a streak grain (day, month)");
  EXPECT_EQ(DriveError([](DriveFields& f) { f.rule = "coal_output:percentx"; }).message,
            "rule: term 1: 'percentx' is not a normalization (percent_of_plan, growth, "
            "per_capacity, zscore)");
}

// The drive rules come from engine::ValidateDrive, named by the text form's fields.
TEST_F(EmulationInput, DriveRuleViolationsAreNamedByTheTextFields) {
  const Error weight = DriveError([](DriveFields& f) { f.rule = "coal_output:growth@0"; });
  EXPECT_EQ(weight.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(weight.message, HasSubstr("rule: term 1: weight"));
  EXPECT_THAT(DriveError([](DriveFields& f) {
                f.rule = "coal_output:growth,coal_per_worker:zscore";
              }).message,
              HasSubstr("rule: term 2: indicator: a derived indicator"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.rule = "coal_output:per_capacity"; }).message,
              HasSubstr("rule: term 1: capacity"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.rule = "coal_output:growth:workers"; }).message,
              HasSubstr("rule: term 1: capacity"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.leagues = "sector:3"; }).message,
              HasSubstr("leagues: 3 is not in 1..1"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.participants = "groups region:3"; }).message,
              HasSubstr("participants: 3 is not in 1..2"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.size_bands = "capacity:1000,100"; }).message,
              HasSubstr("size_bands: "));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.promote = -1; }).message,
              HasSubstr("promote: must be >= 0"));
  EXPECT_THAT(DriveError([](DriveFields& f) { f.relegate = -2; }).message,
              HasSubstr("relegate: must be >= 0"));
}

TEST_F(EmulationInput, ADriveCodeMustBeNew) {
  auto d = MakeDrive(state_, Basic());
  ASSERT_TRUE(d.ok());
  state_.AddDrive(*d);
  auto again = MakeDrive(state_, Basic());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().message, "code: drive 'winter26' already exists");
}

TEST_F(EmulationInput, DriveJsonRoundTripsThroughTheWriter) {
  DriveFields f = Basic();
  f.season = "quarter";
  f.participants = "units within region/P01";
  f.leagues = "sector:1";
  f.size_bands = "capacity:100,1000";
  f.promote = 2;
  auto d = MakeDrive(state_, f);
  ASSERT_TRUE(d.ok()) << d.error().message;
  const SeasonSpan seasons[] = {{0, Date::FromCivil(2026, 1, 1), Date::FromCivil(2026, 4, 1)}};
  JsonWriter w;
  DriveToJson(state_, 3, *d, seasons, 0, w);
  EXPECT_EQ(w.str(),
            R"({"id":3,"code":"winter26","name":"Winter drive","start":"2026-01-01",)"
            R"("end":"2026-12-31","season_grain":"quarter","participants":{"kind":"units",)"
            R"("hierarchy":"region","level":1,"within":"region/P01"},"terms":[)"
            R"({"indicator":"coal_output","normalization":"percent_of_plan","weight":0.6,)"
            R"("capacity":null},{"indicator":"coal_output","normalization":"per_capacity",)"
            R"("weight":0.4,"capacity":"workers"}],)"
            R"("rule":"coal_output:percent_of_plan@0.6,coal_output:per_capacity:workers@0.4",)"
            R"("growth_base":"previous_year","leagues":{"hierarchy":"sector","level":1,)"
            R"("size_attribute":"capacity","size_bounds":[100,1000],"promote":2,"relegate":0},)"
            R"("streak_grain":"day","seasons":[{"index":0,"begin":"2026-01-01",)"
            R"("end":"2026-03-31"}],"current_season":0})");
  // The same object without the read-only members (and with terms, not rule) reads back.
  auto doc = ParseJson(w.str());
  ASSERT_TRUE(doc.ok());
  std::vector<JsonMember> members;
  for (const JsonMember& m : doc->Members()) {
    if (m.key != "id" && m.key != "seasons" && m.key != "current_season" && m.key != "rule") {
      members.push_back(m);
    }
  }
  auto back = DriveFromJson(state_, JsonValue::Object(members));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, *d);
  // The rule's text form is accepted instead of terms.
  auto by_rule = DriveFromJson(
      state_, R"({"code":"winter26","name":"Winter drive","start":"2026-01-01","end":"2026-12-31",)"
              R"("season_grain":"quarter","participants":{"kind":"units","within":"region/P01"},)"
              R"("rule":"coal_output:percent_of_plan@0.6,coal_output:per_capacity:workers@0.4",)"
              R"("leagues":{"hierarchy":"sector","size_attribute":"capacity",)"
              R"("size_bounds":[100,1000],"promote":2}})");
  ASSERT_TRUE(by_rule.ok()) << by_rule.error().message;
  EXPECT_EQ(*by_rule, *d);
}

TEST_F(EmulationInput, DriveJsonErrorsArePlacedByPath) {
  const std::string head = R"({"code":"d1","name":"D","start":"2026-01-01","end":"2026-03-31",)";
  auto error_of = [&](const std::string& rest) {
    auto d = DriveFromJson(state_, head + rest + "}");
    EXPECT_FALSE(d.ok()) << rest;
    return d.ok() ? std::string() : d.error().message;
  };
  EXPECT_EQ(error_of(R"("terms":[{"indicator":"coal_output","normalization":"growth"},)"
                     R"({"indicator":"coal_output","normalization":"percentx"}])"),
            "$.terms[1].normalization: 'percentx' is not a normalization (percent_of_plan, "
            "growth, per_capacity, zscore)");
  EXPECT_EQ(
      error_of(R"("terms":[{"indicator":"coal_output","normalization":"growth","weight":0}])"),
      "$.terms[0].weight: must be > 0");
  EXPECT_EQ(error_of(R"("rule":"coal_output:growthx")"),
            "$.rule: term 1: 'growthx' is not a normalization (percent_of_plan, growth, "
            "per_capacity, zscore)");
  EXPECT_EQ(error_of(R"("rule":"coal_output:growth","leagues":{"promote":-1})"),
            "$.leagues.promote: must be >= 0");
  EXPECT_EQ(error_of(R"("rule":"coal_output:growth","participants":{"within":"region/P9"})"),
            "$.participants.within: unknown group 'P9' in hierarchy 'region'");
  EXPECT_EQ(error_of(R"("rule":"coal_output:growth","colour":"red")"), "$.colour: unknown field");
  EXPECT_EQ(error_of(R"("rule":"coal_output:growth","season_grain":4)"),
            "$.season_grain: expected a string, found a number");
  EXPECT_EQ(error_of(R"("terms":"x")"), "$.terms: expected an array, found a string");
  EXPECT_EQ(error_of(R"("terms":[])"), "$.terms: at least one term is required");
  auto missing = DriveFromJson(state_, R"({"name":"D"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "$.code: required");
  auto malformed = DriveFromJson(state_, "{\"code\":");
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(malformed.error().message, HasSubstr("line 1, column"));
  auto not_object = DriveFromJson(state_, "[1]");
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.error().message, "$: expected an object, found an array");
}

TEST_F(EmulationInput, MakesStandardsAndWritesTheirJson) {
  auto s = MakeStandard(state_, {.indicator = "coal_per_worker",
                                 .peer_group = "sector/coal",
                                 .from = "2026-01-01",
                                 .value = "41.5",
                                 .note = "by hand"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(*s, (Standard{.indicator = per_worker_,
                          .peer_group = coal_group_,
                          .from = Date::FromCivil(2026, 1, 1),
                          .value = 41.5,
                          .note = "by hand"}));
  auto all = MakeStandard(state_, {.indicator = "coal_output", .from = "2026-01-01", .value = "7"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->peer_group, kNoId);
  EXPECT_EQ(MakeStandard(state_, {.indicator = "coal_output", .from = "2026-01-01", .value = "x"})
                .error()
                .message,
            "value: 'x' is not a number");
  EXPECT_EQ(MakeStandard(state_, {.indicator = "coke", .from = "2026-01-01", .value = "1"})
                .error()
                .message,
            "indicator: unknown indicator 'coke'");
  EXPECT_THAT(
      MakeStandard(
          state_,
          {.indicator = "coal_output", .peer_group = "coal", .from = "2026-01-01", .value = "1"})
          .error()
          .message,
      HasSubstr("peer_group: 'coal' is not HIERARCHY/GROUP"));
  EXPECT_THAT(MakeStandard(state_, {.indicator = "coal_output", .from = "2026-13-01", .value = "1"})
                  .error()
                  .message,
              HasSubstr("from: "));

  auto doc = ParseJson(
      R"({"indicator":"coal_per_worker","peer_group":null,"from":"2026-07-01","value":44})");
  ASSERT_TRUE(doc.ok());
  auto j = StandardFromJson(state_, *doc);
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_EQ(j->peer_group, kNoId);
  EXPECT_EQ(j->value, 44);
  auto bad = ParseJson(R"({"indicator":"coal_per_worker","from":"2026-07-01","value":"44"})");
  EXPECT_EQ(StandardFromJson(state_, *bad).error().message,
            "$.value: expected a number, found a string");
  auto missing = ParseJson(R"({"indicator":"coal_per_worker","from":"2026-07-01"})");
  EXPECT_EQ(StandardFromJson(state_, *missing).error().message, "$.value: required");

  engine::StandardStatus st{.indicator = per_worker_,
                            .peer_group = coal_group_,
                            .current = *s,
                            .history = {*s},
                            .season = PeriodOf(Grain::kYear, Date::FromCivil(2025, 5, 1)),
                            .units = 3,
                            .meeting = 1,
                            .advanced_level = std::numeric_limits<double>::quiet_NaN()};
  JsonWriter w;
  StandardToJson(state_, st, w);
  EXPECT_EQ(w.str(),
            R"({"indicator":"coal_per_worker","peer_group":"sector/coal","current":)"
            R"({"from":"2026-01-01","value":41.5,"source":"manual","note":"by hand"},)"
            R"("history":[{"from":"2026-01-01","value":41.5,"source":"manual","note":"by hand"}],)"
            R"("season":"2025","units":3,"meeting":1,"advanced_level":null})");
}

TEST_F(EmulationInput, ReviewsTakeTheReportedValue) {
  auto r = MakeOutlierReview(state_, {.unit = "M1",
                                      .indicator = "coal_output",
                                      .date = "2026-01-05",
                                      .confirmed = false,
                                      .reviewer = "kim",
                                      .note = "typo"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (OutlierReview{.unit = m1_,
                               .indicator = coal_,
                               .date = Date::FromCivil(2026, 1, 5),
                               .value = 9000,
                               .confirmed = false,
                               .reviewer = "kim",
                               .note = "typo"}));
  auto none =
      MakeOutlierReview(state_, {.unit = "M1", .indicator = "coal_output", .date = "2026-01-06"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().message, "date: M1 has no coal_output report on 2026-01-06");
  EXPECT_EQ(
      MakeOutlierReview(state_, {.unit = "M9", .indicator = "coal_output", .date = "2026-01-05"})
          .error()
          .message,
      "unit: unknown unit 'M9'");

  auto doc =
      ParseJson(R"({"unit":"M1","indicator":"coal_output","date":"2026-01-05","confirmed":true})");
  auto j = OutlierReviewFromJson(state_, *doc, "lee");
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_TRUE(j->confirmed);
  EXPECT_EQ(j->reviewer, "lee");
  EXPECT_EQ(j->value, 9000);
  auto bad =
      ParseJson(R"({"unit":"M1","indicator":"coal_output","date":"2026-01-05","confirmed":1})");
  EXPECT_EQ(OutlierReviewFromJson(state_, *bad, "lee").error().message,
            "$.confirmed: expected a boolean, found a number");
}

}  // namespace
}  // namespace chollima::io
