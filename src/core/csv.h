// An RFC 4180 CSV reader over a whole file held in memory (memory-mapped).
//
// Handles quoted fields with commas, doubled quotes and newlines, CRLF, LF and lone CR
// line ends, a UTF-8 byte-order mark, and reports the physical line each record starts
// on. Fields are views into the file or into the reader's scratch space and stay valid
// until the next call to Next() or until the reader is moved or destroyed. A reader is
// not thread-safe; distinct readers are independent.
//
//   auto reader = CsvReader::Open("reports.csv");
//   CsvRecord rec;
//   while (true) {
//     auto more = reader->Next(rec);
//     if (!more.ok()) return more.error();   // "reports.csv:7: unterminated quote ..."
//     if (!*more) break;
//     use(rec.fields[0], rec.line);
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace chollima {

struct CsvRecord {
  std::vector<std::string_view> fields;
  int64_t line = 0;  // 1-based physical line on which the record starts.
};

class CsvReader {
 public:
  // Maps the file. Fails with kIo naming the file and the system's reason.
  static Result<CsvReader> Open(const std::string& path);
  // Reads from text held by the reader; `name` is used in messages.
  static CsvReader FromString(std::string name, std::string text);

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  // Reads the next record. Returns false at the end of the input; fails with
  // kInvalidArgument on malformed quoting, naming file and line. Blank lines are skipped.
  // After a failure the reader stays failed: every later call returns the same error.
  Result<bool> Next(CsvRecord& record);

  const std::string& name() const { return name_; }
  // Bytes consumed so far and in all, for progress reporting.
  size_t position() const { return pos_; }
  size_t size() const { return data_.size(); }

 private:
  CsvReader() = default;
  Result<bool> ReadRecord(CsvRecord& record);

  struct Mapping;
  std::string name_;
  std::unique_ptr<Mapping> mapping_;  // Owns the bytes `data_` views, when mapped.
  std::string owned_;                 // Owns the bytes `data_` views, when from a string.
  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  std::optional<Error> error_;  // Set by the first failed Next(); returned ever after.
  std::string scratch_;         // Unescaped quoted fields of the current record.
  struct Span {
    bool in_scratch;
    size_t offset;
    size_t length;
  };
  std::vector<Span> spans_;
};

// "file:line: column N 'field': reason", the one shape every import error takes.
std::string CsvErrorMessage(std::string_view file, int64_t line, size_t column,
                            std::string_view field, std::string_view reason);

}  // namespace chollima
