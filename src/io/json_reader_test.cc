#include "io/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/text.h"
#include "io/json_writer.h"

namespace chollima::io {
namespace {

using ::testing::HasSubstr;

JsonValue Parsed(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.error().message;
  return v.ok() ? std::move(*v) : JsonValue();
}

std::string ErrorOf(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_FALSE(v.ok()) << text;
  if (v.ok()) return "";
  EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
  return v.error().message;
}

std::string Written(const JsonValue& v) {
  JsonWriter w;
  WriteJson(v, w);
  return w.Take();
}

TEST(JsonReaderTest, ParsesScalars) {
  EXPECT_TRUE(Parsed("null").IsNull());
  EXPECT_TRUE(Parsed("true").AsBool());
  EXPECT_TRUE(Parsed(" false ").IsBool());
  EXPECT_FALSE(Parsed("false").AsBool());
  EXPECT_EQ(Parsed("12.5").AsNumber(), 12.5);
  EXPECT_EQ(Parsed("-0").AsNumber(), 0);
  EXPECT_TRUE(std::signbit(Parsed("-0").AsNumber()));
  EXPECT_EQ(Parsed("1E3").AsNumber(), 1000);
  EXPECT_EQ(Parsed("1e-7").AsNumber(), 1e-7);
  EXPECT_EQ(Parsed("2.5e+2").AsNumber(), 250);
  EXPECT_EQ(Parsed("\"abc\"").AsString(), "abc");
  EXPECT_EQ(Parsed("\"\"").AsString(), "");
}

TEST(JsonReaderTest, NumbersKeepTheirOriginalText) {
  for (std::string_view text : {"0.1", "1e-7", "12345678901234567", "1.50", "-0.0", "1E+2"}) {
    const JsonValue v = Parsed(text);
    ASSERT_TRUE(v.IsNumber());
    EXPECT_EQ(v.NumberText(), text);
    double expected = 0;
    ASSERT_TRUE(ParseNumber(text, expected));
    EXPECT_EQ(v.AsNumber(), expected) << text;
  }
}

TEST(JsonReaderTest, UnderflowBecomesZeroButKeepsItsText) {
  const JsonValue v = Parsed("1e-400");
  ASSERT_TRUE(v.IsNumber());
  EXPECT_EQ(v.AsNumber(), 0);
  EXPECT_EQ(v.NumberText(), "1e-400");
  EXPECT_EQ(Parsed("0e99999").AsNumber(), 0);
  EXPECT_EQ(Parsed("0.0000e999999999999999999").AsNumber(), 0);
}

TEST(JsonReaderTest, DecodesEveryEscape) {
  EXPECT_EQ(Parsed(R"("\" \\ \/ \b \f \n \r \t")").AsString(), "\" \\ / \b \f \n \r \t");
  EXPECT_EQ(Parsed(R"("\u0041\u00e9\u20AC")").AsString(), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(Parsed(R"("\ud83d\ude00")").AsString(), "\xF0\x9F\x98\x80");  // U+1F600
  EXPECT_EQ(Parsed(R"("\uDBFF\uDFFF")").AsString(), "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(Parsed(R"("a\u0000b")").AsString(), std::string("a\0b", 3));
  EXPECT_EQ(Parsed("\"천리마 탄광\"").AsString(), "천리마 탄광");
}

TEST(JsonReaderTest, ObjectsKeepKeyOrderAndFindByKey) {
  const JsonValue v = Parsed(R"({"unit":"M1","value":12.5,"a":[1,2,{"b":null}],"e":{}})");
  ASSERT_TRUE(v.IsObject());
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.Members()[0].key, "unit");
  EXPECT_EQ(v.Members()[1].key, "value");
  EXPECT_EQ(v.Members()[2].key, "a");
  EXPECT_EQ(v.Find("unit")->AsString(), "M1");
  EXPECT_EQ(v.Find("value")->AsNumber(), 12.5);
  EXPECT_EQ(v.Find("missing"), nullptr);
  EXPECT_EQ(v.Find("Unit"), nullptr);
  const JsonValue* a = v.Find("a");
  ASSERT_TRUE(a->IsArray());
  ASSERT_EQ(a->Items().size(), 3u);
  EXPECT_EQ(a->Items()[1].AsNumber(), 2);
  EXPECT_TRUE(a->Items()[2].Find("b")->IsNull());
  EXPECT_TRUE(v.Find("e")->IsObject());
  EXPECT_EQ(v.Find("e")->size(), 0u);
}

TEST(JsonReaderTest, AccessorsOfAnotherKindAnswerEmptyDefaults) {
  const JsonValue s = Parsed("\"x\"");
  EXPECT_FALSE(s.AsBool());
  EXPECT_EQ(s.AsNumber(), 0);
  EXPECT_EQ(s.NumberText(), "");
  EXPECT_TRUE(s.Items().empty());
  EXPECT_TRUE(s.Members().empty());
  EXPECT_EQ(s.Find("x"), nullptr);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(Parsed("1").AsString(), "");
  EXPECT_STREQ(JsonKindName(JsonKind::kObject), "an object");
}

TEST(JsonReaderTest, ErrorsNameLineAndColumn) {
  EXPECT_EQ(ErrorOf("{\n  \"a\": 1,\n  \"b\": 2 \"c\": 3\n}"),
            "line 3, column 10: expected ',' or '}' after an object member");
  EXPECT_EQ(ErrorOf("[1 2]"), "line 1, column 4: expected ',' or ']' after an array element");
  // Columns count characters, not bytes: each Korean syllable is three bytes.
  EXPECT_EQ(ErrorOf("{\"천리마\": x}"), "line 1, column 9: expected a value, found character 'x'");
  // \r\n and a lone \r end lines too.
  EXPECT_EQ(ErrorOf("[\r\n1,\r2,\n?]"), "line 4, column 1: expected a value, found character '?'");
}

TEST(JsonReaderTest, RejectsEveryErrorClass) {
  // Empty input and structure.
  EXPECT_EQ(ErrorOf(""), "line 1, column 1: expected a value, found the end of the input");
  EXPECT_EQ(ErrorOf("   "), "line 1, column 4: expected a value, found the end of the input");
  EXPECT_THAT(ErrorOf("{"), HasSubstr("expected a string key in an object"));
  EXPECT_THAT(ErrorOf("{\"a\""), HasSubstr("expected ':' after an object key"));
  EXPECT_THAT(ErrorOf("{\"a\":1"), HasSubstr("expected ',' or '}' after an object member"));
  EXPECT_THAT(ErrorOf("[1"), HasSubstr("expected ',' or ']' after an array element"));
  EXPECT_THAT(ErrorOf("{a:1}"), HasSubstr("column 2: expected a string key in an object"));
  EXPECT_THAT(ErrorOf("{'a':1}"), HasSubstr("expected a string key"));
  EXPECT_THAT(ErrorOf("[1,]"), HasSubstr("column 4: expected a value after ','; a trailing comma"));
  EXPECT_THAT(ErrorOf("{\"a\":1,}"), HasSubstr("expected a key after ','; a trailing comma"));
  EXPECT_THAT(ErrorOf("[,1]"), HasSubstr("expected a value, found character ','"));
  // Trailing garbage.
  EXPECT_EQ(ErrorOf("{} x"), "line 1, column 4: unexpected character 'x' after the JSON value");
  EXPECT_THAT(ErrorOf("1 2"), HasSubstr("unexpected character '2' after the JSON value"));
  EXPECT_THAT(ErrorOf("null\x01"), HasSubstr("unexpected byte 0x01 after the JSON value"));
  // Literals.
  EXPECT_THAT(ErrorOf("nul"), HasSubstr("invalid literal; expected true, false or null"));
  EXPECT_THAT(ErrorOf("True"), HasSubstr("expected a value, found character 'T'"));
  EXPECT_THAT(ErrorOf("nullx"), HasSubstr("column 1: invalid literal"));
  EXPECT_THAT(ErrorOf("NaN"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("Infinity"), HasSubstr("expected a value"));
  // Numbers.
  EXPECT_EQ(ErrorOf("01"), "line 1, column 1: a number may not have a leading zero");
  EXPECT_THAT(ErrorOf("[-012]"), HasSubstr("column 2: a number may not have a leading zero"));
  EXPECT_THAT(ErrorOf("-"), HasSubstr("expected a digit after '-'"));
  EXPECT_THAT(ErrorOf("+1"), HasSubstr("expected a value, found character '+'"));
  EXPECT_THAT(ErrorOf("1."), HasSubstr("expected a digit after the decimal point"));
  EXPECT_THAT(ErrorOf(".5"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("1e"), HasSubstr("expected a digit in the exponent"));
  EXPECT_THAT(ErrorOf("1e+"), HasSubstr("expected a digit in the exponent"));
  EXPECT_THAT(ErrorOf("0x10"), HasSubstr("unexpected character 'x'"));
  EXPECT_EQ(ErrorOf("[1e999]"), "line 1, column 2: the number 1e999 is too large for a double");
  EXPECT_THAT(ErrorOf("-1.8e308"), HasSubstr("is too large for a double"));
  EXPECT_THAT(ErrorOf("1" + std::string(400, '0')), HasSubstr("is too large for a double"));
  // Strings.
  EXPECT_THAT(ErrorOf("\"abc"), HasSubstr("column 1: the string is never closed"));
  EXPECT_THAT(ErrorOf("\"abc\\"), HasSubstr("the string is never closed"));
  EXPECT_EQ(ErrorOf("\"a\nb\""),
            "line 1, column 3: control character U+000A in a string; escape it (\\n, \\t, "
            "\\u00XX)");
  EXPECT_THAT(ErrorOf("\"a\tb\""), HasSubstr("control character U+0009"));
  EXPECT_THAT(ErrorOf(R"("\q")"), HasSubstr("column 2: invalid escape '\\q' in a string"));
  EXPECT_THAT(ErrorOf(R"("\u12")"), HasSubstr("a \\u escape needs four hex digits"));
  EXPECT_THAT(ErrorOf(R"("\u12G4")"), HasSubstr("a \\u escape needs four hex digits"));
  EXPECT_THAT(ErrorOf(R"("\ud83d")"), HasSubstr("lone high surrogate"));
  EXPECT_THAT(ErrorOf(R"("\ud83dx")"), HasSubstr("lone high surrogate"));
  EXPECT_THAT(ErrorOf(R"("\ud83d\u0041")"), HasSubstr("lone high surrogate"));
  EXPECT_THAT(ErrorOf(R"("\ud83d\ud83d")"), HasSubstr("lone high surrogate"));
  EXPECT_THAT(ErrorOf(R"("\ude00")"), HasSubstr("lone low surrogate"));
  // Invalid UTF-8: a stray continuation, a truncated sequence, an overlong, a surrogate
  // encoded directly, beyond U+10FFFF.
  for (std::string bad : {"\"\x80\"", "\"\xE2\x82\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"",
                          "\"\xF4\x90\x80\x80\"", "\"\xFF\""}) {
    EXPECT_THAT(ErrorOf(bad), HasSubstr("column 2: invalid UTF-8 in a string"));
  }
  EXPECT_THAT(ErrorOf("\xC3\xA9"), HasSubstr("expected a value, found byte 0xC3"));
  // Duplicate keys, in small and large objects.
  EXPECT_EQ(ErrorOf("{\"a\":1,\"b\":2,\"a\":3}"),
            "line 1, column 14: duplicate key \"a\" in an object");
  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_THAT(ErrorOf(big + "\"k33\":0}"), HasSubstr("duplicate key \"k33\" in an object"));
  EXPECT_TRUE(ParseJson(big + "\"k40\":0}").ok());
  // Comments are not JSON.
  EXPECT_THAT(ErrorOf("[1 /* x */]"), HasSubstr("expected ',' or ']'"));
}

TEST(JsonReaderTest, NestingDeeperThan64IsRefused) {
  EXPECT_TRUE(ParseJson(std::string(64, '[') + std::string(64, ']')).ok());
  EXPECT_EQ(ErrorOf(std::string(65, '[') + std::string(65, ']')),
            "line 1, column 65: arrays and objects nest deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  EXPECT_THAT(ErrorOf(objects + "1" + std::string(65, '}')), HasSubstr("deeper than 64"));
  // Far too deep input fails the same way instead of exhausting the stack.
  EXPECT_THAT(ErrorOf(std::string(100000, '[')), HasSubstr("deeper than 64"));
}

TEST(JsonReaderTest, SkipsAByteOrderMark) {
  EXPECT_EQ(Parsed("\xEF\xBB\xBF{\"a\":1}").Find("a")->AsNumber(), 1);
}

TEST(JsonReaderTest, PathsNameMembersAndElements) {
  EXPECT_EQ(JsonPathMember("$", "value"), "$.value");
  EXPECT_EQ(JsonPathMember(JsonPathIndex("$", 3), "value"), "$[3].value");
  EXPECT_EQ(JsonPathMember("$", "two words"), "$[\"two words\"]");
  EXPECT_EQ(JsonPathMember("$", "a\"b"), "$[\"a\\\"b\"]");
  EXPECT_EQ(JsonPathMember("$", "용량"), "$[\"용량\"]");
  EXPECT_EQ(JsonPathMember("$", ""), "$[\"\"]");
  EXPECT_EQ(JsonPathMember("$", "9a"), "$[\"9a\"]");
  EXPECT_EQ(JsonPathMember("$", "_a9"), "$._a9");
}

TEST(JsonReaderTest, RoundTripsJsonWriterOutput) {
  JsonWriter w;
  w.BeginObject();
  w.Key("units");
  w.BeginArray();
  w.BeginObject();
  w.Key("code");
  w.String("M2");
  w.Key("name");
  w.String("천리마 탄광 \"Victory\"\n\t\x01\x1f\\/");
  w.Key("capacity");
  w.Number(0.1);
  w.Key("big");
  w.Number(1e21);
  w.Key("tiny");
  w.Number(-5e-324);
  w.Key("count");
  w.Int(-9007199254740993);
  w.Key("ok");
  w.Bool(true);
  w.Key("none");
  w.Null();
  w.Key("inf");
  w.Number(HUGE_VAL);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  const JsonValue v = Parsed(w.str());
  const JsonValue& unit = v.Find("units")->Items()[0];
  EXPECT_EQ(unit.Find("name")->AsString(), "천리마 탄광 \"Victory\"\n\t\x01\x1f\\/");
  EXPECT_EQ(unit.Find("capacity")->AsNumber(), 0.1);
  EXPECT_EQ(unit.Find("big")->AsNumber(), 1e21);
  EXPECT_EQ(unit.Find("tiny")->AsNumber(), -5e-324);
  EXPECT_EQ(unit.Find("count")->NumberText(), "-9007199254740993");
  EXPECT_TRUE(unit.Find("ok")->AsBool());
  EXPECT_TRUE(unit.Find("none")->IsNull());
  EXPECT_TRUE(unit.Find("inf")->IsNull());
  EXPECT_EQ(Written(v), w.str());
}

// Random trees written with JsonWriter parse back equal, and write back the same text.
class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : rng_(seed) {}

  JsonValue Value(int depth) {
    switch (Pick(depth < 6 ? 7 : 5)) {
      case 0:
        return JsonValue::Null();
      case 1:
        return JsonValue::Bool(Pick(2) == 1);
      case 2:
        return JsonValue::Number(Number());
      case 3:
      case 4:
        return JsonValue::String(String());
      case 5: {
        std::vector<JsonValue> items;
        for (size_t i = Pick(5); i > 0; --i) items.push_back(Value(depth + 1));
        return JsonValue::Array(std::move(items));
      }
      default: {
        std::vector<JsonMember> members;
        for (size_t i = Pick(5); i > 0; --i) {
          std::string key = String() + "#" + std::to_string(i);  // distinct keys
          members.push_back({std::move(key), Value(depth + 1)});
        }
        return JsonValue::Object(std::move(members));
      }
    }
  }

 private:
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

  double Number() {
    switch (Pick(4)) {
      case 0:
        return static_cast<double>(static_cast<int64_t>(rng_() % 2000001) - 1000000);
      case 1:
        return static_cast<double>(rng_() % 100000) / 100.0;
      case 2: {
        // Any finite double from its bits.
        while (true) {
          const uint64_t bits = rng_();
          double d = 0;
          std::memcpy(&d, &bits, sizeof d);
          if (std::isfinite(d)) return d;
        }
      }
      default:
        return std::ldexp(static_cast<double>(rng_() % 1000), static_cast<int>(Pick(200)) - 100);
    }
  }

  std::string String() {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          " ",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\n",
                                          "\r",
                                          "\t",
                                          "\b",
                                          "\x01",
                                          "\x1f",
                                          "\x7f",
                                          "é",
                                          "천리마",
                                          "€",
                                          "\xF0\x9F\x98\x80",
                                          ",",
                                          "'",
                                          "\xF4\x8F\xBF\xBF",
                                          nullptr};
    std::string s;
    for (size_t i = Pick(8); i > 0; --i) {
      const size_t k = Pick(std::size(kPieces));
      if (kPieces[k] == nullptr) {
        s.push_back('\0');
      } else {
        s += kPieces[k];
      }
    }
    return s;
  }

  std::mt19937_64 rng_;
};

TEST(JsonReaderTest, RandomValuesWrittenByJsonWriterParseBackEqual) {
  RandomJson random(20261123);
  for (int i = 0; i < 2000; ++i) {
    const JsonValue v = random.Value(0);
    const std::string text = Written(v);
    auto back = ParseJson(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.error().message;
    ASSERT_TRUE(*back == v) << text;
    ASSERT_EQ(Written(*back), text);
  }
}

TEST(JsonReaderTest, ParsesAMebibyteOfReports) {
  std::string body = "[";
  for (int i = 0; body.size() < (size_t{1} << 20); ++i) {
    if (i > 0) body += ",\n";
    body += R"({"unit":"M)" + std::to_string(i % 97) +
            R"(","indicator":"coal","date":"2026-01-05","value":)" + std::to_string(i) + ".25}";
  }
  body += "]";
  auto v = ParseJson(body);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_GT(v->size(), 10000u);
  EXPECT_EQ(v->Items()[3].Find("value")->AsNumber(), 3.25);
}

}  // namespace
}  // namespace chollima::io
