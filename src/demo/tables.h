// The fixed facts of the demo economy: provinces, syllables for county names, seasonal
// profiles, and the nine sectors with their branches, measures, sizes and habits.
#pragma once

#include <array>
#include <string_view>

#include "core/model.h"

namespace chollima::demo::internal {

// Romanized name with the Korean name, so that UTF-8 travels through every path.
inline constexpr std::array<std::string_view, 10> kProvinceNames{
    "South Phyongan (평안남도)", "North Phyongan (평안북도)", "Chagang (자강도)",
    "South Hwanghae (황해남도)", "North Hwanghae (황해북도)", "Kangwon (강원도)",
    "South Hamgyong (함경남도)", "North Hamgyong (함경북도)", "Ryanggang (량강도)",
    "Nampho (남포시)",
};

// County names are a first syllable followed by a second ("Sun" + "chon").
inline constexpr std::array<std::string_view, 30> kFirstSyllables{
    "Sun",   "Tok",  "Kae", "An",    "Pak", "Hyang", "Un",   "Song", "Yong", "Ryong",
    "Chang", "Kang", "Hoe", "Mun",   "Tae", "Sin",   "Pyok", "Chol", "Kum",  "Yang",
    "Pung",  "Hwa",  "Ok",  "Myong", "Sam", "Nyong", "Jong", "Il",   "Man",  "Hak"};
inline constexpr std::array<std::string_view, 16> kSecondSyllables{
    "chon", "san", "dong",  "ju",   "won",  "gang",  "pyong", "ri",
    "do",   "ho",  "chang", "bong", "hung", "ryong", "dok",   "gye"};

enum ProfileIndex : int32_t { kFlat = 0, kAgricultureSeason, kPowerSeason, kConstructionSeason };

inline constexpr std::array<std::string_view, 4> kProfileCodes{"flat", "agriculture", "power",
                                                               "construction"};
// Relative month weights, January first.
inline constexpr std::array<std::array<double, 12>, 4> kProfileWeights{{
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    // Spring sowing, early barley and wheat in June, the rice and maize harvest in autumn.
    {0.15, 0.15, 0.25, 0.35, 0.5, 0.9, 0.6, 0.7, 1.6, 2.0, 0.9, 0.3},
    // Heating and lighting peak in winter.
    {1.3, 1.25, 1.1, 1.0, 0.9, 0.85, 0.9, 0.9, 0.9, 1.0, 1.15, 1.3},
    // Frozen ground slows building in winter.
    {0.5, 0.55, 0.9, 1.1, 1.2, 1.2, 1.0, 1.0, 1.2, 1.2, 1.0, 0.6},
}};

struct BranchSpec {
  std::string_view code;  // suffix of the group code: "coal-anthracite"
  std::string_view name;
  std::string_view unit_kind;  // "Coal Mine" in "Sunchon Coal Mine No. 3"
  double share = 0;            // of the sector's units
};

struct SectorSpec {
  std::string_view code;  // group code; ratio codes are "<code>_per_worker", ...
  std::string_view name;
  std::string_view output_code;
  std::string_view output_name;
  std::string_view measure;
  double output_scale = 10;    // daily output is rounded to 1/output_scale
  double unit_share = 0;       // relative number of units
  double median_capacity = 0;  // peak daily output of a typical unit
  double capacity_sigma = 0;   // log-normal spread of capacity
  double workers_per_capacity = 0;
  double energy_per_output = 0;  // MWh per unit of output
  double rest_day_factor = 0;    // output on a rest day, as a share of a working day
  double noise_sigma = 0;        // day-to-day log-normal noise
  int32_t profile = kFlat;
  SplitMethod method = SplitMethod::kWorkdays;
  int branch_count = 0;
  std::array<BranchSpec, 3> branches;
};

inline constexpr std::array<SectorSpec, 9> kSectors{{
    {"coal",
     "Coal industry",
     "coal_output",
     "Coal output",
     "t",
     10,
     9,
     800,
     0.7,
     1.5,
     0.02,
     0.1,
     0.08,
     kFlat,
     SplitMethod::kWorkdays,
     2,
     {{{"anthracite", "Anthracite", "Coal Mine", 0.75},
       {"lignite", "Lignite", "Lignite Mine", 0.25}}}},
    {"cement",
     "Cement industry",
     "cement_output",
     "Cement output",
     "t",
     10,
     5,
     1200,
     0.6,
     0.4,
     0.11,
     0.2,
     0.07,
     kConstructionSeason,
     SplitMethod::kProfile,
     2,
     {{{"portland", "Portland cement", "Cement Factory", 0.7},
       {"slag", "Slag cement", "Cement Complex", 0.3}}}},
    {"metallurgy",
     "Metallurgical industry",
     "steel_output",
     "Steel output",
     "t",
     10,
     5,
     600,
     0.9,
     3.0,
     0.5,
     0.85,
     0.06,
     kFlat,
     SplitMethod::kWorkdays,
     3,
     {{{"iron", "Iron", "Iron Works", 0.35},
       {"steel", "Steel", "Steel Complex", 0.4},
       {"rolling", "Rolled steel", "Rolling Mill", 0.25}}}},
    {"power",
     "Electric power industry",
     "power_output",
     "Electric power output",
     "MWh",
     10,
     3,
     4000,
     0.9,
     0.15,
     0.06,
     1.0,
     0.06,
     kPowerSeason,
     SplitMethod::kProfile,
     2,
     {{{"thermal", "Thermal power", "Thermal Power Station", 0.55},
       {"hydro", "Hydroelectric power", "Hydroelectric Power Station", 0.45}}}},
    {"chemicals",
     "Chemical industry",
     "chemicals_output",
     "Chemical products output",
     "t",
     10,
     6,
     300,
     0.8,
     2.5,
     1.0,
     0.7,
     0.08,
     kFlat,
     SplitMethod::kWorkdays,
     3,
     {{{"fertilizer", "Fertilizer", "Fertilizer Complex", 0.45},
       {"basic", "Basic chemicals", "Chemical Factory", 0.35},
       {"fibre", "Chemical fibre", "Chemical Fibre Factory", 0.2}}}},
    {"machine",
     "Machine-building industry",
     "machine_output",
     "Machines produced",
     "units",
     1,
     10,
     20,
     0.8,
     30,
     2.0,
     0.0,
     0.12,
     kFlat,
     SplitMethod::kWorkdays,
     3,
     {{{"tools", "Machine tools", "Machine Tool Factory", 0.4},
       {"vehicles", "Vehicles and tractors", "Tractor Works", 0.35},
       {"electrical", "Electrical machinery", "Electric Machine Factory", 0.25}}}},
    {"light",
     "Light industry",
     "light_output",
     "Cloth output",
     "m",
     1,
     20,
     15000,
     0.7,
     0.03,
     0.002,
     0.0,
     0.07,
     kFlat,
     SplitMethod::kWorkdays,
     3,
     {{{"textile", "Textiles", "Textile Mill", 0.5},
       {"silk", "Silk", "Silk Mill", 0.2},
       {"knitwear", "Knitwear", "Knitwear Factory", 0.3}}}},
    {"agriculture",
     "Agriculture",
     "grain_output",
     "Grain output",
     "t",
     10,
     30,
     12,
     0.6,
     25,
     0.05,
     0.5,
     0.15,
     kAgricultureSeason,
     SplitMethod::kProfile,
     2,
     {{{"rice", "Rice", "Cooperative Farm", 0.6}, {"maize", "Maize", "Cooperative Farm", 0.4}}}},
    {"construction",
     "Construction",
     "construction_output",
     "Floor space built",
     "m2",
     10,
     12,
     150,
     0.7,
     2.0,
     0.03,
     0.3,
     0.12,
     kConstructionSeason,
     SplitMethod::kProfile,
     2,
     {{{"housing", "Housing", "Housing Construction Enterprise", 0.6},
       {"industrial", "Industrial building", "Industrial Construction Enterprise", 0.4}}}},
}};

}  // namespace chollima::demo::internal
