// The chollima command line: one function per subcommand. Each returns the process
// exit code (see kExit*), prints results to `out` and problems to `err`.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>

namespace chollima::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // the input was rejected; nothing was written
inline constexpr int kExitUsage = 2;     // wrong command-line arguments
inline constexpr int kExitStore = 3;     // the store or the file system failed

// Registers every subcommand on `app`; the chosen one runs from its callback and
// leaves its exit code in `exit_code`.
void RegisterCommands(CLI::App& app, int& exit_code);

}  // namespace chollima::cli
