#include "http/params.h"

#include "core/date.h"
#include "core/text.h"
#include "service/fulfilment_query.h"

namespace chollima::http {

Status CheckParameters(const Request& request, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query.items()) {
    bool found = false;
    for (std::string_view k : known) found = found || k == name;
    if (!found) return InvalidArgument(name + ": unknown parameter");
  }
  return OkStatus();
}

Result<bool> BoolParameter(const Request& request, std::string_view name, bool fallback) {
  const auto v = request.query.Get(name);
  if (!v) return fallback;
  if (v->empty() || *v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return InvalidArgument(std::string(name) + ": expected true or false, not '" + *v + "'");
}

Result<int> IntParameter(const Request& request, std::string_view name, int fallback, int min,
                         int max) {
  const auto v = request.query.Get(name);
  if (!v) return fallback;
  int n = 0;
  if (!ParseDigits(*v, n) || n < min || n > max) {
    return InvalidArgument(std::string(name) + ": expected a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ", not '" + *v +
                           "'");
  }
  return n;
}

Result<std::optional<Date>> DateParameter(const Request& request, std::string_view name) {
  const auto v = request.query.Get(name);
  if (!v) return std::optional<Date>();
  auto d = ParseDate(*v);
  if (!d.ok()) return InvalidArgument(std::string(name) + ": " + d.error().message);
  return std::optional<Date>(*d);
}

Result<std::string> RequiredParameter(const Request& request, std::string_view name) {
  auto v = request.query.Get(name);
  if (!v || v->empty()) return InvalidArgument(std::string(name) + ": required");
  return std::move(*v);
}

Result<GroupId> ParseGroupRef(const engine::State& state, std::string_view name,
                              std::string_view text) {
  auto g = service::ResolveGroupRef(state, text);
  if (!g.ok()) return Error{g.error().code, std::string(name) + ": " + g.error().message};
  return *g;
}

}  // namespace chollima::http
