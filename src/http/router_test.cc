#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chollima::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(PercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(*PercentDecode("a%20b+c%2Bd", true), "a b c+d");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%EC%B2%9C", true), "천");
  EXPECT_EQ(*PercentDecode("", true), "");
}

TEST(PercentDecode, RejectsTruncatedOrNonHexEscapes) {
  for (const char* bad : {"%", "%2", "a%zz", "%2g", "abc%"}) {
    auto r = PercentDecode(bad, true);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(PercentDecode, RejectsInvalidUtf8) { EXPECT_FALSE(PercentDecode("%FF", true).ok()); }

TEST(ParseQuery, SplitsAndDecodesPairs) {
  auto q = ParseQuery("period=2026-01&by=region%3A2&&all&x=a%26b");
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(q->items(), ElementsAre(Pair("period", "2026-01"), Pair("by", "region:2"),
                                      Pair("all", ""), Pair("x", "a&b")));
  EXPECT_EQ(q->Get("by"), "region:2");
  EXPECT_EQ(q->Get("nope"), std::nullopt);
}

TEST(ParseQuery, BadEncodingNamesTheParameter) {
  auto q = ParseQuery("period=2026%2");
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(q.error().message, HasSubstr("period"));
}

TEST(HttpStatusFor, MapsEveryErrorCode) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kIo), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(ErrorResponse, IsJsonWithCodeAndEscapedMessage) {
  Response r = ErrorResponse(InvalidArgument("period: '2026-13' is \"bad\""));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"({"error":{"code":"invalid_argument","message":"period: '2026-13' is \"bad\""}})"
            "\n");
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/healthz", [](const Request&) { return JsonResponse(200, "{}"); });
    router_.Add("GET", "/api/echo", [](const Request& r) {
      return JsonResponse(200, r.path + "|" + r.query.Get("q").value_or("-"));
    });
    router_.Add("POST", "/api/echo", [](const Request& r) { return JsonResponse(201, r.body); });
  }
  Router router_;
};

TEST_F(RouterTest, RoutesByMethodAndPath) {
  auto d = router_.Dispatch("GET", "/healthz");
  EXPECT_EQ(d.response.status, 200);
  EXPECT_EQ(d.route, "/healthz");
  d = router_.Dispatch("POST", "/api/echo", "body");
  EXPECT_EQ(d.response.status, 201);
  EXPECT_EQ(d.response.body, "body\n");
}

TEST_F(RouterTest, PassesDecodedPathAndQuery) {
  auto d = router_.Dispatch("GET", "/api/%65cho?q=a%20b");
  EXPECT_EQ(d.response.status, 200);
  EXPECT_EQ(d.response.body, "/api/echo|a b\n");
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  auto d = router_.Dispatch("GET", "/nowhere?x=1");
  EXPECT_EQ(d.response.status, 404);
  EXPECT_THAT(d.response.body, HasSubstr(R"({"error":{"code":"route_not_found")"));
  EXPECT_EQ(d.route, "unmatched");
}

TEST_F(RouterTest, OtherMethodOnKnownPathIs405) {
  auto d = router_.Dispatch("DELETE", "/healthz");
  EXPECT_EQ(d.response.status, 405);
  EXPECT_THAT(d.response.body, HasSubstr("method_not_allowed"));
}

TEST_F(RouterTest, BadQueryEncodingIs400) {
  auto d = router_.Dispatch("GET", "/api/echo?q=%zz");
  EXPECT_EQ(d.response.status, 400);
  EXPECT_THAT(d.response.body, HasSubstr("invalid_argument"));
  EXPECT_THAT(d.response.body, HasSubstr("q: "));
}

TEST_F(RouterTest, ListsRoutes) {
  EXPECT_THAT(router_.Routes(), ElementsAre("GET /healthz", "GET /api/echo", "POST /api/echo"));
}

TEST(RouterParams, MatchesParametersAndPrefersLiterals) {
  Router router;
  router.Add("GET", "/api/units/{code}",
             [](const Request& r) { return JsonResponse(200, "unit " + r.Param("code")); });
  router.Add("GET", "/api/units/{code}/series/{indicator}", [](const Request& r) {
    return JsonResponse(200, r.Param("code") + "/" + r.Param("indicator"));
  });
  router.Add("GET", "/api/units/new", [](const Request&) { return JsonResponse(200, "new"); });
  EXPECT_EQ(router.Dispatch("GET", "/api/units/M%201").response.body, "unit M 1\n");
  EXPECT_EQ(router.Dispatch("GET", "/api/units/new").response.body, "new\n");
  auto d = router.Dispatch("GET", "/api/units/M1/series/coal");
  EXPECT_EQ(d.response.body, "M1/coal\n");
  EXPECT_EQ(d.route, "/api/units/{code}/series/{indicator}");
  // An empty segment matches no parameter; extra segments match nothing.
  EXPECT_EQ(router.Dispatch("GET", "/api/units/").response.status, 404);
  EXPECT_EQ(router.Dispatch("GET", "/api/units/M1/x").response.status, 404);
  EXPECT_EQ(router.Dispatch("DELETE", "/api/units/M1").response.status, 405);
  // Routes are listed in registration order whatever the matching order.
  EXPECT_THAT(router.Routes(),
              ElementsAre("GET /api/units/{code}", "GET /api/units/{code}/series/{indicator}",
                          "GET /api/units/new"));
}

TEST(RouterFallback, ServesUnmatchedGetsOutsideTheApi) {
  Router router;
  router.Add("GET", "/api/x", [](const Request&) { return JsonResponse(200, "x"); });
  router.SetFallback([](const Request& r) {
    return Response{.status = 200, .content_type = "text/html", .body = "page " + r.path};
  });
  auto d = router.Dispatch("GET", "/units/M1");
  EXPECT_EQ(d.response.body, "page /units/M1");
  EXPECT_EQ(d.route, "static");
  EXPECT_EQ(router.Dispatch("GET", "/api/nope").response.status, 404);
  EXPECT_EQ(router.Dispatch("POST", "/units/M1").response.status, 404);
}

TEST(RouterHeaders, HandlersSeeHeadersAndRemote) {
  Router router;
  router.Add("GET", "/h", [](const Request& r) {
    return JsonResponse(200, std::string(r.Header("x-token").value_or("none")) + "@" + r.remote);
  });
  Request request{.method = "GET", .headers = {{"x-token", "abc"}}, .remote = "127.0.0.1"};
  EXPECT_EQ(router.Dispatch(std::move(request), "/h").response.body, "abc@127.0.0.1\n");
  EXPECT_EQ(router.Dispatch("GET", "/h").response.body, "none@\n");
}

}  // namespace
}  // namespace chollima::http
