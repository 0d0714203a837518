#include "store/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "core/date.h"
#include "store/json_text.h"
#include "store/sqlite.h"

namespace chollima::store {
namespace {

static_assert(PasswordHashOptions{}.opslimit == crypto_pwhash_OPSLIMIT_INTERACTIVE);
static_assert(PasswordHashOptions{}.memlimit == crypto_pwhash_MEMLIMIT_INTERACTIVE);

constexpr size_t kSecretBytes = 32;  // 256-bit session, CSRF and API tokens
constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr size_t kMaxNameLength = 64;
constexpr const char* kWrongCredentials = "wrong name or password";

Status InitSodium() {
  static const int rc = sodium_init();  // thread-safe and idempotent; once is enough
  if (rc < 0) return Internal("libsodium could not be initialised");
  return OkStatus();
}

// `bytes` random bytes as unpadded base64url.
std::string RandomSecret() {
  unsigned char buf[kSecretBytes];
  randombytes_buf(buf, sizeof buf);
  char out[sodium_base64_ENCODED_LEN(kSecretBytes, kBase64Variant)];
  sodium_bin2base64(out, sizeof out, buf, sizeof buf, kBase64Variant);
  sodium_memzero(buf, sizeof buf);
  return out;
}

// SHA-256 of a token, as lower-case hex: what the store keeps instead of the token.
std::string TokenHash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Status ValidateName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return InvalidArgument("account name must be 1 to 64 characters long");
  }
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument("account name '" + std::string(name) +
                             "' may hold only letters A-Z and a-z, digits, '.', '_' and '-'");
    }
  }
  return OkStatus();
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return InvalidArgument("the password must be at least " + std::to_string(kMinPasswordLength) +
                           " characters long");
  }
  if (password.size() > kMaxPasswordLength) {
    return InvalidArgument("the password must be at most " + std::to_string(kMaxPasswordLength) +
                           " characters long");
  }
  return OkStatus();
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status ValidateSpec(const AccountSpec& spec) {
  CHOLLIMA_RETURN_IF_ERROR(ValidateName(spec.name));
  const std::string who = std::string(AccountRoleName(spec.role)) + " '" + spec.name + "'";
  const bool has_scope = !spec.scope_hierarchy.empty() || !spec.scope_group.empty();
  if (spec.role == AccountRole::kPlanner) {
    if (spec.scope_hierarchy.empty() || spec.scope_group.empty()) {
      return InvalidArgument(who + " needs a scope: a hierarchy and a group (HIERARCHY/GROUP)");
    }
    if (HasControl(spec.scope_hierarchy) || HasControl(spec.scope_group)) {
      return InvalidArgument(who + ": the scope holds a control character");
    }
  } else if (has_scope) {
    return InvalidArgument(who + " cannot have a scope; only planners have one");
  }
  if (spec.role == AccountRole::kReporter) {
    if (spec.units.empty()) return InvalidArgument(who + " needs at least one unit");
    for (const std::string& u : spec.units) {
      if (u.empty() || HasControl(u)) {
        return InvalidArgument(who + ": unit code '" + u +
                               "' is empty or holds a control character");
      }
    }
  } else if (!spec.units.empty()) {
    return InvalidArgument(who + " cannot have units; only reporters have them");
  }
  return OkStatus();
}

// The account as the audit log shows it (no secrets).
std::string DescribeAccount(const Account& a) {
  JsonObject o;
  o.Add("name", a.name).Add("role", AccountRoleName(a.role));
  if (a.role == AccountRole::kPlanner) o.Add("scope", a.scope_hierarchy + "/" + a.scope_group);
  if (a.role == AccountRole::kReporter) o.AddRaw("units", JsonStringArray(a.units));
  return o.str();
}

std::optional<std::string> NullableText(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.Text(col);
}

constexpr const char* kAccountColumns =
    "id, name, role, coalesce(scope_hierarchy, ''), coalesce(scope_group, ''), created_at, "
    "revoked_at, password_hash";

}  // namespace

const char* AccountRoleName(AccountRole role) {
  switch (role) {
    case AccountRole::kViewer:
      return "viewer";
    case AccountRole::kReporter:
      return "reporter";
    case AccountRole::kPlanner:
      return "planner";
    case AccountRole::kAdmin:
      return "admin";
  }
  return "viewer";
}

Result<AccountRole> ParseAccountRole(std::string_view name) {
  for (AccountRole r :
       {AccountRole::kViewer, AccountRole::kReporter, AccountRole::kPlanner, AccountRole::kAdmin}) {
    if (name == AccountRoleName(r)) return r;
  }
  return InvalidArgument("unknown role '" + std::string(name) +
                         "' (one of admin, planner, reporter, viewer)");
}

std::string FormatTimestamp(Timestamp t) {
  const int64_t secs = t.time_since_epoch().count();
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const CivilDate c = Date(static_cast<int32_t>(days)).ToCivil();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("'" + std::string(text) +
                           "' is not a UTC timestamp of the form 2026-11-23T14:11:03Z");
  };
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return bad();
  }
  auto date = ParseDate(text.substr(0, 10));
  if (!date.ok()) return bad();
  auto two = [&](size_t pos, int max, int& out) {
    const char a = text[pos];
    const char b = text[pos + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return false;
    out = (a - '0') * 10 + (b - '0');
    return out <= max;
  };
  int h = 0;
  int m = 0;
  int s = 0;
  if (!two(11, 23, h) || !two(14, 59, m) || !two(17, 59, s)) return bad();
  return Timestamp(std::chrono::seconds(int64_t{date->days()} * 86400 + h * 3600 + m * 60 + s));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string GeneratePassword(size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  (void)InitSodium();
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) {
    out.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
  }
  return out;
}

struct AccountStore::Impl {
  Impl(Database database, PasswordHashOptions opts) : db(std::move(database)), options(opts) {}

  Database db;
  const PasswordHashOptions options;
  std::mutex mu;  // guards db
  std::once_flag dummy_once;
  std::string dummy_hash;  // verified against for unknown names, to take the same time

  // ---- Password hashing: slow and memory-hard, called without `mu`.

  Result<std::string> Hash(std::string_view password) const {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), options.opslimit,
                          options.memlimit) != 0) {
      return Internal("cannot hash the password: out of memory");
    }
    return std::string(out);
  }

  bool Verify(const std::string& hash, std::string_view password) const {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }

  void DummyVerify(std::string_view password) {
    std::call_once(dummy_once, [this] {
      auto h = Hash(GeneratePassword());
      dummy_hash = h.ok() ? *h : std::string();
    });
    if (!dummy_hash.empty()) (void)Verify(dummy_hash, password);
  }

  // ---- The rest REQUIRES `mu` held.

  // Runs `fn` in a write transaction: commits when it succeeds, else rolls back.
  template <typename Fn>
  auto InTransaction(Fn&& fn) -> decltype(fn()) {
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s.error();
    auto r = fn();
    if (!r.ok()) {
      (void)db.Exec("ROLLBACK");
      return r;
    }
    if (Status s = db.Exec("COMMIT"); !s.ok()) {
      (void)db.Exec("ROLLBACK");
      return s.error();
    }
    return r;
  }

  Status Audit(Timestamp at, std::string_view actor, std::string_view action,
               std::string_view target, const std::optional<std::string>& old_value,
               const std::optional<std::string>& new_value) {
    auto st = db.Prepare(
        "INSERT INTO audit(at, actor, action, target, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.ok()) return st.error();
    st->Bind(1, FormatTimestamp(at));
    st->Bind(2, actor);
    st->Bind(3, action);
    st->Bind(4, target);
    if (old_value) {
      st->Bind(5, *old_value);
    } else {
      st->BindNull(5);
    }
    if (new_value) {
      st->Bind(6, *new_value);
    } else {
      st->BindNull(6);
    }
    return st->Run();
  }

  Result<std::vector<std::string>> UnitsOf(int64_t account) {
    auto st = db.Prepare("SELECT unit FROM account_unit WHERE account = ?1 ORDER BY unit");
    if (!st.ok()) return st.error();
    st->Bind(1, account);
    std::vector<std::string> units;
    CHOLLIMA_RETURN_IF_ERROR(
        ForEachRow(*st, [&](Statement& row) { units.push_back(row.Text(0)); }));
    return units;
  }

  // Reads the account columns of `row` (see kAccountColumns); `hash` gets the password hash.
  static Result<Account> ReadAccount(const Statement& row, std::string* hash) {
    auto role = ParseAccountRole(row.Text(2));
    if (!role.ok()) return Internal("account '" + row.Text(1) + "': " + role.error().message);
    Account a{.id = row.Int(0),
              .name = row.Text(1),
              .role = *role,
              .scope_hierarchy = row.Text(3),
              .scope_group = row.Text(4),
              .created_at = row.Text(5),
              .revoked_at = NullableText(row, 6)};
    if (hash != nullptr) *hash = row.Text(7);
    return a;
  }

  // The account where `column` = `key` (name or id), or nullopt.
  template <typename Key>
  Result<std::optional<Account>> Load(const char* column, Key key, std::string* hash = nullptr) {
    auto st = db.Prepare(std::string("SELECT ") + kAccountColumns + " FROM account WHERE " +
                         column + " = ?1");
    if (!st.ok()) return st.error();
    st->Bind(1, key);
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Account>();
    auto a = ReadAccount(*st, hash);
    if (!a.ok()) return a.error();
    auto units = UnitsOf(a->id);
    if (!units.ok()) return units.error();
    a->units = std::move(*units);
    return std::optional<Account>(std::move(*a));
  }

  Result<Account> LoadActive(std::string_view name) {
    auto a = Load("name", name);
    if (!a.ok()) return a.error();
    if (!a->has_value()) return NotFound("no account '" + std::string(name) + "'");
    if (!(*a)->active()) {
      return FailedPrecondition("account '" + std::string(name) + "' was revoked at " +
                                *(*a)->revoked_at);
    }
    return std::move(**a);
  }

  Status EndSessions(int64_t account) {
    auto st = db.Prepare("DELETE FROM session WHERE account = ?1");
    if (!st.ok()) return st.error();
    st->Bind(1, account);
    return st->Run();
  }
};

AccountStore::AccountStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccountStore::~AccountStore() = default;

Result<std::unique_ptr<AccountStore>> AccountStore::Open(const std::string& path, OpenMode mode,
                                                         PasswordHashOptions options) {
  CHOLLIMA_RETURN_IF_ERROR(InitSodium());
  if (options.opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      options.memlimit < crypto_pwhash_MEMLIMIT_MIN) {
    return InvalidArgument("password hash limits are below libsodium's minimum");
  }
  {
    // The economy store migrates the file to the current schema.
    auto store = OpenSqliteStore(path, mode);
    if (!store.ok()) return store.error();
  }
  auto db = Database::Open(path, false);
  if (!db.ok()) return db.error();
  // Waits for the economy store's writes instead of failing at once.
  sqlite3_busy_timeout(db->handle(), 5000);
  CHOLLIMA_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  return std::unique_ptr<AccountStore>(
      new AccountStore(std::make_unique<Impl>(std::move(*db), options)));
}

Result<Account> AccountStore::Add(const AccountSpec& input, std::string_view password,
                                  std::string_view actor, Timestamp now) {
  AccountSpec spec = input;
  std::sort(spec.units.begin(), spec.units.end());
  spec.units.erase(std::unique(spec.units.begin(), spec.units.end()), spec.units.end());
  CHOLLIMA_RETURN_IF_ERROR(ValidateSpec(spec));
  CHOLLIMA_RETURN_IF_ERROR(ValidatePassword(password));
  auto hash = impl_->Hash(password);
  if (!hash.ok()) return hash.error();
  Account a{.name = spec.name,
            .role = spec.role,
            .scope_hierarchy = spec.scope_hierarchy,
            .scope_group = spec.scope_group,
            .units = spec.units,
            .created_at = FormatTimestamp(now)};
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  return impl_->InTransaction([&]() -> Result<Account> {
    auto existing = impl_->Load("name", std::string_view(spec.name));
    if (!existing.ok()) return existing.error();
    if (existing->has_value()) {
      return AlreadyExists("account '" + spec.name + "' exists" +
                           ((*existing)->active() ? "" : " (revoked; choose another name)"));
    }
    auto st = db.Prepare(
        "INSERT INTO account(name, role, scope_hierarchy, scope_group, password_hash, "
        "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st.ok()) return st.error();
    st->Bind(1, a.name);
    st->Bind(2, std::string_view(AccountRoleName(a.role)));
    if (a.role == AccountRole::kPlanner) {
      st->Bind(3, a.scope_hierarchy);
      st->Bind(4, a.scope_group);
    } else {
      st->BindNull(3);
      st->BindNull(4);
    }
    st->Bind(5, *hash);
    st->Bind(6, a.created_at);
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    a.id = sqlite3_last_insert_rowid(db.handle());
    auto unit = db.Prepare("INSERT INTO account_unit(account, unit) VALUES (?1, ?2)");
    if (!unit.ok()) return unit.error();
    for (const std::string& u : a.units) {
      unit->Bind(1, a.id);
      unit->Bind(2, u);
      CHOLLIMA_RETURN_IF_ERROR(unit->Run());
    }
    CHOLLIMA_RETURN_IF_ERROR(
        impl_->Audit(now, actor, "add account", a.name, std::nullopt, DescribeAccount(a)));
    return a;
  });
}

Result<std::vector<Account>> AccountStore::List() {
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  auto st = db.Prepare(std::string("SELECT ") + kAccountColumns + " FROM account ORDER BY name");
  if (!st.ok()) return st.error();
  std::vector<Account> out;
  Status failed;
  CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
    auto a = Impl::ReadAccount(row, nullptr);
    if (!a.ok()) {
      failed = a.error();
      return;
    }
    out.push_back(std::move(*a));
  }));
  CHOLLIMA_RETURN_IF_ERROR(failed);
  std::map<int64_t, std::vector<std::string>> units;
  auto us = db.Prepare("SELECT account, unit FROM account_unit ORDER BY account, unit");
  if (!us.ok()) return us.error();
  CHOLLIMA_RETURN_IF_ERROR(
      ForEachRow(*us, [&](Statement& row) { units[row.Int(0)].push_back(row.Text(1)); }));
  for (Account& a : out) {
    if (auto it = units.find(a.id); it != units.end()) a.units = std::move(it->second);
  }
  return out;
}

Result<Account> AccountStore::Find(std::string_view name) {
  std::lock_guard lock(impl_->mu);
  auto a = impl_->Load("name", name);
  if (!a.ok()) return a.error();
  if (!a->has_value()) return NotFound("no account '" + std::string(name) + "'");
  return std::move(**a);
}

Status AccountStore::Revoke(std::string_view name, std::string_view actor, Timestamp now) {
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  const std::string at = FormatTimestamp(now);
  return impl_->InTransaction([&]() -> Status {
    auto a = impl_->LoadActive(name);
    if (!a.ok()) return a.error();
    if (a->role == AccountRole::kAdmin) {
      auto admins = db.QueryInt(
          "SELECT count(*) FROM account WHERE role = 'admin' AND revoked_at IS NULL", 0);
      if (!admins.ok()) return admins.error();
      if (*admins <= 1) {
        return FailedPrecondition("'" + a->name +
                                  "' is the last active admin; add another admin before "
                                  "revoking it");
      }
    }
    auto st = db.Prepare("UPDATE account SET revoked_at = ?2 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->Bind(1, a->id);
    st->Bind(2, at);
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    CHOLLIMA_RETURN_IF_ERROR(impl_->EndSessions(a->id));
    auto tokens = db.Prepare(
        "UPDATE api_token SET revoked_at = ?2 WHERE account = ?1 AND revoked_at IS NULL");
    if (!tokens.ok()) return tokens.error();
    tokens->Bind(1, a->id);
    tokens->Bind(2, at);
    CHOLLIMA_RETURN_IF_ERROR(tokens->Run());
    const int64_t revoked_tokens = sqlite3_changes(db.handle());
    return impl_->Audit(
        now, actor, "revoke account", a->name, JsonObject().AddNull("revoked_at").str(),
        JsonObject().Add("revoked_at", at).AddInt("tokens_revoked", revoked_tokens).str());
  });
}

Status AccountStore::SetPassword(std::string_view name, std::string_view password,
                                 std::string_view actor, Timestamp now) {
  CHOLLIMA_RETURN_IF_ERROR(ValidatePassword(password));
  auto hash = impl_->Hash(password);
  if (!hash.ok()) return hash.error();
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  return impl_->InTransaction([&]() -> Status {
    auto a = impl_->LoadActive(name);
    if (!a.ok()) return a.error();
    auto st = db.Prepare("UPDATE account SET password_hash = ?2 WHERE id = ?1");
    if (!st.ok()) return st.error();
    st->Bind(1, a->id);
    st->Bind(2, *hash);
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    CHOLLIMA_RETURN_IF_ERROR(impl_->EndSessions(a->id));
    const int64_t ended = sqlite3_changes(db.handle());
    return impl_->Audit(now, actor, "change password", a->name, std::nullopt,
                        JsonObject()
                            .Add("password_changed_at", FormatTimestamp(now))
                            .AddInt("sessions_ended", ended)
                            .str());
  });
}

Result<Account> AccountStore::Authenticate(std::string_view name, std::string_view password) {
  std::optional<Account> account;
  std::string hash;
  if (ValidateName(name).ok() && password.size() <= kMaxPasswordLength) {
    std::lock_guard lock(impl_->mu);
    auto a = impl_->Load("name", name, &hash);
    if (!a.ok()) return a.error();
    account = std::move(*a);
  }
  if (!account) {
    impl_->DummyVerify(password);
    return Unauthenticated(kWrongCredentials);
  }
  if (!impl_->Verify(hash, password) || !account->active())
    return Unauthenticated(kWrongCredentials);
  // A hash made with other limits than this store's is redone now that the password is
  // known; a failure here does not fail the login.
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), impl_->options.opslimit,
                                     impl_->options.memlimit) == 1) {
    auto fresh = impl_->Hash(password);
    if (fresh.ok()) {
      std::lock_guard lock(impl_->mu);
      auto st = impl_->db.Prepare(
          "UPDATE account SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2");
      if (st.ok()) {
        st->Bind(1, account->id);
        st->Bind(2, hash);
        st->Bind(3, *fresh);
        (void)st->Run();
      }
    }
  }
  return std::move(*account);
}

Result<NewSession> AccountStore::CreateSession(int64_t account, Timestamp now,
                                               std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return InvalidArgument("a session must last a positive time");
  NewSession session{
      .token = RandomSecret(), .csrf = RandomSecret(), .expires_at = FormatTimestamp(now + ttl)};
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  return impl_->InTransaction([&]() -> Result<NewSession> {
    auto a = impl_->Load("id", account);
    if (!a.ok()) return a.error();
    if (!a->has_value()) return NotFound("no account with id " + std::to_string(account));
    if (!(*a)->active()) return FailedPrecondition("account '" + (*a)->name + "' was revoked");
    auto expired = db.Prepare("DELETE FROM session WHERE expires_at <= ?1");
    if (!expired.ok()) return expired.error();
    expired->Bind(1, FormatTimestamp(now));
    CHOLLIMA_RETURN_IF_ERROR(expired->Run());
    auto st = db.Prepare(
        "INSERT INTO session(token_hash, account, csrf, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st.ok()) return st.error();
    st->Bind(1, TokenHash(session.token));
    st->Bind(2, account);
    st->Bind(3, session.csrf);
    st->Bind(4, FormatTimestamp(now));
    st->Bind(5, session.expires_at);
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    return session;
  });
}

Result<SessionInfo> AccountStore::FindSession(std::string_view token, Timestamp now) {
  const std::string hash = TokenHash(token);
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.Prepare(
      "SELECT s.account, s.csrf, s.expires_at FROM session s JOIN account a ON a.id = s.account "
      "WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND a.revoked_at IS NULL");
  if (!st.ok()) return st.error();
  st->Bind(1, hash);
  st->Bind(2, FormatTimestamp(now));
  auto row = st->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Unauthenticated("no such session, or it expired; log in again");
  SessionInfo info{.csrf = st->Text(1), .expires_at = st->Text(2)};
  auto a = impl_->Load("id", st->Int(0));
  if (!a.ok()) return a.error();
  if (!a->has_value()) return Unauthenticated("no such session, or it expired; log in again");
  info.account = std::move(**a);
  return info;
}

Status AccountStore::DeleteSession(std::string_view token) {
  const std::string hash = TokenHash(token);
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.Prepare("DELETE FROM session WHERE token_hash = ?1");
  if (!st.ok()) return st.error();
  st->Bind(1, hash);
  return st->Run();
}

Result<NewApiToken> AccountStore::CreateApiToken(std::string_view account, std::string_view label,
                                                 std::string_view actor, Timestamp now) {
  if (label.size() > kMaxTokenLabelLength || HasControl(label)) {
    return InvalidArgument("a token label is at most " + std::to_string(kMaxTokenLabelLength) +
                           " characters, without control characters");
  }
  NewApiToken token{.token = std::string(kApiTokenPrefix) + RandomSecret()};
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  return impl_->InTransaction([&]() -> Result<NewApiToken> {
    auto a = impl_->LoadActive(account);
    if (!a.ok()) return a.error();
    auto st = db.Prepare(
        "INSERT INTO api_token(token_hash, account, label, created_at) VALUES (?1, ?2, ?3, ?4)");
    if (!st.ok()) return st.error();
    st->Bind(1, TokenHash(token.token));
    st->Bind(2, a->id);
    st->Bind(3, label);
    st->Bind(4, FormatTimestamp(now));
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    token.id = sqlite3_last_insert_rowid(db.handle());
    CHOLLIMA_RETURN_IF_ERROR(
        impl_->Audit(now, actor, "create token", a->name, std::nullopt,
                     JsonObject().AddInt("token", token.id).Add("label", label).str()));
    return token;
  });
}

Result<ApiTokenMatch> AccountStore::FindApiToken(std::string_view token) {
  auto unknown = [] { return Unauthenticated("unknown or revoked API token"); };
  if (!token.starts_with(kApiTokenPrefix)) return unknown();
  const std::string hash = TokenHash(token);
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.Prepare(
      "SELECT t.id, t.account, t.label, t.created_at, a.name FROM api_token t "
      "JOIN account a ON a.id = t.account "
      "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND a.revoked_at IS NULL");
  if (!st.ok()) return st.error();
  st->Bind(1, hash);
  auto row = st->Step();
  if (!row.ok()) return row.error();
  if (!*row) return unknown();
  ApiTokenMatch match;
  match.token = {
      .id = st->Int(0), .account = st->Text(4), .label = st->Text(2), .created_at = st->Text(3)};
  auto a = impl_->Load("id", st->Int(1));
  if (!a.ok()) return a.error();
  if (!a->has_value()) return unknown();
  match.account = std::move(**a);
  return match;
}

Result<std::vector<ApiToken>> AccountStore::ListApiTokens(std::string_view account) {
  std::lock_guard lock(impl_->mu);
  auto a = impl_->Load("name", account);
  if (!a.ok()) return a.error();
  if (!a->has_value()) return NotFound("no account '" + std::string(account) + "'");
  auto st = impl_->db.Prepare(
      "SELECT id, label, created_at, revoked_at FROM api_token WHERE account = ?1 ORDER BY id");
  if (!st.ok()) return st.error();
  st->Bind(1, (*a)->id);
  std::vector<ApiToken> out;
  CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
    out.push_back({.id = row.Int(0),
                   .account = (*a)->name,
                   .label = row.Text(1),
                   .created_at = row.Text(2),
                   .revoked_at = NullableText(row, 3)});
  }));
  return out;
}

Status AccountStore::RevokeApiToken(int64_t token_id, std::string_view actor, Timestamp now) {
  std::lock_guard lock(impl_->mu);
  Database& db = impl_->db;
  const std::string at = FormatTimestamp(now);
  return impl_->InTransaction([&]() -> Status {
    auto st = db.Prepare(
        "SELECT a.name, t.label, t.revoked_at FROM api_token t JOIN account a ON a.id = t.account "
        "WHERE t.id = ?1");
    if (!st.ok()) return st.error();
    st->Bind(1, token_id);
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return NotFound("no API token " + std::to_string(token_id));
    const std::string name = st->Text(0);
    const std::string label = st->Text(1);
    if (!st->IsNull(2)) {
      return FailedPrecondition("API token " + std::to_string(token_id) + " was revoked at " +
                                st->Text(2));
    }
    auto up = db.Prepare("UPDATE api_token SET revoked_at = ?2 WHERE id = ?1");
    if (!up.ok()) return up.error();
    up->Bind(1, token_id);
    up->Bind(2, at);
    CHOLLIMA_RETURN_IF_ERROR(up->Run());
    return impl_->Audit(
        now, actor, "revoke token", name,
        JsonObject().AddInt("token", token_id).Add("label", label).AddNull("revoked_at").str(),
        JsonObject().AddInt("token", token_id).Add("label", label).Add("revoked_at", at).str());
  });
}

}  // namespace chollima::store
