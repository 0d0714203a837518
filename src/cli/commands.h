// The chollima command line: one function per subcommand. Each returns the process
// exit code (see kExit*), prints results to `out` and problems to `err`.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <memory>
#include <string>

#include "service/service.h"

namespace chollima::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // the input was rejected; nothing was written
inline constexpr int kExitUsage = 2;     // wrong command-line arguments
inline constexpr int kExitStore = 3;     // the store or the file system failed

// Opens the store at `db`; on failure prints why, sets `exit_code` and returns null.
std::unique_ptr<service::Service> OpenStore(const std::string& db, store::OpenMode mode,
                                            int& exit_code);
// Prints a store or file error and returns the exit code it maps to.
int StoreFailure(const Error& e);

// Registers every subcommand on `app`; the chosen one runs from its callback and
// leaves its exit code in `exit_code`.
void RegisterCommands(CLI::App& app, int& exit_code);

}  // namespace chollima::cli
