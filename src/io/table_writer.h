// Writes rows of named columns as CSV (RFC 4180, quoting only where needed) or as a
// JSON array of objects, streaming to an ostream. Shared by export and by every query
// that prints a table, so the two formats never drift apart.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace chollima::io {

enum class TableFormat { kCsv, kJson, kTable };

// One cell: text, a number, or empty (CSV: empty field; JSON: null).
struct Cell {
  enum class Kind { kEmpty, kText, kNumber } kind = Kind::kEmpty;
  std::string text;
  double number = 0;

  static Cell Empty() { return {}; }
  static Cell Text(std::string_view s) { return {Kind::kText, std::string(s), 0}; }
  static Cell Number(double v);  // NaN becomes Empty
};

class TableWriter {
 public:
  // kTable pads columns for reading in a terminal; it buffers all rows until Finish().
  TableWriter(std::ostream& out, TableFormat format, std::vector<std::string> columns);
  void Row(const std::vector<Cell>& cells);
  void Finish();

 private:
  std::ostream& out_;
  TableFormat format_;
  std::vector<std::string> columns_;
  bool first_row_ = true;
  std::vector<std::vector<std::string>> buffered_;  // kTable only
  std::string line_;
};

// Appends `field` to `out` as one CSV field, quoted when it holds ',', '"', CR or LF.
void AppendCsvField(std::string& out, std::string_view field);

}  // namespace chollima::io
