// The chollima command line: one function per subcommand. Each returns the process
// exit code (see kExit*), prints results to `out` and problems to `err`.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "io/json_writer.h"
#include "io/table_writer.h"
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

// Shared by the subcommands (emulation_commands.cc).
// The author of a write: $USER, or "cli".
std::string Author();
// "growth_base: ..." -> "--growth-base: ...": errors name the option as the user typed it.
std::string AsOption(const std::string& message);
io::TableFormat FormatOf(const std::string& format);
// --format table|csv|json.
void AddFormat(CLI::App* cmd, std::string& format);
Error WithPrefix(std::string_view field, const Error& e);
// Input the user can fix: prints it, returns exit 1 (nothing written).
int Rejected(const std::string& command, const Error& e);
// A store failure (exit 3) or, for other errors, rejected input (exit 1).
int CommitFailure(const std::string& command, const Error& e);
// Prints a JSON document built by `write` (the API's shapes) and a newline.
template <typename Fn>
void PrintJson(Fn&& write) {
  io::JsonWriter w;
  write(w);
  std::cout << w.str() << "\n";
}

// Registers every subcommand on `app`; the chosen one runs from its callback and
// leaves its exit code in `exit_code`.
void RegisterCommands(CLI::App& app, int& exit_code);

}  // namespace chollima::cli
