// Runs the real `chollima serve` on 127.0.0.1 port 0 against a SQLite file of the test's
// temporary directory, and speaks to it with a raw-socket HTTP/1.1 client whose every
// wait has a deadline. Accounts are added with `chollima user add` and called with their
// API tokens.
//
//   class MyTest : public ServeTest { ... };   // CliTest's Run/Write/Path, plus:
//   AddUser("pete", "planner", {"--scope", "region/P1"});
//   StartServer();
//   auto r = Call("POST", "/api/models", body, "pete");   // nullopt: no answer in time
//   EventStream events(port_, tokens_["pete"]);           // GET /api/events
//   ASSERT_TRUE(events.Open());                           // subscribed from here on
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli_harness.h"

namespace chollima::testing {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

struct HttpResponse {
  int status = 0;
  std::string headers;      // the status line and header lines, lower-cased
  std::string raw_headers;  // as sent
  std::string body;
};

// A blocking client socket to 127.0.0.1 whose reads wait at most until a deadline.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }

  bool Send(const std::string& data) {
    size_t sent = 0;
    while (fd_ >= 0 && sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }

  // Reads more bytes into buffer(); false on end of stream, error or the deadline.
  bool Fill(Clock::time_point deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, RemainingMs(deadline)) <= 0) return false;
    char chunk[16384];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // One response (Content-Length framed), or nullopt at end of stream or the deadline.
  std::optional<HttpResponse> ReadResponse(milliseconds timeout = milliseconds(10'000)) {
    const auto deadline = Clock::now() + timeout;
    size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    HttpResponse r;
    r.raw_headers = buffer_.substr(0, end);
    r.headers = r.raw_headers;
    for (char& c : r.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.status = std::atoi(r.headers.c_str() + r.headers.find(' ') + 1);
    const size_t cl = r.headers.find("content-length:");
    const size_t length =
        cl == std::string::npos ? 0 : static_cast<size_t>(std::atol(r.headers.c_str() + cl + 15));
    while (buffer_.size() < end + 4 + length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return r;
  }

  // Appends whatever arrives (raw) to `out`; false on end of stream or the deadline.
  bool FillInto(std::string& out, Clock::time_point deadline) {
    if (!Fill(deadline)) return false;
    out += buffer_;
    buffer_.clear();
    return true;
  }

  // True when the server closes the connection before the deadline.
  bool ClosedBy(Clock::time_point deadline) {
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, RemainingMs(deadline)) <= 0) return false;
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return true;
    }
    return false;
  }

  std::string& buffer() { return buffer_; }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// A GET request line and Host header, kept alive unless `keep_alive` is false.
inline std::string Get(const std::string& target, bool keep_alive = true) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
}

// One server-sent event: its id, type and data (the `data:` line).
struct SseEvent {
  std::string id;
  std::string type;
  std::string data;
};

// GET /api/events with a token; reads whole events (blank-line terminated), skipping
// comments. Asks in HTTP/1.0, so the stream comes without chunked framing.
class EventStream {
 public:
  EventStream(int port, const std::string& token) : c_(port) {
    c_.Send("GET /api/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
            "\r\n\r\n");
  }

  // True once the response head (status 200, text/event-stream) has arrived: the
  // subscription is registered.
  bool Open(milliseconds timeout = milliseconds(10'000)) {
    const auto deadline = Clock::now() + timeout;
    while (c_.buffer().find("\r\n\r\n") == std::string::npos) {
      if (!c_.Fill(deadline)) return false;
    }
    const size_t end = c_.buffer().find("\r\n\r\n");
    const std::string head = c_.buffer().substr(0, end);
    c_.buffer().erase(0, end + 4);
    return head.rfind("HTTP/1.0 200", 0) == 0 &&
           head.find("text/event-stream") != std::string::npos;
  }

  // The next event, or nullopt when none comes before the deadline.
  std::optional<SseEvent> Next(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      std::string& b = c_.buffer();
      const size_t end = b.find("\n\n");
      if (end != std::string::npos) {
        const std::string block = b.substr(0, end);
        b.erase(0, end + 2);
        SseEvent e;
        size_t at = 0;
        while (at < block.size()) {
          size_t nl = block.find('\n', at);
          if (nl == std::string::npos) nl = block.size();
          const std::string line = block.substr(at, nl - at);
          at = nl + 1;
          if (line.rfind("id: ", 0) == 0) e.id = line.substr(4);
          if (line.rfind("event: ", 0) == 0) e.type = line.substr(7);
          if (line.rfind("data: ", 0) == 0) e.data = line.substr(6);
        }
        if (!e.type.empty() || !e.data.empty()) return e;
        continue;  // a comment (": keep-alive")
      }
      if (!c_.Fill(deadline)) return std::nullopt;
    }
  }

  // Every event that arrives within `quiet` of the previous one (or of the call).
  std::vector<SseEvent> Drain(milliseconds quiet) {
    std::vector<SseEvent> out;
    while (auto e = Next(quiet)) out.push_back(std::move(*e));
    return out;
  }

  // Appends the raw stream (after the head, once Open() has read it) to `out`: what is
  // buffered, else what arrives next; false on end of stream or the deadline.
  bool FillInto(std::string& out, Clock::time_point deadline) {
    if (!c_.buffer().empty()) {
      out += c_.buffer();
      c_.buffer().clear();
      return true;
    }
    return c_.FillInto(out, deadline);
  }

 private:
  Connection c_;
};

class ServeTest : public CliTest {
 protected:
  // Stops the server with SIGTERM: it must exit 0 within 10 s (so a sanitizer build
  // reports leaks and errors there), else it is killed.
  void TearDown() override {
    if (pid_ > 0) {
      const int code = Terminate();
      if (code < 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        ADD_FAILURE() << "the server did not stop on SIGTERM";
      } else {
        EXPECT_EQ(code, 0) << "the server's exit code (128 + signal when killed); stderr: "
                           << Read(".serve-stderr");
      }
    }
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    CliTest::TearDown();
  }

  // Sends SIGTERM and returns the exit code (128 + the signal when a signal ended it),
  // or -1 when it does not exit in time (it is then still running).
  int Terminate(milliseconds timeout = milliseconds(10'000)) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (out_fd_ >= 0) close(out_fd_);
        out_fd_ = -1;
        return ExitCode(status);
      }
      usleep(10'000);
    }
    return -1;
  }

  // `chollima user add` (with `extra` flags) and an API token for it, kept in tokens_;
  // its generated password is kept in passwords_.
  void AddUser(const std::string& name, const std::string& role,
               const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"user", "add", "--db", "s.db", name, "--role", role};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult added = Run(args);
    ASSERT_EQ(added.exit_code, 0) << name << ": " << added.err;
    const size_t at = added.out.find("): ");
    ASSERT_NE(at, std::string::npos) << added.out;
    passwords_[name] = added.out.substr(at + 3, added.out.find('\n', at) - at - 3);
    RunResult token = Run({"user", "token", "--db", "s.db", name});
    ASSERT_EQ(token.exit_code, 0) << token.err;
    tokens_[name] = token.out.substr(0, token.out.find('\n'));
  }

  // Starts `chollima serve` and reads the port from its first line of output.
  void StartServer(const std::vector<std::string>& extra = {}) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    std::vector<std::string> args = {"serve", "--db", "s.db", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string err = Path(".serve-stderr");
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      if (!freopen(err.c_str(), "w", stderr)) _exit(127);
      ExecInDir(args);
    }
    close(out[1]);
    out_fd_ = out[0];
    const auto deadline = Clock::now() + milliseconds(20'000);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      pollfd p{out_fd_, POLLIN, 0};
      ASSERT_GT(poll(&p, 1, RemainingMs(deadline)), 0)
          << "no output; stderr: " << Read(".serve-stderr");
      char chunk[256];
      const ssize_t n = read(out_fd_, chunk, sizeof chunk);
      ASSERT_GT(n, 0) << "server exited; stderr: " << Read(".serve-stderr");
      line.append(chunk, static_cast<size_t>(n));
    }
    const std::string prefix = "listening on http://127.0.0.1:";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    port_ = std::atoi(line.c_str() + prefix.size());
    ASSERT_GT(port_, 0) << line;
  }

  // Any request as `who` (an account's API token; "" for none), with `headers` (lines
  // with their CRLF); nullopt when no answer comes within 10 s.
  std::optional<HttpResponse> Call(const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& who,
                                   const std::string& headers = "") {
    Connection c(port_);
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers;
    if (!who.empty()) request += "Authorization: Bearer " + tokens_.at(who) + "\r\n";
    if (method != "GET") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    if (!c.ok() || !c.Send(request)) return std::nullopt;
    return c.ReadResponse();
  }
  std::optional<HttpResponse> Fetch(const std::string& target, const std::string& who) {
    return Call("GET", target, "", who);
  }

  // The newest audit entry (as `admin`): every committed write adds one.
  std::string LastAudit(const std::string& admin) {
    auto r = Fetch("/api/audit?limit=1", admin);
    if (!r || r->status != 200) return "audit unavailable";
    return r->body.substr(0, r->body.find(','));
  }

  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> passwords_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
};

}  // namespace chollima::testing
