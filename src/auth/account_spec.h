// Checks that what an account is given exists in the economy: a planner's scope group
// and a reporter's units. The one check behind `chollima user add` and POST /api/users.
#pragma once

#include "core/status.h"
#include "engine/state.h"
#include "store/accounts.h"

namespace chollima::auth {

// kNotFound naming the first scope hierarchy, group or unit `state` does not have.
Status CheckAccountSpec(const store::AccountSpec& spec, const engine::State& state);

}  // namespace chollima::auth
