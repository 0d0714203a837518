// Standings with 1,000,000 participants: Redis's sorted set against the in-process
// RankIndex (engine/rank_index.h), the same operations in one run (bench/README.md
// "Standings"; bench/run.sh starts the server):
//
//   redis_standings PORT      # a redis-server on 127.0.0.1:PORT, no persistence
//
// The workload is bench/standings_sequence.h: 1,000,000 participants loaded, then
// 1,000,000 score updates, 1,000,000 rank queries, 100,000 top-20 pages and 1,000,000
// operations of all three kinds mixed. Redis gets them as ZADD, ZREVRANK and ZREVRANGE
// 0 19 WITHSCORES on one connection, pipelined kPipeline commands per round trip (the
// commands of a phase are encoded before its clock starts); RankIndex as Set, Rank and
// Page(0, 20). Each phase prints both rates and their ratio. Latency: one clock reading
// around each of 20,000 rank queries and 20,000 top-20 pages, unpipelined for Redis
// (one request, wait for its answer). The answers of both are compared (ranks, and the
// scores of the top 20); a mismatch fails the run.
//
// Redis's ZREVRANK is a 0-based position with ties in reverse member order, RankIndex's
// Rank the competition rank; the check accepts any position within the tie.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/rank_index.h"
#include "standings_sequence.h"

namespace {

using chollima::bench::StandingsOp;
using chollima::bench::StandingsOpKind;
using chollima::engine::RankIndex;
using Clock = std::chrono::steady_clock;

constexpr size_t kPipeline = 64;
constexpr size_t kPages = 100'000;
constexpr size_t kLatencySamples = 20'000;
constexpr std::string_view kKey = "standings";
volatile int64_t g_sink = 0;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "redis_standings: %s\n", why.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double>(t1 - t0).count();
}

// CPU seconds of this thread, and of a process (all its threads) from /proc.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double ProcessCpuSeconds(long pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return std::nan("");
  char buf[1024];
  const size_t len = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[len] = 0;
  // Fields 14 and 15 (utime, stime) follow the command name in parentheses.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return std::nan("");
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
      2) {
    return std::nan("");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Wall and CPU time of a phase: for Redis the server's CPU, for RankIndex this thread's.
struct Took {
  double wall = 0;
  double cpu = 0;
};
template <typename Cpu, typename Body>
Took Time(Cpu cpu, Body body) {
  const double c0 = cpu();
  const auto t0 = Clock::now();
  body();
  return {Seconds(t0, Clock::now()), cpu() - c0};
}

// One RESP reply: an integer (also -1 for a null bulk), a string, or an array of strings.
struct Reply {
  char type = 0;  // ':' '$' '+' '-' '*'
  int64_t integer = 0;
  std::string text;
  std::vector<std::string> items;
};

// A RESP2 connection over a plain TCP socket.
class RespConnection {
 public:
  explicit RespConnection(int port) : buffer_(1 << 20) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (true) {  // the server may still be starting
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      if (fd_ < 0) Die("socket failed");
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
      close(fd_);
      if (Clock::now() > deadline) Die("cannot connect to 127.0.0.1:" + std::to_string(port));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RespConnection() { close(fd_); }
  RespConnection(const RespConnection&) = delete;
  RespConnection& operator=(const RespConnection&) = delete;

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n <= 0) Die("write failed");
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  void Read(Reply& reply) {
    const std::string_view line = Line();
    reply.type = line[0];
    const std::string_view rest = line.substr(1);
    switch (reply.type) {
      case ':':
        reply.integer = Integer(rest);
        return;
      case '+':
      case '-':
        reply.text.assign(rest);
        return;
      case '$':
        reply.integer = Integer(rest);
        if (reply.integer >= 0) Bulk(static_cast<size_t>(reply.integer), reply.text);
        return;
      case '*': {
        const int64_t n = Integer(rest);
        reply.items.resize(static_cast<size_t>(std::max<int64_t>(n, 0)));
        for (std::string& item : reply.items) {
          const std::string_view head = Line();
          if (head[0] != '$') Die("unexpected array element " + std::string(head));
          const int64_t len = Integer(head.substr(1));
          if (len < 0) Die("null array element");
          Bulk(static_cast<size_t>(len), item);
        }
        return;
      }
      default:
        Die("unexpected reply " + std::string(line));
    }
  }

  // Sends one command and waits for its answer.
  void Call(std::string_view command, Reply& reply) {
    Send(command);
    Read(reply);
    if (reply.type == '-') Die("redis: " + reply.text);
  }

 private:
  static int64_t Integer(std::string_view s) {
    int64_t v = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc()) {
      Die("bad integer " + std::string(s));
    }
    return v;
  }
  // Makes at least n bytes available from begin_.
  void Fill(size_t n) {
    if (end_ - begin_ >= n) return;
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (n > buffer_.size()) buffer_.resize(n);
    while (end_ < n) {
      const ssize_t got = read(fd_, buffer_.data() + end_, buffer_.size() - end_);
      if (got <= 0) Die("connection closed");
      end_ += static_cast<size_t>(got);
    }
  }
  // The next line without its CRLF; valid until the next read.
  std::string_view Line() {
    size_t scanned = 0;
    while (true) {
      const char* start = buffer_.data() + begin_;
      const size_t available = end_ - begin_;
      const void* cr = std::memchr(start + scanned, '\r', available - scanned);
      if (cr != nullptr) {
        const auto len = static_cast<size_t>(static_cast<const char*>(cr) - start);
        if (len + 1 < available) {
          begin_ += len + 2;
          return {start, len};
        }
      }
      scanned = available > 0 ? available - 1 : 0;
      Fill(available + 1);
    }
  }
  void Bulk(size_t len, std::string& out) {
    Fill(len + 2);
    out.assign(buffer_.data() + begin_, len);
    begin_ += len + 2;
  }

  int fd_ = -1;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// RESP encoding of commands, appended to one string.
class Commands {
 public:
  void Add(std::initializer_list<std::string_view> args) {
    bytes_ += '*';
    Number(static_cast<int64_t>(args.size()));
    for (std::string_view arg : args) {
      bytes_ += '$';
      Number(static_cast<int64_t>(arg.size()));
      bytes_ += arg;
      bytes_ += "\r\n";
    }
    ends_.push_back(bytes_.size());
  }
  size_t size() const { return ends_.size(); }
  // The bytes of commands [from, to).
  std::string_view Range(size_t from, size_t to) const {
    const size_t begin = from == 0 ? 0 : ends_[from - 1];
    return std::string_view(bytes_).substr(begin, ends_[to - 1] - begin);
  }

 private:
  void Number(int64_t v) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    bytes_.append(digits, end);
    bytes_ += "\r\n";
  }
  std::string bytes_;
  std::vector<size_t> ends_;
};

struct Text {  // a number as text, on the stack
  char chars[32];
  size_t len;
  std::string_view view() const { return {chars, len}; }
};
Text Format(double v) {  // the shortest text that reads back as the same double
  Text t{};
  t.len = static_cast<size_t>(std::to_chars(t.chars, t.chars + sizeof t.chars, v).ptr - t.chars);
  return t;
}
Text Format(int64_t v) {
  Text t{};
  t.len = static_cast<size_t>(std::to_chars(t.chars, t.chars + sizeof t.chars, v).ptr - t.chars);
  return t;
}

void AddOp(Commands& c, const StandingsOp& op) {
  switch (op.kind) {
    case StandingsOpKind::kUpdate:
      c.Add({"ZADD", kKey, Format(op.score).view(), Format(int64_t{op.id}).view()});
      break;
    case StandingsOpKind::kRank:
      c.Add({"ZREVRANK", kKey, Format(int64_t{op.id}).view()});
      break;
    case StandingsOpKind::kTop20:
      c.Add({"ZREVRANGE", kKey, "0", "19", "WITHSCORES"});
      break;
  }
}

// Runs the commands pipelined, kPipeline per round trip; `on_reply(i, reply)` sees each
// answer.
template <typename OnReply>
void RunPipelined(RespConnection& redis, const Commands& commands, OnReply on_reply) {
  Reply reply;
  for (size_t from = 0; from < commands.size(); from += kPipeline) {
    const size_t to = std::min(from + kPipeline, commands.size());
    redis.Send(commands.Range(from, to));
    for (size_t i = from; i < to; ++i) {
      redis.Read(reply);
      if (reply.type == '-') Die("redis: " + reply.text);
      on_reply(i, reply);
    }
  }
}

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
};
Percentiles Of(std::vector<double>& samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[static_cast<size_t>(q * static_cast<double>(samples.size() - 1))];
  };
  return {at(0.50), at(0.99)};
}

std::string Group(double v) {  // 1234567 -> "1,234,567"
  const std::string digits = std::to_string(static_cast<int64_t>(std::llround(v)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

void PrintPhase(const char* name, const char* redis_op, const char* our_op, size_t ops, Took redis,
                Took ours) {
  const auto ops_d = static_cast<double>(ops);
  std::printf("%-8s: redis %-10s %11s ops/s (%.2f s) | RankIndex %-9s %12s ops/s (%.3f s)\n", name,
              redis_op, Group(ops_d / redis.wall).c_str(), redis.wall, our_op,
              Group(ops_d / ours.wall).c_str(), ours.wall);
  std::printf("          per CPU second: redis-server %11s | RankIndex %12s\n",
              Group(ops_d / redis.cpu).c_str(), Group(ops_d / ours.cpu).c_str());
  std::printf("RATIO standings-%s/redis = %.1f  (goal >= 10; per CPU second %.1f)\n", name,
              redis.wall / ours.wall, redis.cpu / ours.cpu);
}

std::vector<double> PageScores(const Reply& reply) {
  std::vector<double> scores;
  for (size_t i = 1; i < reply.items.size(); i += 2)
    scores.push_back(std::strtod(reply.items[i].c_str(), nullptr));
  return scores;
}
std::vector<double> PageScores(const std::vector<std::pair<int32_t, double>>& page) {
  std::vector<double> scores;
  for (const auto& [id, score] : page) scores.push_back(score);
  return scores;
}

// Whether a 0-based Redis position fits RankIndex's answer for the same participant:
// within the block of participants that share its score.
bool PositionFits(const RankIndex& index, int32_t id, int64_t redis_position) {
  const std::optional<double> score = index.Score(id);
  if (!score) return redis_position < 0;
  const int64_t above = index.CountAbove(*score);
  const int64_t through =
      index.CountAbove(std::nextafter(*score, -std::numeric_limits<double>::infinity()));
  return index.Rank(id) == above + 1 && redis_position >= above && redis_position < through;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: redis_standings PORT\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const chollima::bench::StandingsWorkload w = chollima::bench::MakeStandingsWorkload();
  const size_t n = w.initial.size();
  RespConnection redis(port);
  Reply reply;

  redis.Call("*1\r\n$4\r\nINFO\r\n", reply);
  std::string version = "?";
  if (const size_t at = reply.text.find("redis_version:"); at != std::string::npos) {
    version = reply.text.substr(at + 14, reply.text.find('\r', at) - at - 14);
  }
  long redis_pid = 0;
  if (const size_t at = reply.text.find("process_id:"); at != std::string::npos) {
    redis_pid = std::atol(reply.text.c_str() + at + 11);
  }
  const auto redis_cpu = [redis_pid] { return ProcessCpuSeconds(redis_pid); };
  redis.Call("*2\r\n$3\r\nDEL\r\n$9\r\nstandings\r\n", reply);
  std::printf(
      "%s participants; Redis %s on 127.0.0.1, one connection, %zu commands per round trip\n",
      Group(static_cast<double>(n)).c_str(), version.c_str(), kPipeline);

  // --- Redis: every phase, keeping its answers for the check.
  Commands load;
  for (const auto& [id, score] : w.initial) {
    load.Add({"ZADD", kKey, Format(score).view(), Format(int64_t{id}).view()});
  }
  const Took redis_load =
      Time(redis_cpu, [&] { RunPipelined(redis, load, [](size_t, const Reply&) {}); });
  load = Commands();

  Commands updates;
  for (const StandingsOp& op : w.updates) AddOp(updates, op);
  const Took redis_update =
      Time(redis_cpu, [&] { RunPipelined(redis, updates, [](size_t, const Reply&) {}); });
  updates = Commands();

  Commands ranks;
  for (const int32_t id : w.rank_ids) ranks.Add({"ZREVRANK", kKey, Format(int64_t{id}).view()});
  std::vector<int64_t> redis_ranks(w.rank_ids.size());
  const Took redis_rank = Time(redis_cpu, [&] {
    RunPipelined(redis, ranks, [&](size_t i, const Reply& r) {
      redis_ranks[i] = r.type == ':' ? r.integer : -1;
    });
  });

  Commands pages;
  for (size_t i = 0; i < kPages; ++i) pages.Add({"ZREVRANGE", kKey, "0", "19", "WITHSCORES"});
  std::vector<double> redis_top_after_updates;
  const Took redis_page = Time(redis_cpu, [&] {
    RunPipelined(redis, pages, [&](size_t i, const Reply& r) {
      if (i + 1 == kPages) redis_top_after_updates = PageScores(r);
    });
  });

  // Unpipelined latency, between the phases that change nothing.
  std::vector<double> redis_rank_us;
  std::vector<double> redis_page_us;
  for (size_t i = 0; i < kLatencySamples; ++i) {
    const auto t0 = Clock::now();
    redis.Send(ranks.Range(i, i + 1));
    redis.Read(reply);
    redis_rank_us.push_back(Seconds(t0, Clock::now()) * 1e6);
  }
  for (size_t i = 0; i < kLatencySamples; ++i) {
    const auto t0 = Clock::now();
    redis.Send(pages.Range(i, i + 1));
    redis.Read(reply);
    redis_page_us.push_back(Seconds(t0, Clock::now()) * 1e6);
  }
  ranks = Commands();
  pages = Commands();

  Commands mixed;
  for (const StandingsOp& op : w.mixed) AddOp(mixed, op);
  const Took redis_mixed =
      Time(redis_cpu, [&] { RunPipelined(redis, mixed, [](size_t, const Reply&) {}); });
  mixed = Commands();
  redis.Call(
      "*5\r\n$9\r\nZREVRANGE\r\n$9\r\nstandings\r\n$1\r\n0\r\n$2\r\n19\r\n$10\r\nWITHSCORES\r\n",
      reply);
  const std::vector<double> redis_top_after_mixed = PageScores(reply);
  redis.Call("*2\r\n$5\r\nZCARD\r\n$9\r\nstandings\r\n", reply);
  const int64_t redis_card = reply.integer;
  redis.Call("*2\r\n$3\r\nDEL\r\n$9\r\nstandings\r\n", reply);

  // --- RankIndex: the same phases in the same order.
  RankIndex index;
  const Took our_load = Time(ThreadCpuSeconds, [&] {
    for (const auto& [id, score] : w.initial) index.Set(id, score);
  });
  RankIndex assigned;
  const Took assign = Time(ThreadCpuSeconds, [&] { assigned.Assign(w.initial); });

  const Took our_update = Time(ThreadCpuSeconds, [&] {
    for (const StandingsOp& op : w.updates) index.Set(op.id, op.score);
  });

  std::vector<int32_t> our_ranks(w.rank_ids.size());
  const Took our_rank = Time(ThreadCpuSeconds, [&] {
    for (size_t i = 0; i < w.rank_ids.size(); ++i) our_ranks[i] = index.Rank(w.rank_ids[i]);
  });

  std::vector<std::pair<int32_t, double>> page;
  int64_t sink = 0;
  const Took our_page = Time(ThreadCpuSeconds, [&] {
    for (size_t i = 0; i < kPages; ++i) {
      index.Page(0, chollima::bench::kStandingsPageSize, page);
      sink += page.back().first;
    }
  });
  const std::vector<double> our_top_after_updates = PageScores(page);

  std::vector<double> our_rank_ns;
  std::vector<double> our_page_ns;
  for (size_t i = 0; i < kLatencySamples; ++i) {
    const auto s0 = Clock::now();
    sink += index.Rank(w.rank_ids[i]);
    our_rank_ns.push_back(Seconds(s0, Clock::now()) * 1e9);
  }
  for (size_t i = 0; i < kLatencySamples; ++i) {
    const auto s0 = Clock::now();
    index.Page(0, chollima::bench::kStandingsPageSize, page);
    sink += page.back().first;
    our_page_ns.push_back(Seconds(s0, Clock::now()) * 1e9);
  }

  size_t rank_mismatches = 0;
  for (size_t i = 0; i < w.rank_ids.size(); ++i) {
    if (!PositionFits(index, w.rank_ids[i], redis_ranks[i]) ||
        our_ranks[i] != index.Rank(w.rank_ids[i])) {
      ++rank_mismatches;
    }
  }

  const Took our_mixed = Time(ThreadCpuSeconds, [&] {
    for (const StandingsOp& op : w.mixed) {
      switch (op.kind) {
        case StandingsOpKind::kUpdate:
          index.Set(op.id, op.score);
          break;
        case StandingsOpKind::kRank:
          sink += index.Rank(op.id);
          break;
        case StandingsOpKind::kTop20:
          index.Page(0, chollima::bench::kStandingsPageSize, page);
          sink += page.back().first;
          break;
      }
    }
  });
  index.Page(0, chollima::bench::kStandingsPageSize, page);
  const std::vector<double> our_top_after_mixed = PageScores(page);

  std::printf(
      "load    : redis ZADD       %11s ops/s (%.2f s) | RankIndex Set       %12s ops/s (%.3f s); "
      "Assign %.0f ms\n",
      Group(static_cast<double>(n) / redis_load.wall).c_str(), redis_load.wall,
      Group(static_cast<double>(n) / our_load.wall).c_str(), our_load.wall, assign.wall * 1e3);
  PrintPhase("updates", "ZADD", "Set", w.updates.size(), redis_update, our_update);
  PrintPhase("rank", "ZREVRANK", "Rank", w.rank_ids.size(), redis_rank, our_rank);
  PrintPhase("top20", "ZREVRANGE", "Page", kPages, redis_page, our_page);
  PrintPhase("mixed", "all three", "all three", w.mixed.size(), redis_mixed, our_mixed);
  const Percentiles rr = Of(redis_rank_us);
  const Percentiles rp = Of(redis_page_us);
  const Percentiles orr = Of(our_rank_ns);
  const Percentiles op = Of(our_page_ns);
  std::printf(
      "latency rank query : redis p50 %.1f us, p99 %.1f us (unpipelined round trip) | RankIndex "
      "p50 %.0f ns, p99 %.0f ns\n",
      rr.p50, rr.p99, orr.p50, orr.p99);
  std::printf(
      "latency top-20 page: redis p50 %.1f us, p99 %.1f us (unpipelined round trip) | RankIndex "
      "p50 %.0f ns, p99 %.0f ns\n",
      rp.p50, rp.p99, op.p50, op.p99);

  const bool same = rank_mismatches == 0 && redis_top_after_updates == our_top_after_updates &&
                    redis_top_after_mixed == our_top_after_mixed &&
                    redis_card == static_cast<int64_t>(index.size());
  g_sink = sink;  // the answers are used, so the loops above are not optimized away
  std::printf("check: %zu rank answers outside their tie, top-20 scores %s, %s participants\n",
              rank_mismatches,
              redis_top_after_updates == our_top_after_updates &&
                      redis_top_after_mixed == our_top_after_mixed
                  ? "equal"
                  : "DIFFER",
              redis_card == static_cast<int64_t>(index.size()) ? "same" : "DIFFERENT");
  if (!same) Die("RankIndex and Redis disagree");
  return 0;
}
