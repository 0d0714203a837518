#include "core/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace chollima {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Row {
  int64_t line = 0;
  std::vector<std::string> fields;
};

// Reads every record of `reader`, copying the fields; stops at the first error.
Result<std::vector<Row>> ReadAll(CsvReader& reader) {
  std::vector<Row> rows;
  CsvRecord rec;
  while (true) {
    auto more = reader.Next(rec);
    if (!more.ok()) return more.error();
    if (!*more) return rows;
    rows.push_back({rec.line, std::vector<std::string>(rec.fields.begin(), rec.fields.end())});
  }
}

Result<std::vector<Row>> ReadAll(std::string text) {
  CsvReader reader = CsvReader::FromString("t.csv", std::move(text));
  return ReadAll(reader);
}

// The error of reading `text`, or "" when it reads cleanly.
Error ReadError(std::string text) {
  auto rows = ReadAll(std::move(text));
  if (rows.ok()) return Error{ErrorCode::kInternal, ""};
  return rows.error();
}

// A file under the test's temporary directory holding `content`.
std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

TEST(CsvReader, ReadsSimpleRecords) {
  auto rows = ReadAll("code,value\nU1,12\nU2,7\n");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("code", "value"));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("U2", "7"));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[2].line, 3);
}

TEST(CsvReader, QuotedFieldKeepsCommas) {
  auto rows = ReadAll("\"a,b\",c\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a,b", "c"));
}

TEST(CsvReader, DoubledQuoteIsOneQuote) {
  auto rows = ReadAll("\"say \"\"hi\"\"\",\"\"\"\"\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("say \"hi\"", "\""));
}

TEST(CsvReader, QuotedFieldKeepsNewlines) {
  auto rows = ReadAll("\"x\ny\",z\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("x\ny", "z"));
}

TEST(CsvReader, RecordLineIsItsStartLine) {
  auto rows = ReadAll("a,\"two\nlines\"\nb\n\"three\r\nline\r\nfield\"\nc\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 3);  // counts the newline inside the quoted field
  EXPECT_EQ((*rows)[2].line, 4);
  EXPECT_EQ((*rows)[3].line, 7);
  EXPECT_EQ((*rows)[2].fields[0], "three\r\nline\r\nfield");
}

TEST(CsvReader, ManyQuotedFieldsInOneRecordStayIntact) {
  const std::string long_field(1000, 'x');
  auto rows = ReadAll("\"a\",\"" + long_field + "\",\"b\"\"\",plain,\"" + long_field + "\"\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", long_field, "b\"", "plain", long_field));
}

TEST(CsvReader, AcceptsCrlf) {
  auto rows = ReadAll("a,b\r\nc,d\r\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT((*rows)[1].fields, ElementsAre("c", "d"));
  EXPECT_EQ((*rows)[1].line, 2);
}

TEST(CsvReader, AcceptsLoneCr) {
  auto rows = ReadAll("a,b\rc\r\"d\"\re");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("c"));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("d"));
  EXPECT_EQ((*rows)[3].line, 4);
}

TEST(CsvReader, AcceptsMixedLineEnds) {
  auto rows = ReadAll("a\nb\r\nc\rd");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ((*rows)[static_cast<size_t>(i)].line, i + 1);
}

// Regression: blank lines ended by a lone CR were skipped without being counted.
TEST(CsvReader, BlankLoneCrLinesAreCounted) {
  auto rows = ReadAll("a\r\r\rb\r");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].line, 4);
}

// Regression: a lone CR inside a quoted field was not counted as a line break.
TEST(CsvReader, LoneCrInsideQuotedFieldIsCounted) {
  auto rows = ReadAll("\"x\ry\"\rb");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields[0], "x\ry");
  EXPECT_EQ((*rows)[1].line, 3);
}

TEST(CsvReader, StripsUtf8ByteOrderMark) {
  auto rows = ReadAll(
      "\xEF\xBB\xBF"
      "code,name\nU1,x\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("code", "name"));
  EXPECT_EQ((*rows)[0].line, 1);
}

TEST(CsvReader, KeepsByteOrderMarkAfterTheStart) {
  auto rows = ReadAll(
      "a\n\xEF\xBB\xBF"
      "b\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[1].fields[0],
            "\xEF\xBB\xBF"
            "b");
}

TEST(CsvReader, KeepsKoreanText) {
  auto rows = ReadAll("단위,이름\nU1,\"천리마, 제철소\"\nU2,평양 방직공장\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("단위", "이름"));
  EXPECT_THAT((*rows)[1].fields, ElementsAre("U1", "천리마, 제철소"));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("U2", "평양 방직공장"));
}

TEST(CsvReader, SkipsBlankLines) {
  auto rows = ReadAll("\n\na\n\n\r\n\nb\n\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 3);
  EXPECT_EQ((*rows)[1].line, 7);
}

TEST(CsvReader, ReadsLastLineWithoutNewline) {
  auto rows = ReadAll("a,b\nc,d");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("c", "d"));
}

TEST(CsvReader, ReadsLastQuotedFieldWithoutNewline) {
  auto rows = ReadAll("a,\"b\"");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b"));
}

TEST(CsvReader, KeepsEmptyFields) {
  auto rows = ReadAll("a,,c\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "", "c"));
}

TEST(CsvReader, TrailingCommaGivesEmptyLastField) {
  auto rows = ReadAll("a,b,\nc,\"\",\n,");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b", ""));
  EXPECT_THAT((*rows)[1].fields, ElementsAre("c", "", ""));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("", ""));
}

TEST(CsvReader, QuotedEmptyFieldIsARecord) {
  auto rows = ReadAll("\"\"\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre(""));
}

TEST(CsvReader, KeepsSpacesAroundFields) {
  auto rows = ReadAll(" a , b \n");
  ASSERT_TRUE(rows.ok());
  EXPECT_THAT((*rows)[0].fields, ElementsAre(" a ", " b "));
}

TEST(CsvReader, UnterminatedQuoteNamesFileAndStartLine) {
  const Error e = ReadError("a\nb,\"cd\nef\n");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("t.csv:2: column 2"));
  EXPECT_THAT(e.message, HasSubstr("never closed"));
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsAnError) {
  const Error e = ReadError("ok\nab\"c\n");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("t.csv:2: column 1"));
  EXPECT_THAT(e.message, HasSubstr("quote inside an unquoted field"));
}

TEST(CsvReader, CharactersAfterClosingQuoteAreAnError) {
  const Error e = ReadError("x,\"a\"b,c\n");
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("t.csv:1: column 2"));
  EXPECT_THAT(e.message, HasSubstr("after a closing quote"));
}

TEST(CsvReader, SpaceAfterClosingQuoteIsAnError) {
  EXPECT_THAT(ReadError("\"a\" ,b\n").message, HasSubstr("after a closing quote"));
}

// Regression: after an error, Next() resumed mid-record (a quote inside an unquoted
// field even failed forever at the same spot), so "log and continue" loops misbehaved.
TEST(CsvReader, ErrorIsSticky) {
  CsvReader reader = CsvReader::FromString("t.csv", "ab\"c\nd\n");
  CsvRecord rec;
  auto first = reader.Next(rec);
  ASSERT_FALSE(first.ok());
  auto second = reader.Next(rec);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message, first.error().message);
}

// Regression: a reader over a short string (held inside the std::string object itself)
// kept pointing at the moved-from reader's bytes after a move, so it read whatever that
// reader held next.
TEST(CsvReader, MovedReaderOverShortTextKeepsItsText) {
  CsvReader first = CsvReader::FromString("t.csv", "a,b\n");
  CsvReader second = std::move(first);
  first = CsvReader::FromString("other.csv", "zzzz\n");
  auto rows = ReadAll(second);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b"));
}

TEST(CsvReader, MoveAssignedReaderContinuesWhereItWas) {
  CsvReader source = CsvReader::FromString("t.csv", "a\nb\n");
  CsvRecord rec;
  ASSERT_TRUE(*source.Next(rec));
  CsvReader reader = CsvReader::FromString("first.csv", "x\n");
  reader = std::move(source);
  source = CsvReader::FromString("other.csv", "zzzz\n");
  EXPECT_EQ(reader.name(), "t.csv");
  ASSERT_TRUE(*reader.Next(rec));
  EXPECT_THAT(rec.fields, ElementsAre("b"));
  EXPECT_EQ(rec.line, 2);
}

TEST(CsvReader, MovedFromReaderIsEmpty) {
  CsvReader source = CsvReader::FromString("t.csv", "a\n");
  CsvReader reader = std::move(source);
  CsvRecord rec;
  auto more = source.Next(rec);  // NOLINT(bugprone-use-after-move): checking that state
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
  EXPECT_TRUE(*reader.Next(rec));
}

TEST(CsvReader, ReportsProgress) {
  CsvReader reader = CsvReader::FromString("t.csv", "a\nb\n");
  EXPECT_EQ(reader.size(), 4u);
  EXPECT_EQ(reader.position(), 0u);
  ASSERT_TRUE(ReadAll(reader).ok());
  EXPECT_EQ(reader.position(), 4u);
}

TEST(CsvReader, EmptyTextHasNoRecords) {
  auto rows = ReadAll("");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(CsvReader, ByteOrderMarkAloneHasNoRecords) {
  auto rows = ReadAll("\xEF\xBB\xBF");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(CsvReader, EndOfInputStaysEnd) {
  CsvReader reader = CsvReader::FromString("t.csv", "a\n");
  CsvRecord rec;
  ASSERT_TRUE(*reader.Next(rec));
  EXPECT_FALSE(*reader.Next(rec));
  EXPECT_FALSE(*reader.Next(rec));
}

TEST(CsvReaderOpen, MissingFileIsIoErrorNamingThePath) {
  const std::string path = ::testing::TempDir() + "/no-such-dir/reports.csv";
  auto reader = CsvReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::kIo);
  EXPECT_THAT(reader.error().message, HasSubstr(path));
  EXPECT_THAT(reader.error().message, HasSubstr("cannot open"));
}

TEST(CsvReaderOpen, DirectoryIsIoError) {
  auto reader = CsvReader::Open(::testing::TempDir());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().code, ErrorCode::kIo);
  EXPECT_THAT(reader.error().message, HasSubstr("not a regular file"));
}

TEST(CsvReaderOpen, ReadsRealFile) {
  const std::string path = WriteTempFile("csv_test_real.csv",
                                         "\xEF\xBB\xBF"
                                         "unit,date,value\r\nU1,2026-01-15,12\r\n"
                                         "\"천리마\",2026-01-16,\"1,5\"\r\n");
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader->name(), path);
  auto rows = ReadAll(*reader);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("unit", "date", "value"));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("천리마", "2026-01-16", "1,5"));
  EXPECT_EQ((*rows)[2].line, 3);
  std::filesystem::remove(path);
}

TEST(CsvReaderOpen, MovedMappedReaderStillReads) {
  const std::string path = WriteTempFile("csv_test_moved.csv", "a,b\nc,d\n");
  auto opened = CsvReader::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  CsvReader reader = std::move(*opened);
  auto rows = ReadAll(reader);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("c", "d"));
  std::filesystem::remove(path);
}

TEST(CsvReaderOpen, ErrorsNameTheFile) {
  const std::string path = WriteTempFile("csv_test_bad.csv", "a\n\"b\n");
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto rows = ReadAll(*reader);
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.error().message, HasSubstr(path + ":2:"));
  std::filesystem::remove(path);
}

TEST(CsvReaderOpen, EmptyFileHasNoRecords) {
  const std::string path = WriteTempFile("csv_test_empty.csv", "");
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  EXPECT_EQ(reader->size(), 0u);
  auto rows = ReadAll(*reader);
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
  std::filesystem::remove(path);
}

TEST(CsvErrorMessage, HasFileLineColumnFieldReason) {
  EXPECT_EQ(CsvErrorMessage("reports.csv", 1042, 3, "12,5", "is not a number"),
            "reports.csv:1042: column 3 '12,5': is not a number");
}

TEST(CsvErrorMessage, KeepsEmptyField) {
  EXPECT_EQ(CsvErrorMessage("u.csv", 2, 1, "", "is empty"), "u.csv:2: column 1 '': is empty");
}

// Property: any bytes at all make Next() return records, the end or an error; it never
// crashes, and each record consumes input, so reading always terminates.
TEST(CsvReaderProperty, RandomBytesNeverCrash) {
  std::mt19937_64 rng(4180);
  const std::string alphabet = "\",\r\n\"a,\xEC\xB2\x9C\xEF\xBB\xBF ";
  for (int case_idx = 0; case_idx < 5000; ++case_idx) {
    const size_t length = rng() % 48;
    std::string bytes;
    for (size_t i = 0; i < length; ++i) {
      bytes.push_back(rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                     : alphabet[rng() % alphabet.size()]);
    }
    CsvReader reader = CsvReader::FromString("fuzz.csv", bytes);
    CsvRecord rec;
    size_t records = 0;
    while (true) {
      auto more = reader.Next(rec);
      if (!more.ok() || !*more) break;
      ASSERT_LE(++records, length + 1) << "no progress on case " << case_idx;
      ASSERT_LE(reader.position(), reader.size());
      for (std::string_view f : rec.fields) ASSERT_LE(f.size(), length);
    }
  }
}

// Writes `field` as RFC 4180 does: quoted when it holds a comma, quote or line break.
std::string QuoteIfNeeded(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Lines that `text[0, end)` completes, counting \r\n, \n and a lone \r once each.
int64_t LineBreaks(const std::string& text, size_t end) {
  int64_t breaks = 0;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++breaks;
    }
  }
  return breaks;
}

// Property: random tables written as RFC 4180 CSV read back to the same fields, and
// each record reports the line it starts on.
TEST(CsvReaderProperty, WrittenTablesReadBack) {
  std::mt19937_64 rng(20260115);
  const std::vector<std::string> pieces = {"a",    "7",  "12.5",   " ",      ",", "\"",  "\n",
                                           "\r\n", "\r", "천리마", "제철소", "",  "x y", "\"\""};
  const std::vector<std::string> line_ends = {"\n", "\r\n", "\r"};
  for (int case_idx = 0; case_idx < 3000; ++case_idx) {
    const size_t rows = 1 + rng() % 6;
    std::vector<std::vector<std::string>> table(rows);
    std::string text;
    std::vector<int64_t> start_lines;
    for (auto& row : table) {
      start_lines.push_back(1 + LineBreaks(text, text.size()));
      const size_t cols = 1 + rng() % 5;
      for (size_t col = 0; col < cols; ++col) {
        std::string field;
        for (size_t k = rng() % 4; k > 0; --k) field += pieces[rng() % pieces.size()];
        row.push_back(field);
        if (col > 0) text += ',';
        // A record of one empty field would be a blank line, which the reader skips.
        text += cols == 1 && field.empty() ? "\"\"" : QuoteIfNeeded(field);
      }
      if (&row != &table.back() || rng() % 2 == 0) text += line_ends[rng() % line_ends.size()];
    }
    auto read = ReadAll(text);
    ASSERT_TRUE(read.ok()) << read.error().message << " in case " << case_idx;
    ASSERT_EQ(read->size(), rows) << "case " << case_idx;
    for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
      ASSERT_EQ((*read)[row_idx].fields, table[row_idx]) << "case " << case_idx;
      ASSERT_EQ((*read)[row_idx].line, start_lines[row_idx]) << "case " << case_idx;
    }
  }
}

}  // namespace
}  // namespace chollima
