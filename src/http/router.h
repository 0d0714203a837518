// Routing for the HTTP API, free of any network code so it can be tested alone: a
// request (method, decoded path, query parameters, headers) goes to the handler
// registered for its method and path pattern; every error becomes a JSON body
// {"error":{"code","message"}} with its HTTP status chosen in one place, HttpStatusFor.
//
//   Router router;
//   router.Add("GET", "/healthz", [](const Request&) { return JsonResponse(200, "{}"); });
//   router.Add("GET", "/api/units/{code}", [](const Request& r) { ... r.Param("code") ... });
//   Router::Dispatched d = router.Dispatch(std::move(request));
//
// A pattern segment "{name}" matches one non-empty path segment; a literal segment wins
// over a parameter at the same place ("/api/units/new" before "/api/units/{code}").
// Requests no route matches go to the fallback handler when one is set (the dashboard's
// static files), else 404.
//
// Thread-safety: Add before serving; Dispatch may then run on many threads at once
// (handlers must be thread-safe themselves).
#pragma once

#include <functional>
#include <memory>
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

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET"
  std::string path;    // decoded, without the query
  QueryParams query;
  Headers headers;  // names in lower case
  std::string body;
  std::string remote;  // the client's address, "" when unknown
  // Set by the router: the values of the route's "{name}" segments.
  std::vector<std::pair<std::string, std::string>> params;

  // The first header named `name` (lower case), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The value of the route parameter `name`. REQUIRES: the route has it.
  const std::string& Param(std::string_view name) const;
};

// A response body produced over time (server-sent events). The server writes the
// status and headers, then repeatedly calls Next until it returns false or the client
// goes away. Next may block for a while (waiting for an event, or a keep-alive tick);
// the server runs it off its network threads.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Appends the next piece of the body to `out`. Returns false at the end of the stream
  // (including at server shutdown, which calls Cancel).
  virtual bool Next(std::string& out) = 0;
  // Makes a pending or later Next return false soon. Thread-safe.
  virtual void Cancel() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;                     // extra headers: Set-Cookie, Retry-After, Cache-Control...
  std::shared_ptr<BodyStream> stream;  // when set, the body is streamed (body ignored)
};

// The one mapping of chollima errors to HTTP statuses (docs/http-api.md):
// invalid_argument 400; not_found 422 (an unknown unit, indicator or hierarchy named in
// an otherwise valid request: an unknown route is a 404 from the router itself);
// already_exists and failed_precondition 409; unauthenticated 401; permission_denied
// 403; io and internal 500.
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
  // Registers `handler` for `method` and the path pattern `path`.
  // REQUIRES: not yet registered.
  void Add(std::string method, std::string path, Handler handler);
  // Answers GET and HEAD requests that no route matches (and that are not under /api/).
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }

  struct Dispatched {
    Response response;
    // The registered pattern that answered (a label for metrics), "static" for the
    // fallback, or "unmatched".
    std::string route;
  };
  // Parses `target` (path and query) and runs the matching handler. Answers 400 for a
  // malformed target, 404 for an unknown path, 405 for a known path with another
  // method, all as JSON errors.
  Dispatched Dispatch(std::string_view method, std::string_view target,
                      std::string body = {}) const;
  // The same for a request whose method, headers, body and remote are set; its path
  // and query are parsed from `target`.
  Dispatched Dispatch(Request request, std::string_view target) const;

  // "GET /healthz" for every route, in registration order.
  std::vector<std::string> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string path;
    std::vector<std::string> segments;  // of the pattern; "{x}" for a parameter
    int literal_count = 0;
    size_t order = 0;  // of registration
    Handler handler;
  };
  // Matches `path` against `route`, filling `params`.
  static bool Match(const Route& route, std::string_view path,
                    std::vector<std::pair<std::string, std::string>>& params);
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace chollima::http
