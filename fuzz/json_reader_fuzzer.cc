// Feeds arbitrary bytes to io::ParseJson. Checks that parsing never crashes; that an
// error is kInvalidArgument and names a line and a column ("line L, column C: ...");
// that what parses was valid UTF-8 and holds only valid UTF-8 strings; that writing the
// value back with io::WriteJson gives text that parses to an equal value and writes back
// to the very same text; and that the nesting limit holds. Set JSON_READER_FUZZER_VERBOSE
// to print each input's outcome.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/text.h"
#include "io/json_reader.h"
#include "io/json_writer.h"

namespace {

using namespace chollima;

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

// Checks the strings of `v` and returns the depth of its deepest container.
int Check(const io::JsonValue& v) {
  int depth = 0;
  if (v.IsString()) FUZZ_CHECK(IsValidUtf8(v.AsString()));
  if (v.IsNumber()) FUZZ_CHECK(!v.NumberText().empty());
  for (const io::JsonValue& item : v.Items()) depth = std::max(depth, Check(item));
  for (const io::JsonMember& m : v.Members()) {
    FUZZ_CHECK(IsValidUtf8(m.key));
    FUZZ_CHECK(v.Find(m.key) == &m.value);  // keys are distinct: the first is the one
    depth = std::max(depth, Check(m.value));
  }
  return v.IsArray() || v.IsObject() ? depth + 1 : depth;
}

std::string Write(const io::JsonValue& v) {
  io::JsonWriter w;
  io::WriteJson(v, w);
  return w.Take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = io::ParseJson(text);
  static const bool verbose = std::getenv("JSON_READER_FUZZER_VERBOSE") != nullptr;
  if (!parsed.ok()) {
    if (verbose) std::fprintf(stderr, "error: %s\n", parsed.error().message.c_str());
    FUZZ_CHECK(parsed.error().code == ErrorCode::kInvalidArgument);
    FUZZ_CHECK(parsed.error().message.starts_with("line "));
    FUZZ_CHECK(parsed.error().message.find(", column ") != std::string::npos);
    return 0;
  }
  if (verbose) std::fprintf(stderr, "ok: %s\n", Write(*parsed).c_str());
  FUZZ_CHECK(IsValidUtf8(text));
  FUZZ_CHECK(Check(*parsed) <= io::kMaxJsonDepth);

  const std::string written = Write(*parsed);
  auto again = io::ParseJson(written);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *parsed);
  FUZZ_CHECK(Write(*again) == written);
  return 0;
}
