// docs/openapi.yaml, the description of the HTTP API, built into the library so that the
// server answers GET /api/openapi.yaml with the very document it was built with.
//
//   router.Add("GET", "/api/openapi.yaml", [](const Request&) {
//     return Response{.content_type = "application/yaml", .body = std::string(OpenApiYaml())};
//   });
//
// The definition is generated at build time from src/http/openapi.cc.in by
// cmake/OpenApiEmbed.cmake (see src/http/CMakeLists.txt), again whenever the file changes.
#pragma once

#include <string_view>

namespace chollima::http {

// The bytes of docs/openapi.yaml (UTF-8 YAML), valid for the life of the program.
std::string_view OpenApiYaml();

}  // namespace chollima::http
