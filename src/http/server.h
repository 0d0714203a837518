// An asynchronous HTTP/1.1 server (Boost.Beast on Boost.Asio) in front of a Router:
// one io_context run by `threads` threads, keep-alive, TCP_NODELAY, a deadline on
// reading each request (an idle or slow client is disconnected) and on writing each
// response, a body size limit (413), and graceful shutdown: on SIGINT or SIGTERM (or
// Stop) it stops accepting, closes idle connections, lets responses in flight finish
// (up to `drain_timeout`), and Run returns.
//
//   Server server(router, metrics, {.address = "127.0.0.1", .port = 0});
//   Result<uint16_t> port = server.Listen();   // the real port when 0 was asked for
//   server.Run();                              // until a signal or Stop()
//
// Boost stays inside server.cc; this header is free of it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace chollima::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port
  int threads = 2;
  // A connection that does not deliver a complete request within this is closed
  // (counted from the end of the previous response on a kept-alive connection).
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // How long shutdown waits for responses in flight before giving up on them.
  std::chrono::milliseconds drain_timeout{10'000};
  size_t body_limit = 1 << 20;  // bytes; a larger body is answered 413
};

class Server {
 public:
  // REQUIRES: `router` and `metrics` outlive the Server; router complete (no more Add).
  Server(const Router& router, Metrics& metrics, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, and starts watching SIGINT and SIGTERM. Returns the bound port.
  // Fails with kInvalidArgument for a bad address, kIo when the port cannot be bound.
  Result<uint16_t> Listen();
  // Serves on `threads` threads (this one among them) until shutdown completes.
  // REQUIRES: Listen succeeded.
  void Run();
  // Starts a graceful shutdown. Thread-safe; later calls do nothing.
  void Stop();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace chollima::http
