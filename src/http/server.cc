#include "http/server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <iostream>
#include <mutex>
#include <optional>
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

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Drain(Clock::time_point deadline);

  const Router& router_;
  Metrics& metrics_;
  const ServerOptions options_;
  asio::io_context ioc_;
  // The acceptor, the signals and the drain timer live on this strand.
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer drain_timer_;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mu_;
  // Live sessions, to close the idle ones at shutdown. Guarded by sessions_mu_.
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

namespace {

// One connection: read a request, answer it, repeat while kept alive. Every handler
// runs on the connection's strand (the socket's executor), so no locking is needed.
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
  // response closes after it.
  void OnStop() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) self->stream_.cancel();
    });
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

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  bool reading_ = false;  // a read of the next request is pending
};

}  // namespace

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
}

Server::Server(const Router& router, Metrics& metrics, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, std::move(options))) {}
Server::~Server() = default;
Result<uint16_t> Server::Listen() { return impl_->Listen(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace chollima::http
