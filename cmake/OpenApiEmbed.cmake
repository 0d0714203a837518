# Writes a C++ source defining http::OpenApiYaml() (src/http/openapi.h) with the text of
# docs/openapi.yaml in a raw string literal. Run at build time by src/http/CMakeLists.txt:
#
#   cmake -DINPUT=docs/openapi.yaml -DTEMPLATE=src/http/openapi.cc.in -DOUTPUT=openapi.cc
#         -P cmake/OpenApiEmbed.cmake
#
# The output is rewritten only when its text changes, so touching the YAML without
# changing it recompiles nothing.
foreach(var INPUT TEMPLATE OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "OpenApiEmbed.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" OPENAPI_YAML)
# The raw string ends at )DELIMITER" : refuse a document that holds it rather than emit
# a broken literal. (A raw string delimiter has at most 16 characters.)
set(OPENAPI_DELIMITER "chollima_oas")
string(FIND "${OPENAPI_YAML}" ")${OPENAPI_DELIMITER}\"" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains ')${OPENAPI_DELIMITER}\"', which ends the raw string "
                      "literal of ${TEMPLATE}: change OPENAPI_DELIMITER in ${CMAKE_CURRENT_LIST_FILE}")
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
