// Callers, sessions, accounts, the audit log and the event stream (see api.h).
#include <algorithm>

#include "auth/account_spec.h"
#include "core/text.h"
#include "http/api.h"
#include "http/openapi.h"
#include "http/params.h"
#include "io/json_reader.h"
#include "io/json_writer.h"

namespace chollima::http {
namespace {

constexpr std::string_view kBearer = "Bearer ";

// The value of cookie `name` in a Cookie header ("a=1; chollima_session=xyz").
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  for (std::string_view part : Split(header, ';')) {
    part = Trim(part);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

void WriteUser(io::JsonWriter& w, const store::Account& a) {
  w.BeginObject();
  w.Key("name");
  w.String(a.name);
  w.Key("role");
  w.String(store::AccountRoleName(a.role));
  w.Key("scope");
  if (a.role == store::AccountRole::kPlanner) {
    w.String(a.scope_hierarchy + "/" + a.scope_group);
  } else {
    w.Null();
  }
  w.Key("units");
  w.BeginArray();
  for (const std::string& u : a.units) w.String(u);
  w.EndArray();
  w.Key("created_at");
  w.String(a.created_at);
  w.Key("revoked_at");
  if (a.revoked_at) {
    w.String(*a.revoked_at);
  } else {
    w.Null();
  }
  w.EndObject();
}

// Writes `json` (stored JSON text) as a value, or null.
void WriteStoredJson(io::JsonWriter& w, const std::optional<std::string>& json) {
  if (!json) return w.Null();
  auto parsed = io::ParseJson(*json);
  if (parsed.ok()) return io::WriteJson(*parsed, w);
  w.String(*json);
}

void WriteAuditEntry(io::JsonWriter& w, const store::AuditEntry& e) {
  w.BeginObject();
  w.Key("seq");
  w.Int(e.seq);
  w.Key("at");
  w.String(e.at);
  w.Key("actor");
  w.String(e.actor);
  w.Key("action");
  w.String(e.action);
  w.Key("target");
  w.String(e.target);
  w.Key("old");
  WriteStoredJson(w, e.old_value);
  w.Key("new");
  WriteStoredJson(w, e.new_value);
  w.Key("batch");
  if (e.batch) {
    w.Int(*e.batch);
  } else {
    w.Null();
  }
  w.EndObject();
}

// The request body as a JSON object; 400 names line and column of malformed JSON.
Result<io::JsonValue> JsonObjectBody(const Request& request) {
  auto body = io::ParseJson(request.body);
  if (!body.ok()) return InvalidArgument("body: " + body.error().message);
  if (!body->IsObject()) return InvalidArgument("body: expected a JSON object");
  return std::move(*body);
}

// The string member `key` of `body`: "" when absent; an error when not a string.
Result<std::string> StringMember(const io::JsonValue& body, std::string_view key, bool required) {
  const io::JsonValue* v = body.Find(key);
  if (v == nullptr || v->IsNull()) {
    if (required) return InvalidArgument("$." + std::string(key) + ": required");
    return std::string();
  }
  if (!v->IsString()) return InvalidArgument("$." + std::string(key) + ": expected a string");
  return std::string(v->AsString());
}

}  // namespace

Result<Api::Caller> Api::Authenticate(const Request& request) const {
  const store::Timestamp now = context_.now();
  if (const auto auth = request.Header("authorization")) {
    if (!auth->starts_with(kBearer)) {
      return Unauthenticated("the Authorization header must be 'Bearer TOKEN'");
    }
    auto match = context_.accounts.FindApiToken(Trim(auth->substr(kBearer.size())));
    if (!match.ok()) {
      return Unauthenticated("the API token is unknown or revoked");
    }
    return Caller{.account = std::move(match->account)};
  }
  if (const auto cookies = request.Header("cookie")) {
    if (const auto token = CookieValue(*cookies, kSessionCookie)) {
      auto session = context_.accounts.FindSession(*token, now);
      if (!session.ok()) return Unauthenticated("the session has ended: log in again");
      return Caller{.account = std::move(session->account),
                    .by_session = true,
                    .session_token = std::string(*token),
                    .csrf = std::move(session->csrf)};
    }
  }
  return Unauthenticated(
      "log in first (POST /api/login) or send an API token (Authorization: Bearer TOKEN)");
}

Response Api::Guarded(const Request& request, Access access,
                      const std::function<Response(const Caller&)>& handler) const {
  if (access == Access::kPublic) return handler(Caller{});
  auto caller = Authenticate(request);
  if (!caller.ok()) return ErrorResponse(caller.error());
  // A write made with the session cookie must carry the session's CSRF token, which a
  // page of another site cannot read.
  if (caller->by_session && !IsSafeMethod(request.method)) {
    const auto csrf = request.Header("x-csrf-token");
    if (!csrf || !store::ConstantTimeEquals(*csrf, caller->csrf)) {
      return ErrorResponse(PermissionDenied(
          "missing or wrong X-CSRF-Token header (send the csrf value from /api/login or "
          "/api/me)"));
    }
  }
  const store::AccountRole role = caller->account.role;
  if (access == Access::kWrite && role == store::AccountRole::kViewer) {
    return ErrorResponse(
        PermissionDenied("'" + caller->account.name + "' is a viewer: viewers read only"));
  }
  if (access == Access::kAdmin && role != store::AccountRole::kAdmin) {
    return ErrorResponse(PermissionDenied("only admins may do this; '" + caller->account.name +
                                          "' is a " + store::AccountRoleName(role)));
  }
  return handler(*caller);
}

Response Api::Login(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, JsonObjectBody(request));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string name, StringMember(body, "name", true));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string password, StringMember(body, "password", true));
    if (const auto wait = context_.limiter.Check(name, request.remote)) {
      Response r = ErrorResponse(
          429, "too_many_requests",
          "too many failed logins: try again in " + std::to_string(wait->count()) + " s");
      r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
      return r;
    }
    auto account = context_.accounts.Authenticate(name, password);
    if (!account.ok()) {
      if (account.error().code == ErrorCode::kUnauthenticated) {
        context_.limiter.RecordFailure(name, request.remote);
      }
      return account.error();
    }
    context_.limiter.RecordSuccess(name, request.remote);
    CHOLLIMA_ASSIGN_OR_RETURN(const store::NewSession session,
                              context_.accounts.CreateSession(account->id, context_.now()));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("user");
    WriteUser(w, *account);
    w.Key("csrf");
    w.String(session.csrf);
    w.EndObject();
    Response r = JsonResponse(200, w.Take());
    const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(store::kDefaultSessionTtl);
    r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + session.token +
                                             "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                             std::to_string(ttl.count()) +
                                             (context_.secure_cookies ? "; Secure" : ""));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

Response Api::Logout(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    if (caller.by_session) {
      CHOLLIMA_RETURN_IF_ERROR(context_.accounts.DeleteSession(caller.session_token));
    }
    Response r{.status = 204, .content_type = "application/json"};
    r.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                             "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return r;
  });
}

Response Api::Me(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("user");
    WriteUser(w, caller.account);
    w.Key("csrf");
    if (caller.by_session) {
      w.String(caller.csrf);
    } else {
      w.Null();
    }
    w.EndObject();
    Response r = JsonResponse(200, w.Take());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

Response Api::ListUsers(const Request& request, const Caller&) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::vector<store::Account> accounts, context_.accounts.List());
    io::JsonWriter w;
    w.BeginObject();
    w.Key("users");
    w.BeginArray();
    for (const store::Account& a : accounts) WriteUser(w, a);
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::AddUser(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, JsonObjectBody(request));
    for (const io::JsonMember& m : body.Members()) {
      if (m.key != "name" && m.key != "role" && m.key != "scope" && m.key != "units" &&
          m.key != "password") {
        return InvalidArgument("$." + m.key + ": unknown field");
      }
    }
    store::AccountSpec spec;
    CHOLLIMA_ASSIGN_OR_RETURN(spec.name, StringMember(body, "name", true));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string role, StringMember(body, "role", true));
    auto parsed_role = store::ParseAccountRole(role);
    if (!parsed_role.ok()) return InvalidArgument("$.role: " + parsed_role.error().message);
    spec.role = *parsed_role;
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string scope, StringMember(body, "scope", false));
    if (!scope.empty()) {
      const size_t slash = scope.find('/');
      if (slash == std::string::npos) return InvalidArgument("$.scope: expected HIERARCHY/GROUP");
      spec.scope_hierarchy = scope.substr(0, slash);
      spec.scope_group = scope.substr(slash + 1);
    }
    if (const io::JsonValue* units = body.Find("units"); units != nullptr && !units->IsNull()) {
      if (!units->IsArray()) return InvalidArgument("$.units: expected an array of unit codes");
      for (size_t k = 0; k < units->Items().size(); ++k) {
        const io::JsonValue& u = units->Items()[k];
        if (!u.IsString()) {
          return InvalidArgument("$.units[" + std::to_string(k) + "]: expected a unit code");
        }
        spec.units.emplace_back(u.AsString());
      }
    }
    CHOLLIMA_ASSIGN_OR_RETURN(std::string password, StringMember(body, "password", false));
    const bool generated = password.empty();
    if (generated) password = store::GeneratePassword();
    {
      std::shared_lock lock(mu_);
      CHOLLIMA_RETURN_IF_ERROR(auth::CheckAccountSpec(spec, service_.state()));
    }
    CHOLLIMA_ASSIGN_OR_RETURN(
        const store::Account added,
        context_.accounts.Add(spec, password, caller.account.name, context_.now()));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("user");
    WriteUser(w, added);
    if (generated) {
      w.Key("password");
      w.String(password);
    }
    w.EndObject();
    Response r = JsonResponse(201, w.Take());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

Response Api::RevokeUser(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    const std::string& name = request.Param("name");
    if (!context_.accounts.Find(name).ok()) {
      return ErrorResponse(404, "user_not_found", "no account '" + name + "'");
    }
    CHOLLIMA_RETURN_IF_ERROR(context_.accounts.Revoke(name, caller.account.name, context_.now()));
    CHOLLIMA_ASSIGN_OR_RETURN(const store::Account revoked, context_.accounts.Find(name));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("user");
    WriteUser(w, revoked);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::AddToken(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    const std::string& name = request.Param("name");
    // An account makes its own tokens; an admin makes anyone's.
    if (caller.account.name != name && caller.account.role != store::AccountRole::kAdmin) {
      return PermissionDenied("'" + caller.account.name +
                              "' may make API tokens for itself only, not for '" + name + "'");
    }
    std::string label;
    if (!Trim(request.body).empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, JsonObjectBody(request));
      CHOLLIMA_ASSIGN_OR_RETURN(label, StringMember(body, "label", false));
    }
    if (!context_.accounts.Find(name).ok()) {
      return ErrorResponse(404, "user_not_found", "no account '" + name + "'");
    }
    CHOLLIMA_ASSIGN_OR_RETURN(
        const store::NewApiToken token,
        context_.accounts.CreateApiToken(name, label, caller.account.name, context_.now()));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("token");
    w.String(token.token);
    w.Key("label");
    w.String(label);
    w.EndObject();
    Response r = JsonResponse(201, w.Take());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });
}

Response Api::AuditList(const Request& request, const Caller&) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(
        CheckParameters(request, {"actor", "action", "since", "until", "offset", "limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int offset,
                              IntParameter(request, "offset", 0, 0, 1'000'000'000));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit,
                              IntParameter(request, "limit", 100, 1, kMaxPageSize));
    store::AuditQuery query{.actor = request.query.Get("actor").value_or(""),
                            .action_prefix = request.query.Get("action").value_or(""),
                            .since = request.query.Get("since").value_or(""),
                            .until = request.query.Get("until").value_or(""),
                            .offset = static_cast<size_t>(offset),
                            .limit = static_cast<size_t>(limit)};
    std::vector<store::AuditEntry> entries;
    {
      std::lock_guard store_lock(store_mu_);
      CHOLLIMA_ASSIGN_OR_RETURN(entries, service_.store().Audit(query));
    }
    io::JsonWriter w;
    w.BeginObject();
    w.Key("entries");
    w.BeginArray();
    for (const store::AuditEntry& e : entries) WriteAuditEntry(w, e);
    w.EndArray();
    w.Key("offset");
    w.Int(offset);
    w.Key("limit");
    w.Int(limit);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::AuditDetail(const Request& request, const Caller&) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit, IntParameter(request, "limit", 1000, 1, 100'000));
    int seq = 0;
    if (!ParseDigits(request.Param("seq"), seq)) {
      return InvalidArgument("seq: expected a whole number, not '" + request.Param("seq") + "'");
    }
    std::optional<store::AuditEntry> entry;
    std::vector<store::AuditChange> changes;
    {
      std::lock_guard store_lock(store_mu_);
      CHOLLIMA_ASSIGN_OR_RETURN(const std::vector<store::AuditEntry> found,
                                service_.store().Audit({.limit = 1, .seq = seq}));
      if (!found.empty()) entry = found.front();
      if (entry && entry->batch) {
        // One more than asked for, to say whether the list was cut.
        CHOLLIMA_ASSIGN_OR_RETURN(
            changes, service_.store().AuditChanges(*entry->batch, static_cast<size_t>(limit) + 1));
      }
    }
    if (!entry) {
      return ErrorResponse(404, "audit_entry_not_found", "no audit entry " + request.Param("seq"));
    }
    const bool truncated = changes.size() > static_cast<size_t>(limit);
    if (truncated) changes.resize(static_cast<size_t>(limit));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("entry");
    WriteAuditEntry(w, *entry);
    w.Key("changes");
    w.BeginArray();
    for (const store::AuditChange& c : changes) {
      w.BeginObject();
      w.Key("kind");
      w.String(c.what);
      w.Key("target");
      w.String(c.target);
      if (!c.indicator.empty()) {
        w.Key("indicator");
        w.String(c.indicator);
      }
      if (!c.when.empty()) {
        w.Key("when");
        w.String(c.when);
      }
      for (const auto& [key, value] : {std::pair{"old", &c.old_value}, {"new", &c.new_value}}) {
        w.Key(key);
        if (!*value) {
          w.Null();
        } else if (c.numeric) {
          double v = 0;
          if (ParseNumber(**value, v)) {
            w.Number(v);
          } else {
            w.String(**value);
          }
        } else {
          w.String(**value);
        }
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("truncated");
    w.Bool(truncated);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::OpenApi(const Request& request) const {
  if (Status s = CheckParameters(request, {}); !s.ok()) return ErrorResponse(s.error());
  return Response{.status = 200,
                  .content_type = "application/yaml",
                  .body = std::string(OpenApiYaml()),
                  .headers = {{"Cache-Control", "no-cache"}}};
}

Response Api::Events(const Request& request, const Caller&) const {
  return EventsResponse(context_.events, request);
}

}  // namespace chollima::http
