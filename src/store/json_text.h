// Small JSON texts for the audit log: the old and new values of account and structure
// changes. (The store sits below io, so it cannot use io::JsonWriter.)
//
//   JsonObject o;
//   o.Add("name", "kim").Add("capacity", 12.5);
//   o.str();  // {"name":"kim","capacity":12.5}
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"

namespace chollima::store {

// The shortest text that reads back as `v` ("12.5", "1e+21", "nan").
inline std::string FormatNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf, end);
}

// Appends `s` as a quoted JSON string (core/text.h's escaper).
inline void AppendJsonQuoted(std::string& out, std::string_view s) { AppendJsonString(out, s); }

class JsonObject {
 public:
  JsonObject& Add(std::string_view key, std::string_view text) {
    Key(key);
    AppendJsonQuoted(out_, text);
    return *this;
  }
  JsonObject& Add(std::string_view key, const char* text) {
    return Add(key, std::string_view(text));
  }
  JsonObject& Add(std::string_view key, double number) {
    Key(key);
    out_ += std::isfinite(number) ? FormatNumber(number) : "null";
    return *this;
  }
  JsonObject& AddInt(std::string_view key, int64_t number) {
    Key(key);
    out_ += std::to_string(number);
    return *this;
  }
  JsonObject& AddNull(std::string_view key) {
    Key(key);
    out_ += "null";
    return *this;
  }
  // `json` must already be valid JSON (an array or object built here).
  JsonObject& AddRaw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string str() const { return out_ + "}"; }

 private:
  void Key(std::string_view key) {
    if (out_.size() > 1) out_.push_back(',');
    AppendJsonQuoted(out_, key);
    out_.push_back(':');
  }
  std::string out_ = "{";
};

// A JSON array of strings.
inline std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonQuoted(out, items[i]);
  }
  out.push_back(']');
  return out;
}

}  // namespace chollima::store
