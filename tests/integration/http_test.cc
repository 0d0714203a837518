// End-to-end tests of `chollima serve`: the real binary on a store loaded from the
// sample files, spoken to over loopback with a raw-socket HTTP/1.1 client. Every wait
// has a deadline; the server listens on 127.0.0.1 port 0.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "cli_harness.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char* const kKinds[] = {"calendar",    "profiles",   "groups", "units",
                              "memberships", "indicators", "plans",  "reports"};

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

struct HttpResponse {
  int status = 0;
  std::string headers;  // the status line and header lines, lower-cased
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
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
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
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads more bytes into buffer_; false on end of stream, error or the deadline.
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
    r.headers = ToLower(buffer_.substr(0, end));
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

 private:
  static std::string ToLower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  int fd_ = -1;
  std::string buffer_;
};

std::string Get(const std::string& target, bool keep_alive = true) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
}

// Splits JSON text into its numbers and everything else, so two documents can be
// compared with a tolerance on the numbers and exactly on the rest.
void SplitNumbers(const std::string& json, std::string& skeleton, std::vector<double>& numbers) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      skeleton.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        skeleton.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      skeleton.push_back(c);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      char* end = nullptr;
      numbers.push_back(std::strtod(json.c_str() + i, &end));
      i = static_cast<size_t>(end - json.c_str()) - 1;
      skeleton.push_back('#');
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      skeleton.push_back(c);
    }
  }
}

class Serve : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const std::string src = CHOLLIMA_SOURCE_DIR;
    ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
    for (const char* kind : kKinds) {
      std::filesystem::copy_file(src + "/tests/integration/data/" + kind + ".csv",
                                 Path(std::string(kind) + ".csv"));
      RunResult r = Run({"import", "--db", "s.db", kind, std::string(kind) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    CliTest::TearDown();
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
      if (!freopen(err.c_str(), "w", stderr) || chdir(dir_.c_str()) != 0) _exit(127);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(bin_.c_str()));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(bin_.c_str(), argv.data());
      _exit(127);
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

  // Sends SIGTERM and returns the exit code, or -1 when it does not exit in time.
  int Terminate(milliseconds timeout = milliseconds(10'000)) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        close(out_fd_);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      usleep(10'000);
    }
    return -1;
  }

  std::optional<HttpResponse> Fetch(const std::string& target) {
    Connection c(port_);
    if (!c.ok() || !c.Send(Get(target, false))) return std::nullopt;
    return c.ReadResponse();
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
};

TEST_F(Serve, HealthzIsOk) {
  StartServer();
  auto r = Fetch("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->headers, HasSubstr("content-type: application/json"));
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}\n");
}

TEST_F(Serve, FulfilmentEqualsTheCliJson) {
  RunResult cli = Run({"fulfilment", "--db", "s.db", "--period", "2026-01", "--indicator", "coal",
                       "--as-of", "2026-01-03", "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026-01&indicator=coal&as_of=2026-01-03");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string head = R"({"period":"2026-01","as_of":"2026-01-03","rows":)";
  ASSERT_EQ(r->body.rfind(head, 0), 0u) << r->body;
  const std::string rows = r->body.substr(head.size(), r->body.rfind('}') - head.size());
  std::string http_skeleton, cli_skeleton;
  std::vector<double> http_numbers, cli_numbers;
  SplitNumbers(rows, http_skeleton, http_numbers);
  SplitNumbers(cli.out, cli_skeleton, cli_numbers);
  EXPECT_EQ(http_skeleton, cli_skeleton);
  ASSERT_EQ(http_numbers.size(), cli_numbers.size());
  ASSERT_FALSE(http_numbers.empty());
  for (size_t i = 0; i < http_numbers.size(); ++i) {
    EXPECT_NEAR(http_numbers[i], cli_numbers[i], 1e-9 * std::max(1.0, std::abs(cli_numbers[i])))
        << i;
  }
  EXPECT_THAT(r->body, HasSubstr(R"("actual":2000.5)"));
}

TEST_F(Serve, GroupedFulfilmentEqualsTheCliJsonToo) {
  RunResult cli = Run({"fulfilment", "--db", "s.db", "--period", "2026", "--by", "sector",
                       "--units", "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026&by=sector&units=true");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string trimmed = cli.out;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  EXPECT_THAT(r->body, HasSubstr(trimmed));
}

TEST_F(Serve, UnknownRouteIs404Json) {
  StartServer();
  auto r = Fetch("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_THAT(r->body, HasSubstr(R"({"error":{"code":"route_not_found","message":)"));
}

TEST_F(Serve, BadPeriodIs400NamingTheParameter) {
  StartServer();
  auto r = Fetch("/api/fulfilment?period=2026-13");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr(R"({"error":{"code":"invalid_argument","message":"period: )"));
  r = Fetch("/api/fulfilment?period=2026%2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = Fetch("/api/fulfilment?period=2026&indicator=nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  EXPECT_THAT(r->body, HasSubstr("indicator: unknown indicator 'nothing'"));
}

TEST_F(Serve, UnitsAndIndicatorsAreListed) {
  StartServer();
  auto r = Fetch("/api/units?offset=1&limit=1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr(R"("total":4,"offset":1,"limit":1,"units":[{"code":"M2")"));
  EXPECT_EQ(Fetch("/api/units?limit=0")->status, 400);
  r = Fetch("/api/indicators");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr(R"({"code":"coal","name":"Coal output","measure":"t")"));
}

TEST_F(Serve, MetricsCountRequests) {
  StartServer();
  ASSERT_TRUE(Fetch("/healthz"));
  auto r = Fetch("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(
      r->body,
      HasSubstr(R"(chollima_http_requests_total{route="/healthz",method="GET",status="200"} 1)"));
  EXPECT_THAT(r->body, HasSubstr("chollima_http_request_duration_seconds_bucket{"));
  EXPECT_THAT(r->body, HasSubstr("\nchollima_units 4\n"));
}

TEST_F(Serve, BodyOverTheLimitIs413) {
  StartServer({"--body-limit", "1000"});
  Connection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.Send("POST /api/units HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr(R"("code":"payload_too_large")"));
}

TEST_F(Serve, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Connection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send(Get("/healthz")));
  auto first = c.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(c.Send(Get("/api/indicators")));
  auto second = c.ReadResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST_F(Serve, IdleConnectionIsClosedAfterTheReadTimeout) {
  StartServer({"--read-timeout-ms", "300"});
  Connection idle(port_);
  ASSERT_TRUE(idle.ok());
  const auto start = Clock::now();
  EXPECT_TRUE(idle.ClosedBy(start + milliseconds(5'000)));
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  // A slow client that sends half a request is closed too, and others are still served.
  Connection slow(port_);
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHo"));
  EXPECT_TRUE(slow.ClosedBy(Clock::now() + milliseconds(5'000)));
  auto r = Fetch("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(Serve, SigtermExitsZeroEvenWithAnIdleConnection) {
  StartServer();
  Connection idle(port_);
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(idle.Send(Get("/healthz")));
  ASSERT_TRUE(idle.ReadResponse());  // now idle, kept alive
  EXPECT_EQ(Terminate(), 0);
  EXPECT_TRUE(idle.ClosedBy(Clock::now() + milliseconds(2'000)));
}

}  // namespace
}  // namespace chollima::testing
