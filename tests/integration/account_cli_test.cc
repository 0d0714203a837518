// End-to-end tests of `chollima user ...` and `chollima audit` on a real SQLite file:
// accounts of every role, passwords shown once or read from standard input, API tokens,
// revocation rules, and the audit log with the old and new values of a correction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "cli_harness.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccountCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const std::string src = CHOLLIMA_SOURCE_DIR;
    for (const char* kind : kKinds) {
      std::filesystem::copy_file(src + "/tests/integration/data/" + kind + ".csv",
                                 Path(std::string(kind) + ".csv"));
    }
    ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
    for (const char* kind : kKinds) {
      RunResult r =
          Run({"import", "--db", "s.db", "--author", "loader", kind, std::string(kind) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
  }

  RunResult User(std::vector<std::string> args) {
    args.insert(args.begin(), {"user"});
    args.insert(args.begin() + 2, {"--db", "s.db", "--author", "boss"});
    return Run(args);
  }
};

TEST_F(AccountCli, HelpListsUserAndAudit) {
  RunResult r = Run({"--help"});
  EXPECT_THAT(r.out, HasSubstr("user"));
  EXPECT_THAT(r.out, HasSubstr("audit"));
  r = Run({"user", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"add", "list", "revoke", "password", "token"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
}

TEST_F(AccountCli, AddPrintsAGeneratedPasswordOnce) {
  RunResult r = User({"add", "root", "--role", "admin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("root: admin added"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("shown once[^:]*: ([A-Za-z0-9]{20})\n")))
      << r.out;
  const std::string password = m[1];
  // Only its Argon2id hash is kept.
  const std::string file = Read("s.db") + Read("s.db-wal");
  EXPECT_THAT(file, Not(HasSubstr(password)));
  EXPECT_THAT(file, HasSubstr("$argon2id$v=19$m=65536,t=2"));
}

TEST_F(AccountCli, AddsEveryRoleAndListsThem) {
  ASSERT_EQ(User({"add", "root", "--role", "admin"}).exit_code, 0);
  RunResult r = RunWithInput({"user", "add", "--db", "s.db", "kim", "--role", "reporter", "--units",
                              "M2,M1", "--password-stdin"},
                             "a long password\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kim: reporter for units M1, M2 added"));
  EXPECT_THAT(r.out, Not(HasSubstr("password")));
  r = User({"add", "ann", "--role", "planner", "--scope", "region/P1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ann: planner of region/P1 added"));
  ASSERT_EQ(User({"add", "vic", "--role", "viewer"}).exit_code, 0);

  r = Run({"user", "list", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("name,role,scope,units,created_at,revoked_at\n"));
  EXPECT_THAT(r.out, HasSubstr("ann,planner,region/P1,,"));
  EXPECT_THAT(r.out, HasSubstr("kim,reporter,,\"M1,M2\","));
  EXPECT_THAT(r.out, HasSubstr("vic,viewer,,,"));
  r = Run({"user", "list", "--db", "s.db", "--format", "json"});
  EXPECT_THAT(r.out, HasSubstr(R"("name":"root","role":"admin")"));
}

TEST_F(AccountCli, RejectsUnknownScopesUnitsAndBadSpecs) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"add", "ann", "--role", "planner", "--scope", "region/P9"}, 1, "no group 'P9'"},
      {{"add", "ann", "--role", "planner", "--scope", "ministry/P1"}, 1, "no hierarchy"},
      {{"add", "ann", "--role", "planner", "--scope", "P1"}, 1, "HIERARCHY/GROUP"},
      {{"add", "ann", "--role", "planner"}, 1, "needs a scope"},
      {{"add", "kim", "--role", "reporter", "--units", "M1,M9"}, 1, "no unit 'M9'"},
      {{"add", "kim", "--role", "reporter"}, 1, "needs at least one unit"},
      {{"add", "vic", "--role", "viewer", "--units", "M1"}, 1, "only reporters"},
      {{"add", "kim lee", "--role", "viewer"}, 1, "may hold only letters"},
      {{"add", "kim", "--role", "boss"}, 2, "boss"},
  };
  for (const Case& c : cases) {
    RunResult r = User(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.message << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
  EXPECT_THAT(Run({"user", "list", "--db", "s.db"}).out, Not(HasSubstr("kim")));
  RunResult r = RunWithInput(
      {"user", "add", "--db", "s.db", "kim", "--role", "viewer", "--password-stdin"}, "short\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("at least 8 characters"));
  r = Run({"user", "list", "--db", "none.db"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("chollima init"));
}

TEST_F(AccountCli, RevokeKeepsTheLastAdmin) {
  ASSERT_EQ(User({"add", "root", "--role", "admin"}).exit_code, 0);
  ASSERT_EQ(User({"add", "kim", "--role", "reporter", "--units", "M1"}).exit_code, 0);
  RunResult r = User({"revoke", "root"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("last active admin"));
  r = User({"revoke", "kim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kim: revoked"));
  EXPECT_EQ(User({"revoke", "kim"}).exit_code, 1);
  EXPECT_EQ(User({"revoke", "nobody"}).exit_code, 1);
  EXPECT_EQ(User({"add", "kim", "--role", "viewer"}).exit_code, 1);  // the name stays taken
  r = Run({"user", "list", "--db", "s.db", "--format", "csv"});
  EXPECT_TRUE(std::regex_search(r.out, std::regex("kim,reporter,,M1,[-0-9T:Z]+,[-0-9T:Z]+\n")))
      << r.out;
}

TEST_F(AccountCli, PasswordFromStandardInputOrGenerated) {
  ASSERT_EQ(User({"add", "kim", "--role", "reporter", "--units", "M1"}).exit_code, 0);
  RunResult r = RunWithInput({"user", "password", "--db", "s.db", "kim", "--password-stdin"},
                             "another long one\r\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kim: password changed"));
  r = RunWithInput({"user", "password", "--db", "s.db", "kim", "--password-stdin"}, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nothing on standard input"));
  r = User({"password", "kim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("shown once\\): [A-Za-z0-9]{20}\n")));
  EXPECT_EQ(User({"password", "nobody"}).exit_code, 1);
}

TEST_F(AccountCli, TokensAreShownOnceListedAndRevoked) {
  ASSERT_EQ(User({"add", "kim", "--role", "reporter", "--units", "M1"}).exit_code, 0);
  RunResult r = User({"token", "kim", "--label", "uploader"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("chm_[A-Za-z0-9_-]{43}\n"))) << r.out;
  const std::string token = r.out.substr(0, r.out.size() - 1);
  EXPECT_THAT(Read("s.db") + Read("s.db-wal"), Not(HasSubstr(token.substr(4))));
  EXPECT_THAT(r.err, HasSubstr("shown once"));

  r = User({"token", "kim", "--list", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("id,label,created_at,revoked_at\n1,uploader,"));
  EXPECT_EQ(User({"token", "kim", "--revoke", "7"}).exit_code, 1);
  r = User({"token", "kim", "--revoke", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("API token 1 revoked"));
  EXPECT_EQ(User({"token", "kim", "--revoke", "1"}).exit_code, 1);
  EXPECT_EQ(User({"token", "nobody"}).exit_code, 1);
}

TEST_F(AccountCli, AuditShowsImportsAccountChangesAndWhatABatchChanged) {
  ASSERT_EQ(User({"add", "kim", "--role", "reporter", "--units", "M1"}).exit_code, 0);
  ASSERT_EQ(User({"token", "kim"}).exit_code, 0);
  Write("fix.csv", "unit,indicator,date,value\nM1,coal,2026-01-02,1020\nM1,coal,2026-01-09,7\n");
  RunResult r = Run({"import", "--db", "s.db", "--author", "lee", "reports", "fix.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Run({"audit", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("seq,at,actor,action,target,batch,old,new\n"));
  EXPECT_THAT(r.out, HasSubstr(",lee,import reports,fix.csv,"));
  EXPECT_THAT(r.out, HasSubstr(",loader,import groups,groups.csv,"));
  EXPECT_THAT(r.out, HasSubstr(",boss,add account,kim,,,"));
  EXPECT_THAT(r.out, HasSubstr(",boss,create token,kim,,,"));
  // Newest first: the correction is the first row.
  const size_t first_line = r.out.find('\n') + 1;
  EXPECT_THAT(r.out.substr(first_line, r.out.find('\n', first_line) - first_line),
              HasSubstr("lee,import reports,fix.csv"));

  r = Run({"audit", "--db", "s.db", "--actor", "boss", "--format", "csv"});
  EXPECT_THAT(r.out, Not(HasSubstr("loader")));
  EXPECT_THAT(r.out, HasSubstr("add account"));
  r = Run({"audit", "--db", "s.db", "--action", "import", "--limit", "1", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\"batch\":([0-9]+)"))) << r.out;
  const std::string batch = m[1];

  r = Run({"audit", "--db", "s.db", "--batch", batch, "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "what,target,indicator,when,old,new\n"
            "report,M1,coal,2026-01-02,1010,1020\n"
            "report,M1,coal,2026-01-09,,7\n");
  r = Run({"audit", "--db", "s.db", "--batch", batch, "--format", "json"});
  EXPECT_THAT(r.out, HasSubstr(R"("old":1010,"new":1020)"));
  r = Run({"audit", "--db", "s.db", "--batch", "9999"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no batch 9999"));
}

}  // namespace
}  // namespace chollima::testing
