# Helpers that keep each folder's CMakeLists.txt to a few calls (after abseil's
# absl_cc_library). Each layer is one library that links only the layers below it.

set_property(GLOBAL PROPERTY CHOLLIMA_REGISTERED_TESTS "")

# chollima_library(NAME name SRCS ... DEPS ...)
function(chollima_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(chollima_${ARG_NAME} STATIC ${ARG_SRCS})
  target_link_libraries(chollima_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# chollima_test(NAME name SRCS ... DEPS ... [LABELS ...])
# Registers a GoogleTest binary with CTest, one CTest entry per test case.
function(chollima_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
  foreach(src ${ARG_SRCS})
    get_filename_component(abs ${src} ABSOLUTE)
    set_property(GLOBAL APPEND PROPERTY CHOLLIMA_REGISTERED_TESTS ${abs})
  endforeach()
endfunction()

# chollima_benchmark(NAME name SRCS ... DEPS ...)
function(chollima_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()

# Fails configuration when a *_test.cc file exists that no chollima_test() builds,
# so a test can never silently stop running.
function(chollima_check_all_tests_registered)
  file(GLOB_RECURSE all_tests CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/*_test.cc ${PROJECT_SOURCE_DIR}/tests/*_test.cc)
  get_property(registered GLOBAL PROPERTY CHOLLIMA_REGISTERED_TESTS)
  foreach(t ${all_tests})
    if(NOT t IN_LIST registered)
      message(FATAL_ERROR "${t} is not registered with chollima_test()")
    endif()
  endforeach()
endfunction()
