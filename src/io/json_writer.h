// A small streaming JSON writer: objects, arrays, strings with full escaping, and
// numbers in their shortest round-trip form (non-finite numbers become null).
//
//   JsonWriter w;
//   w.BeginObject(); w.Key("units"); w.Int(3); w.EndObject();
//   w.str();  // {"units":3}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace chollima::io {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view s);
  void Number(double v);
  void Int(int64_t v);
  void Bool(bool v);
  void Null();

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  // For each open container: true once it holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `s` as a quoted, escaped JSON string (core/text.h).
using chollima::AppendJsonString;

}  // namespace chollima::io
