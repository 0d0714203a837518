// The server on a real loopback socket: streamed responses (server-sent events from an
// EventBus), the stream cap, slow clients, and shutdown with streams open. Every wait is
// bounded.
#include "http/server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "http/events.h"

namespace chollima::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;  // the bound of every wait

EventBusOptions BusOptions(size_t capacity = 1000, std::chrono::milliseconds keep_alive = 60s) {
  return {.capacity = capacity, .keep_alive = keep_alive, .first_id = 100};
}

// A Server on 127.0.0.1 (a free port) running in a thread, with GET /healthz and
// GET /api/events over `bus` (and HEAD /api/events when `head`).
struct TestServer {
  explicit TestServer(ServerOptions options = {}, EventBusOptions bus_options = BusOptions(),
                      bool head = false)
      : bus(bus_options) {
    router.Add("GET", "/healthz", [](const Request&) { return JsonResponse(200, "{}"); });
    router.Add("GET", "/api/events", [this](const Request& r) { return EventsResponse(bus, r); });
    if (head) {
      router.Add("HEAD", "/api/events",
                 [this](const Request& r) { return EventsResponse(bus, r); });
    }
    options.address = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<Server>(router, metrics, options);
    port = server->Listen().value();
    run = std::async(std::launch::async, [this] { server->Run(); });
  }
  ~TestServer() {
    if (!StopAndWait()) {
      std::fprintf(stderr, "Server::Run did not return after Stop\n");
      std::abort();  // rather than hang in the future's destructor
    }
  }
  // Stops the server; true when Run returned within the bound.
  bool StopAndWait() {
    server->Stop();
    return !run.valid() || run.wait_for(kWait) == std::future_status::ready;
  }
  // Waits until `n` streams are open.
  bool WaitForStreams(size_t n) const {
    const auto deadline = Clock::now() + kWait;
    while (server->open_streams() != n) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  EventBus bus;
  Router router;
  Metrics metrics;
  std::unique_ptr<Server> server;
  uint16_t port = 0;
  std::future<void> run;
};

// A blocking loopback client that reads with poll() under a deadline.
class Client {
 public:
  // `receive_buffer` > 0 shrinks the socket's receive buffer (a slow client fills it).
  explicit Client(uint16_t port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    EXPECT_TRUE(connected_);
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void Send(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      text.remove_prefix(static_cast<size_t>(n));
    }
  }
  void Get(std::string_view target, std::string_view headers = "",
           std::string_view version = "HTTP/1.1") {
    Send("GET " + std::string(target) + " " + std::string(version) + "\r\nHost: test\r\n" +
         std::string(headers) + "\r\n");
  }

  // Reads until `done()` holds, the server closes, or the bound passes; returns done().
  bool ReadUntil(const std::function<bool()>& done, std::chrono::milliseconds bound = kWait) {
    const auto deadline = Clock::now() + bound;
    while (!done()) {
      if (closed_) return false;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[16384];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
      } else {
        raw_.append(buffer, static_cast<size_t>(n));
      }
    }
    return true;
  }
  bool ReadHeaders() {
    return ReadUntil([&] { return raw_.find("\r\n\r\n") != std::string::npos; });
  }
  bool ReadUntilBodyHas(std::string_view needle) {
    return ReadUntil([&] { return Body().find(needle) != std::string::npos; });
  }
  bool ReadUntilClosed() {
    return ReadUntil([&] { return closed_; });
  }
  // Reads until the raw response has `needle` (cheap for long streams: each byte is
  // searched about once).
  bool ReadUntilRawHas(std::string_view needle, std::chrono::milliseconds bound) {
    size_t from = 0;
    return ReadUntil(
        [&] {
          if (raw_.find(needle, from) != std::string::npos) return true;
          from = raw_.size() > needle.size() ? raw_.size() - needle.size() : 0;
          return false;
        },
        bound);
  }

  int Status() const {
    int status = 0;
    std::sscanf(raw_.c_str(), "HTTP/1.%*d %d", &status);
    return status;
  }
  std::string Headers() const { return raw_.substr(0, raw_.find("\r\n\r\n") + 4); }
  // The body so far: de-chunked when the response is chunked (complete chunks only).
  std::string Body() const {
    const size_t start = raw_.find("\r\n\r\n");
    if (start == std::string::npos) return "";
    const std::string_view rest = std::string_view(raw_).substr(start + 4);
    if (Headers().find("Transfer-Encoding: chunked") == std::string::npos) {
      return std::string(rest);
    }
    std::string body;
    size_t at = 0;
    while (true) {
      const size_t line_end = rest.find("\r\n", at);
      if (line_end == std::string_view::npos) break;
      const size_t size = std::stoul(std::string(rest.substr(at, line_end - at)), nullptr, 16);
      if (line_end + 2 + size + 2 > rest.size()) break;
      body += rest.substr(line_end + 2, size);
      at = line_end + 2 + size + 2;
      if (size == 0) break;
    }
    return body;
  }
  // True when the chunked body has its last (empty) chunk.
  bool Ended() const {
    return raw_.size() >= 5 && raw_.compare(raw_.size() - 5, 5, "0\r\n\r\n") == 0;
  }
  bool closed() const { return closed_; }
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string raw_;
};

std::string Event(int64_t id, std::string_view data, std::string_view type = "status") {
  return FormatEvent(id, type, data);
}

// Opens GET /api/events (with `headers`) and waits for the response's headers.
std::unique_ptr<Client> OpenStream(const TestServer& s, std::string_view headers = "",
                                   std::string_view target = "/api/events") {
  auto c = std::make_unique<Client>(s.port);
  c->Get(target, headers);
  EXPECT_TRUE(c->ReadHeaders());
  EXPECT_EQ(c->Status(), 200) << c->Headers();
  return c;
}

TEST(ServerStream, SendsHeadersThenEachEventWithItsId) {
  TestServer s;
  auto c = OpenStream(s);
  const std::string headers = c->Headers();
  EXPECT_THAT(headers, HasSubstr("Content-Type: text/event-stream; charset=utf-8\r\n"));
  EXPECT_THAT(headers, HasSubstr("Cache-Control: no-cache\r\n"));
  EXPECT_THAT(headers, HasSubstr("X-Accel-Buffering: no\r\n"));
  EXPECT_THAT(headers, HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_EQ(s.bus.Publish("status", R"({"unit":"U1"})"), 100);
  ASSERT_TRUE(c->ReadUntilBodyHas("\n\n"));
  EXPECT_EQ(c->Body(), Event(100, R"({"unit":"U1"})"));
  s.bus.Publish("record", R"({"unit":"U2"})");
  ASSERT_TRUE(c->ReadUntilBodyHas("id: 101\n"));
  ASSERT_TRUE(c->ReadUntilBodyHas("}\n\n"));
  EXPECT_EQ(c->Body(), Event(100, R"({"unit":"U1"})") + Event(101, R"({"unit":"U2"})", "record"));
}

TEST(ServerStream, MetricsCountTheStreamWhenItStarts) {
  TestServer s;
  auto c = OpenStream(s);
  const std::string text = s.metrics.Render();
  EXPECT_THAT(text, HasSubstr(R"(chollima_http_requests_total{route="/api/events",method="GET",)"
                              R"(status="200"} 1)"));
  EXPECT_THAT(text, HasSubstr("chollima_http_open_streams 1\n"));
}

TEST(ServerStream, ReconnectWithLastEventIdGetsExactlyTheMissedEvents) {
  TestServer s;
  for (int k = 0; k < 5; ++k) s.bus.Publish("status", std::to_string(k));  // 100..104
  auto c = OpenStream(s, "Last-Event-ID: 101\r\n");
  ASSERT_TRUE(c->ReadUntilBodyHas("id: 104\n"));
  ASSERT_TRUE(c->ReadUntilBodyHas("data: 4\n\n"));
  EXPECT_EQ(c->Body(), Event(102, "2") + Event(103, "3") + Event(104, "4"));
  s.bus.Publish("status", "5");
  ASSERT_TRUE(c->ReadUntilBodyHas("data: 5\n\n"));
  EXPECT_EQ(c->Body(), Event(102, "2") + Event(103, "3") + Event(104, "4") + Event(105, "5"));
}

TEST(ServerStream, LastEventIdAsAQueryParameter) {
  TestServer s;
  for (int k = 0; k < 3; ++k) s.bus.Publish("status", std::to_string(k));
  auto c = OpenStream(s, "", "/api/events?last_event_id=101");
  ASSERT_TRUE(c->ReadUntilBodyHas("data: 2\n\n"));
  EXPECT_EQ(c->Body(), Event(102, "2"));
}

TEST(ServerStream, GapEventWhenTheLastIdIsNoLongerBuffered) {
  TestServer s({}, BusOptions(/*capacity=*/3));
  for (int k = 0; k < 10; ++k) s.bus.Publish("status", std::to_string(k));  // 100..109
  auto c = OpenStream(s, "Last-Event-ID: 100\r\n");
  ASSERT_TRUE(c->ReadUntilBodyHas("data: 9\n\n"));
  EXPECT_EQ(c->Body(), "event: gap\ndata: {\"missed_from\":101}\n\n" + Event(107, "7") +
                           Event(108, "8") + Event(109, "9"));
}

TEST(ServerStream, KeepAliveCommentWhileIdle) {
  TestServer s({}, BusOptions(1000, 30ms));
  auto c = OpenStream(s);
  ASSERT_TRUE(c->ReadUntilBodyHas(": keep-alive\n\n"));
}

TEST(ServerStream, BadLastEventIdIsA400JsonError) {
  TestServer s;
  Client c(s.port);
  c.Get("/api/events", "Last-Event-ID: yesterday\r\n");
  ASSERT_TRUE(c.ReadUntilBodyHas("}"));
  EXPECT_EQ(c.Status(), 400);
  EXPECT_THAT(c.Headers(), HasSubstr("Content-Type: application/json"));
  EXPECT_THAT(c.Body(), HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_EQ(s.server->open_streams(), 0u);
}

TEST(ServerStream, Http10ClientGetsThePlainBodyUntilClose) {
  TestServer s;
  Client c(s.port);
  c.Get("/api/events", "", "HTTP/1.0");
  ASSERT_TRUE(c.ReadHeaders());
  EXPECT_EQ(c.Status(), 200);
  EXPECT_THAT(c.Headers(), Not(HasSubstr("chunked")));
  s.bus.Publish("status", "0");
  ASSERT_TRUE(c.ReadUntilBodyHas("data: 0\n\n"));
  EXPECT_EQ(c.Body(), Event(100, "0"));
  ASSERT_TRUE(s.StopAndWait());
  EXPECT_TRUE(c.ReadUntilClosed());
}

TEST(ServerStream, ClientGoingAwayEndsItsStream) {
  TestServer s;
  auto c = OpenStream(s);
  ASSERT_TRUE(s.WaitForStreams(1));
  c->Close();
  EXPECT_TRUE(s.WaitForStreams(0));
  EXPECT_THAT(s.metrics.Render(), HasSubstr("chollima_http_open_streams 0\n"));
}

TEST(ServerStream, StopEndsOpenStreamsAndRunReturns) {
  // Keep-alive 60 s: without Stop cancelling them the streams would wait a minute.
  auto s = std::make_unique<TestServer>();
  std::vector<std::unique_ptr<Client>> clients;
  for (int k = 0; k < 3; ++k) clients.push_back(OpenStream(*s));
  ASSERT_TRUE(s->WaitForStreams(3));
  s->bus.Publish("status", "last");
  for (auto& c : clients) ASSERT_TRUE(c->ReadUntilBodyHas("data: last\n\n"));
  ASSERT_TRUE(s->StopAndWait());  // bounded by kWait
  EXPECT_EQ(s->server->open_streams(), 0u);
  for (auto& c : clients) {
    EXPECT_TRUE(c->ReadUntilClosed());
    EXPECT_TRUE(c->Ended()) << "the last chunk ends the response";
    EXPECT_EQ(c->Body(), Event(100, "last"));
  }
}

TEST(ServerStream, MoreThanMaxStreamsAre503UntilOneCloses) {
  TestServer s({.max_streams = 2});
  auto a = OpenStream(s);
  auto b = OpenStream(s);
  ASSERT_TRUE(s.WaitForStreams(2));
  {
    Client c(s.port);
    c.Get("/api/events");
    ASSERT_TRUE(c.ReadUntilBodyHas("}"));
    EXPECT_EQ(c.Status(), 503);
    EXPECT_THAT(c.Headers(), HasSubstr("Retry-After: 5\r\n"));
    EXPECT_THAT(c.Body(), HasSubstr(R"("code":"too_many_streams")"));
  }
  EXPECT_THAT(s.metrics.Render(),
              HasSubstr(R"(chollima_http_requests_total{route="/api/events",method="GET",)"
                        R"(status="503"} 1)"));
  a->Close();
  ASSERT_TRUE(s.WaitForStreams(1));
  auto d = OpenStream(s);
  s.bus.Publish("status", "0");
  ASSERT_TRUE(d->ReadUntilBodyHas("data: 0\n\n"));
  ASSERT_TRUE(b->ReadUntilBodyHas("data: 0\n\n"));
}

TEST(ServerStream, PlainRequestsAreAnsweredWhileStreamsAreOpen) {
  TestServer s({.threads = 2});
  std::vector<std::unique_ptr<Client>> streams;
  for (int k = 0; k < 16; ++k) streams.push_back(OpenStream(s));
  ASSERT_TRUE(s.WaitForStreams(16));
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 10; ++k) {
        Client c(s.port);
        c.Get("/healthz");
        if (c.ReadUntilBodyHas("{}") && c.Status() == 200) ++answered;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), 80);
  s.bus.Publish("status", "0");
  for (auto& c : streams) ASSERT_TRUE(c->ReadUntilBodyHas("data: 0\n\n"));
}

TEST(ServerStream, ClientThatStopsReadingIsDroppedWithoutHoldingUpOthers) {
  TestServer s({.write_timeout = 1000ms, .stream_buffer = 4096}, BusOptions(10'000));
  Client stuck(s.port, /*receive_buffer=*/4096);
  stuck.Get("/api/events");
  ASSERT_TRUE(stuck.ReadHeaders());  // then never reads again
  auto reader = OpenStream(s);
  ASSERT_TRUE(s.WaitForStreams(2));
  // 12 MB in batches, far more than the stuck client's socket buffers hold; the reader
  // takes each batch before the next comes (so it is never far behind: a reader many
  // megabytes behind can see TCP stall on a closed window).
  const std::string data = "\"" + std::string(8000, 'x') + "\"";
  constexpr int kBatches = 30;
  constexpr int kBatch = 50;
  for (int batch = 0; batch < kBatches; ++batch) {
    int64_t last = 0;
    for (int k = 0; k < kBatch; ++k) last = s.bus.Publish("status", data);
    ASSERT_TRUE(reader->ReadUntilRawHas("id: " + std::to_string(last) + "\n", kWait)) << batch;
  }
  EXPECT_THAT(reader->Body(), Not(HasSubstr("event: gap")));
  // The stuck client's writes time out: it is dropped and its stream ends.
  EXPECT_TRUE(s.WaitForStreams(1));
}

TEST(ServerStream, HeadGetsTheHeadersOnly) {
  TestServer s({}, BusOptions(), /*head=*/true);
  Client c(s.port);
  c.Send("HEAD /api/events HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(c.ReadHeaders());
  EXPECT_EQ(c.Status(), 200);
  EXPECT_THAT(c.Headers(), HasSubstr("Content-Length: 0\r\n"));
  EXPECT_EQ(s.server->open_streams(), 0u);
  EXPECT_TRUE(c.ReadUntilClosed());
}

}  // namespace
}  // namespace chollima::http
