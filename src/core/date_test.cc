#include "core/date.h"

#include <gtest/gtest.h>

namespace chollima {
namespace {

TEST(Date, EpochIsThursday) { EXPECT_EQ(Date(0).Weekday(), 3); }

}  // namespace
}  // namespace chollima
