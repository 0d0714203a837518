// Writes: JSON bodies and CSV files through the service's one import path (see api.h).
#include "engine/status_watch.h"
#include "http/api.h"
#include "http/params.h"
#include "io/json_writer.h"

namespace chollima::http {
namespace {

// A role that can never write `kind` is refused before its body is read, so a reporter
// uploading groups hears "not allowed" rather than about the file's errors. What a role
// may write within a kind is decided on the changes (auth::AuthorizeChanges).
Status CheckKindForRole(const store::Account& account, io::ImportKind kind) {
  using io::ImportKind;
  const char* name = io::ImportKindName(kind);
  switch (account.role) {
    case store::AccountRole::kAdmin:
      return OkStatus();
    case store::AccountRole::kPlanner:
      if (kind == ImportKind::kIndicators || kind == ImportKind::kCalendar ||
          kind == ImportKind::kProfiles || kind == ImportKind::kReports) {
        return PermissionDenied("planner '" + account.name + "' may not write " + name +
                                " (planners write groups, units, memberships and plans)");
      }
      return OkStatus();
    case store::AccountRole::kReporter:
      if (kind != ImportKind::kReports) {
        return PermissionDenied("reporter '" + account.name + "' may write reports only, not " +
                                name);
      }
      return OkStatus();
    case store::AccountRole::kViewer:
      break;
  }
  return PermissionDenied("'" + account.name + "' is a viewer: viewers read only");
}

// True when `changes` touch what the assignment book is built from (anything but
// reports and client keys).
bool ChangesPlansOrStructure(const Changes& c) {
  return !c.new_hierarchies.empty() || !c.new_groups.empty() || !c.changed_groups.empty() ||
         !c.new_units.empty() || !c.changed_units.empty() || !c.memberships.empty() ||
         !c.new_indicators.empty() || !c.changed_indicators.empty() || !c.profiles.empty() ||
         c.calendar.has_value() || !c.plans.empty();
}

Response InvalidData(const io::ImportResult& result) {
  io::JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String("invalid_data");
  w.Key("message");
  w.String(std::to_string(result.errors.size()) + (result.errors_truncated ? " or more" : "") +
           (result.errors.size() == 1 ? " error" : " errors") + "; nothing was written");
  w.Key("errors");
  w.BeginArray();
  for (const io::ImportError& e : result.errors) {
    w.BeginObject();
    if (!e.path.empty()) {
      w.Key("path");
      w.String(e.path);
    } else {
      w.Key("line");
      w.Int(e.line);
      w.Key("column");
      w.Int(static_cast<int64_t>(e.column));
    }
    w.Key("field");
    w.String(e.field);
    w.Key("reason");
    w.String(e.reason);
    w.Key("message");
    w.String(e.message);
    w.EndObject();
  }
  w.EndArray();
  w.Key("truncated");
  w.Bool(result.errors_truncated);
  w.EndObject();
  w.EndObject();
  return JsonResponse(422, w.Take());
}

}  // namespace

Response Api::WriteJson(const Request& request, const Caller& caller, io::ImportKind kind) const {
  const std::string source = std::string("api ") + request.path;
  return Write(request, caller, kind, source, [&](const service::ImportRequest& r) {
    return service_.ImportJson(kind, source, request.body, r);
  });
}

Response Api::ImportCsv(const Request& request, const Caller& caller) const {
  auto kind = io::ParseImportKind(request.Param("kind"));
  if (!kind.ok()) {
    return ErrorResponse(404, "route_not_found", "no import of '" + request.Param("kind") + "'");
  }
  const std::string source = std::string("api ") + request.path;
  return Write(request, caller, *kind, source, [&](const service::ImportRequest& r) {
    return service_.ImportText(*kind, source, request.body, r);
  });
}

Response Api::Write(
    const Request& request, const Caller& caller, io::ImportKind kind, const std::string& source,
    const std::function<Result<io::ImportResult>(const service::ImportRequest&)>& import) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"dry_run"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const bool dry_run, BoolParameter(request, "dry_run"));
    CHOLLIMA_RETURN_IF_ERROR(CheckKindForRole(caller.account, kind));

    // One writer at a time; readers wait for a consistent State.
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    const auth::Principal principal = auth::ResolvePrincipal(caller.account, state);
    std::optional<engine::StatusWatch> watch;
    std::optional<engine::ModelWatch> model_watch;
    service::ImportRequest r{.author = caller.account.name, .dry_run = dry_run, .max_errors = 100};
    r.authorize = [&](const Changes& changes) -> Status {
      CHOLLIMA_RETURN_IF_ERROR(auth::AuthorizeChanges(principal, changes, state));
      if (!dry_run && (!changes.reports.empty() || !changes.plans.empty())) {
        watch.emplace(state, *book_, changes);
      }
      if (!dry_run && !changes.reports.empty() && !state.models().empty()) {
        model_watch.emplace(state, changes.reports);
      }
      return OkStatus();
    };
    Result<io::ImportResult> result = [&] {
      std::lock_guard store_lock(store_mu_);
      return import(r);
    }();
    if (!result.ok()) return result.error();
    if (!result->errors.empty()) return InvalidData(*result);

    if (!dry_run && !result->changes.empty()) ++generation_;
    const std::string at = store::FormatTimestamp(context_.now());
    if (!dry_run && ChangesPlansOrStructure(result->changes)) {
      book_ = std::make_unique<engine::AssignmentBook>(state);
    }
    int64_t events = 0;
    if (watch) {
      const std::vector<engine::StatusChange> changes = watch->After(state, *book_);
      if (changes.size() <= context_.max_status_events_per_write) {
        for (const engine::StatusChange& change : changes) {
          context_.events.Publish(kStatusEvent, StatusChangeJson(state, change, at));
          ++events;
        }
      } else if (!changes.empty()) {
        // A write that moves very many statuses (plans for every unit) is one event, so
        // it does not push everything else out of the replay buffer.
        context_.events.Publish(kStatusesEvent,
                                SummaryEventJson(changes.size(), caller.account.name, source, at));
        events = 1;
      }
    }
    if (!dry_run && !result->changes.empty()) {
      events += PublishEmulationEvents(result->changes, caller.account.name, source, at);
    }
    if (model_watch) events += PublishModelEvents(*model_watch, caller.account.name, source, at);
    io::JsonWriter w;
    w.BeginObject();
    w.Key("rows");
    w.Int(result->rows);
    w.Key("imported");
    w.Int(result->imported);
    w.Key("updated");
    w.Int(result->updated);
    w.Key("ignored");
    w.Int(result->ignored);
    w.Key("dry_run");
    w.Bool(dry_run);
    w.Key("events");
    w.Int(events);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

}  // namespace chollima::http
