// dea_tool: the DEA kernel on a CSV file, for the test oracle and the benchmarks.
//
//   dea_tool [--rts crs|vrs|drs|irs|fdh] [--orientation in|out] [--slacks 0|1] [--super]
//            [--naive] [--threads N] [--scores-only] [--out FILE] units.csv
//
// units.csv has a header; columns named x... are inputs, y... outputs, in file order.
// Writes unit,score,super,efficient,sx1..,sy1..,tx1..,ty1..,peers (peers as
// "idx:lambda;..."; --scores-only: unit,score) and prints timings to stderr.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/dea.h"

namespace dea = chollima::engine::dea;

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "dea_tool: %s\n", msg.c_str());
  return 2;
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    out.push_back(cell);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  dea::Options opt;
  bool naive = false, scores_only = false;
  std::string path, out_path;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto next = [&]() -> const char* { return a + 1 < argc ? argv[++a] : ""; };
    if (arg == "--rts") {
      if (!dea::ParseRts(next(), opt.rts)) return Fail("--rts: crs, vrs, drs, irs or fdh");
    } else if (arg == "--orientation") {
      if (!dea::ParseOrientation(next(), opt.orientation)) return Fail("--orientation: in or out");
    } else if (arg == "--slacks") {
      opt.slacks = std::strcmp(next(), "0") != 0;
    } else if (arg == "--super") {
      opt.super_efficiency = true;
    } else if (arg == "--naive") {
      naive = true;
    } else if (arg == "--threads") {
      opt.threads = std::atoi(next());
    } else if (arg == "--scores-only") {
      scores_only = true;
    } else if (arg == "--out") {
      out_path = next();
    } else if (!arg.empty() && arg[0] != '-') {
      path = arg;
    } else {
      return Fail("unknown option " + arg);
    }
  }
  if (path.empty()) return Fail("usage: dea_tool [options] units.csv");
  const auto t0 = std::chrono::steady_clock::now();
  std::ifstream in(path);
  if (!in) return Fail("cannot open " + path);
  std::string line;
  if (!std::getline(in, line)) return Fail(path + ": empty");
  const std::vector<std::string> header = Split(line);
  std::vector<int> xcol, ycol;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (!header[c].empty() && header[c][0] == 'x') xcol.push_back(static_cast<int>(c));
    if (!header[c].empty() && header[c][0] == 'y') ycol.push_back(static_cast<int>(c));
  }
  dea::Data data;
  data.inputs = static_cast<int32_t>(xcol.size());
  data.outputs = static_cast<int32_t>(ycol.size());
  std::vector<double> row(header.size());
  int64_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const char* p = line.c_str();
    for (std::size_t c = 0; c < header.size(); ++c) {
      char* end = nullptr;
      row[c] = std::strtod(p, &end);
      if (end == p) return Fail(path + ":" + std::to_string(line_no) + ": not a number");
      p = end;
      if (*p == ',') ++p;
    }
    for (int c : xcol) data.x.push_back(row[static_cast<std::size_t>(c)]);
    for (int c : ycol) data.y.push_back(row[static_cast<std::size_t>(c)]);
    ++data.units;
  }
  const auto t1 = std::chrono::steady_clock::now();
  auto result = naive ? dea::SolveNaive(data, opt) : dea::Solve(data, opt);
  const auto t2 = std::chrono::steady_clock::now();
  if (!result.ok()) return Fail(result.error().message);
  const dea::Frontier& f = result.value();

  std::FILE* out = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "w");
  if (out == nullptr) return Fail("cannot write " + out_path);
  if (scores_only) {
    std::fprintf(out, "unit,score\n");
    for (std::size_t j = 0; j < f.units.size(); ++j) {
      std::fprintf(out, "%zu,%.15g\n", j, f.units[j].score);
    }
  } else {
    std::fprintf(out, "unit,score,super,efficient");
    for (int i = 0; i < data.inputs; ++i) std::fprintf(out, ",sx%d", i + 1);
    for (int r = 0; r < data.outputs; ++r) std::fprintf(out, ",sy%d", r + 1);
    for (int i = 0; i < data.inputs; ++i) std::fprintf(out, ",tx%d", i + 1);
    for (int r = 0; r < data.outputs; ++r) std::fprintf(out, ",ty%d", r + 1);
    std::fprintf(out, ",peers\n");
    for (std::size_t j = 0; j < f.units.size(); ++j) {
      const dea::UnitResult& u = f.units[j];
      std::fprintf(out, "%zu,%.15g,%.15g,%d", j, u.score, u.super_score, u.efficient ? 1 : 0);
      for (double v : u.input_slacks) std::fprintf(out, ",%.15g", v);
      for (double v : u.output_slacks) std::fprintf(out, ",%.15g", v);
      for (double v : u.input_targets) std::fprintf(out, ",%.15g", v);
      for (double v : u.output_targets) std::fprintf(out, ",%.15g", v);
      std::fprintf(out, ",");
      for (std::size_t p = 0; p < u.peers.size(); ++p) {
        std::fprintf(out, "%s%d:%.15g", p ? ";" : "", u.peers[p].unit, u.peers[p].lambda);
      }
      std::fprintf(out, "\n");
    }
  }
  if (out != stdout) std::fclose(out);
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::fprintf(stderr,
               "dea_tool: units=%d rts=%s orientation=%s slacks=%d super=%d method=%s "
               "frame=%d dominated=%d lps=%lld iterations=%lld clp_fallbacks=%lld read=%.3fs "
               "solve=%.3fs (frame "
               "%.3fs, scoring "
               "%.3fs)\n",
               data.units, dea::RtsName(opt.rts), dea::OrientationName(opt.orientation),
               opt.slacks ? 1 : 0, opt.super_efficiency ? 1 : 0, naive ? "naive" : "frame",
               f.stats.frame_size, f.stats.dominated, static_cast<long long>(f.stats.lps_solved),
               static_cast<long long>(f.stats.simplex_iterations),
               static_cast<long long>(f.stats.clp_fallbacks), secs(t0, t1), secs(t1, t2),
               f.stats.seconds_frame, f.stats.seconds_scoring);
  return 0;
}
