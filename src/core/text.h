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

// Parses a finite decimal number ("12", "-3.5", "1e6"). Rejects empty text, spaces,
// "12,5", "inf", "nan", hex and trailing characters. Returns false otherwise.
bool ParseNumber(std::string_view text, double& out);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view text);

std::string_view Trim(std::string_view text);
std::string ToLower(std::string_view text);
std::vector<std::string_view> Split(std::string_view text, char sep);

// Shortest text that parses back to exactly `value` ("1500", "0.1", "1e+21").
std::string FormatNumber(double value);

}  // namespace chollima
