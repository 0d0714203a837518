// End-to-end tests of `chollima frontier`, `chollima models` and `chollima pairs` on a
// real SQLite file, on a tiny economy whose frontier is computed by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cli_harness.h"
#include "learning_economy.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Four units of province P1 and one of P2, one day of January 2026:
//   A 10 workers 20 t (2 t a worker), B 5, 20 (4: the best), C 20, 20 (1), D 10, 30 (3).
// CRS scores (ratio over the best ratio): A 0.5, B 1, C 0.25, D 0.75. E (P2) reported no
// workers.
class Learning : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    InitAndImport("s.db", kLearningEconomy);
    if (HasFatalFailure()) return;
  }
};

TEST_F(Learning, FrontierScoresAreTheHandComputedRatios) {
  RunResult r = Run({"frontier", "--db", "s.db", "--group", "region/P1", "--period", "2026-01",
                     "--rts", "crs", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("A,Unit A,0.5,0.5,no,B:1,"));
  EXPECT_THAT(r.out, HasSubstr("B,Unit B,1,1.3333333333333333,yes,B:1,"));
  EXPECT_THAT(r.out, HasSubstr("C,Unit C,0.25,0.25,no,B:1,"));
  EXPECT_THAT(r.out, HasSubstr("D,Unit D,0.75,0.75,no,B:1.5,"));
  // All units: E is excluded with the reason, not dropped.
  r = Run({"frontier", "--db", "s.db", "--period", "2026-01", "--rts", "crs", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("E,Unit E,,,,,no report of workers in 2026-01"));
  // The API's shape with --format json.
  r = Run({"frontier", "--db", "s.db", "--group", "region/P1", "--period", "2026-01", "--rts",
           "crs", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("peer_group":{"kind":"group","code":"region/P1")"));
  EXPECT_THAT(r.out, HasSubstr(R"("frame":[{"code":"B","name":"Unit B"}])"));
}

TEST_F(Learning, BadOptionsAreRejectedNamingTheOption) {
  RunResult r = Run({"frontier", "--db", "s.db", "--group", "region/P1", "--rts", "xyz"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--rts: 'xyz' is not one of crs, vrs, drs, irs, fdh"));
  r = Run({"frontier", "--db", "s.db", "--group", "region/P9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--group: no group 'P9'"));
  r = Run({"frontier", "--db", "s.db", "--inputs", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--inputs: unknown indicator 'nope'"));
}

TEST_F(Learning, ModelsAreDesignatedListedAndFollowed) {
  // Without a reason nothing is written.
  RunResult r = Run({"models", "designate", "--db", "s.db", "--unit", "B", "--peer-group",
                     "region/P1", "--from", "2026-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--reason: required"));
  EXPECT_THAT(r.err, HasSubstr("nothing was written"));
  r = Run({"models", "list", "--db", "s.db", "--format", "csv"});
  EXPECT_EQ(r.out, "unit,name,peer_group,from,reason,followers\n");
  // A unit outside the peer group cannot be its model.
  r = Run({"models", "designate", "--db", "s.db", "--unit", "E", "--peer-group", "region/P1",
           "--from", "2026-01-01", "--reason", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("E is not in region/P1"));

  r = Run({"models", "designate", "--db", "s.db", "--unit", "B", "--peer-group", "region/P1",
           "--from", "2026-01-01", "--reason", "twice the output per worker"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"models", "list", "--db", "s.db", "--format", "csv"});
  EXPECT_THAT(r.out, HasSubstr("B,Unit B,region/P1,2026-01-01,twice the output per worker,3\n"));
  // E chooses B: four followers.
  r = Run({"models", "follow", "--db", "s.db", "--follower", "E", "--model", "B", "--from",
           "2026-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"models", "followers", "--db", "s.db", "--unit", "B", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Compared: out and workers (no ratios here). D's output gap: 20 - 30 = -10 (-50 %).
  EXPECT_THAT(r.out, HasSubstr("D,out,20,30,-10,-50,,yes\n"));
  EXPECT_THAT(r.out, HasSubstr("E,out,20,30,-10,-50,,yes\n"));
  EXPECT_THAT(r.out, HasSubstr("A,workers,5,10,5,100,,no\n"));
  // Withdrawn: no model any more.
  r = Run({"models", "designate", "--db", "s.db", "--unit", "B", "--peer-group", "region/P1",
           "--from", "2026-01-02", "--withdraw"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"models", "list", "--db", "s.db", "--as-of", "2026-01-02", "--format", "csv"});
  EXPECT_THAT(r.out, Not(HasSubstr("B,Unit B")));
}

TEST_F(Learning, PairsAreAssignedUnderTheCapacityAndKeptWithTheirProgress) {
  // CRS: B is the only efficient unit; capacity 2 pairs two of the three learners.
  RunResult r = Run({"pairs", "assign", "--db", "s.db", "--group", "region/P1", "--period",
                     "2026-01", "--rts", "crs", "--capacity", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("mentors":[{"code":"B","name":"Unit B"}])"));
  EXPECT_THAT(r.out, HasSubstr(R"("applied":false)"));
  r = Run({"pairs", "list", "--db", "s.db"});
  EXPECT_THAT(r.out, HasSubstr(R"("pairs":[])"));
  // Forbid B -> C: A and D are paired, C left over.
  r = Run({"pairs", "rule", "--db", "s.db", "--mentor", "B", "--learner", "C", "--rule",
           "forbidden", "--note", "too far"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run({"pairs", "rule", "--db", "s.db", "--mentor", "B", "--learner", "C", "--rule", "maybe"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--rule: expected fixed, forbidden or none, not 'maybe'"));
  r = Run({"pairs", "assign", "--db", "s.db", "--group", "region/P1", "--period", "2026-01",
           "--rts", "crs", "--capacity", "2", "--from", "2026-01-02", "--apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("unpaired":[{"code":"C","name":"Unit C"}])"));
  // On the last reported day, before their first day, the pairs are not in force yet;
  // without a day, the latest pairs are listed.
  r = Run({"pairs", "list", "--db", "s.db", "--as-of", "2026-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("pairs":[])"));
  r = Run({"pairs", "list", "--db", "s.db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("learner":{"code":"A","name":"Unit A"})"));
  EXPECT_THAT(r.out, HasSubstr(R"("learner":{"code":"D","name":"Unit D"})"));
  EXPECT_THAT(r.out, Not(HasSubstr(R"("learner":{"code":"C","name":"Unit C"},"peer_group")")));
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"forbidden","note":"too far")"));
  // The learner's efficiency at pairing is kept, and progress is measured on the same
  // frontier (CRS): nothing changed since, so D is still at 0.75.
  EXPECT_THAT(r.out, HasSubstr(R"("frontier":"crs in","score_at_pairing":0.75,"score_now":0.75)"));
  // D's gaps to B on every indicator, in the pairing period and now (January both):
  // out 20 - 30 = -10 (ahead: -50 %), workers 10 - 5 = 5 (an input: 100 % behind).
  EXPECT_THAT(r.out, HasSubstr(R"("pairing_period":"2026-01","months":["2026-01"],"gaps":[)"));
  EXPECT_THAT(r.out, HasSubstr(R"("at_pairing":{"mentor":20,"learner":30,"gap":-10,"gap_pct":-50},)"
                               R"("now":{"mentor":20,"learner":30,"gap":-10,"gap_pct":-50},)"
                               R"("closed_pct":null,"slope":null,"overtook":true})"));
  EXPECT_THAT(r.out, HasSubstr(R"("at_pairing":{"mentor":5,"learner":10,"gap":5,"gap_pct":100},)"
                               R"("now":{"mentor":5,"learner":10,"gap":5,"gap_pct":100},)"
                               R"("closed_pct":0,"slope":null,"overtook":false})"));
  // Zero capacity is rejected.
  r = Run({"pairs", "assign", "--db", "s.db", "--group", "region/P1", "--capacity", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--capacity"));
}

}  // namespace
}  // namespace chollima::testing
