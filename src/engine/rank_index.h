// RankIndex: live ranks of many participants by score, the structure behind a drive's
// standings (engine/drive.h) and the 1,000,000-participant benchmark against Redis's
// sorted sets (rank_index_benchmark.cc, bench/README.md "Standings").
//
//   RankIndex index;
//   index.Set(17, 103.5);              // insert or move participant 17
//   int32_t r = index.Rank(17);        // 1-based competition rank: 1 + how many score higher
//   index.Page(0, 20, page);           // the top 20, best first
//
// ORDER. Higher score first. Participants with equal scores share a rank (competition
// ranking "1224": the rank is 1 + the number of participants with a strictly higher
// score) and are listed by increasing id among themselves. Scores are any doubles but
// NaN, infinities included; -0.0 equals 0.0 (and is kept as 0.0). REQUIRES: no NaN (one
// is ordered below -inf, so the index stays consistent, but its rank means nothing).
//
// Ids are small non-negative integers (dense: participant indexes), so the index keeps
// each id's score in an array and finds its place without hashing.
//
// COST. Set, Erase, Rank and CountAbove are O(log n) with a small constant (see the
// benchmark); Page is O(log n + count). The entries sit as 16-byte keys in sorted blocks
// of up to 128 (a two-level B+tree with a Fenwick tree over the block sizes), and each
// id remembers its block, so a rank query reads its id's slot, then its block. Memory:
// 12 bytes per id up to the largest, plus 16-32 bytes per participant.
//
// Thread-safety: none; readers may share a const RankIndex while no one writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace chollima::engine {

class RankIndex {
 public:
  RankIndex();
  ~RankIndex();
  RankIndex(const RankIndex&);
  RankIndex& operator=(const RankIndex&);
  RankIndex(RankIndex&&) noexcept;
  RankIndex& operator=(RankIndex&&) noexcept;

  // Inserts `id` with `score`, or moves it there when present; the same score again
  // changes nothing. REQUIRES: id >= 0 (a negative id is ignored), score not NaN.
  void Set(int32_t id, double score);
  // Removes `id`; a no-op when absent.
  void Erase(int32_t id);
  // Replaces the whole content (faster than Set one by one: a sort and one pass).
  // REQUIRES: ids distinct (of duplicates the last wins; negative ids are skipped).
  void Assign(const std::vector<std::pair<int32_t, double>>& entries);
  void Clear();

  bool Contains(int32_t id) const;
  // The score of `id` (bit for bit, but -0.0 reads 0.0), or nullopt when absent.
  std::optional<double> Score(int32_t id) const;
  // 1-based competition rank of `id` (see ORDER), or 0 when absent.
  int32_t Rank(int32_t id) const;
  // 0-based position of `id` in the listing order (see ORDER), or -1 when absent.
  int64_t Position(int32_t id) const;
  // Number of participants with a score strictly higher than `score`.
  int64_t CountAbove(double score) const;
  // Appends to `out` (cleared first) the participants at positions [offset, offset +
  // count) of the listing order as (id, score).
  void Page(size_t offset, size_t count, std::vector<std::pair<int32_t, double>>& out) const;

  size_t size() const;

 private:
  friend class RankIndexTestPeer;  // builds indexes with tiny blocks (rank_index_test.cc)
  struct Impl;
  // An index whose blocks hold at most `block_capacity` (>= 4) entries.
  explicit RankIndex(size_t block_capacity);
  Impl& Mutable();  // impl_, created when a move left it null

  // Null only in a moved-from index, which reads as empty; a pimpl keeps the block
  // layout out of the header.
  std::unique_ptr<Impl> impl_;
};

}  // namespace chollima::engine
