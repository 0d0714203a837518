// Runs the real chollima binary (path from $CHOLLIMA_BIN) in a fresh temporary
// directory and captures its exit code, standard output and standard error.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace chollima::testing {

// The sample files in tests/integration/data, in the order a whole economy loads.
inline constexpr const char* kKinds[] = {"calendar",    "profiles",   "groups", "units",
                                         "memberships", "indicators", "plans",  "reports"};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("CHOLLIMA_BIN");
    bin_ = bin != nullptr ? bin : CHOLLIMA_DEFAULT_BIN;
    char pattern[] = "/tmp/chollima-cli-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void Write(const std::string& name, const std::string& text) const {
    std::ofstream f(Path(name), std::ios::binary);
    f << text;
  }
  std::string Read(const std::string& name) const {
    std::ifstream f(Path(name), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  // Runs chollima with `args` (each one argument, no shell quoting needed).
  RunResult Run(const std::vector<std::string>& args) const { return RunWithInput(args, ""); }

  // `chollima init` of db, then each {kind, CSV text} written to KIND.csv and imported,
  // in order; a failure fails the test (check HasFatalFailure() after).
  template <typename Files>
  void InitAndImport(const std::string& db, const Files& files) const {
    ASSERT_EQ(Run({"init", "--db", db}).exit_code, 0);
    for (const auto& [kind, text] : files) {
      const std::string file = std::string(kind) + ".csv";
      Write(file, std::string(text));
      RunResult r = Run({"import", "--db", db, std::string(kind), file});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
  }

  // The same, with `input` on its standard input.
  RunResult RunWithInput(const std::vector<std::string>& args, const std::string& input) const {
    Write(".stdin", input);
    const std::string in = Path(".stdin");
    const std::string out = Path(".stdout");
    const std::string err = Path(".stderr");
    const pid_t pid = fork();
    if (pid == 0) {
      if (!freopen(in.c_str(), "r", stdin) || !freopen(out.c_str(), "w", stdout) ||
          !freopen(err.c_str(), "w", stderr)) {
        _exit(127);
      }
      ExecInDir(args);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    RunResult r;
    r.exit_code = ExitCode(status);
    r.out = Read(".stdout");
    r.err = Read(".stderr");
    return r;
  }

  // In a forked child: runs chollima with `args` in the test's directory; never returns.
  [[noreturn]] void ExecInDir(const std::vector<std::string>& args) const {
    if (chdir(dir_.c_str()) != 0) _exit(127);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin_.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin_.c_str(), argv.data());
    _exit(127);
  }

  // A waitpid status as an exit code: 128 + the signal when a signal ended the process.
  static int ExitCode(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string bin_;
  std::string dir_;
};

}  // namespace chollima::testing
