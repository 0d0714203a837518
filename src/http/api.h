// The routes of the HTTP API over one Service (docs/http-api.md lists them):
//   GET /healthz, GET /metrics, GET /api/fulfilment, GET /api/units, GET /api/indicators.
//
//   Api api(*service, metrics);
//   Router router;
//   api.Register(router);
//
// Thread-safety: handlers may run on many threads at once. Engine reads take a shared
// lock; commands (later routes) will take it exclusively, so readers always see a
// consistent State (one writer, many readers).
#pragma once

#include <memory>
#include <shared_mutex>

#include "engine/assignments.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/service.h"

namespace chollima::http {

class Api {
 public:
  // REQUIRES: `service` and `metrics` outlive the Api and the router it registers into;
  // nothing else uses `service` meanwhile.
  Api(service::Service& service, const Metrics& metrics);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Register(Router& router);

  // Pages of /api/units hold at most this many units.
  static constexpr int kMaxPageSize = 1000;

 private:
  Response Healthz(const Request& request) const;
  Response MetricsText(const Request& request) const;
  Response Fulfilment(const Request& request) const;
  Response Units(const Request& request) const;
  Response Indicators(const Request& request) const;

  service::Service& service_;
  const Metrics& metrics_;
  mutable std::shared_mutex mu_;                  // shared: readers; exclusive: commands
  std::unique_ptr<engine::AssignmentBook> book_;  // built from service_.state(); under mu_
};

}  // namespace chollima::http
