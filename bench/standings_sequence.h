// The standings workload of bench/README.md "Standings", shared by the in-process
// benchmark (src/engine/rank_index_benchmark.cc) and the Redis side-by-side
// (bench/redis_standings.cc) so both run exactly the same operations:
//
//   StandingsWorkload w = MakeStandingsWorkload();
//   // w.initial: 1,000,000 (id, score); w.updates: 1,000,000 score updates;
//   // w.rank_ids: 1,000,000 rank queries; w.mixed: 1,000,000 of all three kinds.
//
// Scores look like a drive's: percent of plan in [50, 150) with three decimals
// (100,000 distinct values, so about ten participants share each score). Ids and
// scores are uniform; an update gives a participant a fresh score. Everything comes
// from one seeded splitmix64 stream, so the sequence is the same on every machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace chollima::bench {

constexpr int32_t kStandingsParticipants = 1'000'000;
constexpr size_t kStandingsOps = 1'000'000;
constexpr size_t kStandingsPageSize = 20;
constexpr uint64_t kStandingsSeed = 20261203;

enum class StandingsOpKind : uint8_t { kUpdate, kRank, kTop20 };

struct StandingsOp {
  StandingsOpKind kind = StandingsOpKind::kRank;
  int32_t id = 0;    // kUpdate, kRank
  double score = 0;  // kUpdate
};

struct StandingsWorkload {
  std::vector<std::pair<int32_t, double>> initial;  // ids 0..participants-1, in id order
  std::vector<StandingsOp> updates;                 // all kUpdate
  std::vector<int32_t> rank_ids;                    // kRank queries
  std::vector<StandingsOp> mixed;                   // 50% kUpdate, 49% kRank, 1% kTop20
};

class StandingsRandom {
 public:
  explicit StandingsRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() {  // splitmix64
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int32_t Id(int32_t participants) {
    return static_cast<int32_t>(Next() % static_cast<uint64_t>(participants));
  }
  double Score() { return static_cast<double>(50'000 + Next() % 100'000) / 1000.0; }

 private:
  uint64_t state_;
};

inline StandingsWorkload MakeStandingsWorkload(int32_t participants = kStandingsParticipants,
                                               size_t ops = kStandingsOps,
                                               uint64_t seed = kStandingsSeed) {
  StandingsRandom rng(seed);
  StandingsWorkload w;
  w.initial.reserve(static_cast<size_t>(participants));
  for (int32_t id = 0; id < participants; ++id) w.initial.emplace_back(id, rng.Score());
  w.updates.reserve(ops);
  for (size_t i = 0; i < ops; ++i) {
    const int32_t id = rng.Id(participants);
    w.updates.push_back({StandingsOpKind::kUpdate, id, rng.Score()});
  }
  w.rank_ids.reserve(ops);
  for (size_t i = 0; i < ops; ++i) w.rank_ids.push_back(rng.Id(participants));
  w.mixed.reserve(ops);
  for (size_t i = 0; i < ops; ++i) {
    const uint64_t dice = rng.Next() % 100;
    const int32_t id = rng.Id(participants);
    if (dice < 50) {
      w.mixed.push_back({StandingsOpKind::kUpdate, id, rng.Score()});
    } else if (dice < 99) {
      w.mixed.push_back({StandingsOpKind::kRank, id, 0});
    } else {
      w.mixed.push_back({StandingsOpKind::kTop20, 0, 0});
    }
  }
  return w;
}

}  // namespace chollima::bench
