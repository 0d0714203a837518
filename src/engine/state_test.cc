#include "engine/state.h"

#include <gtest/gtest.h>

namespace chollima::engine {
namespace {

TEST(State, ReportRoundTrip) {
  State s;
  const IndicatorId i = s.AddIndicator({.code = "coal"});
  const UnitId u = s.AddUnit({.code = "m1"});
  s.SetReport({u, i, Date::FromCivil(2026, 3, 1), 12.5});
  EXPECT_EQ(s.ReportValue(u, i, Date::FromCivil(2026, 3, 1)), 12.5);
  EXPECT_FALSE(s.ReportValue(u, i, Date::FromCivil(2026, 3, 2)).has_value());
}

}  // namespace
}  // namespace chollima::engine
