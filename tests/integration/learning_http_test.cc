// End-to-end tests of the models and learning API (docs/http-api.md "Models and
// learning"): the real `chollima serve` on 127.0.0.1 against a SQLite file, on the tiny
// economy of learning_cli_test.cc whose frontier is computed by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "http_harness.h"
#include "io/json_reader.h"
#include "learning_economy.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The JSON body of a response (a test failure, and null, when it is not JSON).
io::JsonValue Json(const std::optional<HttpResponse>& r) {
  if (!r) {
    ADD_FAILURE() << "no response in time";
    return {};
  }
  auto doc = io::ParseJson(r->body);
  if (!doc.ok()) {
    ADD_FAILURE() << doc.error().message << ": " << r->body;
    return {};
  }
  return *std::move(doc);
}

// The member at `path` (object keys; a null value when any is missing).
const io::JsonValue& At(const io::JsonValue& v, std::initializer_list<std::string_view> path) {
  static const io::JsonValue kNull;
  const io::JsonValue* at = &v;
  for (std::string_view key : path) {
    at = at->Find(key);
    if (at == nullptr) return kNull;
  }
  return *at;
}

// The element of array `items` whose `key` ("unit", "learner"...) is the unit `code`.
const io::JsonValue& WithUnit(const io::JsonValue& items, std::string_view code,
                              std::string_view key = "unit") {
  static const io::JsonValue kNull;
  for (const io::JsonValue& item : items.Items()) {
    if (At(item, {key, "code"}).AsString() == code) return item;
  }
  return kNull;
}

std::vector<std::string> Codes(const io::JsonValue& items) {
  std::vector<std::string> out;
  for (const io::JsonValue& item : items.Items()) {
    const io::JsonValue* code = item.Find("code");
    if (code == nullptr) code = &At(item, {"unit", "code"});
    out.emplace_back(code->AsString());
  }
  return out;
}

// Four units of province P1 and one of P2, one day of January 2026 (as in
// learning_cli_test.cc): workers (input) and output (t):
//   A 10, 20 (2 t a worker), B 5, 20 (4: the best), C 20, 20 (1), D 10, 30 (3).
// CRS, one input and one output: a unit's score is its ratio over the best ratio:
//   A 2/4 = 0.5, B 1, C 1/4 = 0.25, D 3/4 = 0.75; every peer is B, with
//   lambda = output / B's output: A 1, C 1, D 1.5; input targets = lambda * 5.
// B's super-efficiency (the best ratio without B is D's 3): 4/3.
// VRS (input-oriented): B (least input) and D (most output) are efficient; A needs only
// B's 5 workers for its 20 t: 0.5; C 5/20 = 0.25. Nothing but D makes 30 t, so D's
// super-efficiency is unbounded.
// E (P2) reported no workers.
class LearningHttp : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    InitAndImport("s.db", kLearningEconomy);
    if (HasFatalFailure()) return;
    AddUser("alice", "admin");
    AddUser("pete", "planner", {"--scope", "region/P1"});
    AddUser("quinn", "planner", {"--scope", "region/P2"});
    AddUser("rita", "reporter", {"--units", "A"});
    AddUser("vic", "viewer");
    StartServer(ServerFlags());
  }

  // Extra flags of `chollima serve` (a derived fixture sets a threshold).
  virtual std::vector<std::string> ServerFlags() const { return {}; }

  // The newest audit entry: a refused write leaves it as it was.
  std::string Audit() { return LastAudit("alice"); }

  // Designates B the model of region/P1 from 2026-01-01, as pete.
  void DesignateB() {
    auto r = Call("POST", "/api/models",
                  R"({"unit":"B","peer_group":"region/P1","from":"2026-01-01",)"
                  R"("reason":"twice the output per worker"})",
                  "pete");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
  }
};

// ---- Reads.

TEST_F(LearningHttp, FrontierScoresAreTheHandComputedRatios) {
  auto r = Fetch("/api/frontier?group=region/P1&period=2026-01&rts=crs", "vic");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const io::JsonValue f = Json(r);
  EXPECT_EQ(At(f, {"peer_group", "code"}).AsString(), "region/P1");
  EXPECT_EQ(At(f, {"period"}).AsString(), "2026-01");
  EXPECT_EQ(At(f, {"options", "rts"}).AsString(), "crs");
  const io::JsonValue& units = At(f, {"units"});
  ASSERT_EQ(units.size(), 4u) << r->body;
  const struct {
    const char* code;
    double score;
    bool efficient;
    double lambda;  // of B, the only peer
    int rank;
  } truth[] = {{"A", 0.5, false, 1, 3},
               {"B", 1, true, 1, 1},
               {"C", 0.25, false, 1, 4},
               {"D", 0.75, false, 1.5, 2}};
  for (const auto& t : truth) {
    const io::JsonValue& u = WithUnit(units, t.code);
    ASSERT_TRUE(u.IsObject()) << t.code << ": " << r->body;
    EXPECT_NEAR(At(u, {"score"}).AsNumber(), t.score, 1e-9) << t.code;
    EXPECT_EQ(At(u, {"efficient"}).AsBool(), t.efficient) << t.code;
    EXPECT_EQ(At(u, {"rank"}).AsNumber(), t.rank) << t.code;
    const io::JsonValue& peers = At(u, {"peers"});
    ASSERT_EQ(peers.size(), 1u) << t.code;
    EXPECT_EQ(At(peers.Items()[0], {"unit", "code"}).AsString(), "B") << t.code;
    EXPECT_NEAR(At(peers.Items()[0], {"lambda"}).AsNumber(), t.lambda, 1e-9) << t.code;
    // The input target: the reference point's workers, lambda * 5 (= score * input).
    ASSERT_EQ(At(u, {"input_targets"}).size(), 1u) << t.code;
    EXPECT_NEAR(At(u, {"input_targets"}).Items()[0].AsNumber(), t.lambda * 5, 1e-9) << t.code;
  }
  EXPECT_NEAR(At(WithUnit(units, "B"), {"super_score"}).AsNumber(), 4.0 / 3, 1e-9);
  EXPECT_EQ(Codes(At(f, {"frame"})), std::vector<std::string>{"B"});
  EXPECT_EQ(At(f, {"excluded"}).size(), 0u);

  // All units: E is excluded with the reason, not dropped.
  const io::JsonValue all = Json(Fetch("/api/frontier?period=2026-01&rts=crs", "vic"));
  EXPECT_EQ(At(all, {"peer_group", "kind"}).AsString(), "all");
  EXPECT_EQ(At(all, {"units"}).size(), 4u);
  ASSERT_EQ(At(all, {"excluded"}).size(), 1u);
  const io::JsonValue& e = At(all, {"excluded"}).Items()[0];
  EXPECT_EQ(At(e, {"unit", "code"}).AsString(), "E");
  EXPECT_EQ(At(e, {"reason"}).AsString(), "no report of workers in 2026-01");
}

TEST_F(LearningHttp, VrsFrontierHasTwoEfficientUnits) {
  const io::JsonValue f = Json(Fetch("/api/frontier?group=region/P1&period=2026-01", "vic"));
  EXPECT_EQ(At(f, {"options", "rts"}).AsString(), "vrs");  // the default
  const io::JsonValue& units = At(f, {"units"});
  EXPECT_NEAR(At(WithUnit(units, "A"), {"score"}).AsNumber(), 0.5, 1e-9);
  EXPECT_NEAR(At(WithUnit(units, "B"), {"score"}).AsNumber(), 1, 1e-9);
  EXPECT_NEAR(At(WithUnit(units, "C"), {"score"}).AsNumber(), 0.25, 1e-9);
  EXPECT_NEAR(At(WithUnit(units, "D"), {"score"}).AsNumber(), 1, 1e-9);
  EXPECT_TRUE(At(WithUnit(units, "D"), {"super_unbounded"}).AsBool());
  std::vector<std::string> frame = Codes(At(f, {"frame"}));
  std::sort(frame.begin(), frame.end());
  EXPECT_EQ(frame, (std::vector<std::string>{"B", "D"}));
}

TEST_F(LearningHttp, BadFrontierParametersAre400NamingTheParameterAndWriteNothing) {
  const std::string before = Audit();
  // Bad values are 400, unknown codes 422 (docs/http-api.md); each names the parameter.
  const struct {
    const char* query;
    int status;
    const char* message;
  } cases[] = {
      {"group=region/P1&rts=xyz", 400, "rts: 'xyz' is not one of crs, vrs, drs, irs, fdh"},
      {"group=region/P1&colour=red", 400, "colour: unknown parameter"},
      {"group=region/P1&period=2026-13", 400, "period: "},
      {"group=region/P1&slacks=perhaps", 400, "slacks: "},
      {"group=region/P9", 422, "group: no group 'P9'"},
      {"inputs=nope", 422, "inputs: unknown indicator 'nope'"},
  };
  for (const auto& c : cases) {
    auto r = Fetch(std::string("/api/frontier?") + c.query, "vic");
    ASSERT_TRUE(r) << c.query;
    EXPECT_EQ(r->status, c.status) << c.query;
    if (c.status == 400) {
      EXPECT_THAT(r->body, HasSubstr(R"("code":"invalid_argument")"));
    }
    EXPECT_THAT(r->body, HasSubstr(c.message)) << c.query;
  }
  EXPECT_EQ(Audit(), before);
  // And the frontier is still the same.
  const io::JsonValue f = Json(Fetch("/api/frontier?group=region/P1&rts=crs", "vic"));
  EXPECT_NEAR(At(WithUnit(At(f, {"units"}), "D"), {"score"}).AsNumber(), 0.75, 1e-9);
}

TEST_F(LearningHttp, ALaggingUnitLearnsFromItsPeerWithTheHandComputedTargets) {
  // No group given: D's group at level 1 of the first hierarchy, region/P1.
  auto r = Fetch("/api/units/D/learning?period=2026-01&rts=crs", "vic");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const io::JsonValue d = Json(r);
  EXPECT_EQ(At(d, {"unit", "code"}).AsString(), "D");
  EXPECT_EQ(At(d, {"peer_group", "code"}).AsString(), "region/P1");
  EXPECT_TRUE(At(d, {"scored"}).AsBool());
  EXPECT_NEAR(At(d, {"score"}).AsNumber(), 0.75, 1e-9);
  EXPECT_FALSE(At(d, {"efficient"}).AsBool());
  EXPECT_EQ(At(d, {"rank"}).AsNumber(), 2);
  EXPECT_EQ(At(d, {"of"}).AsNumber(), 4);
  // Its one peer: B, lambda 30/20 = 1.5, all of the reference point.
  ASSERT_EQ(At(d, {"peers"}).size(), 1u) << r->body;
  const io::JsonValue& peer = At(d, {"peers"}).Items()[0];
  EXPECT_EQ(At(peer, {"unit", "code"}).AsString(), "B");
  EXPECT_NEAR(At(peer, {"lambda"}).AsNumber(), 1.5, 1e-9);
  EXPECT_NEAR(At(peer, {"share"}).AsNumber(), 1, 1e-9);
  EXPECT_NEAR(At(peer, {"score"}).AsNumber(), 1, 1e-9);
  // Targets: 0.75 * 10 = 7.5 workers (-25 %), the same 30 t.
  ASSERT_EQ(At(d, {"inputs"}).size(), 1u);
  const io::JsonValue& workers = At(d, {"inputs"}).Items()[0];
  EXPECT_EQ(At(workers, {"code"}).AsString(), "workers");
  EXPECT_NEAR(At(workers, {"value"}).AsNumber(), 10, 1e-9);
  EXPECT_NEAR(At(workers, {"target"}).AsNumber(), 7.5, 1e-9);
  EXPECT_NEAR(At(workers, {"change_pct"}).AsNumber(), -25, 1e-9);
  ASSERT_EQ(At(d, {"outputs"}).size(), 1u);
  const io::JsonValue& out = At(d, {"outputs"}).Items()[0];
  EXPECT_EQ(At(out, {"code"}).AsString(), "out");
  EXPECT_NEAR(At(out, {"value"}).AsNumber(), 30, 1e-9);
  EXPECT_NEAR(At(out, {"target"}).AsNumber(), 30, 1e-9);

  // E, without workers, is not scored: among all units the reason says why.
  auto er = Fetch("/api/units/E/learning?group=all&period=2026-01&rts=crs", "vic");
  ASSERT_TRUE(er);
  EXPECT_EQ(er->status, 200) << er->body;
  const io::JsonValue e = Json(er);
  EXPECT_FALSE(At(e, {"scored"}).AsBool());
  EXPECT_EQ(At(e, {"excluded_reason"}).AsString(), "no report of workers in 2026-01");
  // In its own region/P2 no unit can be scored at all.
  er = Fetch("/api/units/E/learning?period=2026-01&rts=crs", "vic");
  ASSERT_TRUE(er);
  EXPECT_EQ(er->status, 409) << er->body;
  EXPECT_THAT(er->body, HasSubstr("no unit of the peer group can be scored in 2026-01 (E: no "
                                  "report of workers in 2026-01)"));
  EXPECT_EQ(Fetch("/api/units/Z/learning", "vic")->status, 404);
  EXPECT_EQ(Fetch("/api/units/D/learning?level=7", "vic")->status, 400);
}

// ---- Models and followers.

// A frontier is solved once for its units, figures and options: the pages of two units
// of one peer group share it, and a report of another province leaves it.
TEST_F(LearningHttp, UnitPagesOfOnePeerGroupShareItsFrontierUntilItsFiguresChange) {
  auto counter = [&](const std::string& name) {
    const std::string body = Fetch("/metrics", "vic")->body;
    const size_t at = body.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name;
    return at == std::string::npos ? -1.0 : std::stod(body.substr(at + name.size() + 2));
  };
  const double solves = counter("chollima_frontier_solves_total");
  const double hits = counter("chollima_frontier_cache_hits_total");
  for (const char* code : {"A", "C", "D"}) {
    const std::string page = "/api/units/" + std::string(code) + "/learning?period=2026-01&rts=crs";
    ASSERT_EQ(Fetch(page, "vic")->status, 200) << code;
  }
  EXPECT_EQ(counter("chollima_frontier_solves_total"), solves + 1);
  EXPECT_EQ(counter("chollima_frontier_cache_hits_total"), hits + 2);
  // E is in P2: its report leaves P1's frontier as it was; C's changes it.
  auto r = Call("POST", "/api/reports",
                R"({"unit":"E","indicator":"out","date":"2026-01-02","value":5})", "alice");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  ASSERT_EQ(Fetch("/api/units/A/learning?period=2026-01&rts=crs", "vic")->status, 200);
  EXPECT_EQ(counter("chollima_frontier_solves_total"), solves + 1);
  r = Call("POST", "/api/reports",
           R"({"unit":"C","indicator":"out","date":"2026-01-02","value":5})", "alice");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  const io::JsonValue page = Json(Fetch("/api/units/C/learning?period=2026-01&rts=crs", "vic"));
  EXPECT_EQ(counter("chollima_frontier_solves_total"), solves + 2);
  EXPECT_NEAR(At(page, {"score"}).AsNumber(), 25.0 / 20 / 4, 1e-9);  // (20 + 5) / 20 over B's 4
}

TEST_F(LearningHttp, ModelsAreForPlannersInTheirScopeAndRefusedWritesChangeNothing) {
  const std::string body =
      R"({"unit":"B","peer_group":"region/P1","from":"2026-01-01","reason":"twice the output per worker"})";
  const std::string before = Audit();
  for (const char* who : {"vic", "rita", "quinn"}) {
    auto r = Call("POST", "/api/models", body, who);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << who << ": " << r->body;
    EXPECT_THAT(r->body, HasSubstr(R"("code":"permission_denied")")) << who;
  }
  EXPECT_EQ(Call("POST", "/api/models", body, "")->status, 401);
  // Bad bodies name the JSON path, and write nothing either.
  auto r = Call("POST", "/api/models",
                R"({"unit":"B","peer_group":"region/P1","from":"2026-01-01"})", "pete");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr("$.reason: required"));
  r = Call("POST", "/api/models",
           R"({"unit":"E","peer_group":"region/P1","from":"2026-01-01","reason":"x"})", "pete");
  EXPECT_THAT(r->body, HasSubstr("E is not in region/P1"));
  r = Call("POST", "/api/models", R"({"unit":"B","colour":"red"})", "pete");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr("$.colour: unknown field"));
  EXPECT_EQ(Audit(), before);
  EXPECT_THAT(Fetch("/api/models", "vic")->body, HasSubstr(R"("models":[])"));

  r = Call("POST", "/api/models", body, "pete");
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_NE(Audit(), before);
  // Listed with the reason, the author and its followers: A, C, D of region/P1.
  const io::JsonValue models = Json(Fetch("/api/models?as_of=2026-01-01", "vic"));
  ASSERT_EQ(At(models, {"models"}).size(), 1u);
  const io::JsonValue& m = At(models, {"models"}).Items()[0];
  EXPECT_EQ(At(m, {"unit", "code"}).AsString(), "B");
  EXPECT_EQ(At(m, {"peer_group", "code"}).AsString(), "region/P1");
  EXPECT_EQ(At(m, {"from"}).AsString(), "2026-01-01");
  EXPECT_EQ(At(m, {"reason"}).AsString(), "twice the output per worker");
  EXPECT_EQ(At(m, {"author"}).AsString(), "pete");
  EXPECT_EQ(At(m, {"followers"}).AsNumber(), 3);
  EXPECT_THAT(Fetch("/api/models?group=region/P2", "vic")->body, HasSubstr(R"("models":[])"));
  EXPECT_EQ(Fetch("/api/models?as_of=yesterday", "vic")->status, 400);
}

TEST_F(LearningHttp, AModelsFollowersHaveTheHandComputedGaps) {
  DesignateB();
  // E (P2) chooses B: pete cannot choose for a unit outside his scope, quinn can; the
  // model must be a designated one.
  const std::string choice = R"({"follower":"E","model":"B","from":"2026-01-01"})";
  const std::string before = Audit();
  EXPECT_EQ(Call("POST", "/api/followers", choice, "pete")->status, 403);
  EXPECT_EQ(Call("POST", "/api/followers", choice, "vic")->status, 403);
  auto r = Call("POST", "/api/followers", R"({"follower":"E","model":"A"})", "quinn");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr("$.model: A is not a designated model"));
  EXPECT_EQ(Audit(), before);
  r = Call("POST", "/api/followers", choice, "quinn");
  ASSERT_EQ(r->status, 201) << r->body;
  const io::JsonValue chosen = Json(r);
  EXPECT_EQ(At(chosen, {"follower", "code"}).AsString(), "E");
  EXPECT_EQ(At(chosen, {"model", "code"}).AsString(), "B");
  EXPECT_TRUE(At(chosen, {"active"}).AsBool());

  const io::JsonValue models = Json(Fetch("/api/models", "vic"));
  ASSERT_EQ(At(models, {"models"}).size(), 1u);
  EXPECT_EQ(At(models.Find("models")->Items()[0], {"followers"}).AsNumber(), 4);
  r = Fetch("/api/models/B?as_of=2026-01-01", "vic");
  ASSERT_EQ(r->status, 200) << r->body;
  const io::JsonValue detail = Json(r);
  EXPECT_EQ(At(detail, {"model", "unit", "code"}).AsString(), "B");
  EXPECT_EQ(At(detail, {"total"}).AsNumber(), 4);
  // Compared: B's reported indicators (no ratios here), out and workers.
  std::vector<std::string> indicators = Codes(At(detail, {"indicators"}));
  std::sort(indicators.begin(), indicators.end());
  EXPECT_EQ(indicators, (std::vector<std::string>{"out", "workers"}));
  const io::JsonValue& followers = At(detail, {"followers"});
  EXPECT_EQ(Codes(followers), (std::vector<std::string>{"A", "C", "D", "E"}));
  // gap = model - follower for out (higher is better), follower - model for workers
  // (an input: fewer is better); gap_pct = 100 * gap / |model|.
  const struct {
    const char* unit;
    const char* indicator;
    double gap;      // NaN: missing
    double gap_pct;  // NaN: missing
    bool overtook;
    bool chosen;
  } truth[] = {{"A", "out", 0, 0, false, false},          // 20 - 20
               {"A", "workers", 5, 100, false, false},    // 10 - 5
               {"C", "workers", 15, 300, false, false},   // 20 - 5
               {"D", "out", -10, -50, true, false},       // 20 - 30: ahead
               {"D", "workers", 5, 100, false, false},    // 10 - 5
               {"E", "out", -10, -50, true, true},        // 20 - 30
               {"E", "workers", NAN, NAN, false, true}};  // E reported no workers
  for (const auto& t : truth) {
    const io::JsonValue& f = WithUnit(followers, t.unit);
    ASSERT_TRUE(f.IsObject()) << t.unit;
    EXPECT_EQ(At(f, {"chosen"}).AsBool(), t.chosen) << t.unit;
    const io::JsonValue* gap = nullptr;
    for (const io::JsonValue& g : At(f, {"gaps"}).Items()) {
      if (At(g, {"indicator"}).AsString() == t.indicator) gap = &g;
    }
    ASSERT_NE(gap, nullptr) << t.unit << " " << t.indicator;
    const std::string where = std::string(t.unit) + " " + t.indicator;
    if (std::isnan(t.gap)) {
      EXPECT_TRUE(At(*gap, {"gap"}).IsNull()) << where;
      EXPECT_TRUE(At(*gap, {"gap_pct"}).IsNull()) << where;
    } else {
      EXPECT_NEAR(At(*gap, {"gap"}).AsNumber(), t.gap, 1e-9) << where;
      EXPECT_NEAR(At(*gap, {"gap_pct"}).AsNumber(), t.gap_pct, 1e-9) << where;
    }
    EXPECT_EQ(At(*gap, {"overtook"}).AsBool(), t.overtook) << where;
  }
  EXPECT_EQ(Fetch("/api/models/C", "vic")->status, 404);
  EXPECT_EQ(Fetch("/api/models/B?limit=0", "vic")->status, 400);
  // Paged: the second follower only.
  const io::JsonValue page = Json(Fetch("/api/models/B?offset=1&limit=1", "vic"));
  EXPECT_EQ(At(page, {"total"}).AsNumber(), 4);
  EXPECT_EQ(Codes(At(page, {"followers"})), std::vector<std::string>{"C"});
}

// ---- Learning pairs.

TEST_F(LearningHttp, PairsAreProposedAppliedAndListed) {
  const std::string assign =
      R"({"peer_group":"region/P1","period":"2026-01","rts":"crs","capacity":2,)"
      R"("from":"2026-01-02")";
  const std::string before = Audit();
  // Only planners of region/P1 and admins.
  EXPECT_EQ(Call("POST", "/api/pairs/assign", assign + "}", "vic")->status, 403);
  EXPECT_EQ(Call("POST", "/api/pairs/assign", assign + R"(,"apply":true})", "quinn")->status, 403);
  auto r = Call("POST", "/api/pairs/assign", assign + R"(,"capacity":0})", "pete");
  EXPECT_EQ(r->status, 400) << r->body;
  // A proposal (without apply): B, the only efficient unit, mentors two of the three
  // learners A, C, D, and nothing is written.
  r = Call("POST", "/api/pairs/assign", assign + "}", "pete");
  ASSERT_EQ(r->status, 200) << r->body;
  const io::JsonValue proposal = Json(r);
  EXPECT_FALSE(At(proposal, {"applied"}).AsBool());
  EXPECT_EQ(Codes(At(proposal, {"mentors"})), std::vector<std::string>{"B"});
  EXPECT_EQ(At(proposal, {"pairs"}).size(), 2u);
  EXPECT_EQ(At(proposal, {"unpaired"}).size(), 1u);
  EXPECT_EQ(Audit(), before);
  EXPECT_THAT(Fetch("/api/pairs", "vic")->body, HasSubstr(R"("pairs":[])"));

  // Forbid B -> C: A and D are paired, C is left over.
  EXPECT_EQ(Call("POST", "/api/pairs/rules",
                 R"({"mentor":"B","learner":"C","rule":"forbidden","note":"too far"})", "quinn")
                ->status,
            403);
  r = Call("POST", "/api/pairs/rules", R"({"mentor":"B","learner":"C","rule":"maybe"})", "pete");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr("$.rule: expected fixed, forbidden or none, not 'maybe'"));
  EXPECT_EQ(Audit(), before);
  r = Call("POST", "/api/pairs/rules",
           R"({"mentor":"B","learner":"C","rule":"forbidden","note":"too far"})", "pete");
  ASSERT_EQ(r->status, 201) << r->body;

  r = Call("POST", "/api/pairs/assign", assign + R"(,"apply":true})", "pete");
  ASSERT_EQ(r->status, 201) << r->body;
  const io::JsonValue applied = Json(r);
  EXPECT_TRUE(At(applied, {"applied"}).AsBool());
  EXPECT_EQ(Codes(At(applied, {"unpaired"})), std::vector<std::string>{"C"});
  std::vector<std::string> learners;
  for (const io::JsonValue& p : At(applied, {"pairs"}).Items()) {
    EXPECT_EQ(At(p, {"mentor", "code"}).AsString(), "B");
    learners.emplace_back(At(p, {"learner", "code"}).AsString());
  }
  std::sort(learners.begin(), learners.end());
  EXPECT_EQ(learners, (std::vector<std::string>{"A", "D"}));

  // Listed with the learner's score at pairing and now (the same CRS frontier, nothing
  // changed since): A 0.5, D 0.75; and the rule.
  const io::JsonValue pairs = Json(Fetch("/api/pairs?as_of=2026-01-02", "vic"));
  const io::JsonValue& list = At(pairs, {"pairs"});
  ASSERT_EQ(list.size(), 2u) << Fetch("/api/pairs?as_of=2026-01-02", "vic")->body;
  for (const auto& [code, score] : {std::pair{"A", 0.5}, std::pair{"D", 0.75}}) {
    const io::JsonValue& p = WithUnit(list, code, "learner");
    ASSERT_TRUE(p.IsObject()) << code;
    EXPECT_EQ(At(p, {"mentor", "code"}).AsString(), "B") << code;
    EXPECT_EQ(At(p, {"from"}).AsString(), "2026-01-02") << code;
    EXPECT_EQ(At(p, {"period"}).AsString(), "2026-01") << code;
    EXPECT_EQ(At(p, {"frontier"}).AsString(), "crs in") << code;
    EXPECT_NEAR(At(p, {"score_at_pairing"}).AsNumber(), score, 1e-9) << code;
    EXPECT_NEAR(At(p, {"score_now"}).AsNumber(), score, 1e-9) << code;
    EXPECT_EQ(At(p, {"pairing_period"}).AsString(), "2026-01") << code;
  }
  // The learner's gaps to its mentor on each indicator: A's out 20 - 20 = 0, workers (an
  // input) 10 - 5 = 5, 100 % behind, nothing closed yet.
  const io::JsonValue& gaps = At(WithUnit(list, "A", "learner"), {"gaps"});
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(At(gaps.Items()[0], {"indicator", "code"}).AsString(), "out");
  EXPECT_EQ(At(gaps.Items()[0], {"at_pairing", "gap"}).AsNumber(), 0);
  EXPECT_EQ(At(gaps.Items()[1], {"indicator", "code"}).AsString(), "workers");
  EXPECT_EQ(At(gaps.Items()[1], {"at_pairing", "gap_pct"}).AsNumber(), 100);
  EXPECT_EQ(At(gaps.Items()[1], {"now", "gap"}).AsNumber(), 5);
  EXPECT_EQ(At(gaps.Items()[1], {"closed_pct"}).AsNumber(), 0);
  // Without as_of: the latest pairs, though they start after the latest report; on the
  // day before their first: none. The learner's own page shows its pair and gaps.
  EXPECT_EQ(At(Json(Fetch("/api/pairs", "vic")), {"pairs"}).size(), 2u);
  EXPECT_EQ(At(Json(Fetch("/api/pairs?as_of=2026-01-01", "vic")), {"pairs"}).size(), 0u);
  const io::JsonValue mine = Json(Fetch("/api/units/D/learning?group=region/P1", "vic"));
  EXPECT_EQ(At(mine, {"pair", "mentor", "code"}).AsString(), "B");
  EXPECT_EQ(At(mine, {"pair", "learner", "code"}).AsString(), "D");
  EXPECT_NEAR(At(mine, {"pair", "score_now"}).AsNumber(), 0.75, 1e-9);  // on the pair's CRS
  ASSERT_EQ(At(mine, {"pair", "gaps"}).size(), 2u);
  EXPECT_EQ(At(At(mine, {"pair", "gaps"}).Items()[0], {"at_pairing", "gap"}).AsNumber(), -10);
  ASSERT_EQ(At(pairs, {"rules"}).size(), 1u);
  const io::JsonValue& rule = At(pairs, {"rules"}).Items()[0];
  EXPECT_EQ(At(rule, {"learner", "code"}).AsString(), "C");
  EXPECT_EQ(At(rule, {"rule"}).AsString(), "forbidden");
  EXPECT_EQ(At(rule, {"note"}).AsString(), "too far");
  EXPECT_EQ(Fetch("/api/pairs?group=region/P9", "vic")->status, 422);
}

// ---- The model_overtaken event.

TEST_F(LearningHttp, AFollowerPassingItsModelIsOneEvent) {
  DesignateB();
  EventStream events(port_, tokens_["vic"]);
  ASSERT_TRUE(events.Open());  // subscribed: the stream starts with the next event
  // A's January output: 20 + 5 = 25 t, past B's 20 (its gap 0 -> -5); its workers stay
  // a mean of 10 (no report). D and E were ahead already: no event for them.
  auto r = Call("POST", "/api/reports",
                R"({"unit":"A","indicator":"out","date":"2026-01-02","value":5})", "rita");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  // Then A, still ahead, reports again (no event) and C passes B too (20 + 10 = 30 t):
  // C's event is the next one after A's, so A's came once.
  r = Call("POST", "/api/reports",
           R"([{"unit":"A","indicator":"out","date":"2026-01-03","value":1},)"
           R"({"unit":"C","indicator":"out","date":"2026-01-03","value":10}])",
           "alice");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;

  // The model_overtaken events up to C's (the writes' other events, new records, are
  // not counted).
  std::vector<SseEvent> seen;
  const auto deadline = Clock::now() + milliseconds(10'000);
  while (seen.empty() || seen.back().data.find(R"("follower":{"code":"C")") == std::string::npos) {
    auto e = events.Next(milliseconds(RemainingMs(deadline)));
    if (!e) break;
    if (e->type == "model_overtaken") seen.push_back(*std::move(e));
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].id.empty());
  EXPECT_LT(std::stoll(seen[0].id), std::stoll(seen[1].id));
  auto doc = io::ParseJson(seen[0].data);
  ASSERT_TRUE(doc.ok()) << seen[0].data;
  const io::JsonValue& e = *doc;
  // Every member the schema (ModelOvertakenEvent) requires, and no other.
  std::vector<std::string> keys;
  for (const io::JsonMember& m : e.Members()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"model", "follower", "peer_group", "indicator", "month",
                                            "model_value", "follower_value", "at"}));
  EXPECT_EQ(At(e, {"model", "code"}).AsString(), "B");
  EXPECT_EQ(At(e, {"follower", "code"}).AsString(), "A");
  EXPECT_EQ(At(e, {"follower", "name"}).AsString(), "Unit A");
  EXPECT_EQ(At(e, {"peer_group", "code"}).AsString(), "region/P1");
  EXPECT_EQ(At(e, {"indicator"}).AsString(), "out");
  EXPECT_EQ(At(e, {"month"}).AsString(), "2026-01");
  EXPECT_NEAR(At(e, {"model_value"}).AsNumber(), 20, 1e-9);
  EXPECT_NEAR(At(e, {"follower_value"}).AsNumber(), 25, 1e-9);
  // A UTC timestamp (RFC 3339, to the second), as the other events have.
  const std::string at(At(e, {"at"}).AsString());
  EXPECT_EQ(at.size(), 20u) << at;
  EXPECT_EQ(at.substr(10, 1), "T") << at;
  EXPECT_EQ(at.back(), 'Z') << at;

  doc = io::ParseJson(seen[1].data);
  ASSERT_TRUE(doc.ok()) << seen[1].data;
  EXPECT_EQ(At(*doc, {"follower", "code"}).AsString(), "C");
  EXPECT_NEAR(At(*doc, {"follower_value"}).AsNumber(), 30, 1e-9);

  // The follower page says A overtook B: 20 - 26 = -6.
  const io::JsonValue detail = Json(Fetch("/api/models/B", "vic"));
  bool found = false;
  for (const io::JsonValue& g : At(WithUnit(At(detail, {"followers"}), "A"), {"gaps"}).Items()) {
    if (At(g, {"indicator"}).AsString() != "out") continue;
    found = true;
    EXPECT_TRUE(At(g, {"overtook"}).AsBool());
    EXPECT_NEAR(At(g, {"gap"}).AsNumber(), -6, 1e-9);
  }
  EXPECT_TRUE(found);
}

// ---- Above the server's threshold, one models_overtaken summary instead.

class LearningHttpFewEvents : public LearningHttp {
  std::vector<std::string> ServerFlags() const override { return {"--max-emulation-events", "1"}; }
};

TEST_F(LearningHttpFewEvents, TwoFollowersPassingTheirModelInOneWriteAreOneSummary) {
  DesignateB();
  EventStream events(port_, tokens_["vic"]);
  ASSERT_TRUE(events.Open());
  // A (20 + 5 = 25 t) and C (20 + 10 = 30 t) both pass B's 20 t in one write: two
  // events, above the threshold of 1.
  auto r = Call("POST", "/api/reports",
                R"([{"unit":"A","indicator":"out","date":"2026-01-02","value":5},)"
                R"({"unit":"C","indicator":"out","date":"2026-01-02","value":10}])",
                "alice");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::vector<SseEvent> models;
  const auto deadline = Clock::now() + milliseconds(10'000);
  while (models.empty() || models.back().type != "models_overtaken") {
    auto e = events.Next(milliseconds(RemainingMs(deadline)));
    if (!e) break;
    if (e->type == "model_overtaken" || e->type == "models_overtaken") {
      models.push_back(*std::move(e));
    }
  }
  ASSERT_EQ(models.size(), 1u);  // the summary, and no single event before it
  ASSERT_EQ(models[0].type, "models_overtaken");
  auto doc = io::ParseJson(models[0].data);
  ASSERT_TRUE(doc.ok()) << models[0].data;
  std::vector<std::string> keys;
  for (const io::JsonMember& m : doc->Members()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"count", "author", "source", "at"}));
  EXPECT_EQ(At(*doc, {"count"}).AsNumber(), 2);
  EXPECT_EQ(At(*doc, {"author"}).AsString(), "alice");
  EXPECT_EQ(At(*doc, {"source"}).AsString(), "api /api/reports");
}

}  // namespace
}  // namespace chollima::testing
