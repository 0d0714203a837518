#include "engine/rank_index.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

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

// Number of keys in [first, first + n) below `key` by branch-free halving: the loop
// count depends on n only, so it does not mispredict on the data.
size_t HalvingCountBelow(const Key* first, size_t n, Key key) {
  if (n == 0) return 0;
  const Key* base = first;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half - 1] < key ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - first) + (*base < key ? 1 : 0);
}

constexpr size_t kKeysPerLine = 64 / sizeof(Key);

// The same count, by rounds of up to 8 probes at a stride of whole cache lines: the
// probes of a round do not depend on each other, so their cache misses overlap, where
// a binary search over a cold block waits for one miss per halving. With `first` on a
// line boundary, a block of 256 keys takes two rounds (8 lines, then 7 in one 512-byte
// run), and the last few keys share a line with a probe.
//
// Invariant: the count is in [lo, lo + len]; keys before lo are below `key`, the key at
// lo + len (if any) is not.
size_t CountBelow(const Key* first, size_t n, Key key) {
  size_t lo = 0;
  size_t len = n;
  while (len >= kKeysPerLine) {
    const size_t stride =
        std::max(kKeysPerLine, ((len + 7) / 8 + kKeysPerLine - 1) / kKeysPerLine * kKeysPerLine);
    const size_t probes = len / stride;
    size_t below = 0;
    for (size_t j = 1; j <= probes; ++j) below += first[lo + j * stride - 1] < key ? 1 : 0;
    lo += below * stride;
    len = below < probes ? stride - 1 : len - probes * stride;
  }
  return lo + HalvingCountBelow(first + lo, len, key);
}

constexpr size_t kDefaultBlockCapacity = 128;

// Fixed-size blocks of keys in one line-aligned allocation (huge pages when the kernel
// grants them: a rank query touches a few random lines of a ~20 MB table, and without
// them nearly every touch is also a TLB miss). Slot s holds keys [s * capacity, ...).
class KeyArena {
 public:
  KeyArena() = default;
  KeyArena(const KeyArena& other) { *this = other; }
  KeyArena& operator=(const KeyArena& other) {
    if (this != &other) {
      Reserve(other.slots_ * other.slot_keys_, 0);
      slot_keys_ = other.slot_keys_;
      slots_ = other.slots_;
      if (slots_ > 0)
        std::memcpy(data_.get(), other.data_.get(), slots_ * slot_keys_ * sizeof(Key));
    }
    return *this;
  }
  KeyArena(KeyArena&&) noexcept = default;
  KeyArena& operator=(KeyArena&&) noexcept = default;

  void Init(size_t slot_keys) {
    *this = KeyArena();
    slot_keys_ = slot_keys;
  }
  Key* Slot(uint32_t slot) { return data_.get() + size_t{slot} * slot_keys_; }
  const Key* Slot(uint32_t slot) const { return data_.get() + size_t{slot} * slot_keys_; }
  size_t slots() const { return slots_; }
  // Adds a slot (its keys are garbage) and returns its index.
  uint32_t AddSlot() {
    if ((slots_ + 1) * slot_keys_ > capacity_keys_) {
      Reserve(std::max((slots_ + 1) * slot_keys_, capacity_keys_ * 2), slots_ * slot_keys_);
    }
    return static_cast<uint32_t>(slots_++);
  }
  void ReserveSlots(size_t slots) {
    if (slots * slot_keys_ > capacity_keys_) Reserve(slots * slot_keys_, slots_ * slot_keys_);
  }

 private:
  struct Free {
    void operator()(Key* p) const { std::free(p); }
  };
  // Grows to at least `keys`, keeping the first `keep` keys.
  void Reserve(size_t keys, size_t keep) {
    if (keys <= capacity_keys_) return;
    constexpr size_t kHuge = size_t{2} << 20;
    size_t bytes = (keys * sizeof(Key) + 63) / 64 * 64;
    if (bytes >= kHuge) bytes = (bytes + kHuge - 1) / kHuge * kHuge;
    const size_t align = bytes >= kHuge ? kHuge : 64;
    auto* data = static_cast<Key*>(std::aligned_alloc(align, bytes));
    if (data == nullptr) throw std::bad_alloc();
    if (bytes >= kHuge) madvise(data, bytes, MADV_HUGEPAGE);  // a hint; failure is fine
    if (keep > 0) std::memcpy(data, data_.get(), keep * sizeof(Key));
    data_.reset(data);
    capacity_keys_ = bytes / sizeof(Key);
  }

  std::unique_ptr<Key[], Free> data_;
  size_t capacity_keys_ = 0;
  size_t slot_keys_ = 0;
  size_t slots_ = 0;
};

// For the per-id arrays (8 and 4 bytes per id): large ones on huge pages, like KeyArena.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = n * sizeof(T);
    void* p = bytes >= kHuge ? std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge)
                             : std::malloc(std::max<size_t>(bytes, 1));
    if (p == nullptr) throw std::bad_alloc();
    if (bytes >= kHuge) madvise(p, (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};
template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace

// Layout: the keys sit in sorted blocks of at most `capacity` entries (a two-level
// B+tree). A block lives in a slot of the arena that does not move while it lives;
// `order` lists the slots by position (the listing order), `firsts` holds each
// position's smallest key for finding the block of a key, and a Fenwick tree over the
// block sizes by position gives the number of keys before a block in O(log blocks).
// Per id: the score key (kAbsent when not present) and the slot of its key, so a rank
// query goes straight to its block.
//
// Invariants: every block in `order` is non-empty and sorted and holds at most
// `capacity` keys; the concatenation of the blocks in order is strictly ascending;
// firsts[p] <= the smallest key of order[p] and > every key before it (it may lag behind
// after an erase); position_of[order[p]] == p; tree is the Fenwick tree of the sizes by
// position; score_keys[id] != kAbsent exactly for the `count` ids present, and for
// those slot_of[id] is the slot holding MakeKey(score_keys[id], id).
struct RankIndex::Impl {
  explicit Impl(size_t block_capacity = kDefaultBlockCapacity) : capacity(block_capacity) {
    arena.Init(capacity);
  }

  size_t capacity;
  KeyArena arena;
  std::vector<uint32_t> size_of;      // by slot
  std::vector<uint32_t> position_of;  // by slot; meaningless for free slots
  std::vector<uint32_t> free_slots;
  std::vector<uint32_t> order;      // slots by position
  std::vector<Key> firsts;          // by position
  std::vector<uint32_t> tree;       // 1-based Fenwick tree; tree.size() == order.size() + 1
  HugeVector<uint64_t> score_keys;  // by id
  HugeVector<uint32_t> slot_of;     // by id
  size_t count = 0;

  // Keys in positions [0, position).
  size_t KeysBefore(size_t position) const {
    size_t sum = 0;
    for (size_t i = position; i > 0; i &= i - 1) sum += tree[i];
    return sum;
  }
  void AddToTree(size_t position, int32_t delta) {
    for (size_t i = position + 1; i < tree.size(); i += i & (~i + 1)) {
      tree[i] = static_cast<uint32_t>(static_cast<int64_t>(tree[i]) + delta);
    }
  }
  // O(blocks): after a block was added or removed.
  void Reindex() {
    tree.assign(order.size() + 1, 0);
    for (size_t p = 0; p < order.size(); ++p) {
      position_of[order[p]] = static_cast<uint32_t>(p);
      tree[p + 1] += size_of[order[p]];
      const size_t parent = (p + 1) + ((p + 1) & (~(p + 1) + 1));
      if (parent < tree.size()) tree[parent] += tree[p + 1];
    }
  }

  uint32_t NewSlot() {
    if (!free_slots.empty()) {
      const uint32_t slot = free_slots.back();
      free_slots.pop_back();
      return slot;
    }
    const uint32_t slot = arena.AddSlot();
    size_of.push_back(0);
    position_of.push_back(0);
    return slot;
  }
  void FreeSlot(uint32_t slot) {
    size_of[slot] = 0;
    free_slots.push_back(slot);
  }
  // Records that keys [from, to) of `slot` are there.
  void Claim(uint32_t slot, size_t from, size_t to) {
    const Key* keys = arena.Slot(slot);
    for (size_t i = from; i < to; ++i) slot_of[static_cast<size_t>(IdOf(keys[i]))] = slot;
  }

  // The position whose block holds `key` or would hold it: the last whose first key is
  // <= key, or 0. REQUIRES: order not empty.
  size_t PositionOf(Key key) const {
    const size_t after = CountBelow(firsts.data(), firsts.size(), key + 1);
    return after == 0 ? 0 : after - 1;
  }

  size_t CountBelowIn(uint32_t slot, Key key) const {
    return KeysBefore(position_of[slot]) + CountBelow(arena.Slot(slot), size_of[slot], key);
  }
  size_t CountBelowKey(Key key) const {
    if (order.empty()) return 0;
    return CountBelowIn(order[PositionOf(key)], key);
  }

  void Insert(Key key) {
    if (order.empty()) {
      const uint32_t slot = NewSlot();
      arena.Slot(slot)[0] = key;
      size_of[slot] = 1;
      slot_of[static_cast<size_t>(IdOf(key))] = slot;
      order.push_back(slot);
      firsts.push_back(key);
      Reindex();
      return;
    }
    size_t position = PositionOf(key);
    uint32_t slot = order[position];
    if (size_of[slot] == capacity) {
      // Full: the upper half moves to a new block after it, then the key goes to
      // whichever of the two it belongs in.
      const uint32_t upper = NewSlot();
      const size_t keep = capacity / 2;
      std::memcpy(arena.Slot(upper), arena.Slot(slot) + keep, (capacity - keep) * sizeof(Key));
      size_of[upper] = static_cast<uint32_t>(capacity - keep);
      size_of[slot] = static_cast<uint32_t>(keep);
      Claim(upper, 0, capacity - keep);
      order.insert(order.begin() + static_cast<std::ptrdiff_t>(position + 1), upper);
      firsts.insert(firsts.begin() + static_cast<std::ptrdiff_t>(position + 1),
                    arena.Slot(upper)[0]);
      Reindex();
      if (key > firsts[position + 1]) {
        ++position;
        slot = upper;
      }
    }
    Key* keys = arena.Slot(slot);
    const size_t size = size_of[slot];
    const size_t at = CountBelow(keys, size, key);
    std::memmove(keys + at + 1, keys + at, (size - at) * sizeof(Key));
    keys[at] = key;
    size_of[slot] = static_cast<uint32_t>(size + 1);
    slot_of[static_cast<size_t>(IdOf(key))] = slot;
    if (at == 0) firsts[position] = key;
    AddToTree(position, 1);
  }

  // REQUIRES: `key` is present.
  void Remove(Key key) {
    const uint32_t slot = slot_of[static_cast<size_t>(IdOf(key))];
    const size_t position = position_of[slot];
    Key* keys = arena.Slot(slot);
    const size_t size = size_of[slot] - size_t{1};
    const size_t at = CountBelow(keys, size + 1, key);
    assert(at <= size && keys[at] == key);  // present by the invariant
    std::memmove(keys + at, keys + at + 1, (size - at) * sizeof(Key));
    size_of[slot] = static_cast<uint32_t>(size);
    if (size >= capacity / 4) {
      AddToTree(position, -1);
      return;
    }
    if (order.size() == 1) {
      if (size == 0) {
        FreeSlot(slot);
        order.clear();
        firsts.clear();
        Reindex();
      } else {
        AddToTree(position, -1);
      }
      return;
    }
    // An underfull block joins its neighbour when both fit in 3/4 of a block, and
    // takes half of their keys otherwise: either way a block is at least 3/8 full
    // after, so the next split or join is at least capacity/8 operations away.
    const size_t left = position + 1 < order.size() ? position : position - 1;
    const uint32_t lo = order[left];
    const uint32_t hi = order[left + 1];
    Key* lo_keys = arena.Slot(lo);
    Key* hi_keys = arena.Slot(hi);
    const size_t lo_size = size_of[lo];
    const size_t hi_size = size_of[hi];
    const size_t total = lo_size + hi_size;
    if (total <= capacity * 3 / 4) {
      std::memcpy(lo_keys + lo_size, hi_keys, hi_size * sizeof(Key));
      size_of[lo] = static_cast<uint32_t>(total);
      Claim(lo, lo_size, total);
      FreeSlot(hi);
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(left + 1));
      firsts.erase(firsts.begin() + static_cast<std::ptrdiff_t>(left + 1));
      Reindex();
      return;
    }
    const size_t new_lo_size = total / 2;
    if (lo_size < new_lo_size) {
      const size_t moved = new_lo_size - lo_size;
      std::memcpy(lo_keys + lo_size, hi_keys, moved * sizeof(Key));
      std::memmove(hi_keys, hi_keys + moved, (hi_size - moved) * sizeof(Key));
      Claim(lo, lo_size, new_lo_size);
    } else {
      const size_t moved = lo_size - new_lo_size;
      std::memmove(hi_keys + moved, hi_keys, hi_size * sizeof(Key));
      std::memcpy(hi_keys, lo_keys + new_lo_size, moved * sizeof(Key));
      Claim(hi, 0, moved);
    }
    size_of[lo] = static_cast<uint32_t>(new_lo_size);
    size_of[hi] = static_cast<uint32_t>(total - new_lo_size);
    firsts[left + 1] = hi_keys[0];
    Reindex();
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
    const size_t size = std::max(idx + 1, impl.score_keys.size() * 3 / 2);
    impl.score_keys.resize(size, kAbsent);
    impl.slot_of.resize(size, 0);
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
  impl.slot_of.assign(static_cast<size_t>(max_id + 1), 0);
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
  impl.arena.ReserveSlots((keys.size() + fill - 1) / fill);
  for (size_t begin = 0; begin < keys.size(); begin += fill) {
    const size_t end = std::min(begin + fill, keys.size());
    const uint32_t slot = impl.NewSlot();
    std::memcpy(impl.arena.Slot(slot), keys.data() + begin, (end - begin) * sizeof(Key));
    impl.size_of[slot] = static_cast<uint32_t>(end - begin);
    impl.Claim(slot, 0, end - begin);
    impl.order.push_back(slot);
    impl.firsts.push_back(keys[begin]);
  }
  impl.Reindex();
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
  const auto idx = static_cast<size_t>(id);
  const Key first_of_score = MakeKey(impl_->score_keys[idx], 0);
  // The first key of the score is in the id's block or an earlier one: start there
  // only when the block's first key is not above it.
  const uint32_t slot = impl_->slot_of[idx];
  const size_t count = impl_->arena.Slot(slot)[0] <= first_of_score
                           ? impl_->CountBelowIn(slot, first_of_score)
                           : impl_->CountBelowKey(first_of_score);
  return static_cast<int32_t>(count + 1);
}

int64_t RankIndex::Position(int32_t id) const {
  if (!Contains(id)) return -1;
  const auto idx = static_cast<size_t>(id);
  return static_cast<int64_t>(
      impl_->CountBelowIn(impl_->slot_of[idx], MakeKey(impl_->score_keys[idx], idx)));
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
  // Fenwick descent: the position holding `offset` and the keys before it.
  size_t position = 0;
  size_t before = 0;
  for (size_t step = std::bit_floor(impl.order.size()); step > 0; step /= 2) {
    const size_t next = position + step;
    if (next < impl.tree.size() && before + impl.tree[next] <= offset) {
      position = next;
      before += impl.tree[next];
    }
  }
  size_t at = offset - before;
  out.reserve(std::min(count, impl.count - offset));
  for (; position < impl.order.size() && out.size() < count; ++position, at = 0) {
    const uint32_t slot = impl.order[position];
    const Key* keys = impl.arena.Slot(slot);
    for (; at < impl.size_of[slot] && out.size() < count; ++at) {
      out.emplace_back(IdOf(keys[at]), ScoreOf(ScoreKeyOf(keys[at])));
    }
  }
}

size_t RankIndex::size() const { return impl_ ? impl_->count : 0; }

}  // namespace chollima::engine
