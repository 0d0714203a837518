// `chollima serve`: the HTTP API over one store (docs/http-api.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "auth/rate_limiter.h"
#include "cli/commands.h"
#include "core/text.h"
#include "http/api.h"
#include "http/events.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "store/accounts.h"

namespace chollima::cli {
namespace {

struct Options {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string web;  // "" : web/dist beside the binary's build tree, when there
  int threads = 2;
  int read_timeout_ms = 30'000;
  size_t body_limit = 64 << 20;
  bool routes = false;
  size_t max_status_events = 1000;
  size_t max_emulation_events = 1000;
  std::string config;
};

// Reads `key = value` lines (a TOML subset: # comments, blank lines, values bare or in
// double quotes) into the options not given on the command line. Fails naming the
// file, line and key for an unknown key or a bad value.
Status ApplyConfig(const std::string& path, const CLI::App& cmd, Options& o) {
  std::ifstream in(path);
  if (!in) return InvalidArgument("--config: cannot read '" + path + "'");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    std::string_view text = Trim(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) return InvalidArgument(where + "expected key = value");
    const std::string key(Trim(text.substr(0, eq)));
    std::string_view value = Trim(text.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (key != "db" && key != "listen" && key != "web" && key != "threads") {
      return InvalidArgument(where + "unknown key '" + key +
                             "' (expected db, listen, web, threads)");
    }
    const bool given = cmd.count("--" + key) > 0;
    if (key == "db") {
      if (!given) o.db = value;
    } else if (key == "listen") {
      if (!given) o.listen = value;
    } else if (key == "web") {
      if (!given) o.web = value;
    } else {  // threads
      int n = 0;
      if (!ParseDigits(value, n) || n < 1 || n > 256) {
        return InvalidArgument(where + "threads: expected a whole number from 1 to 256");
      }
      if (!given) o.threads = n;
    }
  }
  return OkStatus();
}

// The dashboard's files: --web, else ../web/dist from the binary (build/chollima in a
// checkout), else none (the API alone is served).
std::string FindWebRoot(const Options& o) {
  if (!o.web.empty()) return o.web;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto candidate = exe.parent_path().parent_path() / "web" / "dist";
  return std::filesystem::is_directory(candidate / "", ec) ? candidate.string() : "";
}

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
  auto accounts = store::AccountStore::Open(o.db, store::OpenMode::kExisting);
  if (!accounts.ok()) return StoreFailure(accounts.error());
  auth::LoginRateLimiter limiter([] { return std::chrono::steady_clock::now(); });
  http::EventBus events;
  http::Metrics metrics;
  http::Api api({.service = *svc,
                 .accounts = **accounts,
                 .limiter = limiter,
                 .events = events,
                 .metrics = metrics,
                 .now =
                     [] {
                       return std::chrono::floor<std::chrono::seconds>(
                           std::chrono::system_clock::now());
                     },
                 .max_status_events_per_write = o.max_status_events,
                 .max_emulation_events_per_write = o.max_emulation_events});
  http::Router router;
  api.Register(router);
  if (o.routes) {
    for (const std::string& route : router.Routes()) std::cout << route << "\n";
    return kExitOk;
  }
  std::unique_ptr<http::StaticFiles> files;
  if (const std::string root = FindWebRoot(o); !root.empty()) {
    auto loaded = http::StaticFiles::Load(root);
    if (!loaded.ok()) {
      std::cerr << "chollima serve: --web: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    files = std::move(*loaded);
    router.SetFallback([&files](const http::Request& r) { return files->Serve(r); });
  }
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
  if (!files) std::cout << "no dashboard (build it with `make web` or give --web DIR)" << std::endl;
  server.Run();
  std::cout << "stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void AddServe(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Serve the dashboard and the HTTP JSON API over a store");
  cmd->footer(
      "The JSON API is under /api/ (docs/openapi.yaml, also served at /api/openapi.yaml; "
      "docs/http-api.md), server-sent events at /api/events, Prometheus text at /metrics, "
      "health at /healthz, the dashboard at /. Stops gracefully on SIGINT or SIGTERM.");
  auto o = std::make_shared<Options>();
  cmd->add_option("--config", o->config,
                  "Read options from this file: `key = value` lines (db, listen, web, threads); "
                  "options on the command line win");
  cmd->add_option("--db", o->db, "Store file (required here or in --config)");
  cmd->add_option("--listen", o->listen, "ADDRESS:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--web", o->web,
                  "The dashboard's built files (default: web/dist of this checkout, if built)");
  cmd->add_flag("--routes", o->routes, "Print the routes the server registers, then exit");
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
  cmd->add_option("--max-status-events", o->max_status_events,
                  "A write changing more statuses publishes one summary event")
      ->group("");
  cmd->add_option("--max-emulation-events", o->max_emulation_events,
                  "A write causing more overtakings, records or models overtaken (each) "
                  "publishes one summary event of that kind")
      ->group("");
  cmd->callback([o, cmd, &exit_code] {
    if (!o->config.empty()) {
      if (Status s = ApplyConfig(o->config, *cmd, *o); !s.ok()) {
        std::cerr << "chollima serve: " << s.error().message << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (o->db.empty()) {
      std::cerr << "chollima serve: --db is required (on the command line or in --config)\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = Run(*o);
  });
}

}  // namespace chollima::cli
