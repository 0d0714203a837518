#include "core/emulation.h"

namespace chollima {

const char* NormalizationName(Normalization n) {
  switch (n) {
    case Normalization::kPercentOfPlan:
      return "percent_of_plan";
    case Normalization::kGrowth:
      return "growth";
    case Normalization::kPerCapacity:
      return "per_capacity";
    case Normalization::kZScore:
      return "zscore";
  }
  return "percent_of_plan";
}

bool ParseNormalization(std::string_view s, Normalization& out) {
  for (Normalization n : {Normalization::kPercentOfPlan, Normalization::kGrowth,
                          Normalization::kPerCapacity, Normalization::kZScore}) {
    if (s == NormalizationName(n)) {
      out = n;
      return true;
    }
  }
  return false;
}

const char* GrowthBaseName(GrowthBase b) {
  return b == GrowthBase::kPreviousYear ? "previous_year" : "previous_season";
}

bool ParseGrowthBase(std::string_view s, GrowthBase& out) {
  for (GrowthBase b : {GrowthBase::kPreviousYear, GrowthBase::kPreviousSeason}) {
    if (s == GrowthBaseName(b)) {
      out = b;
      return true;
    }
  }
  return false;
}

const char* StandardSourceName(StandardSource s) {
  return s == StandardSource::kManual ? "manual" : "derived";
}

bool ParseStandardSource(std::string_view s, StandardSource& out) {
  for (StandardSource v : {StandardSource::kManual, StandardSource::kDerived}) {
    if (s == StandardSourceName(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

}  // namespace chollima
