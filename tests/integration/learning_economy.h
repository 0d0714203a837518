// The small economy of the learning integration tests (CLI and HTTP): province P1 with
// units A-D, P2 with E; one input (workers) and one output (out), January 2026.
// Output per worker: A 2, B 4, C 1, D 3, so the CRS scores (ratio over the best ratio)
// are A 0.5, B 1, C 0.25, D 0.75. E reported no workers.
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace chollima::testing {

// The CSV files to import, in order: {file name, text}; each is imported as the kind
// named by its file name (groups.csv -> groups).
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kLearningEconomy{{
    {"groups", "hierarchy,code,name,parent\nregion,P1,Province 1,\nregion,P2,Province 2,\n"},
    {"units",
     "code,name,region\nA,Unit A,P1\nB,Unit B,P1\nC,Unit C,P1\nD,Unit D,P1\nE,Unit E,P2\n"},
    {"indicators",
     "code,name,measure,direction,aggregation,role,numerator,denominator,grain\n"
     "out,Output,t,higher,sum,output,,,day\n"
     "workers,Workers,persons,higher,mean,input,,,day\n"},
    {"reports",
     "unit,indicator,date,value\n"
     "A,workers,2026-01-01,10\nA,out,2026-01-01,20\n"
     "B,workers,2026-01-01,5\nB,out,2026-01-01,20\n"
     "C,workers,2026-01-01,20\nC,out,2026-01-01,20\n"
     "D,workers,2026-01-01,10\nD,out,2026-01-01,30\n"
     "E,out,2026-01-01,30\n"},
}};

}  // namespace chollima::testing
