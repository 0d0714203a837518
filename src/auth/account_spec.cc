#include "auth/account_spec.h"

namespace chollima::auth {

Status CheckAccountSpec(const store::AccountSpec& spec, const engine::State& state) {
  if (!spec.scope_hierarchy.empty() || !spec.scope_group.empty()) {
    const auto h = state.FindHierarchy(spec.scope_hierarchy);
    if (!h) return NotFound("scope: no hierarchy '" + spec.scope_hierarchy + "'");
    if (!state.FindGroup(*h, spec.scope_group)) {
      return NotFound("scope: no group '" + spec.scope_group + "' in hierarchy '" +
                      spec.scope_hierarchy + "'");
    }
  }
  for (const std::string& unit : spec.units) {
    if (!state.FindUnit(unit)) return NotFound("units: no unit '" + unit + "'");
  }
  return OkStatus();
}

}  // namespace chollima::auth
