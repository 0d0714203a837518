#include "io/table_writer.h"

#include <algorithm>
#include <cmath>

#include "core/text.h"
#include "io/json_writer.h"

namespace chollima::io {

Cell Cell::Number(double v) {
  if (std::isnan(v)) return Empty();
  return {Kind::kNumber, {}, v};
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

TableWriter::TableWriter(std::ostream& out, TableFormat format, std::vector<std::string> columns)
    : out_(out), format_(format), columns_(std::move(columns)) {
  if (format_ == TableFormat::kCsv) {
    line_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line_.push_back(',');
      AppendCsvField(line_, columns_[i]);
    }
    line_.push_back('\n');
    out_ << line_;
  } else if (format_ == TableFormat::kJson) {
    out_ << '[';
  }
}

namespace {
std::string CellText(const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kEmpty:
      return {};
    case Cell::Kind::kText:
      return c.text;
    case Cell::Kind::kNumber:
      return FormatNumber(c.number);
  }
  return {};
}
}  // namespace

void TableWriter::Row(const std::vector<Cell>& cells) {
  line_.clear();
  switch (format_) {
    case TableFormat::kCsv:
      for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) line_.push_back(',');
        AppendCsvField(line_, CellText(cells[i]));
      }
      line_.push_back('\n');
      break;
    case TableFormat::kJson: {
      if (!first_row_) line_.push_back(',');
      line_.push_back('{');
      for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
        if (i > 0) line_.push_back(',');
        AppendJsonString(line_, columns_[i]);
        line_.push_back(':');
        const Cell& c = cells[i];
        if (c.kind == Cell::Kind::kText) {
          AppendJsonString(line_, c.text);
        } else if (c.kind == Cell::Kind::kNumber && std::isfinite(c.number)) {
          line_ += FormatNumber(c.number);
        } else {
          line_ += "null";
        }
      }
      line_.push_back('}');
      break;
    }
    case TableFormat::kTable: {
      std::vector<std::string> texts;
      texts.reserve(cells.size());
      for (const Cell& c : cells) {
        std::string t = CellText(c);
        std::replace_if(
            t.begin(), t.end(), [](char ch) { return ch == '\n' || ch == '\r' || ch == '\t'; },
            ' ');
        texts.push_back(std::move(t));
      }
      buffered_.push_back(std::move(texts));
      break;
    }
  }
  first_row_ = false;
  out_ << line_;
}

namespace {
// Display width of UTF-8 text: code points, counting East Asian wide ones twice.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    width += len == 3 && c >= 0xE1 ? 2 : 1;  // Hangul and CJK are wide
    i += len;
  }
  return width;
}
}  // namespace

void TableWriter::Finish() {
  if (format_ == TableFormat::kJson) {
    out_ << "]\n";
    return;
  }
  if (format_ != TableFormat::kTable) return;
  std::vector<size_t> width(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) width[i] = DisplayWidth(columns_[i]);
  for (const auto& row : buffered_) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
  }
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      if (i > 0) line += "  ";
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - DisplayWidth(row[i]), ' ');
    }
    out_ << line << '\n';
  };
  emit(columns_);
  for (const auto& row : buffered_) emit(row);
}

}  // namespace chollima::io
