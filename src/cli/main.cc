// chollima: the command-line entry point. See `chollima --help`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "chollima: an emulation engine for organizations of many similar units.\n"
      "Plans, reports and plan fulfilment over an embedded SQLite store."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chollima 0.1.0");
  int exit_code = chollima::cli::kExitOk;
  chollima::cli::RegisterCommands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : chollima::cli::kExitUsage;
  }
  return exit_code;
}
