#include "http/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chollima::http {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("chollima_static_" + std::to_string(getpid()));
    fs::create_directories(root_ / "assets");
    Write("index.html", "<!doctype html><title>Chollima</title>");
    Write("assets/index-abc123.js", "console.log(1)");
    Write("favicon.svg", "<svg/>");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name) << text;
  }
  static Request Get(std::string path) { return Request{.method = "GET", .path = std::move(path)}; }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  auto files = StaticFiles::Load(root_.string());
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ((*files)->file_count(), 3u);
  Response js = (*files)->Serve(Get("/assets/index-abc123.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_THAT(js.headers, Contains(Pair("Cache-Control", "public, max-age=31536000, immutable")));
  Response svg = (*files)->Serve(Get("/favicon.svg"));
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_THAT(svg.headers, Contains(Pair("Cache-Control", "no-cache")));
}

TEST_F(StaticFilesTest, DashboardRoutesAnswerIndexWithSecurityHeaders) {
  auto files = StaticFiles::Load(root_.string());
  ASSERT_TRUE(files.ok());
  for (const char* path : {"/", "/units/U00001", "/drill/region"}) {
    Response r = (*files)->Serve(Get(path));
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_THAT(r.body, HasSubstr("<title>Chollima</title>")) << path;
    EXPECT_THAT(r.headers, Contains(Pair("Cache-Control", "no-cache")));
    EXPECT_THAT(r.headers,
                Contains(Pair("Content-Security-Policy", HasSubstr("default-src 'self'"))));
  }
  // A missing file with an extension is a 404, not the page.
  EXPECT_EQ((*files)->Serve(Get("/assets/gone.js")).status, 404);
  // Nothing outside the root can be named: files are served from memory only.
  EXPECT_EQ((*files)->Serve(Get("/../../etc/passwd.txt")).status, 404);
  Response head = (*files)->Serve(Request{.method = "HEAD", .path = "/"});
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(StaticFilesTest, RefusesARootWithoutIndex) {
  fs::remove(root_ / "index.html");
  auto files = StaticFiles::Load(root_.string());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(files.error().message, HasSubstr("index.html"));
  EXPECT_EQ(StaticFiles::Load((root_ / "nope").string()).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace chollima::http
