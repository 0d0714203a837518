// An asynchronous HTTP/1.1 server (Boost.Beast on Boost.Asio) in front of a Router:
// one io_context run by `threads` threads, keep-alive, TCP_NODELAY, a deadline on
// reading each request (an idle or slow client is disconnected) and on writing each
// response, a body size limit (413), and graceful shutdown: on SIGINT or SIGTERM (or
// Stop) it stops accepting, closes idle connections, ends the open streams, lets
// responses in flight finish (up to `drain_timeout`), and Run returns.
//
// Streamed responses (Response::stream, e.g. server-sent events): the status line and
// headers go first (the response's Content-Type, Cache-Control: no-cache,
// X-Accel-Buffering: no, and chunked transfer encoding for HTTP/1.1), then each piece
// the BodyStream yields, written as soon as it comes, until the stream ends, the client
// goes away or the server stops (Stop cancels every open stream; the connection then
// closes). BodyStream::Next runs on a thread of its own per stream, never on the network
// threads, so a stream waiting for events holds no worker; at most `max_streams` are open
// at once (more are answered 503). Each write has the write deadline: a client that
// stops reading is disconnected, and while its writes are pending its stream waits once
// `stream_buffer` bytes are queued, without holding up anybody else.
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
  // Streamed responses open at once (one thread each); more are answered 503.
  int max_streams = 64;
  // Bytes a stream may have queued for a client before its producer waits.
  size_t stream_buffer = size_t{256} * 1024;
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
  // Serves on `threads` threads (this one among them) until shutdown completes, then
  // waits for the threads of the streams. REQUIRES: Listen succeeded; every BodyStream's
  // Next returns soon after its Cancel.
  void Run();
  // Starts a graceful shutdown. Thread-safe; later calls do nothing.
  void Stop();
  // Streamed responses open now. Thread-safe.
  size_t open_streams() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace chollima::http
