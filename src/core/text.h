// Small, allocation-free text helpers for parsing untrusted input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chollima {

// Parses a non-empty run of ASCII digits (no sign, no spaces) that fits in int.
// Returns false otherwise.
bool ParseDigits(std::string_view text, int& out);

// Parses a finite decimal number ("12", "-3.5", "+4", ".5", "1e6"). Returns false, leaving
// `out` unchanged, for empty text, spaces, "12,5", "inf", "nan", hex, a doubled sign,
// trailing characters, and magnitudes that overflow or underflow a double ("1e999").
bool ParseNumber(std::string_view text, double& out);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above
// U+10FFFF, no truncated or stray continuation bytes).
bool IsValidUtf8(std::string_view text);

// Removes leading and trailing spaces and tabs (not newlines).
std::string_view Trim(std::string_view text);
// Lower-cases ASCII letters only; other bytes (UTF-8 included) are kept as they are.
std::string ToLower(std::string_view text);
// Splits at every `sep`: n separators give n + 1 parts, empty ones included ("" -> {""}).
// The parts view `text`.
std::vector<std::string_view> Split(std::string_view text, char sep);

// Shortest text that ParseNumber reads back to exactly `value` ("1500", "0.1", "1e+21").
// Returns "" for NaN and the infinities, which have no such text.
std::string FormatNumber(double value);

// Appends `s` as a quoted JSON string: quotes, backslashes and control bytes escaped
// (the one escaper of io::JsonWriter and the store's audit texts).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace chollima
