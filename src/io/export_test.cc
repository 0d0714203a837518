#include "io/export.h"

#include <gtest/gtest.h>

#include <sstream>

#include "io/json_writer.h"
#include "io/table_writer.h"

namespace chollima::io {
namespace {

TEST(TableWriter, CsvQuotesOnlyWhenNeeded) {
  std::ostringstream out;
  TableWriter w(out, TableFormat::kCsv, {"a", "b"});
  w.Row({Cell::Text("plain"), Cell::Text("x, \"y\"\nz")});
  w.Row({Cell::Number(0.1), Cell::Empty()});
  w.Finish();
  EXPECT_EQ(out.str(), "a,b\nplain,\"x, \"\"y\"\"\nz\"\n0.1,\n");
}

TEST(TableWriter, JsonHasNullsForEmptyAndNaN) {
  std::ostringstream out;
  TableWriter w(out, TableFormat::kJson, {"a", "b"});
  w.Row({Cell::Number(std::nan("")), Cell::Text("\t\x01")});
  w.Row({Cell::Number(1500), Cell::Empty()});
  w.Finish();
  EXPECT_EQ(out.str(), "[{\"a\":null,\"b\":\"\\t\\u0001\"},{\"a\":1500,\"b\":null}]\n");
}

TEST(TableWriter, TableAlignsWideCharacters) {
  std::ostringstream out;
  TableWriter w(out, TableFormat::kTable, {"name", "n"});
  w.Row({Cell::Text("천리마"), Cell::Number(1)});
  w.Row({Cell::Text("abcdef"), Cell::Number(22)});
  w.Finish();
  EXPECT_EQ(out.str(), "name    n\n천리마  1\nabcdef  22\n");
}

TEST(JsonWriter, NestsObjectsAndArrays) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Int(1);
  w.Number(2.5);
  w.Bool(true);
  w.Null();
  w.EndArray();
  w.Key("b");
  w.String("\"q\"");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":[1,2.5,true,null],"b":"\"q\""})");
}

TEST(Export, EmptyStateGivesHeaderOnly) {
  engine::State s;
  std::ostringstream out;
  ASSERT_TRUE(Export(ImportKind::kReports, s, TableFormat::kCsv, out).ok());
  EXPECT_EQ(out.str(), "unit,indicator,date,value\n");
}

}  // namespace
}  // namespace chollima::io
