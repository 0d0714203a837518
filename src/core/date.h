// Calendar dates as a day number, and the civil-calendar arithmetic on them.
//
// A Date is the count of days since 1970-01-01 (proleptic Gregorian), so ranges are
// half-open integer intervals and a day index into a series is a subtraction.
//
//   Date d = Date::FromCivil(2026, 1, 15);
//   d.Weekday();        // 3 (Thursday; Monday is 0)
//   FormatDate(d + 17); // "2026-02-01"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace chollima {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(int32_t days) : days_(days) {}

  // REQUIRES: month in 1..12, day in 1..DaysInMonth(year, month).
  static Date FromCivil(int year, int month, int day);
  CivilDate ToCivil() const;

  constexpr int32_t days() const { return days_; }
  // 0 = Monday ... 6 = Sunday.
  int Weekday() const;

  friend constexpr Date operator+(Date d, int32_t n) { return Date(d.days_ + n); }
  friend constexpr Date operator-(Date d, int32_t n) { return Date(d.days_ - n); }
  friend constexpr int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  friend constexpr auto operator<=>(Date a, Date b) = default;

 private:
  int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);
int DaysInYear(int year);

// ISO 8601 week: the week-year and the week number (1..53) that `d` falls in.
struct IsoWeek {
  int year = 0;
  int week = 0;
};
IsoWeek IsoWeekOf(Date d);
// REQUIRES: week in 1..IsoWeeksInYear(year). Returns the Monday of that week.
Date IsoWeekStart(int year, int week);
int IsoWeeksInYear(int year);

// Parses "YYYY-MM-DD" (and the compact "YYYYMMDD"). Fails with kInvalidArgument naming
// what is wrong ("month 13 is not in 1..12").
Result<Date> ParseDate(std::string_view text);
std::string FormatDate(Date d);

// Years accepted anywhere: keeps day numbers well inside int32 and dates four-digit.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2999;

}  // namespace chollima
