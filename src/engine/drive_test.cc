#include "engine/drive.h"

#include <gtest/gtest.h>

namespace chollima::engine {
namespace {
TEST(Drive, Builds) { EXPECT_TRUE(SeasonsOf(Drive{}).empty()); }
}  // namespace
}  // namespace chollima::engine
