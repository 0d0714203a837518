#include "engine/rank_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace chollima::engine {

// Tiny blocks make a few dozen entries split and join blocks many times.
class RankIndexTestPeer {
 public:
  static RankIndex WithBlockCapacity(size_t capacity) { return RankIndex(capacity); }
};

namespace {

using Entries = std::vector<std::pair<int32_t, double>>;
constexpr double kInf = std::numeric_limits<double>::infinity();

Entries All(const RankIndex& index) {
  Entries out;
  index.Page(0, index.size(), out);
  return out;
}

// The obviously-correct reference: every entry in a vector, sorted on demand.
class SlowRanking {
 public:
  void Set(int32_t id, double score) {
    Erase(id);
    entries_.emplace_back(id, score);
  }
  void Erase(int32_t id) {
    std::erase_if(entries_, [id](const auto& e) { return e.first == id; });
  }
  Entries Listing() const {
    Entries sorted = entries_;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return a.first < b.first;
    });
    return sorted;
  }
  const std::pair<int32_t, double>* Find(int32_t id) const {
    for (const auto& e : entries_) {
      if (e.first == id) return &e;
    }
    return nullptr;
  }
  int32_t Rank(int32_t id) const {
    const auto* e = Find(id);
    return e == nullptr ? 0 : static_cast<int32_t>(CountAbove(e->second) + 1);
  }
  static int64_t Position(const Entries& listing, int32_t id) {
    for (size_t i = 0; i < listing.size(); ++i) {
      if (listing[i].first == id) return static_cast<int64_t>(i);
    }
    return -1;
  }
  int64_t CountAbove(double score) const {
    return std::count_if(entries_.begin(), entries_.end(),
                         [score](const auto& e) { return e.second > score; });
  }
  size_t size() const { return entries_.size(); }

 private:
  Entries entries_;
};

TEST(RankIndex, EmptyAnswersNothing) {
  RankIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.Contains(0));
  EXPECT_EQ(index.Score(0), std::nullopt);
  EXPECT_EQ(index.Rank(0), 0);
  EXPECT_EQ(index.Position(0), -1);
  EXPECT_EQ(index.CountAbove(0), 0);
  Entries page = {{1, 2.0}};
  index.Page(0, 20, page);
  EXPECT_TRUE(page.empty());
  index.Erase(3);  // absent: no-op
  EXPECT_EQ(index.size(), 0u);
}

TEST(RankIndex, TiesShareACompetitionRankAndListByIncreasingId) {
  RankIndex index;
  index.Set(5, 10);
  index.Set(2, 10);
  index.Set(9, 20);
  index.Set(1, 5);
  EXPECT_EQ(All(index), (Entries{{9, 20}, {2, 10}, {5, 10}, {1, 5}}));
  EXPECT_EQ(index.Rank(9), 1);
  EXPECT_EQ(index.Rank(2), 2);
  EXPECT_EQ(index.Rank(5), 2);
  EXPECT_EQ(index.Rank(1), 4);  // "1224"
  EXPECT_EQ(index.Position(9), 0);
  EXPECT_EQ(index.Position(2), 1);
  EXPECT_EQ(index.Position(5), 2);
  EXPECT_EQ(index.Position(1), 3);
  EXPECT_EQ(index.CountAbove(20), 0);
  EXPECT_EQ(index.CountAbove(10.5), 1);
  EXPECT_EQ(index.CountAbove(10), 1);
  EXPECT_EQ(index.CountAbove(9.99), 3);
  EXPECT_EQ(index.CountAbove(-kInf), 4);
  EXPECT_EQ(index.Score(5), 10.0);
  EXPECT_EQ(index.Rank(3), 0);  // absent id below the largest
  EXPECT_EQ(index.Rank(100), 0);
}

TEST(RankIndex, SetMovesAndReSetOfTheSameScoreChangesNothing) {
  RankIndex index;
  index.Set(0, 1);
  index.Set(1, 2);
  index.Set(2, 3);
  index.Set(1, 2);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(All(index), (Entries{{2, 3}, {1, 2}, {0, 1}}));
  index.Set(0, 4);
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(All(index), (Entries{{0, 4}, {2, 3}, {1, 2}}));
  index.Set(2, 2);  // joins 1's score, after it by id
  EXPECT_EQ(All(index), (Entries{{0, 4}, {1, 2}, {2, 2}}));
  EXPECT_EQ(index.Rank(2), 2);
}

TEST(RankIndex, EraseRemovesAndLaterSetReinserts) {
  RankIndex index;
  index.Set(0, 1);
  index.Set(1, 2);
  index.Erase(1);
  EXPECT_EQ(index.size(), 1u);
  EXPECT_FALSE(index.Contains(1));
  EXPECT_EQ(index.Rank(1), 0);
  EXPECT_EQ(index.Rank(0), 1);
  index.Erase(1);  // twice: no-op
  EXPECT_EQ(index.size(), 1u);
  index.Erase(0);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(All(index).empty());
  index.Set(1, 7);
  EXPECT_EQ(All(index), (Entries{{1, 7}}));
}

TEST(RankIndex, NegativeZeroEqualsZeroAndInfinitiesOrder) {
  RankIndex index;
  index.Set(3, -0.0);
  index.Set(1, 0.0);
  index.Set(4, kInf);
  index.Set(0, -kInf);
  index.Set(2, -std::numeric_limits<double>::max());
  index.Set(5, std::numeric_limits<double>::denorm_min());
  index.Set(6, -std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(index.Rank(3), index.Rank(1));
  EXPECT_EQ(All(index), (Entries{{4, kInf},
                                 {5, std::numeric_limits<double>::denorm_min()},
                                 {1, 0.0},
                                 {3, 0.0},
                                 {6, -std::numeric_limits<double>::denorm_min()},
                                 {2, -std::numeric_limits<double>::max()},
                                 {0, -kInf}}));
  EXPECT_EQ(index.Rank(1), 3);
  EXPECT_EQ(index.Rank(3), 3);
  EXPECT_EQ(index.CountAbove(-0.0), 2);
  EXPECT_EQ(index.CountAbove(kInf), 0);
  EXPECT_EQ(index.CountAbove(-kInf), 6);
  EXPECT_FALSE(std::signbit(*index.Score(3)));  // -0.0 is kept as 0.0
  index.Set(3, 0.0);                            // the same score: no move
  EXPECT_EQ(index.Position(3), 3);
}

TEST(RankIndex, ScoresComeBackBitForBit) {
  RankIndex index;
  std::mt19937_64 rng(7);
  std::vector<double> scores;
  for (int32_t id = 0; id < 2000; ++id) {
    uint64_t bits = rng();
    double score;
    std::memcpy(&score, &bits, sizeof score);
    if (std::isnan(score) || score == 0) score = static_cast<double>(id) - 1000.5;
    scores.push_back(score);
    index.Set(id, score);
  }
  for (int32_t id = 0; id < 2000; ++id) {
    const double got = *index.Score(id);
    ASSERT_EQ(std::memcmp(&got, &scores[static_cast<size_t>(id)], sizeof(double)), 0) << id;
  }
  const Entries listing = All(index);
  for (size_t i = 1; i < listing.size(); ++i) ASSERT_GT(listing[i - 1].second, listing[i].second);
}

TEST(RankIndex, PageCrossesBlocksAndStopsAtTheEnd) {
  RankIndex index = RankIndexTestPeer::WithBlockCapacity(4);
  for (int32_t id = 0; id < 20; ++id) index.Set(id, static_cast<double>(id / 2));  // pairs tie
  Entries page;
  index.Page(3, 10, page);
  Entries want;
  for (int32_t pos = 3; pos < 13; ++pos) {
    // Position p holds score 9 - p/2 and, within the pair, the smaller id first.
    const int32_t score = 9 - pos / 2;
    want.emplace_back(score * 2 + pos % 2, score);
  }
  EXPECT_EQ(page, want);
  index.Page(18, 10, page);
  EXPECT_EQ(page, (Entries{{0, 0}, {1, 0}}));
  index.Page(20, 1, page);
  EXPECT_TRUE(page.empty());
  index.Page(0, 0, page);
  EXPECT_TRUE(page.empty());
  EXPECT_EQ(index.Rank(0), 19);
  EXPECT_EQ(index.Rank(1), 19);
  EXPECT_EQ(index.Position(1), 19);
}

TEST(RankIndex, AssignReplacesTheContentAndTheLastDuplicateWins) {
  RankIndex index;
  index.Set(50, 1);
  index.Assign({{3, 1.5}, {1, 2.5}, {3, 0.5}, {-2, 9}, {0, 1.5}});
  EXPECT_EQ(index.size(), 3u);
  EXPECT_FALSE(index.Contains(50));
  EXPECT_EQ(All(index), (Entries{{1, 2.5}, {0, 1.5}, {3, 0.5}}));
  index.Set(2, 2.0);
  EXPECT_EQ(index.Rank(2), 2);
  index.Assign({});
  EXPECT_EQ(index.size(), 0u);
  index.Set(0, 1);
  EXPECT_EQ(All(index), (Entries{{0, 1}}));
}

TEST(RankIndex, NegativeIdsAreIgnored) {
  RankIndex index;
  index.Set(-1, 3);
  index.Erase(-1);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_FALSE(index.Contains(-1));
  EXPECT_EQ(index.Rank(-1), 0);
  EXPECT_EQ(index.Position(-1), -1);
}

TEST(RankIndex, CopiesAreIndependentAndMovedFromReadsEmpty) {
  RankIndex index = RankIndexTestPeer::WithBlockCapacity(4);
  for (int32_t id = 0; id < 30; ++id) index.Set(id, id % 7);
  RankIndex copy = index;
  copy.Set(0, 100);
  EXPECT_EQ(index.Rank(0), 26);
  EXPECT_EQ(copy.Rank(0), 1);
  RankIndex moved = std::move(index);
  EXPECT_EQ(moved.size(), 30u);
  EXPECT_EQ(index.size(), 0u);  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(index.Rank(3), 0);
  index.Set(3, 1);
  EXPECT_EQ(index.Rank(3), 1);
  index = copy;
  EXPECT_EQ(All(index), All(copy));
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(copy.size(), 30u);
}

void ExpectSame(const RankIndex& index, const SlowRanking& slow, std::mt19937& rng, int32_t max_id,
                const std::vector<double>& values) {
  ASSERT_EQ(index.size(), slow.size());
  const Entries listing = slow.Listing();
  ASSERT_EQ(All(index), listing);
  for (int q = 0; q < 4; ++q) {
    const auto id = static_cast<int32_t>(rng() % static_cast<uint32_t>(max_id + 2));
    ASSERT_EQ(index.Rank(id), slow.Rank(id)) << id;
    ASSERT_EQ(index.Position(id), SlowRanking::Position(listing, id)) << id;
    const double score = values[rng() % values.size()];
    ASSERT_EQ(index.CountAbove(score), slow.CountAbove(score)) << score;
  }
  const size_t offset = rng() % (listing.size() + 3);
  const size_t count = rng() % 12;
  Entries page;
  index.Page(offset, count, page);
  const Entries want(
      listing.begin() + static_cast<std::ptrdiff_t>(std::min(offset, listing.size())),
      listing.begin() + static_cast<std::ptrdiff_t>(std::min(offset + count, listing.size())));
  ASSERT_EQ(page, want);
}

// Random sequences of Set, Erase, Assign and copies, with few distinct scores (many
// ties) and tiny blocks (many splits and joins), against the slow reference after
// every operation; phases of growth and of draining to empty.
TEST(RankIndex, AgreesWithASlowReferenceOnRandomSequences) {
  const std::vector<double> values = {-kInf, -3, -1.5, -0.0, 0.0, 0.5, 1, 2, 2.25, 7, kInf};
  std::mt19937 rng(20261203);
  for (const size_t capacity : {size_t{4}, size_t{5}, size_t{8}, size_t{16}, size_t{256}}) {
    RankIndex index = RankIndexTestPeer::WithBlockCapacity(capacity);
    SlowRanking slow;
    const int32_t max_id = capacity == 256 ? 700 : 150;
    for (int step = 0; step < 2000; ++step) {
      // Alternate phases that mostly insert and mostly erase, so blocks fill and drain.
      const bool growing = (step / 500) % 2 == 0;
      const auto dice = static_cast<uint32_t>(rng() % 100);
      const auto id = static_cast<int32_t>(rng() % static_cast<uint32_t>(max_id + 1));
      if (dice < (growing ? 70u : 25u)) {
        const double score = values[rng() % values.size()];
        index.Set(id, score);
        slow.Set(id, score);
      } else if (dice < 98) {
        index.Erase(id);
        slow.Erase(id);
      } else if (dice < 99) {
        // Assign the current content in a shuffled order: same answers after.
        Entries entries = slow.Listing();
        std::shuffle(entries.begin(), entries.end(), rng);
        index.Assign(entries);
      } else {
        RankIndex copy = index;
        index = std::move(copy);
      }
      ASSERT_NO_FATAL_FAILURE(ExpectSame(index, slow, rng, max_id, values))
          << "capacity " << capacity << " step " << step;
    }
    for (int32_t id = 0; id <= max_id; ++id) {
      index.Erase(id);
      slow.Erase(id);
    }
    ASSERT_NO_FATAL_FAILURE(ExpectSame(index, slow, rng, max_id, values));
  }
}

}  // namespace
}  // namespace chollima::engine
