#include "core/text.h"

#include <gtest/gtest.h>

namespace chollima {
namespace {}  // namespace
}  // namespace chollima
