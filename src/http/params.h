// Reading query parameters the same way on every route: unknown names are errors (a
// misspelt option never passes silently), and every message starts with the
// parameter's name.
//
//   CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"offset", "limit"}));
//   Result<int> limit = IntParameter(request, "limit", 100, 1, 1000);
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "engine/state.h"
#include "http/router.h"

namespace chollima::http {

// Fails naming the first parameter of `request` that is not in `known`.
Status CheckParameters(const Request& request, std::initializer_list<std::string_view> known);

// "", "true" and "1" are true; "false" and "0" false (a bare "&all" means true); absent
// is `fallback`.
Result<bool> BoolParameter(const Request& request, std::string_view name, bool fallback = false);

// A whole number in [min, max], or `fallback` when absent.
Result<int> IntParameter(const Request& request, std::string_view name, int fallback, int min,
                         int max);

// A date (YYYY-MM-DD), or nullopt when absent.
Result<std::optional<Date>> DateParameter(const Request& request, std::string_view name);

// The required parameter `name` (present and not empty).
Result<std::string> RequiredParameter(const Request& request, std::string_view name);

// "HIERARCHY/GROUP" resolved on `state`; kInvalidArgument when malformed, kNotFound
// when unknown. `name` prefixes the message.
Result<GroupId> ParseGroupRef(const engine::State& state, std::string_view name,
                              std::string_view text);

// Runs `f` (returning Result<Response>) and turns an Error into its JSON response.
template <typename F>
Response Respond(F&& f) {
  Result<Response> r = f();
  if (!r.ok()) return ErrorResponse(r.error());
  return std::move(r).value();
}

}  // namespace chollima::http
