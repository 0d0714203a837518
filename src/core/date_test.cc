#include "core/date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chollima {
namespace {

using ::testing::HasSubstr;

// Days since 1970-01-01 of January 1st of `year`, by counting whole years.
int32_t DaysBeforeYear(int year) {
  int32_t days = 0;
  for (int y = 1970; y < year; ++y)
    days += (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 366 : 365;
  for (int y = year; y < 1970; ++y)
    days -= (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 366 : 365;
  return days;
}

TEST(Date, EpochIsThursday) { EXPECT_EQ(Date(0).Weekday(), 3); }

TEST(Date, EpochIsDayZero) { EXPECT_EQ(Date::FromCivil(1970, 1, 1).days(), 0); }

TEST(Date, CivilRoundTripsEveryDayFrom1900To2999) {
  // An independent count: walk day by day with a month-length table, no era algorithm.
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int32_t days = DaysBeforeYear(kMinYear);
  int mismatches = 0;
  for (int year = kMinYear; year <= kMaxYear; ++year) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    for (int month = 1; month <= 12; ++month) {
      const int month_days = kMonthDays[month - 1] + (month == 2 && leap ? 1 : 0);
      for (int day = 1; day <= month_days; ++day, ++days) {
        const Date d = Date::FromCivil(year, month, day);
        const CivilDate c = Date(days).ToCivil();
        if (d.days() != days || c.year != year || c.month != month || c.day != day) {
          if (++mismatches <= 5) {
            ADD_FAILURE() << year << "-" << month << "-" << day << ": FromCivil " << d.days()
                          << ", expected " << days << "; ToCivil " << c.year << "-" << c.month
                          << "-" << c.day;
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(days, DaysBeforeYear(kMaxYear + 1));
}

TEST(Date, ArithmeticIsInDays) {
  const Date d = Date::FromCivil(2026, 1, 15);
  EXPECT_EQ(FormatDate(d + 17), "2026-02-01");
  EXPECT_EQ(FormatDate(d - 15), "2025-12-31");
  EXPECT_EQ(Date::FromCivil(2027, 1, 1) - Date::FromCivil(2026, 1, 1), 365);
  EXPECT_LT(d, d + 1);
}

TEST(Date, DatesBefore1970AreNegative) {
  EXPECT_EQ(Date::FromCivil(1969, 12, 31).days(), -1);
  EXPECT_EQ(FormatDate(Date(-1)), "1969-12-31");
}

TEST(IsLeapYear, FollowsGregorianRules) {
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_FALSE(IsLeapYear(2100));
}

TEST(DaysInMonth, FebruaryDependsOnLeapYear) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2026, 2), 28);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
}

TEST(DaysInMonth, OtherMonths) {
  EXPECT_EQ(DaysInMonth(2026, 1), 31);
  EXPECT_EQ(DaysInMonth(2026, 4), 30);
  EXPECT_EQ(DaysInMonth(2026, 12), 31);
}

TEST(DaysInYear, LeapYearHas366) {
  EXPECT_EQ(DaysInYear(2024), 366);
  EXPECT_EQ(DaysInYear(2026), 365);
  EXPECT_EQ(DaysInYear(2100), 365);
}

TEST(Date, LeapDayIsFollowedByMarchFirst) {
  EXPECT_EQ(FormatDate(Date::FromCivil(2024, 2, 29) + 1), "2024-03-01");
  EXPECT_EQ(FormatDate(Date::FromCivil(2024, 2, 28) + 1), "2024-02-29");
  EXPECT_EQ(FormatDate(Date::FromCivil(2100, 2, 28) + 1), "2100-03-01");
}

TEST(Weekday, KnownDates) {
  EXPECT_EQ(Date::FromCivil(2026, 1, 15).Weekday(), 3);   // Thursday
  EXPECT_EQ(Date::FromCivil(2026, 1, 1).Weekday(), 3);    // Thursday
  EXPECT_EQ(Date::FromCivil(2000, 1, 1).Weekday(), 5);    // Saturday
  EXPECT_EQ(Date::FromCivil(1900, 1, 1).Weekday(), 0);    // Monday
  EXPECT_EQ(Date::FromCivil(2024, 2, 29).Weekday(), 3);   // Thursday
  EXPECT_EQ(Date::FromCivil(1969, 12, 28).Weekday(), 6);  // Sunday, before the epoch
}

TEST(Weekday, CyclesThroughSeven) {
  const Date monday = Date::FromCivil(2026, 1, 5);
  for (int i = 0; i < 14; ++i) EXPECT_EQ((monday + i).Weekday(), i % 7);
}

TEST(IsoWeekOf, NewYearsDay2026IsWeekOneThursday) {
  const Date d = Date::FromCivil(2026, 1, 1);
  const IsoWeek w = IsoWeekOf(d);
  EXPECT_EQ(w.year, 2026);
  EXPECT_EQ(w.week, 1);
  EXPECT_EQ(d.Weekday(), 3);
}

TEST(IsoWeekOf, EarlyJanuaryCanBelongToPreviousYear) {
  const IsoWeek w = IsoWeekOf(Date::FromCivil(2021, 1, 3));
  EXPECT_EQ(w.year, 2020);
  EXPECT_EQ(w.week, 53);
}

TEST(IsoWeekOf, NewYearsDay2027IsIn2026Week53) {
  const IsoWeek w = IsoWeekOf(Date::FromCivil(2027, 1, 1));
  EXPECT_EQ(w.year, 2026);
  EXPECT_EQ(w.week, 53);
}

TEST(IsoWeekOf, LateDecemberCanBelongToNextYear) {
  const IsoWeek w = IsoWeekOf(Date::FromCivil(2024, 12, 30));  // a Monday
  EXPECT_EQ(w.year, 2025);
  EXPECT_EQ(w.week, 1);
}

TEST(IsoWeeksInYear, SomeYearsHave53) {
  EXPECT_EQ(IsoWeeksInYear(2020), 53);
  EXPECT_EQ(IsoWeeksInYear(2026), 53);
  EXPECT_EQ(IsoWeeksInYear(2032), 53);
  EXPECT_EQ(IsoWeeksInYear(2021), 52);
  EXPECT_EQ(IsoWeeksInYear(2025), 52);
  EXPECT_EQ(IsoWeeksInYear(2027), 52);
}

TEST(IsoWeekStart, IsAMondayAndInvertsIsoWeekOf) {
  for (int year = 2018; year <= 2034; ++year) {
    for (int week = 1; week <= IsoWeeksInYear(year); ++week) {
      const Date start = IsoWeekStart(year, week);
      ASSERT_EQ(start.Weekday(), 0) << year << "-W" << week;
      const IsoWeek w = IsoWeekOf(start + 6);
      ASSERT_EQ(w.year, year);
      ASSERT_EQ(w.week, week);
    }
  }
}

TEST(IsoWeekStart, Week1Of2026BeginsOnDecember29) {
  EXPECT_EQ(FormatDate(IsoWeekStart(2026, 1)), "2025-12-29");
}

TEST(ParseDate, AcceptsDashedForm) {
  auto d = ParseDate("2026-01-15");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, Date::FromCivil(2026, 1, 15));
}

TEST(ParseDate, AcceptsCompactForm) {
  auto d = ParseDate("20260115");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, Date::FromCivil(2026, 1, 15));
}

TEST(ParseDate, AcceptsLeapDayInLeapYear) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, Date::FromCivil(2024, 2, 29));
}

TEST(ParseDate, AcceptsYearRangeBounds) {
  EXPECT_TRUE(ParseDate("1900-01-01").ok());
  EXPECT_TRUE(ParseDate("2999-12-31").ok());
}

TEST(ParseDate, RejectsLeapDayInCommonYear) {
  auto d = ParseDate("2026-02-29");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(d.error().message, HasSubstr("day 29 is not in 1..28"));
}

TEST(ParseDate, RejectsMonth13) {
  auto d = ParseDate("2026-13-01");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("month 13 is not in 1..12"));
}

TEST(ParseDate, RejectsDayZero) {
  auto d = ParseDate("2026-01-00");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("day 0 is not in 1..31"));
}

TEST(ParseDate, RejectsUnpaddedFields) {
  auto d = ParseDate("2026-1-1");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("'2026-1-1' is not a date"));
}

TEST(ParseDate, RejectsEmptyText) {
  auto d = ParseDate("");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("expected 10 characters"));
}

TEST(ParseDate, RejectsLetters) {
  auto d = ParseDate("abcd-ef-gh");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("expected digits"));
}

TEST(ParseDate, RejectsYearOutOfRange) {
  auto d = ParseDate("1899-12-31");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().message, HasSubstr("year 1899 is not in 1900..2999"));
  EXPECT_FALSE(ParseDate("3000-01-01").ok());
}

TEST(ParseDate, RejectsSignsSpacesAndOtherSeparators) {
  EXPECT_FALSE(ParseDate(" 2026-01-15").ok());
  EXPECT_FALSE(ParseDate("2026-01-15 ").ok());
  EXPECT_FALSE(ParseDate("2026/01/15").ok());
  EXPECT_FALSE(ParseDate("2026-+1-15").ok());
  EXPECT_FALSE(ParseDate("+2026-01-15").ok());
  EXPECT_FALSE(ParseDate("2026-01-15T00:00").ok());
}

TEST(FormatDate, PadsToFourTwoTwo) {
  EXPECT_EQ(FormatDate(Date::FromCivil(1900, 3, 5)), "1900-03-05");
  EXPECT_EQ(FormatDate(Date::FromCivil(2999, 12, 31)), "2999-12-31");
}

TEST(FormatDate, RoundTripsThroughParseDate) {
  for (Date d = Date::FromCivil(2023, 12, 1); d < Date::FromCivil(2025, 3, 1); d = d + 1) {
    auto parsed = ParseDate(FormatDate(d));
    ASSERT_TRUE(parsed.ok()) << FormatDate(d);
    ASSERT_EQ(*parsed, d);
  }
}

}  // namespace
}  // namespace chollima
