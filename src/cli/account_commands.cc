// `chollima user ...` (accounts, passwords, API tokens) and `chollima audit` (who wrote
// what, and what a batch changed).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "auth/account_spec.h"
#include "cli/commands.h"
#include "io/table_writer.h"
#include "store/accounts.h"
#include "store/store.h"

namespace chollima::cli {
namespace {

std::string Actor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

store::Timestamp Now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

io::TableFormat ParseFormat(const std::string& format) {
  return format == "json"  ? io::TableFormat::kJson
         : format == "csv" ? io::TableFormat::kCsv
                           : io::TableFormat::kTable;
}

// Prints a failed account operation and returns its exit code: the store failing is 3,
// anything the user can fix (bad name, unknown account, last admin...) is 1.
int AccountFailure(const std::string& command, const Error& e) {
  std::cerr << "chollima " << command << ": " << e.message << "\n";
  return e.code == ErrorCode::kIo || e.code == ErrorCode::kInternal ? kExitStore : kExitBadInput;
}

std::unique_ptr<store::AccountStore> OpenAccounts(const std::string& db, int& exit_code) {
  auto accounts = store::AccountStore::Open(db, store::OpenMode::kExisting);
  if (!accounts.ok()) {
    exit_code = StoreFailure(accounts.error());
    return nullptr;
  }
  return std::move(*accounts);
}

// The first line of standard input, without its line end.
Result<std::string> ReadPasswordLine() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return InvalidArgument("--password-stdin: nothing on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::vector<std::string> SplitCodes(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    std::string code = text.substr(start, end - start);
    while (!code.empty() && code.front() == ' ') code.erase(code.begin());
    while (!code.empty() && code.back() == ' ') code.pop_back();
    if (!code.empty()) out.push_back(std::move(code));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::string Describe(const store::Account& a) {
  std::string out = std::string(store::AccountRoleName(a.role));
  if (a.role == store::AccountRole::kPlanner) {
    out += " of " + a.scope_hierarchy + "/" + a.scope_group;
  }
  if (a.role == store::AccountRole::kReporter) {
    out += " for " + std::string(a.units.size() == 1 ? "unit " : "units ") + Join(a.units, ", ");
  }
  return out;
}

// ------------------------------------------------------------------ user add

struct AddOptions {
  std::string db, name, role, scope, units, author = Actor();
  bool password_stdin = false;
};

int RunAdd(const AddOptions& o) {
  auto role = store::ParseAccountRole(o.role);
  if (!role.ok()) return AccountFailure("user add", role.error());
  store::AccountSpec spec{.name = o.name, .role = *role, .units = SplitCodes(o.units)};
  if (!o.scope.empty()) {
    const size_t slash = o.scope.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == o.scope.size()) {
      return AccountFailure("user add", InvalidArgument("--scope '" + o.scope +
                                                        "' is not HIERARCHY/GROUP (e.g. "
                                                        "region/P1)"));
    }
    spec.scope_hierarchy = o.scope.substr(0, slash);
    spec.scope_group = o.scope.substr(slash + 1);
  }
  int exit_code = kExitOk;
  if (!spec.units.empty() || !o.scope.empty()) {
    // The scope and the units must exist in the economy.
    auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
    if (!svc) return exit_code;
    if (Status s = auth::CheckAccountSpec(spec, svc->state()); !s.ok()) {
      return AccountFailure("user add", Error{s.error().code, "--" + s.error().message});
    }
  }
  std::string password;
  bool generated = false;
  if (o.password_stdin) {
    auto line = ReadPasswordLine();
    if (!line.ok()) return AccountFailure("user add", line.error());
    password = std::move(*line);
  } else {
    password = store::GeneratePassword();
    generated = true;
  }
  auto accounts = OpenAccounts(o.db, exit_code);
  if (!accounts) return exit_code;
  auto added = accounts->Add(spec, password, o.author, Now());
  if (!added.ok()) return AccountFailure("user add", added.error());
  std::cout << added->name << ": " << Describe(*added) << " added\n";
  if (generated) {
    std::cout << "password (shown once, give it to " << added->name << "): " << password << "\n";
  }
  return kExitOk;
}

// ------------------------------------------------------------------ user list

int RunList(const std::string& db, const std::string& format) {
  int exit_code = kExitOk;
  auto accounts = OpenAccounts(db, exit_code);
  if (!accounts) return exit_code;
  auto list = accounts->List();
  if (!list.ok()) return AccountFailure("user list", list.error());
  io::TableWriter w(std::cout, ParseFormat(format),
                    {"name", "role", "scope", "units", "created_at", "revoked_at"});
  for (const store::Account& a : *list) {
    w.Row({io::Cell::Text(a.name), io::Cell::Text(store::AccountRoleName(a.role)),
           a.role == store::AccountRole::kPlanner
               ? io::Cell::Text(a.scope_hierarchy + "/" + a.scope_group)
               : io::Cell::Empty(),
           a.units.empty() ? io::Cell::Empty() : io::Cell::Text(Join(a.units, ",")),
           io::Cell::Text(a.created_at),
           a.revoked_at ? io::Cell::Text(*a.revoked_at) : io::Cell::Empty()});
  }
  w.Finish();
  return kExitOk;
}

// ------------------------------------------------------------------ user token

struct TokenOptions {
  std::string db, name, label, format = "table", author = Actor();
  bool list = false;
  int64_t revoke = -1;
};

int RunToken(const TokenOptions& o) {
  int exit_code = kExitOk;
  auto accounts = OpenAccounts(o.db, exit_code);
  if (!accounts) return exit_code;
  if (o.list || o.revoke >= 0) {
    auto tokens = accounts->ListApiTokens(o.name);
    if (!tokens.ok()) return AccountFailure("user token", tokens.error());
    if (o.list) {
      io::TableWriter w(std::cout, ParseFormat(o.format),
                        {"id", "label", "created_at", "revoked_at"});
      for (const store::ApiToken& t : *tokens) {
        w.Row({io::Cell::Number(static_cast<double>(t.id)), io::Cell::Text(t.label),
               io::Cell::Text(t.created_at),
               t.revoked_at ? io::Cell::Text(*t.revoked_at) : io::Cell::Empty()});
      }
      w.Finish();
      return kExitOk;
    }
    const bool owned = std::any_of(tokens->begin(), tokens->end(),
                                   [&](const store::ApiToken& t) { return t.id == o.revoke; });
    if (!owned) {
      return AccountFailure(
          "user token", NotFound("'" + o.name + "' has no API token " + std::to_string(o.revoke)));
    }
    if (Status s = accounts->RevokeApiToken(o.revoke, o.author, Now()); !s.ok()) {
      return AccountFailure("user token", s.error());
    }
    std::cout << o.name << ": API token " << o.revoke << " revoked\n";
    return kExitOk;
  }
  auto token = accounts->CreateApiToken(o.name, o.label, o.author, Now());
  if (!token.ok()) return AccountFailure("user token", token.error());
  std::cerr << o.name << ": API token " << token->id
            << " created; it is shown once, below (send it as 'Authorization: Bearer ...')\n";
  std::cout << token->token << "\n";
  return kExitOk;
}

void AddUserCommands(CLI::App& app, int& exit_code) {
  auto* user = app.add_subcommand("user", "Accounts: add, list, revoke, set passwords, API tokens");
  user->require_subcommand(1);
  user->footer(
      "Roles: admin (everything), planner (structure and plans in a subtree: --scope),\n"
      "reporter (reports of named units: --units), viewer (reads only).\n"
      "Exit codes: 0 done, 1 rejected (bad name, unknown account, last admin...), 2 bad\n"
      "arguments or no store, 3 store failure.");

  {
    auto* cmd = user->add_subcommand("add", "Add an account; prints a new password once");
    auto o = std::make_shared<AddOptions>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("name", o->name, "Account name (letters, digits, '.', '_', '-')")->required();
    cmd->add_option("--role", o->role, "admin, planner, reporter or viewer")
        ->required()
        ->check(CLI::IsMember({"admin", "planner", "reporter", "viewer"}));
    cmd->add_option("--scope", o->scope, "Planner's subtree: HIERARCHY/GROUP, e.g. region/P1");
    cmd->add_option("--units", o->units, "Reporter's units: codes separated by commas");
    cmd->add_flag("--password-stdin", o->password_stdin,
                  "Read the password from the first line of standard input (else one is "
                  "generated and printed once)");
    cmd->add_option("--author", o->author, "Who is acting (kept in the audit log)")
        ->capture_default_str();
    cmd->callback([o, &exit_code] { exit_code = RunAdd(*o); });
  }
  {
    auto* cmd = user->add_subcommand("list", "List the accounts, revoked ones too");
    auto db = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("--db", *db, "Store file")->required();
    cmd->add_option("--format", *format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}))
        ->capture_default_str();
    cmd->callback([db, format, &exit_code] { exit_code = RunList(*db, *format); });
  }
  {
    auto* cmd = user->add_subcommand(
        "revoke", "Revoke an account: no more logins, its sessions end, its tokens are revoked");
    struct Opts {
      std::string db, name, author = Actor();
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("name", o->name, "Account name")->required();
    cmd->add_option("--author", o->author, "Who is acting (kept in the audit log)")
        ->capture_default_str();
    cmd->callback([o, &exit_code] {
      auto accounts = OpenAccounts(o->db, exit_code);
      if (!accounts) return;
      if (Status s = accounts->Revoke(o->name, o->author, Now()); !s.ok()) {
        exit_code = AccountFailure("user revoke", s.error());
        return;
      }
      std::cout << o->name << ": revoked\n";
    });
  }
  {
    auto* cmd = user->add_subcommand("password", "Set a new password; the account's sessions end");
    struct Opts {
      std::string db, name, author = Actor();
      bool password_stdin = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("name", o->name, "Account name")->required();
    cmd->add_flag("--password-stdin", o->password_stdin,
                  "Read the password from the first line of standard input (else one is "
                  "generated and printed once)");
    cmd->add_option("--author", o->author, "Who is acting (kept in the audit log)")
        ->capture_default_str();
    cmd->callback([o, &exit_code] {
      std::string password;
      if (o->password_stdin) {
        auto line = ReadPasswordLine();
        if (!line.ok()) {
          exit_code = AccountFailure("user password", line.error());
          return;
        }
        password = std::move(*line);
      } else {
        password = store::GeneratePassword();
      }
      auto accounts = OpenAccounts(o->db, exit_code);
      if (!accounts) return;
      if (Status s = accounts->SetPassword(o->name, password, o->author, Now()); !s.ok()) {
        exit_code = AccountFailure("user password", s.error());
        return;
      }
      std::cout << o->name << ": password changed\n";
      if (!o->password_stdin) std::cout << "password (shown once): " << password << "\n";
    });
  }
  {
    auto* cmd = user->add_subcommand(
        "token", "Create an API token (printed once), or list or revoke an account's tokens");
    auto o = std::make_shared<TokenOptions>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("name", o->name, "Account name")->required();
    cmd->add_option("--label", o->label, "What the token is for, e.g. 'mine M1 uploader'");
    auto* list = cmd->add_flag("--list", o->list, "List the account's tokens instead");
    cmd->add_option("--revoke", o->revoke, "Revoke the token with this id instead")
        ->check(CLI::NonNegativeNumber)
        ->excludes(list);
    cmd->add_option("--format", o->format, "With --list: table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}))
        ->capture_default_str();
    cmd->add_option("--author", o->author, "Who is acting (kept in the audit log)")
        ->capture_default_str();
    cmd->callback([o, &exit_code] { exit_code = RunToken(*o); });
  }
}

// ------------------------------------------------------------------ audit

struct AuditOptions {
  std::string db, actor, action, since, until, format = "table";
  size_t limit = 100;
  size_t offset = 0;
  int64_t batch = -1;
};

io::Cell OptionalText(const std::optional<std::string>& s) {
  return s ? io::Cell::Text(*s) : io::Cell::Empty();
}

io::Cell ValueCell(const std::optional<std::string>& s, bool numeric) {
  if (!s) return io::Cell::Empty();
  if (numeric) {
    double v = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (ec == std::errc() && end == s->data() + s->size()) return io::Cell::Number(v);
  }
  return io::Cell::Text(*s);
}

int RunAudit(const AuditOptions& o) {
  auto opened = store::OpenSqliteStore(o.db, store::OpenMode::kExisting);
  if (!opened.ok()) return StoreFailure(opened.error());
  store::Store& st = **opened;
  const io::TableFormat format = ParseFormat(o.format);
  if (o.batch >= 0) {
    auto changes = st.AuditChanges(o.batch, o.limit);
    if (!changes.ok()) return AccountFailure("audit", changes.error());
    io::TableWriter w(std::cout, format, {"what", "target", "indicator", "when", "old", "new"});
    for (const store::AuditChange& c : *changes) {
      w.Row({io::Cell::Text(c.what), io::Cell::Text(c.target), io::Cell::Text(c.indicator),
             io::Cell::Text(c.when), ValueCell(c.old_value, c.numeric),
             ValueCell(c.new_value, c.numeric)});
    }
    w.Finish();
    return kExitOk;
  }
  auto entries = st.Audit({.actor = o.actor,
                           .action_prefix = o.action,
                           .since = o.since,
                           .until = o.until,
                           .offset = o.offset,
                           .limit = o.limit});
  if (!entries.ok()) return AccountFailure("audit", entries.error());
  io::TableWriter w(std::cout, format,
                    {"seq", "at", "actor", "action", "target", "batch", "old", "new"});
  for (const store::AuditEntry& e : *entries) {
    w.Row({io::Cell::Number(static_cast<double>(e.seq)), io::Cell::Text(e.at),
           io::Cell::Text(e.actor), io::Cell::Text(e.action), io::Cell::Text(e.target),
           e.batch ? io::Cell::Number(static_cast<double>(*e.batch)) : io::Cell::Empty(),
           OptionalText(e.old_value), OptionalText(e.new_value)});
  }
  w.Finish();
  return kExitOk;
}

void AddAuditCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "audit", "The audit log, newest first; with --batch, what one batch changed");
  cmd->footer(
      "Every write is audited: imports and other batches (with --batch ID: each report and\n"
      "plan revision with its old and new value, and structure changes), and account\n"
      "changes (old and new as JSON; never a password or token).\n"
      "Exit codes: 0 done, 1 no such batch, 2 bad arguments or no store, 3 store failure.");
  auto o = std::make_shared<AuditOptions>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--actor", o->actor, "Only rows of this actor");
  cmd->add_option("--action", o->action, "Only actions starting with this, e.g. 'import'");
  cmd->add_option("--since", o->since, "Only rows at or after this time (2026-11-23T00:00:00Z)");
  cmd->add_option("--until", o->until, "Only rows before this time");
  cmd->add_option("--limit", o->limit, "At most this many rows")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  cmd->add_option("--offset", o->offset, "Skip this many rows first (not with --batch)");
  cmd->add_option("--batch", o->batch, "Show what this batch changed")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = RunAudit(*o); });
}

}  // namespace

void AddUser(CLI::App& app, int& exit_code) { AddUserCommands(app, exit_code); }
void AddAudit(CLI::App& app, int& exit_code) { AddAuditCommand(app, exit_code); }

}  // namespace chollima::cli
