// `chollima serve`: the HTTP API over one store (docs/http-api.md).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/text.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace chollima::cli {
namespace {

struct Options {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  int read_timeout_ms = 30'000;
  size_t body_limit = 1 << 20;
};

int Run(const Options& o) {
  const size_t colon = o.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !ParseDigits(o.listen.substr(colon + 1), port) ||
      port > 65535) {
    std::cerr << "chollima serve: --listen: expected ADDRESS:PORT, e.g. 127.0.0.1:8080\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  http::Metrics metrics;
  http::Api api(*svc, metrics);
  http::Router router;
  api.Register(router);
  http::Server server(router, metrics,
                      {.address = o.listen.substr(0, colon),
                       .port = static_cast<uint16_t>(port),
                       .threads = o.threads,
                       .read_timeout = std::chrono::milliseconds(o.read_timeout_ms),
                       .body_limit = o.body_limit});
  auto bound = server.Listen();
  if (!bound.ok()) {
    std::cerr << "chollima serve: " << bound.error().message << "\n";
    return bound.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitStore;
  }
  std::cout << "listening on http://" << o.listen.substr(0, colon) << ":" << *bound << std::endl;
  server.Run();
  std::cout << "stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void AddServe(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP JSON API over a store");
  cmd->footer(
      "Routes: GET /healthz, /metrics, /api/fulfilment, /api/units, /api/indicators "
      "(docs/http-api.md). Stops gracefully on SIGINT or SIGTERM.");
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads serving requests")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  // Advanced (hidden): tests shorten the timeout and the limit.
  cmd->add_option("--read-timeout-ms", o->read_timeout_ms,
                  "Close a connection that sends no complete request within this")
      ->check(CLI::Range(1, 3'600'000))
      ->group("");
  cmd->add_option("--body-limit", o->body_limit, "Largest request body in bytes (else 413)")
      ->group("");
  cmd->callback([o, &exit_code] { exit_code = Run(*o); });
}

}  // namespace chollima::cli
