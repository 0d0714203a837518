#include "http/server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/text.h"

namespace chollima::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class Session;

}  // namespace

class Server::Impl {
 public:
  Impl(const Router& router, Metrics& metrics, ServerOptions options)
      : router_(router),
        metrics_(metrics),
        options_(std::move(options)),
        ioc_(options_.threads),
        control_(asio::make_strand(ioc_)),
        acceptor_(control_),
        signals_(control_, SIGINT, SIGTERM),
        drain_timer_(control_) {}
  ~Impl() { JoinStreams(); }

  Result<uint16_t> Listen();
  void Run();
  void Stop();

  // Called by sessions.
  const Router& router() const { return router_; }
  Metrics& metrics() { return metrics_; }
  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(); }
  void Forget(Session* session) {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
  }

  enum class StreamStart { kStarted, kTooMany, kStopping };
  // Registers a stream of `session` and starts the thread that pulls `body` into it;
  // refuses when max_streams are open or the server is stopping.
  StreamStart StartStream(const std::shared_ptr<Session>& session,
                          const std::shared_ptr<BodyStream>& body);
  size_t open_streams() const {
    std::lock_guard lock(streams_mu_);
    return streams_.size();
  }

 private:
  struct OpenStream {
    std::thread thread;
    std::shared_ptr<BodyStream> body;
    std::shared_ptr<Session> session;
  };

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Drain(Clock::time_point deadline);
  // The last step of a stream's thread: moves its std::thread to finished_threads_.
  void FinishStream(uint64_t id);
  // Joins the threads of finished streams.
  void ReapStreams();
  // Ends every stream (cancels its body, releases its producer) and joins the threads.
  void JoinStreams();

  const Router& router_;
  Metrics& metrics_;
  const ServerOptions options_;
  // Declared before the io_context: sessions destroyed with it (after a drain timeout)
  // still Forget themselves.
  std::mutex sessions_mu_;
  // Live sessions, to close the idle ones at shutdown. Guarded by sessions_mu_.
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  mutable std::mutex streams_mu_;
  std::condition_variable streams_cv_;                // FinishStream: one fewer stream
  uint64_t next_stream_ = 0;                          // guarded by streams_mu_
  std::unordered_map<uint64_t, OpenStream> streams_;  // open streams; streams_mu_
  std::vector<std::thread> finished_threads_;         // to join; streams_mu_
  asio::io_context ioc_;
  // The acceptor, the signals and the drain timer live on this strand.
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_;
  std::atomic<bool> stopping_{false};
};

namespace {

// One connection: read a request, answer it, repeat while kept alive. Every handler
// runs on the connection's strand (the socket's executor), so no locking is needed,
// except for a streamed response: its producer thread hands pieces over through out_mu_.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {}
  ~Session() { server_.Forget(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // Shutdown: an idle connection (waiting for a request) is closed now; one writing a
  // response closes after it. (A stream ends when the server cancels its body.)
  void OnStop() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) self->stream_.cancel();
    });
  }

  // ---- Streaming, called by the stream's thread.

  // Queues `piece` for the client, waiting while stream_buffer bytes are queued. Returns
  // false when the connection is closing (the producer should stop).
  bool Push(const std::string& piece) {
    std::unique_lock lock(out_mu_);
    out_cv_.wait(lock,
                 [&] { return out_closed_ || pending_.size() < server_.options().stream_buffer; });
    if (out_closed_) return false;
    pending_ += piece;
    if (!out_active_) {
      out_active_ = true;
      lock.unlock();
      asio::post(stream_.get_executor(),
                 beast::bind_front_handler(&Session::Pump, shared_from_this()));
    }
    return true;
  }

  // The body has ended: write what is queued, end the response and close.
  void ProducerDone() {
    std::unique_lock lock(out_mu_);
    producer_done_ = true;
    if (!out_active_ && !out_closed_) {
      out_active_ = true;
      lock.unlock();
      asio::post(stream_.get_executor(),
                 beast::bind_front_handler(&Session::Pump, shared_from_this()));
    }
  }

  // Releases a producer waiting in Push (the server is going away). Any thread.
  void AbortStream() {
    {
      std::lock_guard lock(out_mu_);
      out_closed_ = true;
    }
    out_cv_.notify_all();
  }

 private:
  void Read() {
    if (server_.stopping()) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options().body_limit);
    reading_ = true;
    stream_.expires_after(server_.options().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    reading_ = false;
    const auto start = Clock::now();
    if (ec == bhttp::error::body_limit) {
      return Send(ErrorResponse(413, "payload_too_large",
                                "the request body is larger than " +
                                    std::to_string(server_.options().body_limit) + " bytes"),
                  "unmatched", "-", 11, /*keep_alive=*/false, start);
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return Send(ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()),
                  "unmatched", "-", 11, false, start);
    }
    // end of stream, timeout, cancellation at shutdown, a reset: nothing to answer.
    if (ec) return Close();
    auto& request = parser_->get();
    Request r{.method = std::string(request.method_string()), .body = std::move(request.body())};
    for (const auto& field : request) {
      const auto name = field.name_string();
      const auto value = field.value();
      r.headers.emplace_back(ToLower(std::string_view(name.data(), name.size())),
                             std::string(value.data(), value.size()));
    }
    beast::error_code ignored;
    const auto remote = stream_.socket().remote_endpoint(ignored);
    if (!ignored) r.remote = remote.address().to_string();
    const std::string method = r.method;
    const std::string_view target(request.target().data(), request.target().size());
    Router::Dispatched d = server_.router().Dispatch(std::move(r), target);
    if (d.response.stream) {
      return StartStreaming(std::move(d.response), d.route, method, request.version(), start);
    }
    Send(std::move(d.response), d.route, method, request.version(), request.keep_alive(), start);
  }

  void Send(Response r, const std::string& route, const std::string& method, unsigned version,
            bool keep_alive, Clock::time_point start) {
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(bhttp::field::server, "chollima");
    response_.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) response_.insert(name, value);
    response_.keep_alive(keep_alive && !server_.stopping());
    response_.body() = std::move(r.body);
    response_.prepare_payload();
    const std::chrono::duration<double> took = Clock::now() - start;
    server_.metrics().Record(route, method, r.status, took.count());
    stream_.expires_after(server_.options().write_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t /*bytes*/) {
    if (ec || !response_.keep_alive() || server_.stopping()) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  // ---- Streaming, on the strand.

  void StartStreaming(Response r, const std::string& route, const std::string& method,
                      unsigned version, Clock::time_point start) {
    std::shared_ptr<BodyStream> body = std::move(r.stream);
    if (method == "HEAD") {  // the headers only
      body->Cancel();
      return Send(std::move(r), route, method, version, false, start);
    }
    {
      std::lock_guard lock(out_mu_);
      out_active_ = true;  // no Pump until the header is written
    }
    body_ = body;
    const Server::Impl::StreamStart started = server_.StartStream(shared_from_this(), body);
    if (started != Server::Impl::StreamStart::kStarted) {
      body->Cancel();
      body_.reset();
      Response refused =
          started == Server::Impl::StreamStart::kTooMany
              ? ErrorResponse(503, "too_many_streams",
                              "at most " + std::to_string(server_.options().max_streams) +
                                  " streams may be open at once; retry later")
              : ErrorResponse(503, "shutting_down", "the server is shutting down");
      refused.headers.emplace_back("Retry-After", "5");
      return Send(std::move(refused), route, method, version, false, start);
    }
    const std::chrono::duration<double> took = Clock::now() - start;
    server_.metrics().Record(route, method, r.status, took.count());

    chunked_ = version >= 11;
    header_.emplace();
    header_->version(version);
    header_->result(static_cast<unsigned>(r.status));
    header_->set(bhttp::field::server, "chollima");
    header_->set(bhttp::field::content_type, r.content_type);
    header_->set(bhttp::field::cache_control, "no-cache");
    header_->set("X-Accel-Buffering", "no");
    for (const auto& [name, value] : r.headers) header_->insert(name, value);
    header_->keep_alive(false);  // the connection closes when the stream ends
    if (chunked_) header_->chunked(true);
    header_serializer_.emplace(*header_);
    // Watch for the client going away (reads without a deadline), then write the header
    // with the write deadline (it applies to the write only while the read is pending).
    stream_.expires_never();
    WatchClient();
    stream_.expires_after(server_.options().write_timeout);
    bhttp::async_write_header(
        stream_, *header_serializer_,
        beast::bind_front_handler(&Session::OnHeaderWritten, shared_from_this()));
  }

  // Reads (and ignores) whatever the client sends; an error or the end of its data
  // means it has gone.
  void WatchClient() {
    stream_.async_read_some(asio::buffer(discard_),
                            beast::bind_front_handler(&Session::OnClientData, shared_from_this()));
  }
  void OnClientData(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return CloseStream();
    WatchClient();
  }

  void OnHeaderWritten(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return CloseStream();
    Pump();  // out_active_ has been set since StartStreaming
  }

  // Writes what the producer queued, then the end of the response once it is done.
  // REQUIRES: out_active_ (this is the only writer).
  void Pump() {
    std::unique_lock lock(out_mu_);
    if (out_closed_) {
      out_active_ = false;
      return;
    }
    if (!pending_.empty()) {
      writing_.clear();
      writing_.swap(pending_);
      lock.unlock();
      out_cv_.notify_all();
      stream_.expires_after(server_.options().write_timeout);
      auto done = beast::bind_front_handler(&Session::OnPumped, shared_from_this());
      if (chunked_) {
        asio::async_write(stream_, bhttp::make_chunk(asio::buffer(writing_)), std::move(done));
      } else {
        asio::async_write(stream_, asio::buffer(writing_), std::move(done));
      }
      return;
    }
    if (producer_done_) {
      lock.unlock();
      if (!chunked_) return CloseStream();
      stream_.expires_after(server_.options().write_timeout);
      asio::async_write(
          stream_, bhttp::make_chunk_last(),
          [self = shared_from_this()](beast::error_code, size_t) { self->CloseStream(); });
      return;
    }
    out_active_ = false;
  }

  void OnPumped(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return CloseStream();
    Pump();
  }

  // Ends the stream (its producer stops) and closes the connection.
  void CloseStream() {
    {
      std::lock_guard lock(out_mu_);
      out_closed_ = true;
    }
    out_cv_.notify_all();
    if (body_) body_->Cancel();
    Close();
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  bool reading_ = false;  // a read of the next request is pending

  // Streaming. On the strand:
  std::shared_ptr<BodyStream> body_;
  bool chunked_ = false;
  std::optional<bhttp::response<bhttp::empty_body>> header_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> header_serializer_;
  std::string writing_;  // being written
  std::array<char, 256> discard_{};
  // Shared with the producer thread, guarded by out_mu_:
  std::mutex out_mu_;
  std::condition_variable out_cv_;  // out_closed_ or room in pending_
  std::string pending_;             // handed over, not yet being written
  bool out_closed_ = false;         // the connection is closing: the producer stops
  bool out_active_ = false;         // a Pump is posted, or a write is in flight
  bool producer_done_ = false;      // the body has ended
};

}  // namespace

Server::Impl::StreamStart Server::Impl::StartStream(const std::shared_ptr<Session>& session,
                                                    const std::shared_ptr<BodyStream>& body) {
  ReapStreams();
  std::lock_guard lock(streams_mu_);
  if (stopping_) return StreamStart::kStopping;
  if (streams_.size() >= static_cast<size_t>(std::max(0, options_.max_streams))) {
    return StreamStart::kTooMany;
  }
  const uint64_t id = next_stream_++;
  OpenStream& open = streams_[id];
  open.body = body;
  open.session = session;
  try {
    // The thread takes streams_mu_ in FinishStream, so it cannot finish before `open`
    // is complete.
    open.thread = std::thread([this, id, session = session, body = body]() mutable {
      while (true) {
        std::string piece;
        const bool more = body->Next(piece);
        if (!piece.empty() && !session->Push(piece)) break;
        if (!more) break;
      }
      session->ProducerDone();
      session.reset();
      body.reset();
      FinishStream(id);
    });
  } catch (const std::system_error& e) {
    std::cerr << "chollima serve: cannot start a stream thread: " << e.what() << "\n";
    streams_.erase(id);
    return StreamStart::kTooMany;
  }
  metrics_.AddOpenStreams(1);
  return StreamStart::kStarted;
}

void Server::Impl::FinishStream(uint64_t id) {
  OpenStream done;
  {
    std::lock_guard lock(streams_mu_);
    auto it = streams_.find(id);
    done = std::move(it->second);
    streams_.erase(it);
    finished_threads_.push_back(std::move(done.thread));
    metrics_.AddOpenStreams(-1);  // under the lock: never above open_streams()
  }
  streams_cv_.notify_all();
  // `done` releases the body and the session here, outside the lock.
}

void Server::Impl::ReapStreams() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(streams_mu_);
    threads.swap(finished_threads_);
  }
  for (std::thread& t : threads) t.join();
}

void Server::Impl::JoinStreams() {
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(streams_mu_);
    for (auto& [id, open] : streams_) {
      open.body->Cancel();
      open.session->AbortStream();
    }
    streams_cv_.wait(lock, [&] { return streams_.empty(); });
    threads.swap(finished_threads_);
  }
  for (std::thread& t : threads) t.join();
}

Result<uint16_t> Server::Impl::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) return InvalidArgument("'" + options_.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.address + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) {
    return IoError("cannot listen on " + where + ": " + ec.message());
  }
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return IoError("cannot listen on " + where + ": " + ec.message());
  }
  if (acceptor_.bind(endpoint, ec); ec) {
    return IoError("cannot listen on " + where + ": " + ec.message());
  }
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return IoError("cannot listen on " + where + ": " + ec.message());
  }
  signals_.async_wait([this](beast::error_code wait_ec, int /*signal*/) {
    if (!wait_ec) Stop();
  });
  Accept();
  return acceptor_.local_endpoint().port();
}

void Server::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&Server::Impl::OnAccept, this));
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_) return;  // the acceptor is closed; `socket` closes with this frame
  if (!ec) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), *this);
    {
      std::lock_guard lock(sessions_mu_);
      sessions_.emplace(session.get(), session);
    }
    session->Start();
  } else if (ec == asio::error::no_descriptors) {
    std::cerr << "chollima serve: accept: " << ec.message() << "\n";
  }
  Accept();
}

void Server::Impl::Stop() {
  if (stopping_.exchange(true)) return;
  asio::post(control_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->OnStop();
    {
      // StartStream refuses new streams from now on (stopping_ is set, and it checks
      // under this lock).
      std::lock_guard lock(streams_mu_);
      for (auto& [id, open] : streams_) open.body->Cancel();
    }
    Drain(Clock::now() + options_.drain_timeout);
  });
}

// Checks every few milliseconds until no session is left (the io_context then runs out
// of work and Run returns) or the deadline passes (then it stops the io_context).
void Server::Impl::Drain(Clock::time_point deadline) {
  {
    std::lock_guard lock(sessions_mu_);
    if (sessions_.empty()) return;
  }
  if (Clock::now() >= deadline) {
    std::cerr << "chollima serve: shutdown: responses still in flight after the drain timeout\n";
    ioc_.stop();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(10));
  drain_timer_.async_wait([this, deadline](beast::error_code) { Drain(deadline); });
}

void Server::Impl::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
  JoinStreams();
}

Server::Server(const Router& router, Metrics& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, std::move(options))) {}
Server::~Server() = default;
Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
size_t Server::open_streams() const { return impl_->open_streams(); }

}  // namespace chollima::http
