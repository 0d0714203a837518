#include "io/json_import.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/csv.h"
#include "core/text.h"

namespace chollima::io {
namespace {

// The CSV form of the records and what is needed to place its errors back in the JSON.
class Translation {
 public:
  Translation(std::string_view base, bool single, std::span<const JsonValue* const> elements)
      : base_(base), single_(single), elements_(elements) {}

  // Checks every element and collects the keys. Returns false when `result` got errors.
  bool Check(ImportResult& result, size_t max_errors) {
    for (size_t i = 0; i < elements_.size(); ++i) {
      const JsonValue& element = *elements_[i];
      if (!element.IsObject()) {
        if (!AddError(result, max_errors, ElementPath(i), "",
                      std::string("expected an object, found ") + JsonKindName(element.kind()))) {
          return false;
        }
        continue;
      }
      for (const JsonMember& m : element.Members()) {
        if (m.key.find_first_of(",\"\n\r") != std::string::npos) {
          if (!AddError(result, max_errors, JsonPathMember(ElementPath(i), m.key), m.key,
                        "a field name may not hold a comma, a quote or a line break")) {
            return false;
          }
          continue;
        }
        const JsonValue& v = m.value;
        if (v.IsObject() || v.IsArray() || v.IsBool()) {
          const std::string found =
              v.IsBool() ? (v.AsBool() ? "true" : "false") : std::string(JsonKindName(v.kind()));
          if (!AddError(result, max_errors, JsonPathMember(ElementPath(i), m.key), m.key,
                        "expected a string, a number or null, found " + found)) {
            return false;
          }
        }
        if (column_of_.emplace(m.key, keys_.size()).second) {
          keys_.push_back(m.key);
          first_element_.push_back(i);
        }
      }
    }
    return result.errors.empty();
  }

  bool empty_header() const { return keys_.empty(); }

  // Writes the header and one record per element; every field but a number quoted, so
  // that no record is blank and no text needs escaping beyond doubled quotes.
  std::string Csv() {
    std::string csv;
    for (size_t c = 0; c < keys_.size(); ++c) {
      if (c > 0) csv.push_back(',');
      AppendQuoted(csv, keys_[c]);
    }
    csv.push_back('\n');
    int64_t line = 2;
    std::vector<const JsonValue*> row(keys_.size());
    start_lines_.reserve(elements_.size());
    for (const JsonValue* element : elements_) {
      std::fill(row.begin(), row.end(), nullptr);
      for (const JsonMember& m : element->Members()) row[column_of_.at(m.key)] = &m.value;
      start_lines_.push_back(line);
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) csv.push_back(',');
        const JsonValue* v = row[c];
        if (v != nullptr && v->IsNumber()) {
          csv.append(v->NumberText());
        } else if (v != nullptr && v->IsString()) {
          AppendQuoted(csv, v->AsString());
          line += LineEnds(v->AsString());
        } else {
          csv.append("\"\"");  // null or absent: an empty field
        }
      }
      csv.push_back('\n');
      ++line;
    }
    return csv;
  }

  // "$[i]" (or the base for a single object) of the record starting on CSV `line`.
  std::string PathOfLine(int64_t line) const {
    auto it = std::upper_bound(start_lines_.begin(), start_lines_.end(), line);
    if (it == start_lines_.begin()) return std::string(base_);
    return ElementPath(static_cast<size_t>(it - start_lines_.begin() - 1));
  }

  // Rewrites an error of ParseImport over the CSV form to name its JSON place.
  void Place(ImportError& e) const {
    std::string key;  // the JSON key, as written, when the error is about one
    if (e.column >= 1 && e.column <= keys_.size()) {
      key = keys_[e.column - 1];
    } else {
      key = e.field;
    }
    if (e.line == 0) {
      e.path = std::string(base_);
      if (!e.field.empty() && e.reason == "missing column '" + e.field + "' in the header") {
        e.reason = "missing field '" + e.field + "'";
      }
    } else if (e.line == 1) {
      // The header: placed at the first element that has the key.
      if (e.column >= 1 && e.column <= keys_.size()) {
        e.path = JsonPathMember(ElementPath(first_element_[e.column - 1]), key);
        e.field = key;
      } else {
        e.path = std::string(base_);
      }
      if (e.reason == "unknown column") {
        e.reason = "unknown field";
      } else if (e.reason == "empty column name in the header") {
        e.reason = "empty field name";
      } else if (e.reason == "column appears twice in the header") {
        e.reason =
            "field appears twice (names are matched without regard to case or "
            "surrounding spaces)";
        const std::string name = ToLower(Trim(key));
        for (size_t c = 0; c + 1 < e.column && c < keys_.size(); ++c) {
          if (ToLower(Trim(keys_[c])) == name) {
            std::string quoted;
            AppendJsonString(quoted, keys_[c]);
            e.reason = "field is the same as " + quoted +
                       " (names are matched without regard to case or surrounding spaces)";
            break;
          }
        }
      }
    } else {
      const std::string element = PathOfLine(e.line);
      e.path = key.empty() ? element : JsonPathMember(element, key);
      if (!key.empty()) e.field = key;
    }
    e.line = 0;
    e.column = 0;
    e.message = e.path + ": " + e.reason;
  }

 private:
  std::string ElementPath(size_t i) const {
    return single_ ? std::string(base_) : JsonPathIndex(base_, i);
  }

  bool AddError(ImportResult& result, size_t max_errors, std::string path, std::string field,
                std::string reason) const {
    if (result.errors.size() >= max_errors) {
      result.errors_truncated = true;
      return false;
    }
    std::string message = path + ": " + reason;
    result.errors.push_back({.field = std::move(field),
                             .reason = std::move(reason),
                             .path = std::move(path),
                             .message = std::move(message)});
    return true;
  }

  static void AppendQuoted(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char c : s) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  }

  // Line ends inside a quoted field, counted as CsvReader counts them: "\n", "\r\n" and
  // a lone "\r" (one before the closing quote included).
  static int64_t LineEnds(std::string_view s) {
    int64_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) ++n;
    }
    return n;
  }

  std::string_view base_;
  bool single_;
  std::span<const JsonValue* const> elements_;
  std::vector<std::string> keys_;                      // header, in first-seen order
  std::vector<size_t> first_element_;                  // per key: the first element with it
  std::unordered_map<std::string, size_t> column_of_;  // key -> index in keys_
  std::vector<int64_t> start_lines_;                   // per element: its record's line
};

}  // namespace

Result<ImportResult> ParseJsonImport(ImportKind kind, std::string_view json_body,
                                     const engine::State& state, const KeyLookup& lookup,
                                     const ImportOptions& options) {
  auto body = ParseJson(json_body);
  if (!body.ok()) return body.error();
  return ParseJsonImport(kind, *body, "$", state, lookup, options);
}

Result<ImportResult> ParseJsonImport(ImportKind kind, const JsonValue& records,
                                     std::string_view path, const engine::State& state,
                                     const KeyLookup& lookup, const ImportOptions& options) {
  const size_t max_errors = std::max<size_t>(options.max_errors, 1);
  ImportResult result;
  std::vector<const JsonValue*> elements;
  const bool single = records.IsObject();
  if (single) {
    elements.push_back(&records);
  } else if (records.IsArray()) {
    elements.reserve(records.size());
    for (const JsonValue& item : records.Items()) elements.push_back(&item);
  } else {
    const std::string reason = std::string("expected an object or an array of objects, found ") +
                               JsonKindName(records.kind());
    result.errors.push_back({.reason = reason,
                             .path = std::string(path),
                             .message = std::string(path) + ": " + reason});
    return result;
  }
  if (elements.empty()) return result;  // nothing to import
  result.rows = static_cast<int64_t>(elements.size());

  Translation translation(path, single, elements);
  if (!translation.Check(result, max_errors)) return result;
  if (translation.empty_header()) {
    const std::string reason = std::string("no fields given; expected those of ") +
                               ImportKindName(kind) + " (see docs/import-formats.md)";
    result.errors.push_back({.reason = reason,
                             .path = std::string(path),
                             .message = std::string(path) + ": " + reason});
    return result;
  }

  CsvReader reader = CsvReader::FromString("json", translation.Csv());
  ImportOptions csv_options = options;
  csv_options.describe_line = [&translation](int64_t line) {
    return "at " + translation.PathOfLine(line);
  };
  auto parsed = ParseImport(kind, reader, state, lookup, csv_options);
  if (!parsed.ok()) return parsed.error();
  for (ImportError& e : parsed->errors) translation.Place(e);
  return parsed;
}

}  // namespace chollima::io
