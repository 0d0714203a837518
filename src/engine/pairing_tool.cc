// Solves one pairing problem read from stdin, for the scipy oracle
// (tests/oracle/pairing_oracle.py). Input, whitespace-separated:
//   mentors learners
//   capacity x mentors
//   cost x (mentors * learners), mentor-major; "inf" means not allowed
//   fixed_count (mentor learner) x fixed_count
//   forbidden_count (mentor learner) x forbidden_count
// Output: "pairs N", "total_cost C" (%.17g) and "mentor_of" followed by one mentor (or -1)
// per learner; on an error "error: message" and exit status 1.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "engine/pairing.h"

namespace {

bool Read(double& out) {
  std::string token;
  if (!(std::cin >> token)) return false;
  char* end = nullptr;
  out = std::strtod(token.c_str(), &end);
  return end != token.c_str() && *end == '\0';
}

bool Read(int32_t& out) {
  double d = 0;
  if (!Read(d)) return false;
  out = static_cast<int32_t>(d);
  return static_cast<double>(out) == d;
}

bool ReadPairs(std::vector<std::pair<int32_t, int32_t>>& pairs) {
  int32_t n = 0;
  if (!Read(n) || n < 0) return false;
  pairs.resize(static_cast<size_t>(n));
  for (auto& [m, l] : pairs) {
    if (!Read(m) || !Read(l)) return false;
  }
  return true;
}

}  // namespace

int main() {
  namespace pairing = chollima::engine::pairing;
  pairing::Problem p;
  bool ok = Read(p.mentors) && Read(p.learners) && p.mentors >= 0 && p.learners >= 0;
  if (ok) {
    p.capacity.resize(static_cast<size_t>(p.mentors));
    for (int32_t& c : p.capacity) ok = ok && Read(c);
    p.cost.resize(static_cast<size_t>(p.mentors) * static_cast<size_t>(p.learners));
    for (double& c : p.cost) ok = ok && Read(c);
    ok = ok && ReadPairs(p.fixed) && ReadPairs(p.forbidden);
  }
  if (!ok) {
    std::printf("error: malformed input\n");
    return 1;
  }
  const auto result = pairing::Assign(p);
  if (!result.ok()) {
    std::printf("error: %s\n", result.error().message.c_str());
    return 1;
  }
  std::printf("pairs %d\ntotal_cost %.17g\nmentor_of", result->pairs, result->total_cost);
  for (const int32_t m : result->mentor_of) std::printf(" %d", m);
  std::printf("\n");
  return 0;
}
