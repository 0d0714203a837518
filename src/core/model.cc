#include "core/model.h"

namespace chollima {

const char* DirectionName(Direction d) { return d == Direction::kHigher ? "higher" : "lower"; }

const char* AggregationName(Aggregation a) {
  switch (a) {
    case Aggregation::kSum:
      return "sum";
    case Aggregation::kMean:
      return "mean";
    case Aggregation::kLast:
      return "last";
    case Aggregation::kMax:
      return "max";
  }
  return "sum";
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kOutput:
      return "output";
    case Role::kInput:
      return "input";
    case Role::kQuality:
      return "quality";
  }
  return "output";
}

bool ParseDirection(std::string_view s, Direction& out) {
  if (s == "higher") {
    out = Direction::kHigher;
  } else if (s == "lower") {
    out = Direction::kLower;
  } else {
    return false;
  }
  return true;
}

bool ParseAggregation(std::string_view s, Aggregation& out) {
  for (Aggregation a :
       {Aggregation::kSum, Aggregation::kMean, Aggregation::kLast, Aggregation::kMax}) {
    if (s == AggregationName(a)) {
      out = a;
      return true;
    }
  }
  return false;
}

bool ParseRole(std::string_view s, Role& out) {
  for (Role r : {Role::kOutput, Role::kInput, Role::kQuality}) {
    if (s == RoleName(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

}  // namespace chollima
