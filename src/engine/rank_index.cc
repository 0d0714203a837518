#include "engine/rank_index.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

namespace chollima::engine {
namespace {

// An entry is one 128-bit key: the score's order key in the high half, the id in the
// low half. Ascending keys are the listing order (score descending, then id ascending),
// so every question is "how many keys are below this one".
using Key = unsigned __int128;

// Order key of a score: ascending keys for descending scores. The IEEE bits of a
// non-negative double grow with the value, those of a negative one shrink; flipping
// them gives an ascending unsigned map, inverted for "higher first". -0.0 is folded
// into 0.0 and every NaN into the one key below -inf (the precondition says no NaN;
// this only keeps the structure consistent). No score maps to 0, the "absent" mark.
constexpr uint64_t kAbsent = 0;
constexpr uint64_t kNanKey = ~uint64_t{0};

uint64_t ScoreKey(double score) {
  if (std::isnan(score)) return kNanKey;
  if (score == 0) score = 0.0;  // -0.0 -> +0.0
  const uint64_t bits = std::bit_cast<uint64_t>(score);
  const uint64_t ascending = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  return ~ascending;
}

double ScoreOf(uint64_t score_key) {
  if (score_key == kNanKey) return std::numeric_limits<double>::quiet_NaN();
  const uint64_t ascending = ~score_key;
  const uint64_t bits = (ascending >> 63) != 0 ? ascending & ~(uint64_t{1} << 63) : ~ascending;
  return std::bit_cast<double>(bits);
}

Key MakeKey(uint64_t score_key, uint64_t id) { return (Key{score_key} << 64) | Key{id}; }
uint64_t ScoreKeyOf(Key key) { return static_cast<uint64_t>(key >> 64); }
int32_t IdOf(Key key) { return static_cast<int32_t>(static_cast<uint64_t>(key)); }

// Number of keys in [first, first + n) below `key` (branch-free halving: the loop
// count depends on n only, so it does not mispredict on the data).
size_t CountBelow(const Key* first, size_t n, Key key) {
  if (n == 0) return 0;
  const Key* base = first;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half - 1] < key ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - first) + (*base < key ? 1 : 0);
}

constexpr size_t kDefaultBlockCapacity = 256;

}  // namespace

// Layout: the keys sit in sorted blocks of at most `capacity` entries, in order
// (a two-level B+tree). `firsts` holds each block's smallest key for the search of the
// block, and a Fenwick tree over the block sizes gives the number of keys before a
// block in O(log blocks). Per id, the score key (kAbsent when not present) finds an
// entry's key without hashing.
//
// Invariants: every block is non-empty, sorted and holds at most `capacity` keys; the
// concatenation of the blocks is strictly ascending; firsts[b] == blocks[b].front();
// tree is the Fenwick tree of the block sizes; score_keys[id] != kAbsent exactly for
// the `count` ids present, and their keys are the blocks' content.
struct RankIndex::Impl {
  explicit Impl(size_t block_capacity = kDefaultBlockCapacity) : capacity(block_capacity) {}

  size_t capacity;
  std::vector<std::vector<Key>> blocks;
  std::vector<Key> firsts;
  std::vector<uint32_t> tree;  // 1-based Fenwick tree; tree.size() == blocks.size() + 1
  std::vector<uint64_t> score_keys;
  size_t count = 0;

  // Keys in blocks [0, block).
  size_t KeysBefore(size_t block) const {
    size_t sum = 0;
    for (size_t i = block; i > 0; i &= i - 1) sum += tree[i];
    return sum;
  }
  void AddToTree(size_t block, int32_t delta) {
    for (size_t i = block + 1; i < tree.size(); i += i & (~i + 1)) {
      tree[i] = static_cast<uint32_t>(static_cast<int64_t>(tree[i]) + delta);
    }
  }
  // O(blocks): after a block was added or removed.
  void RebuildTree() {
    tree.assign(blocks.size() + 1, 0);
    for (size_t b = 0; b < blocks.size(); ++b) {
      tree[b + 1] += static_cast<uint32_t>(blocks[b].size());
      const size_t parent = (b + 1) + ((b + 1) & (~(b + 1) + 1));
      if (parent < tree.size()) tree[parent] += tree[b + 1];
    }
  }

  // The block that holds `key` or would hold it: the last whose first key is <= key,
  // or block 0. REQUIRES: blocks not empty.
  size_t BlockOf(Key key) const {
    const size_t after = CountBelow(firsts.data(), firsts.size(), key + 1);
    return after == 0 ? 0 : after - 1;
  }

  size_t CountBelowKey(Key key) const {
    if (blocks.empty()) return 0;
    const size_t b = BlockOf(key);
    const std::vector<Key>& block = blocks[b];
    return KeysBefore(b) + CountBelow(block.data(), block.size(), key);
  }

  void Insert(Key key) {
    if (blocks.empty()) {
      blocks.push_back({key});
      blocks.back().reserve(capacity + 1);
      firsts.push_back(key);
      RebuildTree();
      return;
    }
    const size_t b = BlockOf(key);
    std::vector<Key>& block = blocks[b];
    const size_t at = CountBelow(block.data(), block.size(), key);
    block.insert(block.begin() + static_cast<std::ptrdiff_t>(at), key);
    if (at == 0) firsts[b] = key;
    if (block.size() <= capacity) {
      AddToTree(b, 1);
      return;
    }
    const auto middle = block.begin() + static_cast<std::ptrdiff_t>(block.size() / 2);
    std::vector<Key> upper;
    upper.reserve(capacity + 1);
    upper.assign(middle, block.end());
    block.erase(middle, block.end());
    firsts.insert(firsts.begin() + static_cast<std::ptrdiff_t>(b + 1), upper.front());
    blocks.insert(blocks.begin() + static_cast<std::ptrdiff_t>(b + 1), std::move(upper));
    RebuildTree();
  }

  // REQUIRES: `key` is present.
  void Remove(Key key) {
    const size_t b = BlockOf(key);
    std::vector<Key>& block = blocks[b];
    const size_t at = CountBelow(block.data(), block.size(), key);
    assert(at < block.size() && block[at] == key);  // present by the invariant
    block.erase(block.begin() + static_cast<std::ptrdiff_t>(at));
    if (at == 0 && !block.empty()) firsts[b] = block.front();
    if (block.size() >= capacity / 4) {
      AddToTree(b, -1);
      return;
    }
    if (blocks.size() == 1) {
      if (block.empty()) {
        blocks.clear();
        firsts.clear();
        RebuildTree();
      } else {
        AddToTree(b, -1);
      }
      return;
    }
    // An underfull block joins its neighbour when both fit in 3/4 of a block, and
    // takes half of their keys otherwise: either way a block is at least 3/8 full
    // after, so the next split or join is at least capacity/8 operations away.
    const size_t left = b + 1 < blocks.size() ? b : b - 1;
    std::vector<Key>& lo = blocks[left];
    std::vector<Key>& hi = blocks[left + 1];
    const size_t total = lo.size() + hi.size();
    if (total <= capacity * 3 / 4) {
      lo.insert(lo.end(), hi.begin(), hi.end());
      blocks.erase(blocks.begin() + static_cast<std::ptrdiff_t>(left + 1));
      firsts.erase(firsts.begin() + static_cast<std::ptrdiff_t>(left + 1));
      firsts[left] = blocks[left].front();
      RebuildTree();
      return;
    }
    const size_t lo_size = total / 2;
    if (lo.size() < lo_size) {
      const auto moved = static_cast<std::ptrdiff_t>(lo_size - lo.size());
      lo.insert(lo.end(), hi.begin(), hi.begin() + moved);
      hi.erase(hi.begin(), hi.begin() + moved);
    } else {
      const auto moved = static_cast<std::ptrdiff_t>(lo.size() - lo_size);
      hi.insert(hi.begin(), lo.end() - moved, lo.end());
      lo.erase(lo.end() - moved, lo.end());
    }
    firsts[left] = lo.front();
    firsts[left + 1] = hi.front();
    RebuildTree();
  }
};

RankIndex::RankIndex() : impl_(std::make_unique<Impl>()) {}
RankIndex::~RankIndex() = default;
RankIndex::RankIndex(const RankIndex& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : std::make_unique<Impl>()) {}
RankIndex& RankIndex::operator=(const RankIndex& other) {
  if (this != &other) {
    impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : std::make_unique<Impl>();
  }
  return *this;
}
// A moved-from index has no Impl and reads as empty; the next write recreates it.
RankIndex::RankIndex(RankIndex&&) noexcept = default;
RankIndex& RankIndex::operator=(RankIndex&&) noexcept = default;

RankIndex::RankIndex(size_t block_capacity)
    : impl_(std::make_unique<Impl>(std::max<size_t>(block_capacity, 4))) {}

RankIndex::Impl& RankIndex::Mutable() {
  if (!impl_) impl_ = std::make_unique<Impl>();
  return *impl_;
}

void RankIndex::Set(int32_t id, double score) {
  if (id < 0) return;
  Impl& impl = Mutable();
  const auto idx = static_cast<size_t>(id);
  if (idx >= impl.score_keys.size()) {
    impl.score_keys.resize(std::max(idx + 1, impl.score_keys.size() * 3 / 2), kAbsent);
  }
  const uint64_t old_key = impl.score_keys[idx];
  const uint64_t new_key = ScoreKey(score);
  if (old_key == new_key) return;
  if (old_key != kAbsent) {
    impl.Remove(MakeKey(old_key, idx));
  } else {
    ++impl.count;
  }
  impl.Insert(MakeKey(new_key, idx));
  impl.score_keys[idx] = new_key;
}

void RankIndex::Erase(int32_t id) {
  if (!Contains(id)) return;
  Impl& impl = *impl_;
  const auto idx = static_cast<size_t>(id);
  impl.Remove(MakeKey(impl.score_keys[idx], idx));
  impl.score_keys[idx] = kAbsent;
  --impl.count;
}

void RankIndex::Assign(const std::vector<std::pair<int32_t, double>>& entries) {
  Impl& impl = Mutable();
  const size_t capacity = impl.capacity;
  impl = Impl(capacity);
  int32_t max_id = -1;
  for (const auto& [id, score] : entries) max_id = std::max(max_id, id);
  impl.score_keys.assign(static_cast<size_t>(max_id + 1), kAbsent);
  for (const auto& [id, score] : entries) {
    if (id >= 0) impl.score_keys[static_cast<size_t>(id)] = ScoreKey(score);  // last wins
  }
  std::vector<Key> keys;
  keys.reserve(entries.size());
  for (size_t idx = 0; idx < impl.score_keys.size(); ++idx) {
    if (impl.score_keys[idx] != kAbsent) keys.push_back(MakeKey(impl.score_keys[idx], idx));
  }
  std::sort(keys.begin(), keys.end());
  impl.count = keys.size();
  // Blocks start 3/4 full, so the first updates neither split nor join them.
  const size_t fill = std::max<size_t>(capacity * 3 / 4, 1);
  for (size_t begin = 0; begin < keys.size(); begin += fill) {
    const size_t end = std::min(begin + fill, keys.size());
    std::vector<Key> block;
    block.reserve(capacity + 1);
    block.assign(keys.begin() + static_cast<std::ptrdiff_t>(begin),
                 keys.begin() + static_cast<std::ptrdiff_t>(end));
    impl.firsts.push_back(block.front());
    impl.blocks.push_back(std::move(block));
  }
  impl.RebuildTree();
}

void RankIndex::Clear() {
  Impl& impl = Mutable();
  impl = Impl(impl.capacity);
}

bool RankIndex::Contains(int32_t id) const {
  return impl_ && id >= 0 && static_cast<size_t>(id) < impl_->score_keys.size() &&
         impl_->score_keys[static_cast<size_t>(id)] != kAbsent;
}

std::optional<double> RankIndex::Score(int32_t id) const {
  if (!Contains(id)) return std::nullopt;
  return ScoreOf(impl_->score_keys[static_cast<size_t>(id)]);
}

int32_t RankIndex::Rank(int32_t id) const {
  if (!Contains(id)) return 0;
  const uint64_t score_key = impl_->score_keys[static_cast<size_t>(id)];
  return static_cast<int32_t>(impl_->CountBelowKey(MakeKey(score_key, 0)) + 1);
}

int64_t RankIndex::Position(int32_t id) const {
  if (!Contains(id)) return -1;
  const auto idx = static_cast<size_t>(id);
  return static_cast<int64_t>(impl_->CountBelowKey(MakeKey(impl_->score_keys[idx], idx)));
}

int64_t RankIndex::CountAbove(double score) const {
  if (!impl_) return 0;
  return static_cast<int64_t>(impl_->CountBelowKey(MakeKey(ScoreKey(score), 0)));
}

void RankIndex::Page(size_t offset, size_t count,
                     std::vector<std::pair<int32_t, double>>& out) const {
  out.clear();
  if (!impl_ || offset >= impl_->count || count == 0) return;
  const Impl& impl = *impl_;
  // Fenwick descent: the block holding position `offset` and the keys before it.
  size_t block = 0;
  size_t before = 0;
  for (size_t step = std::bit_floor(impl.blocks.size()); step > 0; step /= 2) {
    const size_t next = block + step;
    if (next < impl.tree.size() && before + impl.tree[next] <= offset) {
      block = next;
      before += impl.tree[next];
    }
  }
  size_t at = offset - before;
  out.reserve(std::min(count, impl.count - offset));
  for (; block < impl.blocks.size() && out.size() < count; ++block, at = 0) {
    const std::vector<Key>& keys = impl.blocks[block];
    for (; at < keys.size() && out.size() < count; ++at) {
      out.emplace_back(IdOf(keys[at]), ScoreOf(ScoreKeyOf(keys[at])));
    }
  }
}

size_t RankIndex::size() const { return impl_ ? impl_->count : 0; }

}  // namespace chollima::engine
