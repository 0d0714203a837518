// Routing for the HTTP API, free of any network code so it can be tested alone: a
// request (method, decoded path, query parameters) goes to the handler registered for
// its method and path; every error becomes a JSON body {"error":{"code","message"}}
// with its HTTP status chosen in one place, HttpStatusFor.
//
//   Router router;
//   router.Add("GET", "/healthz", [](const Request&) { return JsonResponse(200, "{}"); });
//   Response r = router.Dispatch("GET", "/api/units?offset=10");
//
// Thread-safety: Add before serving; Dispatch may then run on many threads at once
// (handlers must be thread-safe themselves).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace chollima::http {

// Query parameters in the order given; a name may repeat.
class QueryParams {
 public:
  void Add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name`, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Fails with
// kInvalidArgument for a '%' not followed by two hex digits or a result that is not
// valid UTF-8.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=x%20y" into decoded pairs ("a" -> "1", "b" -> "x y"); an item without
// '=' has an empty value; empty items are skipped. Fails as PercentDecode does, naming
// the parameter.
Result<QueryParams> ParseQuery(std::string_view query);

struct Request {
  std::string method;  // "GET"
  std::string path;    // decoded, without the query
  QueryParams query;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The one mapping of chollima errors to HTTP statuses (docs/http-api.md):
// invalid_argument 400; not_found 422 (an unknown unit, indicator or hierarchy named in
// an otherwise valid request: an unknown route is a 404 from the router itself);
// already_exists and failed_precondition 409; io and internal 500.
int HttpStatusFor(ErrorCode code);

// {"error":{"code":code,"message":message}} with `status`.
Response ErrorResponse(int status, std::string_view code, std::string_view message);
// The same for a chollima Error, with the status of HttpStatusFor.
Response ErrorResponse(const Error& error);
// A 200 (or `status`) JSON response whose body is `json`.
Response JsonResponse(int status, std::string json);

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Registers `handler` for `method` and the exact `path`. REQUIRES: not yet registered.
  void Add(std::string method, std::string path, Handler handler);

  struct Dispatched {
    Response response;
    // The registered path that answered (a label for metrics), or "unmatched".
    std::string route;
  };
  // Parses `target` (path and query) and runs the matching handler. Answers 400 for a
  // malformed target, 404 for an unknown path, 405 for a known path with another
  // method, all as JSON errors.
  Dispatched Dispatch(std::string_view method, std::string_view target,
                      std::string body = {}) const;

  // "GET /healthz" for every route, in registration order.
  std::vector<std::string> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace chollima::http
