// CSV import: parses one file of one kind, validates every row against the engine
// State, and resolves it into Changes that the service commits in one transaction.
//
// Nothing is written here. An import is all-or-nothing: when `errors` is non-empty the
// caller must write nothing. Each error (ImportError) names file, line, column, field
// and reason, and its message reads:
//   "reports.csv:1042: column 4 'value': '12,5' is not a number"
//
// Formats (see docs/import-formats.md):
//   groups       hierarchy,code,name,parent
//   units        code,name[,<hierarchy>...][,<numeric attribute>...]
//   memberships  unit,hierarchy,group,from
//   indicators   code,name,measure,direction,aggregation,role,numerator,denominator[,grain]
//   plans        target,indicator,period,value[,method]
//   reports      unit,indicator,date,value[,key]
//   calendar     date,kind
//   profiles     profile,month,weight
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/changes.h"
#include "core/csv.h"
#include "core/status.h"
#include "engine/state.h"

namespace chollima::io {

enum class ImportKind {
  kGroups,
  kUnits,
  kMemberships,
  kIndicators,
  kPlans,
  kReports,
  kCalendar,
  kProfiles
};

inline constexpr ImportKind kAllImportKinds[] = {
    ImportKind::kGroups, ImportKind::kUnits,   ImportKind::kMemberships, ImportKind::kIndicators,
    ImportKind::kPlans,  ImportKind::kReports, ImportKind::kCalendar,    ImportKind::kProfiles};

const char* ImportKindName(ImportKind kind);
Result<ImportKind> ParseImportKind(std::string_view name);

struct ImportOptions {
  size_t max_errors = 50;  // stop collecting after this many errors
  // How a reason names another record of the same input ("appears twice (also on line
  // 3)"): given that record's line, the words after "also" or "used". Unset: "on line
  // 3". The JSON import names array elements instead ("at $[1]").
  std::function<std::string(int64_t line)> describe_line;
  // Reports files without a key column only: called on the parsing thread with each run
  // of `stream_chunk_rows` validated reports (a view valid during the call) while no
  // error has been found, so a caller can write them while the rest is parsed. They
  // are also in ImportResult::changes.reports; ImportResult::reports_streamed counts
  // them. A later error makes the whole import fail all the same.
  std::function<void(std::span<const Report>)> report_sink;
  size_t stream_chunk_rows = size_t{1} << 16;
};

// One reason an import was refused, with its place.
//   CSV:  line 7, column 4, field "value", reason "'12,5' is not a number (...)",
//         message "reports.csv:7: column 4 'value': '12,5' is not a number (...)".
//   JSON: path "$[5].value", field "value", line 0 and column 0, same reason,
//         message "$[5].value: '12,5' is not a number (...)" (see io/json_import.h).
// A problem of the whole file has line 0 and message "file: reason": a missing header
// column (field names it), an empty file, malformed CSV quoting (the reason then names
// the line itself: "reports.csv:7: column 2: a quoted field is never closed").
struct ImportError {
  int64_t line = 0;   // 1-based physical line the record starts on; 0: the whole file
  size_t column = 0;  // 1-based column in the header; 0 when the column is absent
  std::string field;  // the column's name as in the header, lower-cased; may be ""
  std::string reason;
  std::string path;     // JSON imports: where in the body ("$[3].value"); "" for CSV
  std::string message;  // the whole text a person reads, place and reason
};

struct ImportResult {
  Changes changes;
  int64_t rows = 0;      // data rows read
  int64_t imported = 0;  // new facts
  int64_t updated = 0;   // changed facts (a correction, a new plan revision, a new name)
  int64_t ignored = 0;   // rows equal to what is stored, or repeated client keys
  std::vector<ImportError> errors;
  bool errors_truncated = false;  // more errors than max_errors were found
  size_t reports_streamed = 0;    // leading reports already passed to report_sink
};

// Looks up a client key in the store: the report first stored under it, or nullopt.
using KeyLookup = std::function<Result<std::optional<Report>>(const std::string& key)>;

// Reads all of `reader` as a file of `kind`. Fails (as a Result) only when the store
// lookup fails; bad input is reported in ImportResult::errors.
// `progress`, when set, is called now and then with the bytes read so far.
Result<ImportResult> ParseImport(ImportKind kind, CsvReader& reader, const engine::State& state,
                                 const KeyLookup& lookup_key, const ImportOptions& options,
                                 const std::function<void(size_t)>& progress = {});

}  // namespace chollima::io
