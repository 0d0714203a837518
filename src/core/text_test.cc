#include "core/text.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace chollima {
namespace {

// ParseNumber's value for `text`, or NaN when it rejects it.
double Number(std::string_view text) {
  double v = 0;
  return ParseNumber(text, v) ? v : std::numeric_limits<double>::quiet_NaN();
}

bool Rejects(std::string_view text) {
  double v = 42;
  const bool ok = ParseNumber(text, v);
  return !ok && v == 42;  // a rejection leaves the output alone
}

TEST(ParseNumber, AcceptsInteger) { EXPECT_EQ(Number("12"), 12.0); }
TEST(ParseNumber, AcceptsNegativeDecimal) { EXPECT_EQ(Number("-3.5"), -3.5); }
TEST(ParseNumber, AcceptsLeadingPlus) { EXPECT_EQ(Number("+4"), 4.0); }
TEST(ParseNumber, AcceptsExponent) {
  EXPECT_EQ(Number("1e6"), 1e6);
  EXPECT_EQ(Number("1E6"), 1e6);
  EXPECT_EQ(Number("2.5e-3"), 2.5e-3);
  EXPECT_EQ(Number("1e+21"), 1e21);
}
TEST(ParseNumber, AcceptsLeadingDot) {
  EXPECT_EQ(Number(".5"), 0.5);
  EXPECT_EQ(Number("-.5"), -0.5);
  EXPECT_EQ(Number("+.5"), 0.5);
}
TEST(ParseNumber, AcceptsZeroes) {
  EXPECT_EQ(Number("0"), 0.0);
  EXPECT_EQ(Number("007"), 7.0);
  EXPECT_TRUE(std::signbit(Number("-0")));
}
TEST(ParseNumber, AcceptsLargestDouble) {
  EXPECT_EQ(Number("1.7976931348623157e308"), std::numeric_limits<double>::max());
}

TEST(ParseNumber, RejectsEmpty) { EXPECT_TRUE(Rejects("")); }
TEST(ParseNumber, RejectsLeadingSpace) { EXPECT_TRUE(Rejects(" 1")); }
TEST(ParseNumber, RejectsTrailingSpace) { EXPECT_TRUE(Rejects("1 ")); }
TEST(ParseNumber, RejectsDecimalComma) { EXPECT_TRUE(Rejects("12,5")); }
TEST(ParseNumber, RejectsInfinity) {
  EXPECT_TRUE(Rejects("inf"));
  EXPECT_TRUE(Rejects("-inf"));
  EXPECT_TRUE(Rejects("+inf"));
  EXPECT_TRUE(Rejects("infinity"));
}
TEST(ParseNumber, RejectsNan) {
  EXPECT_TRUE(Rejects("nan"));
  EXPECT_TRUE(Rejects("-nan"));
  EXPECT_TRUE(Rejects("NaN"));
}
TEST(ParseNumber, RejectsHex) {
  EXPECT_TRUE(Rejects("0x10"));
  EXPECT_TRUE(Rejects("0X1p3"));
}
TEST(ParseNumber, RejectsOverflow) {
  EXPECT_TRUE(Rejects("1e999"));
  EXPECT_TRUE(Rejects("-1e999"));
}
TEST(ParseNumber, RejectsUnderflowToZero) { EXPECT_TRUE(Rejects("1e-999")); }
TEST(ParseNumber, RejectsDoubledSign) {
  EXPECT_TRUE(Rejects("--1"));
  EXPECT_TRUE(Rejects("++1"));
  EXPECT_TRUE(Rejects("-+1"));
}
// Regression: "+-1" was accepted as -1 (the '+' was skipped, then from_chars took "-1").
TEST(ParseNumber, RejectsPlusMinus) { EXPECT_TRUE(Rejects("+-1")); }
TEST(ParseNumber, RejectsLoneSignsAndDots) {
  EXPECT_TRUE(Rejects("+"));
  EXPECT_TRUE(Rejects("-"));
  EXPECT_TRUE(Rejects("."));
  EXPECT_TRUE(Rejects("e5"));
  EXPECT_TRUE(Rejects("1e"));
}
TEST(ParseNumber, RejectsTrailingCharacters) {
  EXPECT_TRUE(Rejects("12abc"));
  EXPECT_TRUE(Rejects("1_000"));
  EXPECT_TRUE(Rejects(std::string_view("1\0", 2)));
}

TEST(ParseDigits, AcceptsDigitRuns) {
  int v = -1;
  ASSERT_TRUE(ParseDigits("0", v));
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(ParseDigits("2026", v));
  EXPECT_EQ(v, 2026);
  ASSERT_TRUE(ParseDigits("007", v));
  EXPECT_EQ(v, 7);
  ASSERT_TRUE(ParseDigits("999999999", v));
  EXPECT_EQ(v, 999999999);
}
TEST(ParseDigits, RejectsSignsSpacesAndEmpty) {
  int v = -1;
  EXPECT_FALSE(ParseDigits("", v));
  EXPECT_FALSE(ParseDigits("-1", v));
  EXPECT_FALSE(ParseDigits("+1", v));
  EXPECT_FALSE(ParseDigits(" 1", v));
  EXPECT_FALSE(ParseDigits("1a", v));
  EXPECT_FALSE(ParseDigits("1.0", v));
  EXPECT_EQ(v, -1);
}
TEST(ParseDigits, RejectsRunsThatMightNotFitInInt) {
  int v = -1;
  EXPECT_FALSE(ParseDigits("1234567890", v));
  EXPECT_FALSE(ParseDigits("99999999999999999999", v));
  EXPECT_EQ(v, -1);
}

TEST(IsValidUtf8, AcceptsAscii) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plan 2026, Q1"));
}
TEST(IsValidUtf8, AcceptsMultiByte) {
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9"));          // é
  EXPECT_TRUE(IsValidUtf8("천리마 제철소"));     // Korean
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x9A\x9C"));  // emoji, U+1F69C
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("\xEF\xBB\xBF"));      // BOM is a valid character
}
TEST(IsValidUtf8, RejectsOverlong) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));
}
TEST(IsValidUtf8, RejectsSurrogate) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));
}
TEST(IsValidUtf8, RejectsTruncated) {
  EXPECT_FALSE(IsValidUtf8("\xEC\xB2"));  // first two bytes of 천
  EXPECT_FALSE(IsValidUtf8("a\xF0\x9F\x9A"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
}
TEST(IsValidUtf8, RejectsStrayContinuation) {
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(
      IsValidUtf8("a\xBF"
                  "b"));
  EXPECT_FALSE(IsValidUtf8("\xC3\xA9\xA9"));
}
TEST(IsValidUtf8, RejectsAboveMaxCodePoint) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}
TEST(IsValidUtf8, RejectsNonContinuationInsideSequence) {
  EXPECT_FALSE(IsValidUtf8("\xE2\x28\xA1"));
}

TEST(Trim, RemovesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(Trim("  a b\t "), "a b");
  EXPECT_EQ(Trim("\t\t"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("x"), "x");
}
TEST(Trim, KeepsNewlines) { EXPECT_EQ(Trim("\na\n"), "\na\n"); }

TEST(ToLower, LowersAsciiOnly) {
  EXPECT_EQ(ToLower("Plan-Q1 ABC"), "plan-q1 abc");
  EXPECT_EQ(ToLower("천리마 É"), "천리마 É");
  EXPECT_EQ(ToLower(""), "");
}

TEST(Split, SplitsAtEverySeparator) {
  EXPECT_EQ(Split("a,b,c", ','), (std::vector<std::string_view>{"a", "b", "c"}));
}
TEST(Split, KeepsEmptyParts) {
  EXPECT_EQ(Split("a,,c", ','), (std::vector<std::string_view>{"a", "", "c"}));
  EXPECT_EQ(Split(",a,", ','), (std::vector<std::string_view>{"", "a", ""}));
}
TEST(Split, EmptyTextIsOneEmptyPart) {
  EXPECT_EQ(Split("", ','), (std::vector<std::string_view>{""}));
}
TEST(Split, NoSeparatorIsOnePart) {
  EXPECT_EQ(Split("abc", ';'), (std::vector<std::string_view>{"abc"}));
}

TEST(FormatNumber, UsesShortestForm) {
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(1500), "1500");
  EXPECT_EQ(FormatNumber(-3.5), "-3.5");
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(1e21), "1e+21");
}
TEST(FormatNumber, NanIsEmpty) { EXPECT_EQ(FormatNumber(std::nan("")), ""); }
// Regression: infinities were formatted as "inf", which ParseNumber rejects.
TEST(FormatNumber, InfinityIsEmpty) {
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "");
  EXPECT_EQ(FormatNumber(-std::numeric_limits<double>::infinity()), "");
}
TEST(FormatNumber, RoundTripsThroughParseNumber) {
  std::mt19937_64 rng(20260115);
  std::vector<double> values = {0.1,
                                0.2 + 0.1,
                                1.0 / 3,
                                -0.0,
                                5e-324,
                                1e-310,
                                1e22,
                                123456789012345678.0,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest()};
  for (int i = 0; i < 20000; ++i) {
    const auto v = std::bit_cast<double>(static_cast<uint64_t>(rng()));
    if (std::isfinite(v)) values.push_back(v);
  }
  for (double v : values) {
    const std::string text = FormatNumber(v);
    double back = 0;
    ASSERT_TRUE(ParseNumber(text, back)) << text;
    ASSERT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(v)) << text;
  }
}

}  // namespace
}  // namespace chollima
