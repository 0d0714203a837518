// Accounts, roles, sessions and API tokens, kept in the store's SQLite file (schema
// version 2) beside the economy, with every change in the same audit log.
//
// Passwords are hashed with Argon2id (libsodium crypto_pwhash_str); sessions and API
// tokens are random 256-bit secrets shown once, of which only the SHA-256 is stored.
// Every account change (add, revoke, password, token create and revoke) appends an audit
// row in the same transaction, with old and new as small JSON and never a secret.
//
//   auto accounts = AccountStore::Open("economy.db", OpenMode::kExisting);
//   auto kim = (*accounts)->Add({.name = "kim", .role = AccountRole::kReporter,
//                                .units = {"M1"}}, password, "admin", now);
//   auto who = (*accounts)->Authenticate("kim", password);   // or "wrong name or password"
//   auto session = (*accounts)->CreateSession(who->id, now);  // token and CSRF token, once
//
// Thread-safety: an AccountStore has its own SQLite connection (WAL lets it work beside
// the economy Store's) and a mutex; any thread may call it. Password hashing runs outside
// the mutex, so logins do not queue behind one another.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace chollima::store {

// Ordered by what they may do, for RequireRole-style checks: a viewer reads; a reporter
// also reports for its units; a planner also changes structure and plans in its subtree;
// an admin does everything.
enum class AccountRole { kViewer, kReporter, kPlanner, kAdmin };

// "viewer", "reporter", "planner", "admin".
const char* AccountRoleName(AccountRole role);
Result<AccountRole> ParseAccountRole(std::string_view name);

// Times of accounts, sessions and tokens: whole seconds, UTC.
using Timestamp = std::chrono::sys_seconds;
// "2026-11-23T14:11:03Z", the form of BatchInfo::recorded_at.
std::string FormatTimestamp(Timestamp t);
// Parses exactly the form FormatTimestamp writes.
Result<Timestamp> ParseTimestamp(std::string_view text);

// What an account may do and where.
struct AccountSpec {
  std::string name;  // 1..64 of [A-Za-z0-9._-]
  AccountRole role = AccountRole::kViewer;
  // A planner's subtree: a group (by hierarchy and code) and every group below it.
  std::string scope_hierarchy;
  std::string scope_group;
  // A reporter's units, by code (at least one).
  std::vector<std::string> units;
};

struct Account {
  int64_t id = 0;
  std::string name;
  AccountRole role = AccountRole::kViewer;
  std::string scope_hierarchy;     // planners only
  std::string scope_group;         // planners only
  std::vector<std::string> units;  // reporters only, sorted
  std::string created_at;
  std::optional<std::string> revoked_at;

  bool active() const { return !revoked_at.has_value(); }
};

// A new session: `token` goes to the client (a cookie) and is never stored; `csrf` must
// come back with every write made with the session.
struct NewSession {
  std::string token;
  std::string csrf;
  std::string expires_at;
};

struct SessionInfo {
  Account account;
  std::string csrf;
  std::string expires_at;
};

struct ApiToken {
  int64_t id = 0;
  std::string account;
  std::string label;
  std::string created_at;
  std::optional<std::string> revoked_at;
};

// A new API token: `token` ("chm_" and 43 base64url characters) is shown once.
struct NewApiToken {
  int64_t id = 0;
  std::string token;
};

struct ApiTokenMatch {
  Account account;
  ApiToken token;
};

// Argon2id cost of new password hashes. The defaults are libsodium's "interactive"
// limits (2 passes, 64 MiB); tests lower them. A stored hash keeps its own parameters, so
// it verifies whatever these are; a hash made with other limits is redone at the next
// successful login.
struct PasswordHashOptions {
  uint64_t opslimit = 2;                       // crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t memlimit = size_t{64} * 1024 * 1024;  // crypto_pwhash_MEMLIMIT_INTERACTIVE

  // libsodium's minimum limits (1 pass, 8 KiB): for tests only.
  static PasswordHashOptions Weakest() { return {1, 8192}; }
};

inline constexpr std::chrono::seconds kDefaultSessionTtl = std::chrono::hours(12);
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr size_t kMaxTokenLabelLength = 100;
inline constexpr std::string_view kApiTokenPrefix = "chm_";

class AccountStore {
 public:
  // Opens the store's file with a connection of its own, migrating it to the current
  // schema first (kNotFound when missing in kExisting mode, as OpenSqliteStore).
  static Result<std::unique_ptr<AccountStore>> Open(const std::string& path, OpenMode mode,
                                                    PasswordHashOptions options = {});
  ~AccountStore();
  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // Creates an account. Fails with kInvalidArgument for a bad name, role fields or a
  // password shorter than kMinPasswordLength, kAlreadyExists when the name is taken (also
  // by a revoked account). Whether the scope and units exist is the caller's to check.
  Result<Account> Add(const AccountSpec& spec, std::string_view password, std::string_view actor,
                      Timestamp now);
  // Every account, revoked ones too, by name.
  Result<std::vector<Account>> List();
  // kNotFound when there is no such account.
  Result<Account> Find(std::string_view name);
  // Revokes an account: it can no longer log in, its sessions end and its API tokens are
  // revoked. kFailedPrecondition when already revoked or when it is the last active admin.
  Status Revoke(std::string_view name, std::string_view actor, Timestamp now);
  // Sets a new password and ends the account's sessions. kFailedPrecondition when revoked.
  Status SetPassword(std::string_view name, std::string_view password, std::string_view actor,
                     Timestamp now);
  // The active account with this name and password, or kUnauthenticated "wrong name or
  // password" (the same for an unknown name, a revoked account and a wrong password, in
  // about the same time).
  Result<Account> Authenticate(std::string_view name, std::string_view password);

  // Starts a session for an active account, valid until now + ttl. Expired sessions of
  // every account are deleted on the way.
  Result<NewSession> CreateSession(int64_t account, Timestamp now,
                                   std::chrono::seconds ttl = kDefaultSessionTtl);
  // The session's active account and CSRF token; kUnauthenticated when the token is
  // unknown, expired, or its account revoked.
  Result<SessionInfo> FindSession(std::string_view token, Timestamp now);
  // Ends a session (logout). Unknown tokens are fine.
  Status DeleteSession(std::string_view token);

  // Creates an API token for the active account `account` (by name).
  Result<NewApiToken> CreateApiToken(std::string_view account, std::string_view label,
                                     std::string_view actor, Timestamp now);
  // The active account and token; kUnauthenticated when unknown or revoked.
  Result<ApiTokenMatch> FindApiToken(std::string_view token);
  // The tokens of one account (never their secrets), oldest first.
  Result<std::vector<ApiToken>> ListApiTokens(std::string_view account);
  // kNotFound for an unknown id, kFailedPrecondition when already revoked.
  Status RevokeApiToken(int64_t token_id, std::string_view actor, Timestamp now);

 private:
  struct Impl;
  explicit AccountStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Compares two secrets (CSRF tokens) in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// A random password of `length` letters and digits (20 give about 119 bits).
std::string GeneratePassword(size_t length = 20);

}  // namespace chollima::store
