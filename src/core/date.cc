#include "core/date.h"

#include <cstdio>

#include "core/text.h"

namespace chollima {

// Civil <-> day-number conversions by eras of 400 years (the algorithms in Howard
// Hinnant's "chrono-Compatible Low-Level Date Algorithms"), exact for every date.
Date Date::FromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date(era * 146097 + doe - 719468);
}

CivilDate Date::ToCivil() const {
  const int z = days_ + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int day = doy - (153 * mp + 2) / 5 + 1;
  const int month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int Date::Weekday() const {
  // 1970-01-01 was a Thursday (3).
  const int w = (days_ + 3) % 7;
  return w < 0 ? w + 7 : w;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

int DaysInYear(int year) { return IsLeapYear(year) ? 366 : 365; }

Date IsoWeekStart(int year, int week) {
  // Week 1 is the week that holds January 4th.
  const Date jan4 = Date::FromCivil(year, 1, 4);
  return jan4 - jan4.Weekday() + (week - 1) * 7;
}

int IsoWeeksInYear(int year) { return (IsoWeekStart(year + 1, 1) - IsoWeekStart(year, 1)) / 7; }

IsoWeek IsoWeekOf(Date d) {
  const int year = d.ToCivil().year;
  for (int y : {year + 1, year, year - 1}) {
    const Date start = IsoWeekStart(y, 1);
    if (d >= start) return {y, (d - start) / 7 + 1};
  }
  return {year - 1, 1};  // Unreachable: week 1 of year-1 starts before any day of year.
}

Result<Date> ParseDate(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD): " + why);
  };
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    if (!ParseDigits(text.substr(0, 4), year) || !ParseDigits(text.substr(5, 2), month) ||
        !ParseDigits(text.substr(8, 2), day)) {
      return bad("expected digits");
    }
  } else if (text.size() == 8) {
    if (!ParseDigits(text.substr(0, 4), year) || !ParseDigits(text.substr(4, 2), month) ||
        !ParseDigits(text.substr(6, 2), day)) {
      return bad("expected digits");
    }
  } else {
    return bad("expected 10 characters, or 8 in the compact YYYYMMDD");
  }
  if (year < kMinYear || year > kMaxYear) {
    return bad("year " + std::to_string(year) + " is not in " + std::to_string(kMinYear) + ".." +
               std::to_string(kMaxYear));
  }
  if (month < 1 || month > 12) return bad("month " + std::to_string(month) + " is not in 1..12");
  if (day < 1 || day > DaysInMonth(year, month)) {
    return bad("day " + std::to_string(day) + " is not in 1.." +
               std::to_string(DaysInMonth(year, month)));
  }
  return Date::FromCivil(year, month, day);
}

std::string FormatDate(Date d) {
  const CivilDate c = d.ToCivil();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

}  // namespace chollima
