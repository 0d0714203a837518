// End-to-end tests of `chollima serve`: the real binary on a store loaded from the
// sample files, spoken to over loopback with http_harness.h's raw-socket HTTP/1.1
// client. Every wait has a deadline; the server listens on 127.0.0.1 port 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "http_harness.h"

namespace chollima::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// Splits JSON text into its numbers and everything else, so two documents can be
// compared with a tolerance on the numbers and exactly on the rest.
void SplitNumbers(const std::string& json, std::string& skeleton, std::vector<double>& numbers) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      skeleton.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        skeleton.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      skeleton.push_back(c);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      char* end = nullptr;
      numbers.push_back(std::strtod(json.c_str() + i, &end));
      i = static_cast<size_t>(end - json.c_str()) - 1;
      skeleton.push_back('#');
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      skeleton.push_back(c);
    }
  }
}

class Serve : public ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    const std::string src = CHOLLIMA_SOURCE_DIR;
    ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
    for (const char* kind : kKinds) {
      std::filesystem::copy_file(src + "/tests/integration/data/" + kind + ".csv",
                                 Path(std::string(kind) + ".csv"));
      RunResult r = Run({"import", "--db", "s.db", kind, std::string(kind) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
    // One account of each role, each with an API token; the passwords are kept for the
    // login tests.
    AddUser("alice", "admin");
    AddUser("pete", "planner", {"--scope", "region/P1"});
    AddUser("rita", "reporter", {"--units", "M1"});
    AddUser("vic", "viewer");
  }

  // GET as `who` (an account's API token; "" for no credentials); alice by default.
  using ServeTest::Fetch;
  std::optional<HttpResponse> Fetch(const std::string& target) {
    return ServeTest::Fetch(target, "alice");
  }

  // The newest audit entry's number (as alice): every committed write adds one.
  std::string LastAudit() { return ServeTest::LastAudit("alice"); }
};

TEST_F(Serve, HealthzIsOk) {
  StartServer();
  auto r = Fetch("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->headers, HasSubstr("content-type: application/json"));
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}\n");
}

TEST_F(Serve, FulfilmentEqualsTheCliJson) {
  RunResult cli = Run({"fulfilment", "--db", "s.db", "--period", "2026-01", "--indicator", "coal",
                       "--as-of", "2026-01-03", "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026-01&indicator=coal&as_of=2026-01-03");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string head = R"({"period":"2026-01","as_of":"2026-01-03","rows":)";
  ASSERT_EQ(r->body.rfind(head, 0), 0u) << r->body;
  const std::string rows = r->body.substr(head.size(), r->body.rfind('}') - head.size());
  std::string http_skeleton, cli_skeleton;
  std::vector<double> http_numbers, cli_numbers;
  SplitNumbers(rows, http_skeleton, http_numbers);
  SplitNumbers(cli.out, cli_skeleton, cli_numbers);
  EXPECT_EQ(http_skeleton, cli_skeleton);
  ASSERT_EQ(http_numbers.size(), cli_numbers.size());
  ASSERT_FALSE(http_numbers.empty());
  for (size_t i = 0; i < http_numbers.size(); ++i) {
    EXPECT_NEAR(http_numbers[i], cli_numbers[i], 1e-9 * std::max(1.0, std::abs(cli_numbers[i])))
        << i;
  }
  EXPECT_THAT(r->body, HasSubstr(R"("actual":2000.5)"));
}

TEST_F(Serve, GroupedFulfilmentEqualsTheCliJsonToo) {
  RunResult cli = Run({"fulfilment", "--db", "s.db", "--period", "2026", "--by", "sector",
                       "--units", "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026&by=sector&units=true");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string trimmed = cli.out;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  EXPECT_THAT(r->body, HasSubstr(trimmed));
}

TEST_F(Serve, UnknownRouteIs404Json) {
  StartServer();
  auto r = Fetch("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr(R"({"error":{"code":"route_not_found","message":)"));
}

TEST_F(Serve, BadPeriodIs400NamingTheParameter) {
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026-13");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr(R"({"error":{"code":"invalid_argument","message":"period: )"));
  r = Fetch("/api/fulfilment?period=2026%2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Fetch("/api/fulfilment?period=2026&indicator=nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_THAT(r->body, HasSubstr("indicator: unknown indicator 'nothing'"));
}

TEST_F(Serve, UnitsAndIndicatorsAreListed) {
  StartServer();
  auto r = Fetch("/api/units?offset=1&limit=1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr(R"("total":4,"offset":1,"limit":1,"units":[{"code":"M2")"));
  EXPECT_EQ(Fetch("/api/units?limit=0")->status, 400);
  r = Fetch("/api/indicators");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr(R"({"code":"coal","name":"Coal output","measure":"t")"));
}

TEST_F(Serve, MetricsCountRequests) {
  StartServer();
  ASSERT_TRUE(Fetch("/healthz"));
  auto r = Fetch("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(
      r->body,
      HasSubstr(R"(chollima_http_requests_total{route="/healthz",method="GET",status="200"} 1)"));
  EXPECT_THAT(r->body, HasSubstr("chollima_http_request_duration_seconds_bucket{"));
  EXPECT_THAT(r->body, HasSubstr("\nchollima_units 4\n"));
}

TEST_F(Serve, BodyOverTheLimitIs413) {
  StartServer({"--body-limit", "1000"});
  Connection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.Send("POST /api/units HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr(R"("code":"payload_too_large")"));
}

TEST_F(Serve, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Connection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(Get("/healthz")));
  auto first = c.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(c.Send(Get("/metrics")));
  auto second = c.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST_F(Serve, IdleConnectionIsClosedAfterTheReadTimeout) {
  StartServer({"--read-timeout-ms", "300"});
  Connection idle(port_);
  ASSERT_TRUE(idle.ok());
  const auto start = Clock::now();
  EXPECT_TRUE(idle.ClosedBy(start + milliseconds(5'000)));
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  // A slow client that sends half a request is closed too, and others are still served.
  Connection slow(port_);
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHo"));
  EXPECT_TRUE(slow.ClosedBy(Clock::now() + milliseconds(5'000)));
  auto r = Fetch("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(Serve, SigtermExitsZeroEvenWithAnIdleConnection) {
  StartServer();
  Connection idle(port_);
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(idle.Send(Get("/healthz")));
  ASSERT_TRUE(idle.ReadResponse());  // now idle, kept alive
  EXPECT_EQ(Terminate(), 0);
  EXPECT_TRUE(idle.ClosedBy(Clock::now() + milliseconds(2'000)));
}

// ---- Accounts, sessions and the role matrix.

TEST_F(Serve, ReadsNeedACaller) {
  StartServer();
  auto r = Fetch("/api/units", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_THAT(r->body, HasSubstr(R"("code":"unauthenticated")"));
  r = Call("GET", "/api/units", "", "", "Authorization: Bearer chm_nottoken\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // Health, metrics, the API description and login are public.
  EXPECT_EQ(Fetch("/healthz", "")->status, 200);
  EXPECT_EQ(Fetch("/metrics", "")->status, 200);
  r = Fetch("/api/openapi.yaml", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("openapi:"));
}

TEST_F(Serve, LoginGivesASessionWhoseWritesNeedTheCsrfToken) {
  StartServer();
  const std::string body = R"({"name":"rita","password":")" + passwords_["rita"] + "\"}";
  auto login = Call("POST", "/api/login", body, "");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_THAT(login->headers, HasSubstr("set-cookie: chollima_session="));
  EXPECT_THAT(login->headers, HasSubstr("httponly"));
  EXPECT_THAT(login->headers, HasSubstr("samesite=strict"));
  EXPECT_THAT(login->body, HasSubstr(R"("role":"reporter")"));
  const size_t c = login->raw_headers.find("chollima_session=");
  ASSERT_NE(c, std::string::npos);
  const std::string cookie =
      "Cookie: " + login->raw_headers.substr(c, login->raw_headers.find(';', c) - c) + "\r\n";
  const size_t k = login->body.find(R"("csrf":")");
  ASSERT_NE(k, std::string::npos);
  const std::string csrf = login->body.substr(k + 8, login->body.find('"', k + 8) - k - 8);
  auto me = Call("GET", "/api/me", "", "", cookie);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_THAT(me->body, HasSubstr(R"("name":"rita")"));
  const std::string report = R"({"unit":"M1","indicator":"coal","date":"2026-01-09","value":3})";
  // Without the CSRF token a write with the cookie is refused, and nothing is written.
  auto r = Call("POST", "/api/reports", report, "", cookie);
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(r->body, HasSubstr("X-CSRF-Token"));
  r = Call("POST", "/api/reports", report, "", cookie + "X-CSRF-Token: wrong\r\n");
  EXPECT_EQ(r->status, 403);
  r = Call("POST", "/api/reports", report, "", cookie + "X-CSRF-Token: " + csrf + "\r\n");
  EXPECT_EQ(r->status, 200) << r->body;
  // After logout the session is gone.
  r = Call("POST", "/api/logout", "", "", cookie + "X-CSRF-Token: " + csrf + "\r\n");
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(Call("GET", "/api/me", "", "", cookie)->status, 401);
}

TEST_F(Serve, WrongPasswordsAreRateLimited) {
  StartServer();
  for (int i = 0; i < 5; ++i) {
    auto r = Call("POST", "/api/login", R"({"name":"vic","password":"wrong-password"})", "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << i;
  }
  auto r = Call("POST", "/api/login", R"({"name":"vic","password":"wrong-password"})", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_THAT(r->headers, HasSubstr("retry-after: "));
  // Even the right password waits now.
  r = Call("POST", "/api/login", R"({"name":"vic","password":")" + passwords_["vic"] + "\"}", "");
  EXPECT_EQ(r->status, 429);
  // Malformed JSON is a 400 naming where.
  r = Call("POST", "/api/login", R"({"name":"vic",)", "");
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("line 1, column"));
}

// Every write route, for every role, on something inside its scope and outside it:
// allowed calls succeed; every other gets 401/403 and leaves the store unchanged.
TEST_F(Serve, RoleMatrix) {
  StartServer();
  struct Call_ {
    const char* method;
    const char* target;
    std::string own;                 // a body inside the planner's and the reporter's scope
    std::string other;               // the same outside it
    std::set<std::string> own_ok;    // roles allowed on `own`
    std::set<std::string> other_ok;  // roles allowed on `other`
  };
  const std::set<std::string> admin = {"alice"};
  const std::vector<Call_> calls = {
      {"POST",
       "/api/reports",
       R"({"unit":"M1","indicator":"coal","date":"2026-01-05","value":5})",
       R"({"unit":"M3","indicator":"coal","date":"2026-01-05","value":5})",
       {"alice", "rita"},
       admin},
      {"POST",
       "/api/import/reports",
       "unit,indicator,date,value\nM1,coal,2026-01-06,6\n",
       "unit,indicator,date,value\nM3,coal,2026-01-06,6\n",
       {"alice", "rita"},
       admin},
      {"POST",
       "/api/plans",
       R"({"target":"M1","indicator":"coal","period":"2026-02","value":9})",
       R"({"target":"M3","indicator":"coal","period":"2026-02","value":9})",
       {"alice", "pete"},
       admin},
      {"POST",
       "/api/groups",
       R"({"hierarchy":"region","code":"P1-C9","name":"New county","parent":"P1"})",
       R"({"hierarchy":"region","code":"P2-C9","name":"New county","parent":"P2"})",
       {"alice", "pete"},
       admin},
      {"POST",
       "/api/units",
       R"({"code":"M8","name":"New mine","region":"P1-C1"})",
       R"({"code":"M9","name":"New mine","region":"P2-C1"})",
       {"alice", "pete"},
       admin},
      {"POST",
       "/api/memberships",
       R"({"unit":"M2","hierarchy":"region","group":"P1-C1","from":"2026-09-01"})",
       R"({"unit":"M2","hierarchy":"region","group":"P2-C1","from":"2026-09-01"})",
       {"alice", "pete"},
       admin},
      {"POST", "/api/indicators",
       R"({"code":"slag","name":"Slag","measure":"t","direction":"lower","aggregation":"sum","role":"input"})",
       R"({"code":"ash","name":"Ash","measure":"t","direction":"lower","aggregation":"sum","role":"input"})",
       admin, admin},
      {"POST", "/api/users", R"({"name":"newbie","role":"viewer"})",
       R"({"name":"newbie2","role":"admin"})", admin, admin},
      {"GET", "/api/audit", "", "", admin, admin},
      {"GET", "/api/users", "", "", admin, admin},
  };
  for (const Call_& call : calls) {
    for (const char* who : {"", "vic", "rita", "pete", "alice"}) {
      for (const bool own : {true, false}) {
        const std::string& body = own ? call.own : call.other;
        const bool allowed = (own ? call.own_ok : call.other_ok).count(who) > 0;
        const std::string before = LastAudit();
        auto r = Call(call.method, call.target, body, who);
        ASSERT_TRUE(r);
        const std::string where = std::string(call.method) + " " + call.target + " as '" + who +
                                  "' " + (own ? "own" : "other") + ": " + r->body;
        if (allowed) {
          EXPECT_TRUE(r->status == 200 || r->status == 201) << where;
        } else {
          EXPECT_EQ(r->status, *who == '\0' ? 401 : 403) << where;
          EXPECT_EQ(LastAudit(), before) << where;
        }
      }
    }
  }
  // Reads are for every role.
  for (const char* who : {"vic", "rita", "pete", "alice"}) {
    EXPECT_EQ(Fetch("/api/units", who)->status, 200) << who;
    EXPECT_EQ(Fetch("/api/fulfilment?period=2026-01", who)->status, 200) << who;
  }
  // Tokens: one's own, or anyone's for an admin.
  EXPECT_EQ(Call("POST", "/api/users/rita/tokens", "", "rita")->status, 201);
  EXPECT_EQ(Call("POST", "/api/users/pete/tokens", "", "rita")->status, 403);
  EXPECT_EQ(Call("POST", "/api/users/pete/tokens", "", "alice")->status, 201);
  EXPECT_EQ(Call("DELETE", "/api/users/vic", "", "rita")->status, 403);
  EXPECT_EQ(Call("DELETE", "/api/users/vic", "", "alice")->status, 200);
  EXPECT_EQ(Fetch("/api/units", "vic")->status, 401);  // revoked: its token is dead
}

// ---- Writes.

TEST_F(Serve, ReportsAreStoredOnceByKeyAndCorrectionsKeepHistory) {
  StartServer();
  const std::string report =
      R"({"unit":"M1","indicator":"coal","date":"2026-01-07","value":10,"key":"r-7"})";
  auto r = Call("POST", "/api/reports", report, "rita");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("imported":1)"));
  r = Call("POST", "/api/reports", report, "rita");
  EXPECT_THAT(r->body, HasSubstr(R"("imported":0,"updated":0,"ignored":1)"));
  r = Call("POST", "/api/reports",
           R"([{"unit":"M1","indicator":"coal","date":"2026-01-07","value":12.5}])", "alice");
  EXPECT_THAT(r->body, HasSubstr(R"("updated":1)"));
  r = Fetch("/api/reports/history?unit=M1&indicator=coal&date=2026-01-07", "vic");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr(R"("value":10,"author":"rita")"));
  EXPECT_THAT(r->body, HasSubstr(R"("value":12.5,"author":"alice")"));
  // The audit log names the correction's old and new value.
  r = Fetch("/api/audit?limit=1");
  const size_t at = r->body.find(R"("seq":)");
  ASSERT_NE(at, std::string::npos) << r->body;
  const std::string seq = r->body.substr(at + 6, r->body.find(',', at) - at - 6);
  r = Fetch("/api/audit/" + seq);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr(R"("old":10,"new":12.5)"));
}

TEST_F(Serve, BadWritesAreRejectedWholeWithTheirPlace) {
  StartServer();
  const std::string before = LastAudit();
  auto r = Call("POST", "/api/reports",
                R"([{"unit":"M1","indicator":"coal","date":"2026-01-08","value":1},)"
                R"({"unit":"M1","indicator":"coal","date":"2026-01-09","value":"12,5"}])",
                "alice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_THAT(r->body, HasSubstr(R"("path":"$[1].value")"));
  r = Call("POST", "/api/reports",
           R"({"unit":"M77","indicator":"coal","date":"2026-01-08","value":1})", "alice");
  EXPECT_EQ(r->status, 422);
  EXPECT_THAT(r->body, HasSubstr("M77"));
  r = Call("POST", "/api/reports", R"([{"unit":"M1",)", "alice");
  EXPECT_EQ(r->status, 400);
  r = Call("POST", "/api/import/reports", "unit,indicator,date,value\nM1,coal,2026-01-08,x\n",
           "alice");
  EXPECT_EQ(r->status, 422);
  EXPECT_THAT(r->body, HasSubstr(R"("line":2,"column":4,"field":"value")"));
  EXPECT_EQ(LastAudit(), before);
  // A dry run validates and counts, and writes nothing.
  r = Call("POST", "/api/import/reports?dry_run=true",
           "unit,indicator,date,value\nM1,coal,2026-01-08,8\n", "alice");
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr(R"("imported":1)"));
  EXPECT_EQ(LastAudit(), before);
}

TEST_F(Serve, StructureWritesShowInReads) {
  StartServer();
  auto r =
      Call("POST", "/api/units", R"({"code":"M8","name":"Kaechon Mine","region":"P1-C2"})", "pete");
  ASSERT_EQ(r->status, 200) << r->body;
  r = Fetch("/api/units?within=region/P1-C2&sort=name", "vic");
  EXPECT_THAT(r->body, HasSubstr(R"("code":"M8","name":"Kaechon Mine")"));
  r = Call("POST", "/api/plans",
           R"({"target":"M8","indicator":"coal","period":"2026-03","value":300})", "pete");
  ASSERT_EQ(r->status, 200) << r->body;
  r = Fetch("/api/units/M8/fulfilment?period=2026-03", "vic");
  EXPECT_THAT(r->body, HasSubstr(R"("target":"M8")"));
  EXPECT_THAT(r->body, HasSubstr(R"("plan":300)"));
  r = Fetch("/api/export/units?format=csv", "vic");
  EXPECT_THAT(r->body, HasSubstr("M8,Kaechon Mine"));
}

// ---- Live events.

TEST_F(Serve, AReportThatChangesAStatusIsAnEvent) {
  StartServer();
  EventStream events(port_, tokens_["vic"]);
  ASSERT_TRUE(events.Open());  // subscribed: the write's events come after this
  std::string seen;
  // M1's January coal plan is 28000: one big report makes its month overfulfilled.
  auto r = Call("POST", "/api/reports",
                R"({"unit":"M1","indicator":"coal","date":"2026-01-04","value":40000})", "rita");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, Not(HasSubstr(R"("events":0)")));
  const auto deadline = Clock::now() + milliseconds(10'000);
  while (seen.find("\"to\":\"overfulfilled\"") == std::string::npos && Clock::now() < deadline) {
    if (!events.FillInto(seen, deadline)) break;
  }
  EXPECT_THAT(seen, HasSubstr("event: status"));
  EXPECT_THAT(seen, HasSubstr(R"("unit":"M1")"));
  EXPECT_THAT(seen, HasSubstr(R"("period":"2026-01")"));
  EXPECT_THAT(seen, HasSubstr(R"("to":"overfulfilled")"));
  EXPECT_THAT(seen, ContainsRegex("(^|\n)id: [0-9]+\n"));  // an event id, at a line start
}

TEST_F(Serve, AWriteMovingManyStatusesIsOneEvent) {
  StartServer({"--max-status-events", "0"});
  EventStream events(port_, tokens_["vic"]);
  ASSERT_TRUE(events.Open());  // subscribed: the write's events come after this
  auto r = Call("POST", "/api/reports",
                R"({"unit":"M1","indicator":"coal","date":"2026-01-04","value":40000})", "rita");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr(R"("events":1)"));
  std::string seen;
  const auto deadline = Clock::now() + milliseconds(10'000);
  while (seen.find("\"count\":") == std::string::npos && Clock::now() < deadline) {
    if (!events.FillInto(seen, deadline)) break;
  }
  EXPECT_THAT(seen, HasSubstr("event: statuses"));
  EXPECT_THAT(seen, HasSubstr(R"("author":"rita")"));
  EXPECT_THAT(seen, Not(HasSubstr("event: status\n")));
}

// ------------------------------------------------------------------ emulation

// The sample economy's coal mines M1, M2, M3 in a drive scored on coal against plan.
// As of 2026-01-03 (the last reported day), hand-computed from the sample files:
//   M1: plan due 3 * 28000/31 (its explicit January plan, even) = 2709.677..., actual
//       1010 + 990.5 = 2000.5 -> 73.83%;
//   M2: 3 * 240000/365 = 1972.60..., actual 1420 -> 71.99%;
//   M3: 3 * 180000/365 = 1479.45..., actual 500 -> 33.80%.
constexpr const char* kCoalDrive =
    R"({"code":"coal26","name":"Coal drive","start":"2026-01-01","end":"2026-12-31",)"
    R"("participants":{"kind":"units","within":"sector/coal"},"rule":"coal:percent_of_plan"})";

double ScoreOf(const std::string& body, const std::string& unit) {
  const size_t at = body.find("\"code\":\"" + unit + "\"");
  if (at == std::string::npos) return std::nan("");
  const size_t score = body.find("\"score\":", at);
  return std::atof(body.c_str() + score + 8);
}

TEST_F(Serve, ADriveRanksItsUnitsAndAnOvertakingAndARecordAreEvents) {
  StartServer();
  auto created = Call("POST", "/api/drives", kCoalDrive, "alice");
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_THAT(created->body, HasSubstr(R"("code":"coal26")"));
  auto listed = Fetch("/api/drives", "vic");
  ASSERT_EQ(listed->status, 200);
  EXPECT_THAT(listed->body, HasSubstr(R"("rule":"coal:percent_of_plan)"));

  auto before = Fetch("/api/drives/coal26/standings", "vic");
  ASSERT_EQ(before->status, 200) << before->body;
  EXPECT_THAT(before->body, HasSubstr(R"("as_of":"2026-01-03")"));
  EXPECT_NEAR(ScoreOf(before->body, "M1"), 100 * 2000.5 / (3 * 28000.0 / 31), 1e-9);
  EXPECT_NEAR(ScoreOf(before->body, "M2"), 100 * 1420 / (3 * 240000.0 / 365), 1e-9);
  EXPECT_NEAR(ScoreOf(before->body, "M3"), 100 * 500 / (3 * 180000.0 / 365), 1e-9);
  EXPECT_LT(before->body.find(R"("code":"M1")"), before->body.find(R"("code":"M2")"));
  EXPECT_LT(before->body.find(R"("code":"M2")"), before->body.find(R"("code":"M3")"));

  EventStream events(port_, tokens_["vic"]);
  ASSERT_TRUE(events.Open());  // subscribed: the write's events come after this
  // M3 reports 2000 t on the 3rd: 2500 of 1479.45 due = 168.98%, past M2 and M1; and the
  // best day of any unit (M1's 1010 on the 2nd until now).
  auto r = Call("POST", "/api/reports",
                R"({"unit":"M3","indicator":"coal","date":"2026-01-03","value":2000})", "alice");
  ASSERT_EQ(r->status, 200) << r->body;
  std::string seen;
  const auto deadline = Clock::now() + milliseconds(10'000);
  while ((seen.find(R"("overtaken":{"kind":"unit","code":"M2")") == std::string::npos ||
          seen.find("event: record") == std::string::npos) &&
         Clock::now() < deadline) {
    if (!events.FillInto(seen, deadline)) break;
  }
  EXPECT_THAT(seen, HasSubstr("event: overtaking"));
  EXPECT_THAT(seen, HasSubstr(R"("overtaker":{"kind":"unit","code":"M3")"));
  EXPECT_THAT(seen, HasSubstr(R"("overtaken":{"kind":"unit","code":"M1")"));
  EXPECT_THAT(seen, HasSubstr(R"("overtaken":{"kind":"unit","code":"M2")"));
  EXPECT_THAT(seen, HasSubstr("event: record"));

  auto after = Fetch("/api/drives/coal26/standings", "vic");
  ASSERT_EQ(after->status, 200);
  EXPECT_NEAR(ScoreOf(after->body, "M3"), 100 * 2500 / (3 * 180000.0 / 365), 1e-9);
  EXPECT_LT(after->body.find(R"("code":"M3")"), after->body.find(R"("code":"M1")"));

  auto records = Fetch("/api/records?indicator=coal&grain=day&scope=all", "vic");
  ASSERT_EQ(records->status, 200) << records->body;
  EXPECT_THAT(records->body, HasSubstr(R"("holder":{"kind":"unit","code":"M3")"));
  EXPECT_THAT(records->body, HasSubstr(R"("value":2000)"));
  EXPECT_THAT(records->body, HasSubstr(R"("previous":{"holder":{"kind":"unit","code":"M1")"));
}

TEST_F(Serve, DrivesAndStandardsAreForPlannersAndAdminsAndBadOnesWriteNothing) {
  StartServer();
  const std::string audit = LastAudit();
  EXPECT_EQ(Call("POST", "/api/drives", kCoalDrive, "vic")->status, 403);
  EXPECT_EQ(Call("POST", "/api/drives", kCoalDrive, "rita")->status, 403);
  // pete plans region/P1: a drive over the whole coal sector reaches beyond it.
  EXPECT_EQ(Call("POST", "/api/drives", kCoalDrive, "pete")->status, 403);
  auto bad = Call("POST", "/api/drives",
                  R"({"code":"x","name":"X","start":"2026-01-01","end":"2026-12-31",)"
                  R"("participants":{"kind":"units"},"rule":"coal:percentx"})",
                  "alice");
  EXPECT_GE(bad->status, 400) << bad->body;
  EXPECT_LT(bad->status, 500) << bad->body;
  EXPECT_THAT(bad->body, HasSubstr("percentx"));
  EXPECT_EQ(LastAudit(), audit);

  ASSERT_EQ(Call("POST", "/api/drives", kCoalDrive, "alice")->status, 201);
  EXPECT_EQ(Call("POST", "/api/drives", kCoalDrive, "alice")->status, 409);

  auto set = Call("POST", "/api/standards",
                  R"({"indicator":"coal_per_worker","peer_group":"sector/coal",)"
                  R"("from":"2026-01-01","value":2.5,"note":"the ministry's norm"})",
                  "alice");
  ASSERT_EQ(set->status, 201) << set->body;
  auto listed = Fetch("/api/standards?as_of=2026-01-03", "vic");
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_THAT(listed->body, HasSubstr(R"("peer_group":"sector/coal")"));
  EXPECT_THAT(listed->body, HasSubstr(R"("note":"the ministry's norm")"));
  EXPECT_EQ(Call("POST", "/api/standards",
                 R"({"indicator":"coal_per_worker","peer_group":"sector/coal",)"
                 R"("from":"2026-01-01","value":2.5})",
                 "vic")
                ->status,
            403);
  // A season that has not ended cannot be finalized.
  EXPECT_EQ(Call("POST", "/api/drives/coal26/seasons/0/finalize", "", "alice")->status, 409);
  EXPECT_EQ(Fetch("/api/drives/nope/standings", "vic")->status, 404);
  EXPECT_EQ(Fetch("/api/drives/coal26/standings?level=nowhere", "vic")->status, 422);
}

}  // namespace
}  // namespace chollima::testing
