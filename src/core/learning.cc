#include "core/learning.h"

namespace chollima {

const char* PairRuleKindName(PairRuleKind k) {
  switch (k) {
    case PairRuleKind::kFixed:
      return "fixed";
    case PairRuleKind::kForbidden:
      return "forbidden";
    case PairRuleKind::kNone:
      return "none";
  }
  return "none";
}

bool ParsePairRuleKind(std::string_view s, PairRuleKind& out) {
  for (PairRuleKind v : {PairRuleKind::kFixed, PairRuleKind::kForbidden, PairRuleKind::kNone}) {
    if (s == PairRuleKindName(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

}  // namespace chollima
