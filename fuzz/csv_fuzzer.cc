// Feeds arbitrary bytes to CsvReader and reads every record. Checks that reading ends,
// that every field can be read (ASan catches a dangling view), and that the records read
// before any error, written back as RFC 4180 CSV, read back to the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"

namespace {

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

using Table = std::vector<std::vector<std::string>>;

// Reads records until the end or the first error.
Table ReadRecords(chollima::CsvReader& reader, size_t max_records) {
  Table table;
  chollima::CsvRecord record;
  while (true) {
    auto more = reader.Next(record);
    if (!more.ok()) {
      FUZZ_CHECK(!more.error().message.empty());
      return table;
    }
    if (!*more) return table;
    FUZZ_CHECK(!record.fields.empty());
    FUZZ_CHECK(record.line >= 1);
    FUZZ_CHECK(table.size() < max_records);  // every record consumes input
    table.emplace_back(record.fields.begin(), record.fields.end());
  }
}

std::string WriteCsv(const Table& table) {
  std::string out;
  for (const auto& row : table) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      const std::string& f = row[i];
      // Quote fields with special characters, a lone empty field (else a blank line), and a
      // leading byte-order mark (the reader strips one at the very start).
      if (f.find_first_of(",\"\r\n") != std::string::npos || (row.size() == 1 && f.empty()) ||
          f.starts_with("\xEF\xBB\xBF")) {
        out += '"';
        for (char c : f) {
          if (c == '"') out += '"';
          out += c;
        }
        out += '"';
      } else {
        out += f;
      }
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  chollima::CsvReader reader = chollima::CsvReader::FromString("fuzz.csv", text);
  const Table table = ReadRecords(reader, size + 1);
  FUZZ_CHECK(reader.position() <= reader.size());

  chollima::CsvReader again = chollima::CsvReader::FromString("again.csv", WriteCsv(table));
  const Table reread = ReadRecords(again, SIZE_MAX);
  FUZZ_CHECK(reread == table);
  return 0;
}
