#include "http/metrics.h"

#include "core/text.h"

namespace chollima::http {

void Metrics::Record(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(route), std::string(method), status}];
  Histogram& h = durations_[std::string(route)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out =
      "# HELP chollima_http_requests_total HTTP requests answered, by route, method and "
      "status.\n# TYPE chollima_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, status] = key;
    out += "chollima_http_requests_total{route=\"" + route + "\",method=\"" + method +
           "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP chollima_http_request_duration_seconds Time from a complete request to its "
      "response, by route.\n# TYPE chollima_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations_) {
    const std::string label = "chollima_http_request_duration_seconds_bucket{route=\"" + route;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += label + "\",le=\"" + FormatNumber(kBuckets[i]) + "\"} " + std::to_string(cumulative) +
             "\n";
    }
    out += label + "\",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "chollima_http_request_duration_seconds_sum{route=\"" + route + "\"} " +
           FormatNumber(h.sum) + "\n";
    out += "chollima_http_request_duration_seconds_count{route=\"" + route + "\"} " +
           std::to_string(h.count) + "\n";
  }
  AppendGauge(out, "chollima_http_open_streams", "Streamed responses (event streams) open.",
              static_cast<double>(open_streams_.load()));
  return out;
}

void AppendGauge(std::string& out, std::string_view name, std::string_view help, double value) {
  AppendMetric(out, name, "gauge", help, value);
}

void AppendMetric(std::string& out, std::string_view name, std::string_view type,
                  std::string_view help, double value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += FormatNumber(value);
  out += '\n';
}

}  // namespace chollima::http
