#include "http/router.h"

#include "core/text.h"
#include "io/json_writer.h"

namespace chollima::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

const std::string& Request::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  static const std::string kEmpty;
  return kEmpty;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || HexValue(text[i + 1]) < 0 || HexValue(text[i + 2]) < 0) {
        return InvalidArgument("bad percent-encoding in '" + std::string(text) + "'");
      }
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!IsValidUtf8(out)) return InvalidArgument("'" + std::string(text) + "' is not UTF-8");
  return out;
}

Result<QueryParams> ParseQuery(std::string_view query) {
  QueryParams params;
  for (std::string_view item : Split(query, '&')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    auto name = PercentDecode(item.substr(0, eq), true);
    if (!name.ok()) return InvalidArgument("query parameter: " + name.error().message);
    std::string value;
    if (eq != std::string_view::npos) {
      auto decoded = PercentDecode(item.substr(eq + 1), true);
      if (!decoded.ok()) return InvalidArgument(*name + ": " + decoded.error().message);
      value = std::move(*decoded);
    }
    params.Add(std::move(*name), std::move(value));
  }
  return params;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 422;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  io::JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String(code);
  w.Key("message");
  w.String(message);
  w.EndObject();
  w.EndObject();
  return JsonResponse(status, w.Take());
}

Response ErrorResponse(const Error& error) {
  return ErrorResponse(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message);
}

Response JsonResponse(int status, std::string json) {
  json.push_back('\n');
  return {.status = status, .content_type = "application/json", .body = std::move(json)};
}

void Router::Add(std::string method, std::string path, Handler handler) {
  Route route{.method = std::move(method),
              .path = std::move(path),
              .order = routes_.size(),
              .handler = std::move(handler)};
  for (std::string_view segment : Split(std::string_view(route.path).substr(1), '/')) {
    route.segments.emplace_back(segment);
    if (!segment.starts_with('{')) ++route.literal_count;
  }
  // More literal segments first, so "/api/units/new" is tried before "/api/units/{code}".
  auto at = routes_.begin();
  while (at != routes_.end() && at->literal_count >= route.literal_count) ++at;
  routes_.insert(at, std::move(route));
}

bool Router::Match(const Route& route, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>& params) {
  if (path.empty() || path[0] != '/') return false;
  const auto parts = Split(path.substr(1), '/');
  if (parts.size() != route.segments.size()) return false;
  params.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& pattern = route.segments[i];
    if (pattern.starts_with('{')) {
      if (parts[i].empty()) return false;
      params.emplace_back(pattern.substr(1, pattern.size() - 2), std::string(parts[i]));
    } else if (pattern != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Dispatched Router::Dispatch(std::string_view method, std::string_view target,
                                    std::string body) const {
  return Dispatch(Request{.method = std::string(method), .body = std::move(body)}, target);
}

Router::Dispatched Router::Dispatch(Request request, std::string_view target) const {
  const size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), false);
  if (!path.ok()) return {ErrorResponse(path.error()), "unmatched"};
  request.path = std::move(*path);
  if (q != std::string_view::npos) {
    auto query = ParseQuery(target.substr(q + 1));
    if (!query.ok()) return {ErrorResponse(query.error()), "unmatched"};
    request.query = std::move(*query);
  }
  bool path_known = false;
  std::vector<std::pair<std::string, std::string>> params;
  for (const Route& route : routes_) {
    if (!Match(route, request.path, params)) continue;
    path_known = true;
    if (route.method == request.method) {
      request.params = std::move(params);
      return {route.handler(request), route.path};
    }
  }
  if (path_known) {
    return {ErrorResponse(405, "method_not_allowed",
                          request.method + " is not allowed on " + request.path),
            "unmatched"};
  }
  if (fallback_ && (request.method == "GET" || request.method == "HEAD") &&
      !request.path.starts_with("/api/") && request.path != "/api") {
    return {fallback_(request), "static"};
  }
  return {ErrorResponse(404, "route_not_found", "no route " + request.path), "unmatched"};
}

std::vector<std::string> Router::Routes() const {
  // In registration order, not matching order.
  std::vector<const Route*> by_order(routes_.size());
  for (const Route& route : routes_) by_order[route.order] = &route;
  std::vector<std::string> out;
  for (const Route* route : by_order) out.push_back(route->method + " " + route->path);
  return out;
}

}  // namespace chollima::http
