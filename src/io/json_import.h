// Imports given as JSON (the HTTP API), validated by the very same code as CSV files.
//
// The body is one object or an array of objects whose keys are the CSV columns of the
// kind (docs/import-formats.md); e.g. for reports
//   [{"unit":"M1","indicator":"coal","date":"2026-01-05","value":12.5,"key":"abc"}, ...]
// Units take their hierarchy and numeric attribute columns as further keys. Keys match
// columns as CSV headers do (without regard to case or surrounding spaces); a key an
// object lacks is an empty field.
//
// How: the objects are written as CSV in memory (the header is the union of the keys
// in first-seen order; a string is the field as it is, a number its original JSON text
// so no digit is lost, null an empty field) and that text goes through ParseImport, so
// a JSON import and the same data as CSV give the same Changes and the same reasons.
// Each error is then placed by its JSON path instead of a line and column:
//   ImportError{.field = "value", .reason = "'12,5' is not a number (...)",
//               .path = "$[1].value", .message = "$[1].value: '12,5' is not a number (...)"}
// Element paths are "$[i]" for an array body and "$" for a single object; a member is
// "$[i].key" (or "$[i][\"two words\"]"). Header problems are placed at the first
// object that has the key ("$[4].colour: unknown field"); a missing required key is
// placed at "$" ("$: missing field 'value'"). A reason that names another record says
// "at $[1]" where CSV says "on line 3". line and column of these errors are 0.
//
// Failures:
//   - malformed JSON fails the whole call with kInvalidArgument, "line L, column C:
//     reason" (io/json_reader.h): an HTTP layer answers 400;
//   - a body that is neither an object nor an array, an element that is not an object,
//     a value that is an object, an array or a boolean (no field takes one), and a key
//     holding a comma, a quote or a line break come back as ImportResult::errors with
//     their path ("$[2]: expected an object, found an array"), as do all validation
//     errors: an HTTP layer answers 422 with the list. Such JSON-level errors are
//     reported alone; the records are validated once they are fixed;
//   - a failing key lookup fails the call with its Error, as ParseImport does.
// An empty array is a valid import of nothing.
#pragma once

#include <string_view>

#include "core/status.h"
#include "engine/state.h"
#include "io/import.h"
#include "io/json_reader.h"

namespace chollima::io {

// Parses `json_body` and imports it as records of `kind`. Nothing is written.
Result<ImportResult> ParseJsonImport(ImportKind kind, std::string_view json_body,
                                     const engine::State& state, const KeyLookup& lookup,
                                     const ImportOptions& options);

// Same, for records already parsed, e.g. a member of a larger request body; paths
// start at `path` ("$.rows" gives "$.rows[3].value").
Result<ImportResult> ParseJsonImport(ImportKind kind, const JsonValue& records,
                                     std::string_view path, const engine::State& state,
                                     const KeyLookup& lookup, const ImportOptions& options);

}  // namespace chollima::io
