// Request counters and a duration histogram per route, rendered as Prometheus text.
//
//   Metrics m;
//   m.Record("/healthz", "GET", 200, 0.0004);
//   std::string text = m.Render();  // chollima_http_requests_total{route="/healthz",...} 1
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace chollima::http {

class Metrics {
 public:
  // Upper bounds of the histogram's buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};

  void Record(std::string_view route, std::string_view method, int status, double seconds);
  // The gauge of streamed responses open (the server adds 1 when one starts, -1 at its end).
  void AddOpenStreams(int64_t delta) { open_streams_ += delta; }
  // Every counter and histogram in the Prometheus text format (version 0.0.4).
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::string, Histogram> durations_;                              // by route; mu_
  std::atomic<int64_t> open_streams_{0};
};

// Appends one gauge (with its HELP and TYPE lines) in the Prometheus text format.
void AppendGauge(std::string& out, std::string_view name, std::string_view help, double value);
// The same for a metric of any type ("counter", "gauge").
void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, double value);

}  // namespace chollima::http
