#include "core/period.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace chollima {
namespace {

using ::testing::HasSubstr;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

// Parses `text` and checks grain and [begin, end); reports the text on failure.
void ExpectPeriod(std::string_view text, Grain grain, Date begin, Date end) {
  SCOPED_TRACE(std::string(text));
  auto p = ParsePeriod(text);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->grain, grain);
  EXPECT_EQ(FormatDate(p->begin), FormatDate(begin));
  EXPECT_EQ(FormatDate(p->end), FormatDate(end));
}

// The accepted forms, as the rejection message lists them.
constexpr std::string_view kFormsHint =
    "use 2026, 2026-H1, 2026-Q1, 2026-01, 2026-W03, 2026-01-15, 2026/2030";

void ExpectRejected(std::string_view text, std::string_view why) {
  SCOPED_TRACE(std::string(text));
  auto p = ParsePeriod(text);
  ASSERT_FALSE(p.ok()) << FormatPeriod(*p);
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(p.error().message, HasSubstr("'" + std::string(text) + "' is not a period"));
  EXPECT_THAT(p.error().message, HasSubstr(std::string(why)));
  EXPECT_THAT(p.error().message, HasSubstr(std::string(kFormsHint)));
}

TEST(ParsePeriod, AcceptsYear) { ExpectPeriod("2026", Grain::kYear, D(2026, 1, 1), D(2027, 1, 1)); }

TEST(ParsePeriod, AcceptsHalf) {
  ExpectPeriod("2026-H1", Grain::kHalf, D(2026, 1, 1), D(2026, 7, 1));
  ExpectPeriod("2026-H2", Grain::kHalf, D(2026, 7, 1), D(2027, 1, 1));
}

TEST(ParsePeriod, AcceptsDhis2SixMonth) {
  ExpectPeriod("2026S1", Grain::kHalf, D(2026, 1, 1), D(2026, 7, 1));
  ExpectPeriod("2026S2", Grain::kHalf, D(2026, 7, 1), D(2027, 1, 1));
}

TEST(ParsePeriod, AcceptsQuarter) {
  ExpectPeriod("2026-Q1", Grain::kQuarter, D(2026, 1, 1), D(2026, 4, 1));
}

TEST(ParsePeriod, AcceptsDhis2Quarter) {
  ExpectPeriod("2026Q1", Grain::kQuarter, D(2026, 1, 1), D(2026, 4, 1));
}

TEST(ParsePeriod, AcceptsMonth) {
  ExpectPeriod("2026-01", Grain::kMonth, D(2026, 1, 1), D(2026, 2, 1));
}

TEST(ParsePeriod, AcceptsDhis2Month) {
  ExpectPeriod("202601", Grain::kMonth, D(2026, 1, 1), D(2026, 2, 1));
}

TEST(ParsePeriod, AcceptsWeek) {
  ExpectPeriod("2026-W03", Grain::kWeek, D(2026, 1, 12), D(2026, 1, 19));
}

TEST(ParsePeriod, AcceptsDhis2Week) {
  ExpectPeriod("2026W3", Grain::kWeek, D(2026, 1, 12), D(2026, 1, 19));
}

TEST(ParsePeriod, AcceptsDay) {
  ExpectPeriod("2026-01-15", Grain::kDay, D(2026, 1, 15), D(2026, 1, 16));
}

TEST(ParsePeriod, AcceptsDhis2Day) {
  ExpectPeriod("20260115", Grain::kDay, D(2026, 1, 15), D(2026, 1, 16));
}

TEST(ParsePeriod, AcceptsMultiYear) {
  ExpectPeriod("2026/2030", Grain::kMultiYear, D(2026, 1, 1), D(2031, 1, 1));
}

TEST(ParsePeriod, MultiYearIncludesTheLastYear) {
  auto p = ParsePeriod("2026/2030");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->Contains(D(2030, 12, 31)));
  EXPECT_FALSE(p->Contains(D(2031, 1, 1)));
  EXPECT_EQ(p->days(), 365 * 5 + 1);  // 2028 is a leap year
}

TEST(ParsePeriod, AcceptsSingleYearMultiYear) {
  ExpectPeriod("2026/2026", Grain::kMultiYear, D(2026, 1, 1), D(2027, 1, 1));
}

TEST(ParsePeriod, QuartersEndOnTheLastDayOfTheirThirdMonth) {
  const int last_day[] = {31, 30, 30, 31};  // Mar 31, Jun 30, Sep 30, Dec 31
  for (int q = 1; q <= 4; ++q) {
    auto p = ParsePeriod("2024-Q" + std::to_string(q));
    ASSERT_TRUE(p.ok());
    const CivilDate last = (p->end - 1).ToCivil();
    EXPECT_EQ(last.year, 2024);
    EXPECT_EQ(last.month, q * 3);
    EXPECT_EQ(last.day, last_day[q - 1]);
  }
}

TEST(ParsePeriod, QuarterOneOfLeapYearHas91Days) {
  EXPECT_EQ(ParsePeriod("2024-Q1")->days(), 91);
  EXPECT_EQ(ParsePeriod("2026-Q1")->days(), 90);
}

TEST(ParsePeriod, HalvesEndOnJune30AndDecember31) {
  EXPECT_EQ(FormatDate(ParsePeriod("2026-H1")->end - 1), "2026-06-30");
  EXPECT_EQ(FormatDate(ParsePeriod("2026-H2")->end - 1), "2026-12-31");
}

TEST(ParsePeriod, FebruaryOfLeapYearEndsOn29th) {
  EXPECT_EQ(FormatDate(ParsePeriod("2024-02")->end - 1), "2024-02-29");
  EXPECT_EQ(FormatDate(ParsePeriod("2026-02")->end - 1), "2026-02-28");
}

TEST(ParsePeriod, AcceptsWeek53InLongYear) {
  ExpectPeriod("2026-W53", Grain::kWeek, D(2026, 12, 28), D(2027, 1, 4));
}

TEST(ParsePeriod, RejectsWeek53InShortYear) {
  ExpectRejected("2025-W53", "week 53 is not in 1..52");
}

TEST(ParsePeriod, RejectsWeekZero) { ExpectRejected("2026-W00", "week 0"); }

TEST(ParsePeriod, RejectsQuarter5) { ExpectRejected("2026-Q5", "quarter 5 is not in 1..4"); }

TEST(ParsePeriod, RejectsHalf3) { ExpectRejected("2026S3", "half 3 is not in 1..2"); }

TEST(ParsePeriod, RejectsMultiYearEndingBeforeItBegins) {
  ExpectRejected("2026/2025", "the last year is before the first");
}

TEST(ParsePeriod, RejectsTwoDigitYear) { ExpectRejected("26", "too short"); }

TEST(ParsePeriod, RejectsMonthZero) { ExpectRejected("2026-00", "month 0 is not in 1..12"); }

TEST(ParsePeriod, RejectsUnknownLetter) {
  ExpectRejected("2026X1", "unknown period letter 'X'");
  ExpectRejected("2026-q1", "unknown period letter 'q'");
}

TEST(ParsePeriod, RejectsEmptyText) { ExpectRejected("", "too short"); }

TEST(ParsePeriod, RejectsYearOutOfRange) {
  ExpectRejected("1899", "year 1899 is not in 1900..2999");
  ExpectRejected("2026/3000", "last year is out of range");
}

TEST(ParsePeriod, RejectsInvalidDayWithTheFormsList) {
  ExpectRejected("2026-02-29", "day 29 is not in 1..28");
  ExpectRejected("20261301", "month 13 is not in 1..12");
}

TEST(ParsePeriod, RejectsMalformedVariants) {
  for (std::string_view text :
       {"2026-", "2026/", "2026/20300", "2026-Q", "2026-W", "2026-W003", "2026-q1", "2026--Q1",
        "2026-0115", "202601-15", "2026-1", "2026-001", " 2026", "2026 ", "2026-01-15x",
        "2026/20a0", "abcd", "2026-H1-", "2026-01/15"}) {
    SCOPED_TRACE(std::string(text));
    auto p = ParsePeriod(text);
    EXPECT_FALSE(p.ok()) << FormatPeriod(*p);
  }
}

TEST(FormatPeriod, UsesCanonicalForms) {
  EXPECT_EQ(FormatPeriod(*ParsePeriod("2026S1")), "2026-H1");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("2026Q3")), "2026-Q3");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("202611")), "2026-11");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("2026W3")), "2026-W03");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("20260115")), "2026-01-15");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("2026")), "2026");
  EXPECT_EQ(FormatPeriod(*ParsePeriod("2026/2030")), "2026/2030");
}

TEST(FormatPeriod, WeekUsesTheIsoWeekYear) {
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kWeek, D(2021, 1, 3))), "2020-W53");
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kWeek, D(2024, 12, 30))), "2025-W01");
}

TEST(FormatPeriod, RoundTripsEveryPeriodOfEveryGrain) {
  for (Grain grain :
       {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kHalf, Grain::kYear}) {
    for (int year : {1900, 2000, 2020, 2024, 2025, 2026, 2100, 2998}) {
      for (const Period& p : PeriodsOverlapping(grain, D(year, 1, 1), D(year + 1, 1, 1))) {
        const std::string text = FormatPeriod(p);
        auto back = ParsePeriod(text);
        ASSERT_TRUE(back.ok()) << text << ": " << back.error().message;
        ASSERT_EQ(*back, p) << text;
      }
    }
  }
}

TEST(FormatPeriod, RoundTripsMultiYear) {
  for (int first : {1900, 2026, 2999}) {
    for (int last = first; last <= std::min(first + 3, kMaxYear); ++last) {
      const Period p = MultiYear(first, last);
      auto back = ParsePeriod(FormatPeriod(p));
      ASSERT_TRUE(back.ok()) << FormatPeriod(p);
      EXPECT_EQ(*back, p);
    }
  }
}

TEST(PeriodOf, DayIsOneDay) {
  const Period p = PeriodOf(Grain::kDay, D(2026, 3, 4));
  EXPECT_EQ(p.days(), 1);
  EXPECT_EQ(p.begin, D(2026, 3, 4));
}

TEST(PeriodOf, WeekCrossingYearsBelongsToIsoYear) {
  const Period p = PeriodOf(Grain::kWeek, D(2027, 1, 1));
  EXPECT_EQ(p.begin, D(2026, 12, 28));
  EXPECT_EQ(p.end, D(2027, 1, 4));
  EXPECT_EQ(FormatPeriod(p), "2026-W53");
}

TEST(PeriodOf, EachGrainHoldsTheDate) {
  const Date d = D(2024, 2, 29);
  for (Grain grain :
       {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kHalf, Grain::kYear}) {
    const Period p = PeriodOf(grain, d);
    EXPECT_EQ(p.grain, grain);
    EXPECT_TRUE(p.Contains(d)) << GrainName(grain);
  }
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kMonth, d)), "2024-02");
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kQuarter, d)), "2024-Q1");
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kHalf, d)), "2024-H1");
  EXPECT_EQ(FormatPeriod(PeriodOf(Grain::kYear, d)), "2024");
}

TEST(PeriodsOverlapping, WeeksCrossingYearsAreWhole) {
  const auto weeks = PeriodsOverlapping(Grain::kWeek, D(2026, 12, 30), D(2027, 1, 6));
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(FormatPeriod(weeks[0]), "2026-W53");
  EXPECT_EQ(FormatPeriod(weeks[1]), "2027-W01");
  EXPECT_EQ(weeks[0].begin, D(2026, 12, 28));  // starts before the range
  EXPECT_EQ(weeks[1].end, D(2027, 1, 11));     // ends after it
}

TEST(PeriodsOverlapping, MonthsAcrossLeapFebruary) {
  const auto months = PeriodsOverlapping(Grain::kMonth, D(2024, 1, 31), D(2024, 3, 2));
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(FormatPeriod(months[0]), "2024-01");
  EXPECT_EQ(FormatPeriod(months[1]), "2024-02");
  EXPECT_EQ(months[1].days(), 29);
  EXPECT_EQ(FormatPeriod(months[2]), "2024-03");
}

TEST(PeriodsOverlapping, AreContiguousAndCoverTheRange) {
  const Date begin = D(2023, 11, 17);
  const Date end = D(2026, 2, 3);
  for (Grain grain :
       {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kHalf, Grain::kYear}) {
    const auto ps = PeriodsOverlapping(grain, begin, end);
    ASSERT_FALSE(ps.empty());
    EXPECT_LE(ps.front().begin, begin);
    EXPECT_GE(ps.back().end, end);
    for (size_t i = 1; i < ps.size(); ++i) EXPECT_EQ(ps[i - 1].end, ps[i].begin);
  }
}

TEST(PeriodsOverlapping, EmptyRangeGivesNothing) {
  EXPECT_TRUE(PeriodsOverlapping(Grain::kMonth, D(2026, 1, 1), D(2026, 1, 1)).empty());
}

TEST(PeriodsOverlapping, OneDayRangeGivesOnePeriod) {
  const auto ps = PeriodsOverlapping(Grain::kQuarter, D(2026, 5, 5), D(2026, 5, 6));
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(FormatPeriod(ps[0]), "2026-Q2");
}

TEST(Period, ContainsPeriod) {
  const Period year = *ParsePeriod("2026");
  EXPECT_TRUE(year.Contains(*ParsePeriod("2026-Q4")));
  EXPECT_FALSE(year.Contains(*ParsePeriod("2026-W53")));  // ends in 2027
  EXPECT_TRUE(year.Contains(year));
}

TEST(MultiYear, SpansWholeYears) {
  const Period p = MultiYear(2026, 2027);
  EXPECT_EQ(p.grain, Grain::kMultiYear);
  EXPECT_EQ(p.begin, D(2026, 1, 1));
  EXPECT_EQ(p.end, D(2028, 1, 1));
}

TEST(GrainName, RoundTripsThroughParseGrain) {
  for (Grain grain : {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kHalf,
                      Grain::kYear, Grain::kMultiYear}) {
    auto parsed = ParseGrain(GrainName(grain));
    ASSERT_TRUE(parsed.ok()) << GrainName(grain);
    EXPECT_EQ(*parsed, grain);
  }
}

TEST(GrainName, NamesAreLowerCaseWords) {
  EXPECT_STREQ(GrainName(Grain::kDay), "day");
  EXPECT_STREQ(GrainName(Grain::kQuarter), "quarter");
  EXPECT_STREQ(GrainName(Grain::kMultiYear), "multiyear");
}

TEST(ParseGrain, RejectsUnknownNameListingTheNames) {
  auto g = ParseGrain("Month");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(
      g.error().message,
      HasSubstr("'Month' is not a grain (day, week, month, quarter, half, year, multiyear)"));
  EXPECT_FALSE(ParseGrain("").ok());
}

}  // namespace
}  // namespace chollima
