// Feeds arbitrary bytes to the period, date, number and other text parsers. Checks that
// whatever parses formats back to a canonical text that parses to the same value.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/period.h"
#include "core/text.h"

namespace {

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

void CheckPeriod(std::string_view text) {
  auto period = chollima::ParsePeriod(text);
  if (!period.ok()) {
    FUZZ_CHECK(period.error().code == chollima::ErrorCode::kInvalidArgument);
    FUZZ_CHECK(period.error().message.find("is not a period") != std::string::npos);
    return;
  }
  FUZZ_CHECK(period->begin < period->end);
  const std::string canonical = chollima::FormatPeriod(*period);
  auto again = chollima::ParsePeriod(canonical);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *period);
  FUZZ_CHECK(chollima::FormatPeriod(*again) == canonical);
  if (period->grain != chollima::Grain::kMultiYear) {
    FUZZ_CHECK(chollima::PeriodOf(period->grain, period->begin) == *period);
    FUZZ_CHECK(chollima::PeriodOf(period->grain, period->end - 1) == *period);
  }
}

void CheckDate(std::string_view text) {
  auto date = chollima::ParseDate(text);
  if (!date.ok()) {
    FUZZ_CHECK(date.error().code == chollima::ErrorCode::kInvalidArgument);
    return;
  }
  const std::string formatted = chollima::FormatDate(*date);
  if (text.size() == 10) FUZZ_CHECK(formatted == text);
  auto again = chollima::ParseDate(formatted);
  FUZZ_CHECK(again.ok() && *again == *date);
  auto day = chollima::ParsePeriod(text);  // every date is also a day period
  FUZZ_CHECK(day.ok() && day->grain == chollima::Grain::kDay && day->begin == *date);
}

void CheckNumber(std::string_view text) {
  double value = 0;
  if (!chollima::ParseNumber(text, value)) return;
  FUZZ_CHECK(std::isfinite(value));
  const std::string formatted = chollima::FormatNumber(value);
  double again = 0;
  FUZZ_CHECK(chollima::ParseNumber(formatted, again));
  FUZZ_CHECK(std::bit_cast<uint64_t>(again) == std::bit_cast<uint64_t>(value));  // -0 too
}

void CheckText(std::string_view text) {
  int digits = -1;
  if (chollima::ParseDigits(text, digits)) FUZZ_CHECK(digits >= 0);
  (void)chollima::IsValidUtf8(text);
  const std::string_view trimmed = chollima::Trim(text);
  FUZZ_CHECK(trimmed.size() <= text.size());
  FUZZ_CHECK(chollima::ToLower(text).size() == text.size());
  size_t total = 0;
  for (std::string_view part : chollima::Split(text, ',')) total += part.size() + 1;
  FUZZ_CHECK(total == text.size() + 1);
  auto grain = chollima::ParseGrain(text);
  if (grain.ok()) FUZZ_CHECK(text == chollima::GrainName(*grain));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckPeriod(text);
  CheckDate(text);
  CheckNumber(text);
  CheckText(text);
  return 0;
}
