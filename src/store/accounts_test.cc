#include "store/accounts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "store/sqlite.h"

namespace chollima::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

const Timestamp kNow = Timestamp(seconds(1795428000));  // 2026-11-23T10:00:00Z
constexpr const char* kPassword = "correct horse";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/chollima-accounts-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/a.db";
    auto a = AccountStore::Open(path_, OpenMode::kCreate, PasswordHashOptions::Weakest());
    ASSERT_TRUE(a.ok()) << a.error().message;
    accounts_ = std::move(*a);
  }
  void TearDown() override {
    accounts_.reset();
    std::filesystem::remove_all(dir_);
  }

  Account AddOk(const AccountSpec& spec, const std::string& password = kPassword) {
    auto a = accounts_->Add(spec, password, "root", kNow);
    EXPECT_TRUE(a.ok()) << a.error().message;
    return a.ok() ? *a : Account{};
  }

  // Every text stored anywhere in the file, concatenated (to look for secrets).
  std::string AllStoredText() {
    auto db = Database::Open(path_, false);
    EXPECT_TRUE(db.ok());
    std::string all;
    for (const char* sql :
         {"SELECT name || role || password_hash FROM account",
          "SELECT token_hash || csrf FROM session", "SELECT token_hash || label FROM api_token",
          "SELECT coalesce(old, '') || coalesce(new, '') FROM audit"}) {
      auto st = db->Prepare(sql);
      EXPECT_TRUE(st.ok());
      EXPECT_TRUE(ForEachRow(*st, [&](Statement& row) { all += row.Text(0) + "\n"; }).ok());
    }
    return all;
  }

  std::vector<AuditEntry> AuditRows() {
    auto store = OpenSqliteStore(path_, OpenMode::kExisting);
    EXPECT_TRUE(store.ok());
    auto rows = (*store)->Audit({});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<AuditEntry>{};
  }

  std::string dir_;
  std::string path_;
  std::unique_ptr<AccountStore> accounts_;
};

const AccountSpec kAdmin{.name = "root", .role = AccountRole::kAdmin};
const AccountSpec kReporter{
    .name = "kim", .role = AccountRole::kReporter, .units = {"M2", "M1", "M2"}};
const AccountSpec kPlanner{.name = "ann.lee",
                           .role = AccountRole::kPlanner,
                           .scope_hierarchy = "region",
                           .scope_group = "P1"};

TEST(Timestamps, FormatAndParseRoundTrip) {
  EXPECT_EQ(FormatTimestamp(kNow), "2026-11-23T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(Timestamp(seconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(Timestamp(seconds(-1))), "1969-12-31T23:59:59Z");
  auto t = ParseTimestamp("2026-11-23T14:11:03Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTimestamp(*t), "2026-11-23T14:11:03Z");
  for (const char* bad : {"2026-11-23", "2026-11-23T24:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "2026-11-23T1a:00:00Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(Roles, NamesRoundTrip) {
  for (AccountRole r :
       {AccountRole::kViewer, AccountRole::kReporter, AccountRole::kPlanner, AccountRole::kAdmin}) {
    auto parsed = ParseAccountRole(AccountRoleName(r));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
  }
  auto bad = ParseAccountRole("root");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("admin, planner, reporter, viewer"));
}

TEST(Secrets, ConstantTimeEqualsAndGeneratedPasswords) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  const std::string p = GeneratePassword();
  EXPECT_EQ(p.size(), 20u);
  EXPECT_TRUE(std::all_of(p.begin(), p.end(), [](char c) { return std::isalnum(c) != 0; }));
  EXPECT_NE(GeneratePassword(), GeneratePassword());
}

TEST_F(AccountsTest, OpenRefusesAMissingStore) {
  auto a = AccountStore::Open(dir_ + "/none.db", OpenMode::kExisting);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kNotFound);
}

TEST_F(AccountsTest, AddValidatesNameRolePasswordScopeAndUnits) {
  struct Case {
    AccountSpec spec;
    std::string password;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{.name = ""}, kPassword, "1 to 64 characters"},
      {{.name = std::string(65, 'a')}, kPassword, "1 to 64 characters"},
      {{.name = "kim lee"}, kPassword, "may hold only letters"},
      {{.name = "kim/lee"}, kPassword, "may hold only letters"},
      {{.name = "kim"}, "short", "at least 8 characters"},
      {{.name = "kim"}, std::string(1025, 'x'), "at most 1024"},
      {{.name = "ann", .role = AccountRole::kPlanner}, kPassword, "needs a scope"},
      {{.name = "ann", .role = AccountRole::kPlanner, .scope_hierarchy = "region"},
       kPassword,
       "needs a scope"},
      {{.name = "kim", .role = AccountRole::kReporter}, kPassword, "needs at least one unit"},
      {{.name = "kim", .role = AccountRole::kReporter, .units = {""}}, kPassword, "unit code"},
      {{.name = "v", .role = AccountRole::kViewer, .units = {"M1"}}, kPassword, "only reporters"},
      {{.name = "r", .role = AccountRole::kAdmin, .scope_hierarchy = "region", .scope_group = "P1"},
       kPassword,
       "only planners"},
  };
  for (const Case& c : cases) {
    auto a = accounts_->Add(c.spec, c.password, "root", kNow);
    ASSERT_FALSE(a.ok()) << c.message;
    EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(a.error().message, HasSubstr(c.message));
  }
  EXPECT_TRUE(accounts_->List()->empty());
  EXPECT_TRUE(AuditRows().empty());
}

TEST_F(AccountsTest, AddFindAndList) {
  const Account root = AddOk(kAdmin);
  const Account kim = AddOk(kReporter);
  const Account ann = AddOk(kPlanner);
  EXPECT_EQ(kim.units, (std::vector<std::string>{"M1", "M2"}));  // sorted, once each
  EXPECT_EQ(kim.created_at, "2026-11-23T10:00:00Z");
  EXPECT_TRUE(kim.active());

  auto found = accounts_->Find("ann.lee");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, ann.id);
  EXPECT_EQ(found->role, AccountRole::kPlanner);
  EXPECT_EQ(found->scope_hierarchy, "region");
  EXPECT_EQ(found->scope_group, "P1");
  EXPECT_TRUE(found->units.empty());
  EXPECT_EQ(accounts_->Find("nobody").error().code, ErrorCode::kNotFound);

  auto list = accounts_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "ann.lee");
  EXPECT_EQ((*list)[1].name, "kim");
  EXPECT_EQ((*list)[1].units, kim.units);
  EXPECT_EQ((*list)[2].id, root.id);

  auto again = accounts_->Add(kReporter, kPassword, "root", kNow);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(AccountsTest, AddIsAuditedWithoutThePassword) {
  AddOk(kReporter);
  auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].actor, "root");
  EXPECT_EQ(rows[0].action, "add account");
  EXPECT_EQ(rows[0].target, "kim");
  EXPECT_EQ(rows[0].at, "2026-11-23T10:00:00Z");
  EXPECT_FALSE(rows[0].old_value.has_value());
  EXPECT_EQ(rows[0].new_value, R"({"name":"kim","role":"reporter","units":["M1","M2"]})");
  EXPECT_FALSE(rows[0].batch.has_value());
  EXPECT_THAT(AllStoredText(), Not(HasSubstr(kPassword)));
  EXPECT_THAT(AllStoredText(), HasSubstr("$argon2id$"));
}

TEST_F(AccountsTest, AuthenticateGivesOneAnswerForEveryFailure) {
  AddOk(kAdmin);
  const Account kim = AddOk(kReporter);
  auto ok = accounts_->Authenticate("kim", kPassword);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->id, kim.id);
  for (const auto& [name, password] : std::vector<std::pair<std::string, std::string>>{
           {"kim", "wrong horse"}, {"nobody", kPassword}, {"kim lee", kPassword}, {"kim", ""}}) {
    auto r = accounts_->Authenticate(name, password);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message, "wrong name or password");
  }
  ASSERT_TRUE(accounts_->Revoke("kim", "root", kNow).ok());
  auto revoked = accounts_->Authenticate("kim", kPassword);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().message, "wrong name or password");
}

TEST_F(AccountsTest, SessionsStoreOnlyTheHashAndExpire) {
  const Account kim = AddOk(kReporter);
  auto session = accounts_->CreateSession(kim.id, kNow, hours(1));
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_EQ(session->token.size(), 43u);  // 256 bits in unpadded base64url
  EXPECT_EQ(session->csrf.size(), 43u);
  EXPECT_EQ(session->expires_at, "2026-11-23T11:00:00Z");
  EXPECT_THAT(AllStoredText(), Not(HasSubstr(session->token)));

  auto found = accounts_->FindSession(session->token, kNow + seconds(3599));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->account.name, "kim");
  EXPECT_EQ(found->account.units, kim.units);
  EXPECT_EQ(found->csrf, session->csrf);
  EXPECT_TRUE(ConstantTimeEquals(found->csrf, session->csrf));

  auto expired = accounts_->FindSession(session->token, kNow + hours(1));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(accounts_->FindSession("not a token", kNow).error().code, ErrorCode::kUnauthenticated);

  auto other = accounts_->CreateSession(kim.id, kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->token, session->token);
  EXPECT_EQ(other->expires_at, "2026-11-23T22:00:00Z");  // the default: 12 hours
  ASSERT_TRUE(accounts_->DeleteSession(other->token).ok());
  EXPECT_FALSE(accounts_->FindSession(other->token, kNow).ok());
  EXPECT_TRUE(accounts_->DeleteSession(other->token).ok());  // twice is fine

  EXPECT_EQ(accounts_->CreateSession(999, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(accounts_->CreateSession(kim.id, kNow, seconds(0)).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(AccountsTest, CreatingASessionDeletesExpiredOnes) {
  const Account kim = AddOk(kReporter);
  ASSERT_TRUE(accounts_->CreateSession(kim.id, kNow, hours(1)).ok());
  ASSERT_TRUE(accounts_->CreateSession(kim.id, kNow + hours(2), hours(1)).ok());
  auto db = Database::Open(path_, false);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM session", -1), 1);
}

TEST_F(AccountsTest, ApiTokensAreShownOnceAndStoredHashed) {
  AddOk(kAdmin);
  const Account kim = AddOk(kReporter);
  auto token = accounts_->CreateApiToken("kim", "uploader", "root", kNow);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->token.starts_with("chm_"));
  EXPECT_EQ(token->token.size(), 4u + 43u);
  EXPECT_THAT(AllStoredText(), Not(HasSubstr(token->token)));
  EXPECT_THAT(AllStoredText(), Not(HasSubstr(token->token.substr(4))));

  auto match = accounts_->FindApiToken(token->token);
  ASSERT_TRUE(match.ok()) << match.error().message;
  EXPECT_EQ(match->account.id, kim.id);
  EXPECT_EQ(match->token.id, token->id);
  EXPECT_EQ(match->token.label, "uploader");
  for (const std::string& bad : {std::string("chm_nope"), token->token.substr(4), std::string()}) {
    auto r = accounts_->FindApiToken(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  }

  auto listed = accounts_->ListApiTokens("kim");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].label, "uploader");
  EXPECT_FALSE((*listed)[0].revoked_at.has_value());

  ASSERT_TRUE(accounts_->RevokeApiToken(token->id, "root", kNow + hours(1)).ok());
  EXPECT_FALSE(accounts_->FindApiToken(token->token).ok());
  EXPECT_EQ(accounts_->RevokeApiToken(token->id, "root", kNow).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->RevokeApiToken(12345, "root", kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ((*accounts_->ListApiTokens("kim"))[0].revoked_at, "2026-11-23T11:00:00Z");

  EXPECT_EQ(accounts_->CreateApiToken("nobody", "", "root", kNow).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(accounts_->CreateApiToken("kim", "a\nb", "root", kNow).error().code,
            ErrorCode::kInvalidArgument);

  auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].action, "revoke token");
  EXPECT_EQ(rows[0].target, "kim");
  EXPECT_EQ(rows[0].old_value, R"({"token":)" + std::to_string(token->id) +
                                   R"(,"label":"uploader","revoked_at":null})");
  EXPECT_EQ(rows[1].action, "create token");
  EXPECT_EQ(rows[1].new_value,
            R"({"token":)" + std::to_string(token->id) + R"(,"label":"uploader"})");
}

TEST_F(AccountsTest, RevokeEndsSessionsAndTokensButNeverTheLastAdmin) {
  const Account root = AddOk(kAdmin);
  const Account kim = AddOk(kReporter);
  auto session = accounts_->CreateSession(kim.id, kNow);
  auto token = accounts_->CreateApiToken("kim", "", "root", kNow);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(token.ok());

  ASSERT_TRUE(accounts_->Revoke("kim", "root", kNow + hours(1)).ok());
  EXPECT_FALSE(accounts_->FindSession(session->token, kNow).ok());
  EXPECT_FALSE(accounts_->FindApiToken(token->token).ok());
  EXPECT_EQ((*accounts_->Find("kim")).revoked_at, "2026-11-23T11:00:00Z");
  EXPECT_EQ(accounts_->CreateSession(kim.id, kNow).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->CreateApiToken("kim", "", "root", kNow).error().code,
            ErrorCode::kFailedPrecondition);
  auto twice = accounts_->Revoke("kim", "root", kNow);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->Revoke("nobody", "root", kNow).error().code, ErrorCode::kNotFound);
  auto readd = accounts_->Add(kReporter, kPassword, "root", kNow);
  ASSERT_FALSE(readd.ok());
  EXPECT_THAT(readd.error().message, HasSubstr("revoked"));

  auto last = accounts_->Revoke("root", "root", kNow);
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(last.error().message, HasSubstr("last active admin"));
  AddOk({.name = "second", .role = AccountRole::kAdmin});
  EXPECT_TRUE(accounts_->Revoke("root", "second", kNow).ok());
  EXPECT_FALSE(accounts_->Revoke("second", "second", kNow).ok());
  EXPECT_FALSE((*accounts_->Find("root")).active());
  (void)root;

  auto rows = AuditRows();
  const auto revoke = std::find_if(rows.begin(), rows.end(), [](const AuditEntry& e) {
    return e.action == "revoke account" && e.target == "kim";
  });
  ASSERT_NE(revoke, rows.end());
  EXPECT_EQ(revoke->old_value, R"({"revoked_at":null})");
  EXPECT_EQ(revoke->new_value, R"({"revoked_at":"2026-11-23T11:00:00Z","tokens_revoked":1})");
}

TEST_F(AccountsTest, SetPasswordReplacesItAndEndsSessions) {
  const Account kim = AddOk(kReporter);
  auto session = accounts_->CreateSession(kim.id, kNow);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(accounts_->SetPassword("kim", "short", "kim", kNow).error().code,
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(accounts_->SetPassword("kim", "battery staple", "kim", kNow).ok());
  EXPECT_FALSE(accounts_->Authenticate("kim", kPassword).ok());
  EXPECT_TRUE(accounts_->Authenticate("kim", "battery staple").ok());
  EXPECT_FALSE(accounts_->FindSession(session->token, kNow).ok());
  EXPECT_EQ(accounts_->SetPassword("nobody", "battery staple", "kim", kNow).error().code,
            ErrorCode::kNotFound);
  auto rows = AuditRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].action, "change password");
  EXPECT_EQ(rows[0].actor, "kim");
  EXPECT_FALSE(rows[0].old_value.has_value());
  EXPECT_EQ(rows[0].new_value,
            R"({"password_changed_at":"2026-11-23T10:00:00Z","sessions_ended":1})");
  EXPECT_THAT(AllStoredText(), Not(HasSubstr("battery staple")));
}

TEST_F(AccountsTest, AHashOfOtherLimitsIsRedoneAtLogin) {
  AddOk(kReporter);
  auto stored_hash = [&] {
    auto db = Database::Open(path_, false);
    auto st = db->Prepare("SELECT password_hash FROM account WHERE name = 'kim'");
    EXPECT_TRUE(st->Step().ok());
    return st->Text(0);
  };
  const std::string before = stored_hash();
  auto stronger =
      AccountStore::Open(path_, OpenMode::kExisting, {.opslimit = 2, .memlimit = 16384});
  ASSERT_TRUE(stronger.ok());
  ASSERT_TRUE((*stronger)->Authenticate("kim", kPassword).ok());
  const std::string after = stored_hash();
  EXPECT_NE(after, before);
  EXPECT_THAT(after, HasSubstr("m=16,t=2"));
  EXPECT_TRUE(accounts_->Authenticate("kim", kPassword).ok());  // the old limits verify it too
}

TEST_F(AccountsTest, ManyThreadsBesideAnEconomyWriter) {
  AddOk(kAdmin);
  const Account kim = AddOk(kReporter);
  auto store = OpenSqliteStore(path_, OpenMode::kExisting);
  ASSERT_TRUE(store.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto who = accounts_->Authenticate("kim", kPassword);
        auto session = accounts_->CreateSession(kim.id, kNow);
        if (!who.ok() || !session.ok()) {
          ++failures;
          continue;
        }
        if (!accounts_->FindSession(session->token, kNow).ok()) ++failures;
        if (i % 5 == 0 && !accounts_->CreateApiToken("kim", std::to_string(t), "root", kNow).ok()) {
          ++failures;
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    Changes c;
    c.new_hierarchies = {{"h" + std::to_string(i)}};
    if (!(*store)->Commit(c, {"test", "-", "root", FormatTimestamp(kNow)}).ok()) ++failures;
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accounts_->ListApiTokens("kim")->size(), 8u);
  EXPECT_EQ((*store)->Audit({.limit = 1000})->size(), 2u + 8u + 20u);
}

}  // namespace
}  // namespace chollima::store
