// Writes the files of the bulk-import benchmark into a directory: groups, units and
// indicators for `units` units, and a reports CSV of `rows` rows (ordered by date, then
// unit, then indicator, as daily submissions arrive), with deterministic values.
//
//   gen_reports DIR ROWS [UNITS]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/date.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gen_reports DIR ROWS [UNITS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long long rows = std::atoll(argv[2]);
  const int units = argc > 3 ? std::atoi(argv[3]) : 10000;
  auto open = [&](const char* name) {
    FILE* f = std::fopen((dir + "/" + name).c_str(), "w");
    if (f == nullptr) {
      std::perror(name);
      std::exit(1);
    }
    return f;
  };
  FILE* g = open("groups.csv");
  std::fprintf(g, "hierarchy,code,name,parent\nregion,P,Province,\n");
  std::fclose(g);
  FILE* u = open("units.csv");
  std::fprintf(u, "code,name,region\n");
  for (int i = 0; i < units; ++i) std::fprintf(u, "U%05d,Unit %d,P\n", i, i);
  std::fclose(u);
  FILE* ind = open("indicators.csv");
  std::fprintf(ind,
               "code,name,measure,direction,aggregation,role\n"
               "out,Output,t,higher,sum,output\nenergy,Energy,MWh,lower,sum,input\n");
  std::fclose(ind);
  FILE* r = open("reports.csv");
  static char buf[1 << 20];
  std::setvbuf(r, buf, _IOFBF, sizeof buf);
  std::fprintf(r, "unit,indicator,date,value\n");
  const chollima::Date start = chollima::Date::FromCivil(2020, 1, 1);
  unsigned long long x = 88172645463325252ULL;
  long long written = 0;
  for (int day = 0; written < rows; ++day) {
    const std::string date = chollima::FormatDate(start + day);
    for (int i = 0; i < units && written < rows; ++i) {
      for (const char* indicator : {"out", "energy"}) {
        if (written >= rows) break;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::fprintf(r, "U%05d,%s,%s,%llu.%llu\n", i, indicator, date.c_str(), 500 + x % 1000,
                     (x >> 20) % 10);
        ++written;
      }
    }
  }
  std::fclose(r);
  return 0;
}
