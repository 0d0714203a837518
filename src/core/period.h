// Periods: day, ISO week, month, quarter, half-year, year and multi-year spans, parsed
// from our identifiers and from DHIS2's.
//
//   ParsePeriod("2026-Q1")  -> quarter [2026-01-01, 2026-04-01)
//   ParsePeriod("2026Q1")   -> the same (DHIS2)
//   ParsePeriod("2026/2030")-> multi-year [2026-01-01, 2031-01-01)
//   FormatPeriod(p)         -> the canonical identifier, e.g. "2026-W03"
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace chollima {

// Ordered from the finest to the coarsest grain.
enum class Grain { kDay = 0, kWeek, kMonth, kQuarter, kHalf, kYear, kMultiYear };

const char* GrainName(Grain grain);
Result<Grain> ParseGrain(std::string_view name);

// A calendar period: the days [begin, end). Invariant: begin < end, and the span is
// exactly one period of `grain` (for kMultiYear: whole years).
struct Period {
  Grain grain = Grain::kDay;
  Date begin;
  Date end;

  int32_t days() const { return end - begin; }
  bool Contains(Date d) const { return d >= begin && d < end; }
  bool Contains(const Period& p) const { return p.begin >= begin && p.end <= end; }
  friend bool operator==(const Period&, const Period&) = default;
};

// Accepts: YYYY-MM-DD, YYYYMMDD, YYYY-Www, YYYYWw, YYYY-MM, YYYYMM, YYYY-Qq, YYYYQq,
// YYYY-Hh, YYYYSh (DHIS2 six-month), YYYY, and YYYY/YYYY (multi-year, both years
// included). Fails with kInvalidArgument saying which forms are accepted.
Result<Period> ParsePeriod(std::string_view text);
std::string FormatPeriod(const Period& period);

// The period of `grain` that holds `d`. REQUIRES: grain != kMultiYear.
Period PeriodOf(Grain grain, Date d);
// Multi-year period of whole years first..last. REQUIRES: first <= last.
Period MultiYear(int first_year, int last_year);

// The periods of `grain` that overlap [begin, end), in order. REQUIRES: grain != kMultiYear.
std::vector<Period> PeriodsOverlapping(Grain grain, Date begin, Date end);

}  // namespace chollima
