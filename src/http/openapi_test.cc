#include "http/openapi.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace chollima::http {
namespace {

// The built-in text is docs/openapi.yaml byte for byte: a stale or mangled copy (a
// delimiter, a semicolon or an escape eaten on the way through CMake) fails here.
TEST(OpenApiYaml, IsTheDocumentByteForByte) {
  std::ifstream in(CHOLLIMA_OPENAPI_YAML, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << CHOLLIMA_OPENAPI_YAML;
  std::ostringstream file;
  file << in.rdbuf();
  EXPECT_EQ(OpenApiYaml(), file.str());
}

TEST(OpenApiYaml, IsAnOpenApiDocument) {
  EXPECT_TRUE(OpenApiYaml().starts_with("openapi: 3.")) << OpenApiYaml().substr(0, 40);
  EXPECT_NE(OpenApiYaml().find("\n  /api/openapi.yaml:\n"), std::string_view::npos);
}

}  // namespace
}  // namespace chollima::http
