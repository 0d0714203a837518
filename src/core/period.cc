#include "core/period.h"

#include <cstdio>

#include "core/text.h"

namespace chollima {
namespace {

Result<Period> Bad(std::string_view text, const std::string& why) {
  return InvalidArgument("'" + std::string(text) + "' is not a period: " + why +
                         " (use 2026, 2026-H1, 2026-Q1, 2026-01, 2026-W03, 2026-01-15, "
                         "2026/2030, or DHIS2's 2026S1, 2026Q1, 202601, 2026W3, 20260115)");
}

bool YearInRange(int year) { return year >= kMinYear && year <= kMaxYear; }

Period MonthPeriod(int year, int month) {
  const Date begin = Date::FromCivil(year, month, 1);
  return {Grain::kMonth, begin, begin + DaysInMonth(year, month)};
}

Period QuarterPeriod(int year, int quarter) {
  const int m = (quarter - 1) * 3 + 1;
  const Date begin = Date::FromCivil(year, m, 1);
  const Date end = quarter == 4 ? Date::FromCivil(year + 1, 1, 1) : Date::FromCivil(year, m + 3, 1);
  return {Grain::kQuarter, begin, end};
}

Period HalfPeriod(int year, int half) {
  const Date begin = Date::FromCivil(year, half == 1 ? 1 : 7, 1);
  const Date end = half == 1 ? Date::FromCivil(year, 7, 1) : Date::FromCivil(year + 1, 1, 1);
  return {Grain::kHalf, begin, end};
}

Period YearPeriod(int year) {
  return {Grain::kYear, Date::FromCivil(year, 1, 1), Date::FromCivil(year + 1, 1, 1)};
}

Period WeekPeriod(int year, int week) {
  const Date begin = IsoWeekStart(year, week);
  return {Grain::kWeek, begin, begin + 7};
}

// Parses "<year><sep><letter><n>" forms: 2026-Q1, 2026Q1, 2026-W03, 2026W3, 2026S1.
Result<Period> ParseLettered(std::string_view text, int year, std::string_view rest) {
  if (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  if (rest.size() < 2) return Bad(text, "expected a number after the letter");
  const char letter = rest.front();
  int n = 0;
  if (!ParseDigits(rest.substr(1), n) || rest.size() > 3) {
    return Bad(text, "expected one or two digits after '" + std::string(1, letter) + "'");
  }
  switch (letter) {
    case 'Q':
      if (n < 1 || n > 4) return Bad(text, "quarter " + std::to_string(n) + " is not in 1..4");
      return QuarterPeriod(year, n);
    case 'H':
    case 'S':
      if (n < 1 || n > 2) return Bad(text, "half " + std::to_string(n) + " is not in 1..2");
      return HalfPeriod(year, n);
    case 'W':
      if (n < 1 || n > IsoWeeksInYear(year)) {
        return Bad(text, "week " + std::to_string(n) + " is not in 1.." +
                             std::to_string(IsoWeeksInYear(year)) + " of " + std::to_string(year));
      }
      return WeekPeriod(year, n);
    default:
      return Bad(text, "unknown period letter '" + std::string(1, letter) + "'");
  }
}

}  // namespace

const char* GrainName(Grain grain) {
  switch (grain) {
    case Grain::kDay:
      return "day";
    case Grain::kWeek:
      return "week";
    case Grain::kMonth:
      return "month";
    case Grain::kQuarter:
      return "quarter";
    case Grain::kHalf:
      return "half";
    case Grain::kYear:
      return "year";
    case Grain::kMultiYear:
      return "multiyear";
  }
  return "day";
}

Result<Grain> ParseGrain(std::string_view name) {
  for (Grain g : {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kHalf,
                  Grain::kYear, Grain::kMultiYear}) {
    if (name == GrainName(g)) return g;
  }
  return InvalidArgument("'" + std::string(name) +
                         "' is not a grain (day, week, month, quarter, half, year, multiyear)");
}

Result<Period> ParsePeriod(std::string_view text) {
  if (text.size() < 4) return Bad(text, "too short");
  int year = 0;
  if (!ParseDigits(text.substr(0, 4), year)) return Bad(text, "expected a four-digit year first");
  if (!YearInRange(year)) {
    return Bad(text, "year " + std::to_string(year) + " is not in " + std::to_string(kMinYear) +
                         ".." + std::to_string(kMaxYear));
  }
  const std::string_view rest = text.substr(4);
  if (rest.empty()) return YearPeriod(year);
  if (rest.front() == '/') {
    int last = 0;
    if (rest.size() != 5 || !ParseDigits(rest.substr(1), last)) {
      return Bad(text, "expected a four-digit last year after '/'");
    }
    if (!YearInRange(last)) return Bad(text, "last year is out of range");
    if (last < year) return Bad(text, "the last year is before the first");
    return MultiYear(year, last);
  }
  const bool dashed = rest.front() == '-';
  const std::string_view body = dashed ? rest.substr(1) : rest;
  // Any letter goes to ParseLettered, so that "2026X1" is called an unknown letter.
  if (!body.empty() && ((body.front() >= 'A' && body.front() <= 'Z') ||
                        (body.front() >= 'a' && body.front() <= 'z'))) {
    return ParseLettered(text, year, body);
  }
  // Month (2026-01, 202601) or day (2026-01-15, 20260115).
  if (body.size() == 2) {
    int month = 0;
    if (!ParseDigits(body, month)) return Bad(text, "expected a two-digit month");
    if (month < 1 || month > 12) {
      return Bad(text, "month " + std::to_string(month) + " is not in 1..12");
    }
    return MonthPeriod(year, month);
  }
  if ((dashed && body.size() == 5 && body[2] == '-') || (!dashed && body.size() == 4)) {
    // Checked here rather than by ParseDate so that the message lists the period forms.
    int month = 0;
    int day = 0;
    if (!ParseDigits(body.substr(0, 2), month) || !ParseDigits(body.substr(body.size() - 2), day)) {
      return Bad(text, "expected a two-digit month and day");
    }
    if (month < 1 || month > 12) {
      return Bad(text, "month " + std::to_string(month) + " is not in 1..12");
    }
    if (day < 1 || day > DaysInMonth(year, month)) {
      return Bad(text, "day " + std::to_string(day) + " is not in 1.." +
                           std::to_string(DaysInMonth(year, month)));
    }
    const Date d = Date::FromCivil(year, month, day);
    return Period{Grain::kDay, d, d + 1};
  }
  return Bad(text, "unrecognized form");
}

std::string FormatPeriod(const Period& p) {
  const CivilDate c = p.begin.ToCivil();
  char buf[32];
  switch (p.grain) {
    case Grain::kDay:
      return FormatDate(p.begin);
    case Grain::kWeek: {
      const IsoWeek w = IsoWeekOf(p.begin);
      std::snprintf(buf, sizeof buf, "%04d-W%02d", w.year, w.week);
      return buf;
    }
    case Grain::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02d", c.year, c.month);
      return buf;
    case Grain::kQuarter:
      std::snprintf(buf, sizeof buf, "%04d-Q%d", c.year, (c.month - 1) / 3 + 1);
      return buf;
    case Grain::kHalf:
      std::snprintf(buf, sizeof buf, "%04d-H%d", c.year, c.month <= 6 ? 1 : 2);
      return buf;
    case Grain::kYear:
      std::snprintf(buf, sizeof buf, "%04d", c.year);
      return buf;
    case Grain::kMultiYear:
      std::snprintf(buf, sizeof buf, "%04d/%04d", c.year, (p.end - 1).ToCivil().year);
      return buf;
  }
  return "";
}

Period PeriodOf(Grain grain, Date d) {
  const CivilDate c = d.ToCivil();
  switch (grain) {
    case Grain::kDay:
      return {Grain::kDay, d, d + 1};
    case Grain::kWeek: {
      const IsoWeek w = IsoWeekOf(d);
      return WeekPeriod(w.year, w.week);
    }
    case Grain::kMonth:
      return MonthPeriod(c.year, c.month);
    case Grain::kQuarter:
      return QuarterPeriod(c.year, (c.month - 1) / 3 + 1);
    case Grain::kHalf:
      return HalfPeriod(c.year, c.month <= 6 ? 1 : 2);
    case Grain::kYear:
    case Grain::kMultiYear:
      return YearPeriod(c.year);
  }
  return {Grain::kDay, d, d + 1};
}

Period MultiYear(int first_year, int last_year) {
  return {Grain::kMultiYear, Date::FromCivil(first_year, 1, 1),
          Date::FromCivil(last_year + 1, 1, 1)};
}

std::vector<Period> PeriodsOverlapping(Grain grain, Date begin, Date end) {
  std::vector<Period> out;
  for (Date d = begin; d < end;) {
    const Period p = PeriodOf(grain, d);
    out.push_back(p);
    d = p.end;
  }
  return out;
}

}  // namespace chollima
