// A strict RFC 8259 JSON reader: parses a whole text into a JsonValue tree.
//
// Strict means: exactly one value with nothing after it but whitespace; no comments, no
// trailing commas, no single quotes, no leading zeros ("01"), no NaN or Infinity, no
// number that overflows a double ("1e999"; one that underflows becomes 0 or a
// subnormal and keeps its text); strings must be valid UTF-8 without raw control
// characters, and \u escapes may not leave a lone surrogate; an object may not repeat a
// key; containers nest at most kMaxJsonDepth deep. A UTF-8 byte-order mark before the
// value is skipped. Strings are decoded to UTF-8 (\u0000 gives a NUL byte). Numbers keep
// their double and their original text, so a caller can read 12345678901234567 or 0.1
// with no rounding of its own.
//
// Errors are kInvalidArgument and name the place, 1-based, with the column counted in
// characters (Unicode code points) from the start of the line; a line ends at "\n",
// "\r\n" or a lone "\r":
//   "line 3, column 14: expected ',' or '}' after an object member"
//
//   auto doc = ParseJson(body);
//   if (!doc.ok()) return doc.error();
//   if (const JsonValue* dry = doc->Find("dry_run"); dry != nullptr && dry->IsBool()) ...
//   if (const JsonValue* items = doc->Find("items")) {
//     for (const JsonValue& item : items->Items()) ...   // none unless an array
//   }
//
// Accessors never abort: asked for another kind than it holds, a value answers with an
// empty default (false, 0, "", no items, no members, nullptr), so check the kind first
// when it matters. Single pass over the text, no regular expressions: in an optimized
// build a 1 MiB array of small objects parses in about 5 ms of CPU and its tree takes
// about 9 MiB (more time when that memory must first be faulted in).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "io/json_writer.h"

namespace chollima::io {

// Containers (arrays and objects) nest at most this deep; the 65th level is an error.
inline constexpr int kMaxJsonDepth = 64;

enum class JsonKind { kNull, kBool, kNumber, kString, kArray, kObject };

// "null", "a boolean", "a number", "a string", "an array", "an object": for messages
// such as "expected a string, found " + JsonKindName(v.kind()).
const char* JsonKindName(JsonKind kind);

struct JsonMember;

class JsonValue {
 public:
  // Special members are defined below JsonMember, which must be complete for them.
  JsonValue();  // null
  JsonValue(const JsonValue& other);
  JsonValue(JsonValue&& other) noexcept;
  JsonValue& operator=(const JsonValue& other);
  JsonValue& operator=(JsonValue&& other) noexcept;
  ~JsonValue();

  static JsonValue Null();
  static JsonValue Bool(bool b);
  // A number with FormatNumber(v) as its text. REQUIRES: v is finite.
  static JsonValue Number(double v);
  // A number with its original text, as the parser makes it.
  static JsonValue Number(double v, std::string text);
  static JsonValue String(std::string s);
  static JsonValue Array(std::vector<JsonValue> items);
  // Members in the given order. Keys should be distinct: Find returns the first match.
  static JsonValue Object(std::vector<JsonMember> members);

  JsonKind kind() const { return kind_; }
  bool IsNull() const { return kind_ == JsonKind::kNull; }
  bool IsBool() const { return kind_ == JsonKind::kBool; }
  bool IsNumber() const { return kind_ == JsonKind::kNumber; }
  bool IsString() const { return kind_ == JsonKind::kString; }
  bool IsArray() const { return kind_ == JsonKind::kArray; }
  bool IsObject() const { return kind_ == JsonKind::kObject; }

  // The boolean, or false.
  bool AsBool() const { return kind_ == JsonKind::kBool && bool_; }
  // The number, or 0.
  double AsNumber() const { return kind_ == JsonKind::kNumber ? number_ : 0; }
  // The number's text as written in the input ("1.50", "1e-7"), or "".
  std::string_view NumberText() const {
    return kind_ == JsonKind::kNumber ? std::string_view(text_) : std::string_view();
  }
  // The decoded string (UTF-8), or "".
  std::string_view AsString() const {
    return kind_ == JsonKind::kString ? std::string_view(text_) : std::string_view();
  }
  // The elements of an array, or none.
  std::span<const JsonValue> Items() const;
  // The members of an object in input order, or none.
  std::span<const JsonMember> Members() const;
  // Elements of an array or members of an object; 0 for a scalar.
  size_t size() const;
  // The value of `key` in an object (exact, case-sensitive match), or nullptr when the
  // key is absent or this is not an object. Linear in the number of members.
  const JsonValue* Find(std::string_view key) const;

  // Same kind and content; numbers compare by value (0 == -0), not by text; object
  // members compare in order.
  friend bool operator==(const JsonValue& a, const JsonValue& b);

 private:
  friend class JsonParser;

  JsonKind kind_ = JsonKind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;                 // a string's bytes, or a number's original text
  std::vector<JsonValue> items_;     // an array's elements
  std::vector<JsonMember> members_;  // an object's members
};

struct JsonMember {
  std::string key;
  JsonValue value;

  friend bool operator==(const JsonMember& a, const JsonMember& b) = default;
};

inline JsonValue::JsonValue() = default;
inline JsonValue::JsonValue(const JsonValue& other) = default;
inline JsonValue::JsonValue(JsonValue&& other) noexcept = default;
inline JsonValue& JsonValue::operator=(const JsonValue& other) = default;
inline JsonValue& JsonValue::operator=(JsonValue&& other) noexcept = default;
inline JsonValue::~JsonValue() = default;
inline JsonValue JsonValue::Null() { return {}; }

// Parses `text` (UTF-8) as exactly one JSON value. Fails with kInvalidArgument:
// "line L, column C: reason".
Result<JsonValue> ParseJson(std::string_view text);

// Writes `value` with `writer`: a number whose text is an integer that fits int64 as
// that integer, any other number in its shortest form (JsonWriter::Number) rather than
// its original text.
void WriteJson(const JsonValue& value, JsonWriter& writer);

// JSON paths for messages, in the usual "$" notation: the root is "$", a member is
// "$.unit" (or "$[\"two words\"]" for a key that is not a plain identifier, with JSON
// string escaping), an element is "$[3]".
std::string JsonPathMember(std::string_view parent, std::string_view key);
std::string JsonPathIndex(std::string_view parent, size_t index);

}  // namespace chollima::io
