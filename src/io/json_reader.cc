#include "io/json_reader.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <unordered_set>

#include "core/text.h"

namespace chollima::io {

const char* JsonKindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull:
      return "null";
    case JsonKind::kBool:
      return "a boolean";
    case JsonKind::kNumber:
      return "a number";
    case JsonKind::kString:
      return "a string";
    case JsonKind::kArray:
      return "an array";
    case JsonKind::kObject:
      return "an object";
  }
  return "null";
}

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind_ = JsonKind::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::Number(double x) { return Number(x, FormatNumber(x)); }

JsonValue JsonValue::Number(double x, std::string text) {
  JsonValue v;
  v.kind_ = JsonKind::kNumber;
  v.number_ = x;
  v.text_ = std::move(text);
  return v;
}

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind_ = JsonKind::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::Array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind_ = JsonKind::kArray;
  v.items_ = std::move(items);
  return v;
}

JsonValue JsonValue::Object(std::vector<JsonMember> members) {
  JsonValue v;
  v.kind_ = JsonKind::kObject;
  v.members_ = std::move(members);
  return v;
}

std::span<const JsonValue> JsonValue::Items() const {
  return kind_ == JsonKind::kArray ? std::span<const JsonValue>(items_)
                                   : std::span<const JsonValue>();
}

std::span<const JsonMember> JsonValue::Members() const {
  return kind_ == JsonKind::kObject ? std::span<const JsonMember>(members_)
                                    : std::span<const JsonMember>();
}

size_t JsonValue::size() const {
  switch (kind_) {
    case JsonKind::kArray:
      return items_.size();
    case JsonKind::kObject:
      return members_.size();
    default:
      return 0;
  }
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (kind_ != JsonKind::kObject) return nullptr;
  for (const JsonMember& m : members_) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case JsonKind::kNull:
      return true;
    case JsonKind::kBool:
      return a.bool_ == b.bool_;
    case JsonKind::kNumber:
      return a.number_ == b.number_;
    case JsonKind::kString:
      return a.text_ == b.text_;
    case JsonKind::kArray:
      return a.items_ == b.items_;
    case JsonKind::kObject:
      return a.members_ == b.members_;
  }
  return false;
}

// The recursive-descent parser. One pass over the bytes; the line and column of an
// error are computed only when there is one.
class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  Result<JsonValue> Parse() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    JsonValue root;
    SkipSpace();
    if (!ParseValue(root, 0)) return Fail();
    SkipSpace();
    if (pos_ < text_.size()) {
      SetError(pos_, "unexpected " + Describe(pos_) + " after the JSON value");
      return Fail();
    }
    return root;
  }

 private:
  // Objects with more members than this check for duplicate keys with a hash set.
  static constexpr size_t kLinearKeyCheck = 16;

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // "'x'" for a printable ASCII character, "byte 0xNN" otherwise, or "the end of the
  // input".
  std::string Describe(size_t at) const {
    if (at >= text_.size()) return "the end of the input";
    const auto c = static_cast<unsigned char>(text_[at]);
    if (c >= 0x20 && c < 0x7F) return std::string("character '") + static_cast<char>(c) + "'";
    static constexpr char kHex[] = "0123456789ABCDEF";
    return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 0xF];
  }

  bool SetError(size_t at, std::string reason) {
    if (error_at_ == std::string::npos) {
      error_at_ = at;
      reason_ = std::move(reason);
    }
    return false;
  }

  Error Fail() const {
    // Line and column of error_at_, the column in code points (continuation bytes do
    // not count).
    int64_t line = 1;
    int64_t column = 1;
    const size_t end = std::min(error_at_, text_.size());
    for (size_t i = 0; i < end; ++i) {
      const char c = text_[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column;
      }
    }
    return InvalidArgument("line " + std::to_string(line) + ", column " + std::to_string(column) +
                           ": " + reason_);
  }

  bool ParseValue(JsonValue& out, int depth) {
    if (AtEnd()) return SetError(pos_, "expected a value, found the end of the input");
    switch (Peek()) {
      case '{':
        return ParseObject(out, depth + 1);
      case '[':
        return ParseArray(out, depth + 1);
      case '"':
        out.kind_ = JsonKind::kString;
        return ParseString(out.text_);
      case 't':
        return ParseLiteral("true", out, JsonKind::kBool, true);
      case 'f':
        return ParseLiteral("false", out, JsonKind::kBool, false);
      case 'n':
        return ParseLiteral("null", out, JsonKind::kNull, false);
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber(out);
        return SetError(pos_, "expected a value, found " + Describe(pos_));
    }
  }

  bool ParseLiteral(std::string_view word, JsonValue& out, JsonKind kind, bool b) {
    if (text_.substr(pos_, word.size()) != word) {
      return SetError(pos_, "invalid literal; expected true, false or null");
    }
    pos_ += word.size();
    // "nullx", "true1": a literal must end where a token may end.
    if (!AtEnd()) {
      const char c = Peek();
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
        return SetError(pos_ - word.size(), "invalid literal; expected true, false or null");
      }
    }
    out.kind_ = kind;
    out.bool_ = b;
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool ParseNumber(JsonValue& out) {
    const size_t start = pos_;
    const size_t n = text_.size();
    if (text_[pos_] == '-') ++pos_;
    if (pos_ >= n || !IsDigit(text_[pos_])) {
      return SetError(pos_, "expected a digit after '-'");
    }
    // Decimal exponent of the first significant digit, to tell overflow from underflow.
    int64_t int_digits = 0;
    int64_t leading_zeros_in_fraction = 0;
    bool significant = false;
    if (text_[pos_] == '0') {
      ++pos_;
      if (pos_ < n && IsDigit(text_[pos_])) {
        return SetError(start, "a number may not have a leading zero");
      }
    } else {
      significant = true;
      while (pos_ < n && IsDigit(text_[pos_])) {
        ++pos_;
        ++int_digits;
      }
    }
    if (pos_ < n && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= n || !IsDigit(text_[pos_])) {
        return SetError(pos_, "expected a digit after the decimal point");
      }
      while (pos_ < n && IsDigit(text_[pos_])) {
        if (!significant) {
          if (text_[pos_] == '0') {
            ++leading_zeros_in_fraction;
          } else {
            significant = true;
          }
        }
        ++pos_;
      }
    }
    int64_t exponent = 0;
    if (pos_ < n && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      bool negative = false;
      if (pos_ < n && (text_[pos_] == '+' || text_[pos_] == '-')) {
        negative = text_[pos_] == '-';
        ++pos_;
      }
      if (pos_ >= n || !IsDigit(text_[pos_])) {
        return SetError(pos_, "expected a digit in the exponent");
      }
      while (pos_ < n && IsDigit(text_[pos_])) {
        if (exponent < 1'000'000'000) exponent = exponent * 10 + (text_[pos_] - '0');
        ++pos_;
      }
      if (negative) exponent = -exponent;
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    double v = 0;
    const auto [ptr, ec] =
        std::from_chars(token.data(), token.data() + token.size(), v, std::chars_format::general);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(v))) {
      // The magnitude is about 10^(position of the first significant digit + exponent).
      const int64_t magnitude =
          int_digits > 0 ? int_digits - 1 + exponent : -1 - leading_zeros_in_fraction + exponent;
      if (significant && magnitude > 0) {
        return SetError(start, "the number " + std::string(token.substr(0, 40)) +
                                   (token.size() > 40 ? "..." : "") + " is too large for a double");
      }
      v = token.front() == '-' ? -0.0 : 0.0;  // underflow: the text keeps the detail
    } else if (ec != std::errc() || ptr != token.data() + token.size()) {
      return SetError(start, "malformed number");  // not reached for the grammar above
    }
    out.kind_ = JsonKind::kNumber;
    out.number_ = v;
    out.text_.assign(token);
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads the four hex digits after "\u" at pos_ (pos_ on the first digit).
  bool ReadHex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) {
      return SetError(pos_ - 2, "a \\u escape needs four hex digits");
    }
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const int h = HexValue(text_[pos_ + k]);
      if (h < 0) return SetError(pos_ - 2, "a \\u escape needs four hex digits");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    pos_ += 4;
    out = v;
    return true;
  }

  static void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Length of the well-formed UTF-8 sequence at `i` (lead byte >= 0x80), or 0.
  size_t Utf8Length(size_t i) const {
    const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
    const size_t n = text_.size();
    const unsigned char c = s[i];
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return 0;
    }
    if (i + len > n) return 0;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
  }

  // Parses a string at pos_ (on the opening quote) into `out`.
  bool ParseString(std::string& out) {
    const size_t open = pos_;
    ++pos_;
    out.clear();
    const size_t n = text_.size();
    while (true) {
      // Copy the run of plain ASCII in one go.
      const size_t run = pos_;
      while (pos_ < n) {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out.append(text_.data() + run, pos_ - run);
      if (pos_ >= n) return SetError(open, "the string is never closed");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        return SetError(pos_, std::string("control character U+00") + kHex[c >> 4] + kHex[c & 0xF] +
                                  " in a string; escape it (\\n, \\t, \\u00XX)");
      }
      if (c >= 0x80) {
        const size_t len = Utf8Length(pos_);
        if (len == 0) return SetError(pos_, "invalid UTF-8 in a string");
        out.append(text_.data() + pos_, len);
        pos_ += len;
        continue;
      }
      // A backslash escape.
      const size_t escape = pos_;
      ++pos_;
      if (pos_ >= n) return SetError(open, "the string is never closed");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!ReadHex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return SetError(escape, "lone low surrogate in a \\u escape");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (pos_ + 1 >= n || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
              return SetError(escape,
                              "lone high surrogate in a \\u escape (expected a low surrogate "
                              "\\uDC00..\\uDFFF after it)");
            }
            pos_ += 2;
            uint32_t low = 0;
            if (!ReadHex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) {
              return SetError(escape,
                              "lone high surrogate in a \\u escape (expected a low surrogate "
                              "\\uDC00..\\uDFFF after it)");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          if (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7F) {
            return SetError(escape, std::string("invalid escape '\\") + e + "' in a string");
          }
          return SetError(escape, "invalid escape in a string");
      }
    }
  }

  bool ParseArray(JsonValue& out, int depth) {
    if (depth > kMaxJsonDepth) {
      return SetError(
          pos_, "arrays and objects nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    ++pos_;  // '['
    out.kind_ = JsonKind::kArray;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      return true;
    }
    // Elements gather on a stack shared by all arrays, then move into a vector of the
    // exact size: one allocation per array.
    const size_t base = item_stack_.size();
    while (true) {
      SkipSpace();
      JsonValue item;
      if (!ParseValue(item, depth)) return false;
      item_stack_.push_back(std::move(item));
      SkipSpace();
      if (AtEnd()) return SetError(pos_, "expected ',' or ']' after an array element");
      if (Peek() == ',') {
        ++pos_;
        SkipSpace();
        if (!AtEnd() && Peek() == ']') {
          return SetError(pos_, "expected a value after ','; a trailing comma is not allowed");
        }
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        const auto first = item_stack_.begin() + static_cast<std::ptrdiff_t>(base);
        out.items_.assign(std::make_move_iterator(first),
                          std::make_move_iterator(item_stack_.end()));
        item_stack_.erase(first, item_stack_.end());
        return true;
      }
      return SetError(pos_, "expected ',' or ']' after an array element");
    }
  }

  bool ParseObject(JsonValue& out, int depth) {
    if (depth > kMaxJsonDepth) {
      return SetError(
          pos_, "arrays and objects nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    ++pos_;  // '{'
    out.kind_ = JsonKind::kObject;
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      return true;
    }
    // Members gather on a stack shared by all objects, as elements do for arrays.
    const size_t base = member_stack_.size();
    const auto members = [&] { return std::span<const JsonMember>(member_stack_).subspan(base); };
    std::unordered_set<std::string> keys;  // filled once the object is large
    while (true) {
      SkipSpace();
      if (AtEnd() || Peek() != '"') {
        if (!AtEnd() && Peek() == '}' && member_stack_.size() > base) {
          return SetError(pos_, "expected a key after ','; a trailing comma is not allowed");
        }
        return SetError(pos_, "expected a string key in an object");
      }
      const size_t key_at = pos_;
      std::string key;
      if (!ParseString(key)) return false;
      // Duplicate keys: a linear scan while small, then a hash set.
      bool duplicate = false;
      if (members().size() < kLinearKeyCheck) {
        for (const JsonMember& m : members()) duplicate = duplicate || m.key == key;
      } else {
        if (keys.empty()) {
          for (const JsonMember& m : members()) keys.insert(m.key);
        }
        duplicate = !keys.insert(key).second;
      }
      if (duplicate) {
        std::string shown = key.size() > 60 ? key.substr(0, 60) + "..." : key;
        std::string quoted;
        AppendJsonString(quoted, shown);
        return SetError(key_at, "duplicate key " + quoted + " in an object");
      }
      SkipSpace();
      if (AtEnd() || Peek() != ':') return SetError(pos_, "expected ':' after an object key");
      ++pos_;
      SkipSpace();
      JsonValue value;
      if (!ParseValue(value, depth)) return false;
      member_stack_.push_back({std::move(key), std::move(value)});
      SkipSpace();
      if (AtEnd()) return SetError(pos_, "expected ',' or '}' after an object member");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        const auto first = member_stack_.begin() + static_cast<std::ptrdiff_t>(base);
        out.members_.assign(std::make_move_iterator(first),
                            std::make_move_iterator(member_stack_.end()));
        member_stack_.erase(first, member_stack_.end());
        return true;
      }
      return SetError(pos_, "expected ',' or '}' after an object member");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t error_at_ = std::string::npos;
  std::string reason_;
  std::vector<JsonValue> item_stack_;     // elements of the arrays being parsed
  std::vector<JsonMember> member_stack_;  // members of the objects being parsed
};

Result<JsonValue> ParseJson(std::string_view text) { return JsonParser(text).Parse(); }

void WriteJson(const JsonValue& value, JsonWriter& writer) {
  switch (value.kind()) {
    case JsonKind::kNull:
      writer.Null();
      return;
    case JsonKind::kBool:
      writer.Bool(value.AsBool());
      return;
    case JsonKind::kNumber: {
      // An integer written as such keeps all its digits (JsonWriter::Int); any other
      // number is written in its shortest form.
      const std::string_view text = value.NumberText();
      int64_t i = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && ptr == text.data() + text.size() && !text.starts_with("-0")) {
        writer.Int(i);
      } else {
        writer.Number(value.AsNumber());
      }
      return;
    }
    case JsonKind::kString:
      writer.String(value.AsString());
      return;
    case JsonKind::kArray:
      writer.BeginArray();
      for (const JsonValue& item : value.Items()) WriteJson(item, writer);
      writer.EndArray();
      return;
    case JsonKind::kObject:
      writer.BeginObject();
      for (const JsonMember& m : value.Members()) {
        writer.Key(m.key);
        WriteJson(m.value, writer);
      }
      writer.EndObject();
      return;
  }
}

namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

std::string JsonPathMember(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (IsIdentifier(key)) {
    path.push_back('.');
    path.append(key);
  } else {
    path.push_back('[');
    AppendJsonString(path, key);
    path.push_back(']');
  }
  return path;
}

std::string JsonPathIndex(std::string_view parent, size_t index) {
  std::string path(parent);
  path.push_back('[');
  path.append(std::to_string(index));
  path.push_back(']');
  return path;
}

}  // namespace chollima::io
