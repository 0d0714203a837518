#include "cli/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/progress.h"
#include "demo/demo.h"
#include "demo/emulation.h"
#include "engine/assignments.h"
#include "io/export.h"
#include "io/import.h"
#include "service/emulation_view.h"
#include "service/service.h"

namespace chollima::cli {
namespace {

const service::SystemClock kClock;

}  // namespace

int StoreFailure(const Error& e) {
  std::cerr << "chollima: " << e.message << "\n";
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kInvalidArgument ? kExitUsage
                                                                                 : kExitStore;
}

std::unique_ptr<service::Service> OpenStore(const std::string& db, store::OpenMode mode,
                                            int& exit_code) {
  auto svc = service::Service::Open(db, mode, kClock);
  if (!svc.ok()) {
    exit_code = StoreFailure(svc.error());
    return nullptr;
  }
  return std::move(*svc);
}

namespace {

std::string DefaultAuthor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// ------------------------------------------------------------------ init

void AddInit(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("init", "Create an empty store (SQLite, WAL) or upgrade one");
  auto db = std::make_shared<std::string>();
  cmd->add_option("--db", *db, "Store file to create")->required();
  cmd->callback([db, &exit_code] {
    auto svc = OpenStore(*db, store::OpenMode::kCreate, exit_code);
    if (!svc) return;
    std::cout << *db << ": store ready (schema version " << svc->store().schema_version() << ")\n";
  });
}

// ------------------------------------------------------------------ import

void PrintImportSummary(const std::string& file, const io::ImportResult& r, bool dry_run,
                        bool json) {
  if (json) {
    std::cout << "{\"file\":\"" << file << "\",\"rows\":" << r.rows
              << ",\"imported\":" << r.imported << ",\"updated\":" << r.updated
              << ",\"ignored\":" << r.ignored << ",\"errors\":" << r.errors.size()
              << ",\"dry_run\":" << (dry_run ? "true" : "false") << "}\n";
    return;
  }
  std::cout << file << ": " << r.rows << " rows: " << r.imported << " imported, " << r.updated
            << " updated, " << r.ignored << " ignored"
            << (dry_run ? " (dry run: nothing written)" : "") << "\n";
}

void AddImport(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("import", "Import a CSV file of one kind, all or nothing");
  cmd->footer(
      "Kinds and their columns:\n"
      "  groups       hierarchy,code,name,parent\n"
      "  units        code,name[,<hierarchy>...][,<numeric attribute>...]\n"
      "  memberships  unit,hierarchy,group,from\n"
      "  indicators   code,name,measure,direction,aggregation,role,numerator,denominator"
      "[,grain]\n"
      "  plans        target,indicator,period,value[,method]\n"
      "  reports      unit,indicator,date,value[,key]\n"
      "  calendar     date,kind\n"
      "  profiles     profile,month,weight\n"
      "Errors name file, line, column and field; on any error nothing is written (exit 1).\n"
      "Exit codes: 0 imported, 1 rejected, 2 bad arguments or no store, 3 store failure.");
  struct Opts {
    std::string db, kind, file, author = DefaultAuthor(), format = "text";
    bool dry_run = false;
    size_t max_errors = 50;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("kind", o->kind, "What the file holds (see above)")->required();
  cmd->add_option("file", o->file, "CSV file (UTF-8, comma-separated, header line first)")
      ->required();
  cmd->add_flag("--dry-run", o->dry_run, "Validate and count, write nothing");
  cmd->add_option("--author", o->author, "Who is importing (kept with every revision)")
      ->capture_default_str();
  cmd->add_option("--max-errors", o->max_errors, "Stop listing errors after this many")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "Summary format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    auto kind = io::ParseImportKind(o->kind);
    if (!kind.ok()) {
      std::cerr << "chollima import: " << kind.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    ProgressBar bar("importing " + o->file);
    service::ImportRequest request{
        .author = o->author,
        .dry_run = o->dry_run,
        .max_errors = o->max_errors,
        .progress = [&bar](size_t done, size_t total) { bar.Update(done, total); }};
    auto result = svc->ImportFile(*kind, o->file, request);
    bar.Done();
    if (!result.ok()) {
      exit_code = StoreFailure(result.error());
      return;
    }
    if (!result->errors.empty()) {
      for (const io::ImportError& e : result->errors) std::cerr << e.message << "\n";
      if (result->errors_truncated) {
        std::cerr << "(more errors not shown; raise --max-errors to see them)\n";
      }
      std::cerr << o->file << ": rejected: " << result->errors.size()
                << (result->errors_truncated ? "+" : "") << " error(s); nothing was written\n";
      exit_code = kExitBadInput;
      return;
    }
    PrintImportSummary(o->file, *result, o->dry_run, o->format == "json");
  });
}

// ------------------------------------------------------------------ export

void AddExport(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "export", "Write one kind back out (reports: current values), in the import format");
  struct Opts {
    std::string db, kind, format = "csv", output;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("kind", o->kind,
                  "groups, units, memberships, indicators, plans, reports, calendar, profiles")
      ->required();
  cmd->add_option("--format", o->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", o->output, "File to write (default: standard output)");
  cmd->callback([o, &exit_code] {
    auto kind = io::ParseImportKind(o->kind);
    if (!kind.ok()) {
      std::cerr << "chollima export: " << kind.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const auto format = o->format == "json" ? io::TableFormat::kJson : io::TableFormat::kCsv;
    Status s;
    if (o->output.empty()) {
      s = io::Export(*kind, svc->state(), format, std::cout);
    } else {
      // Write next to the target and rename, so a failed export leaves no half file.
      const std::string tmp = o->output + ".tmp";
      {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        if (!file) {
          std::cerr << "chollima export: cannot write " << tmp << "\n";
          exit_code = kExitStore;
          return;
        }
        s = io::Export(*kind, svc->state(), format, file);
      }
      if (s.ok() && std::rename(tmp.c_str(), o->output.c_str()) != 0) {
        s = IoError("cannot rename " + tmp + " to " + o->output);
      }
      if (!s.ok()) std::remove(tmp.c_str());
    }
    if (!s.ok()) exit_code = StoreFailure(s.error());
  });
}

// ------------------------------------------------------------------ history

void AddHistory(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("history",
                                 "Every revision of one report, oldest first, with who and when");
  struct Opts {
    std::string db, unit, indicator, date, format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--unit", o->unit, "Unit code")->required();
  cmd->add_option("--indicator", o->indicator, "Indicator code")->required();
  cmd->add_option("--date", o->date, "Date (YYYY-MM-DD)")->required();
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    auto unit = s.FindUnit(o->unit);
    auto indicator = s.FindIndicator(o->indicator);
    auto date = ParseDate(o->date);
    if (!unit || !indicator || !date.ok()) {
      std::cerr << "chollima history: "
                << (!unit        ? "unknown unit '" + o->unit + "'"
                    : !indicator ? "unknown indicator '" + o->indicator + "'"
                                 : date.error().message)
                << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto revisions = svc->store().ReportHistory(*unit, *indicator, *date);
    if (!revisions.ok()) {
      exit_code = StoreFailure(revisions.error());
      return;
    }
    const auto format = o->format == "json"  ? io::TableFormat::kJson
                        : o->format == "csv" ? io::TableFormat::kCsv
                                             : io::TableFormat::kTable;
    io::TableWriter w(std::cout, format,
                      {"revision", "value", "author", "recorded_at", "source", "batch"});
    int64_t n = 0;
    for (const store::Revision& r : *revisions) {
      w.Row({io::Cell::Number(static_cast<double>(++n)), io::Cell::Number(r.value),
             io::Cell::Text(r.batch.author), io::Cell::Text(r.batch.recorded_at),
             io::Cell::Text(r.batch.source), io::Cell::Text(r.batch.kind)});
    }
    w.Finish();
  });
}

// ------------------------------------------------------------------ demo

void AddDemo(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo", "Generate the demo economy into a new store");
  cmd->footer(
      "About 10 provinces and 200 counties, nine sectors, units with capacities, a year of "
      "daily reports (seasonality, trend, noise, outages), annual and monthly plans, group "
      "plans, two emulation drives (coal miners with leagues, provinces) with three seasons "
      "finalized, and standards of output per worker. Deterministic for a given seed.");
  struct Opts {
    std::string db;
    demo::DemoOptions options;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file to create (must not exist)")->required();
  cmd->add_option("--units", o->options.units, "Number of units")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--seed", o->options.seed, "Random seed")->capture_default_str();
  cmd->add_option("--year", o->options.year, "Year of plans and reports")
      ->check(CLI::Range(kMinYear, kMaxYear - 5))
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    if (FileExists(o->db)) {
      std::cerr << "chollima demo: " << o->db << " exists; remove it or choose another file\n";
      exit_code = kExitUsage;
      return;
    }
    // Build into a temporary file and rename at the end, so an interrupted run leaves
    // no half-made store behind.
    const std::string tmp = o->db + ".building";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((tmp + suffix).c_str());
    auto fail = [&](const Error& e) {
      exit_code = StoreFailure(e);
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((tmp + suffix).c_str());
    };
    {
      auto opened = service::Service::Open(tmp, store::OpenMode::kCreate, kClock);
      if (!opened.ok()) return fail(opened.error());
      std::unique_ptr<service::Service>& svc = *opened;
      const demo::DemoEconomy economy = demo::GenerateDemo(o->options);
      if (Status s = svc->Commit(service::StructureChanges(economy.structure), "demo structure",
                                 "demo", "demo");
          !s.ok()) {
        return fail(s.error());
      }
      ProgressBar bar("generating reports");
      const auto total = static_cast<size_t>(economy.ReportCount());
      size_t done = 0;
      Changes batch;
      Status status;
      auto flush = [&] {
        if (!status.ok() || batch.reports.empty()) return;
        status = svc->Commit(batch, "demo reports", "demo", "demo");
        batch.reports.clear();
      };
      economy.ForEachReportChunk([&](std::span<const Report> chunk) {
        batch.reports.insert(batch.reports.end(), chunk.begin(), chunk.end());
        done += chunk.size();
        bar.Update(done, total);
        if (batch.reports.size() >= (1u << 21)) flush();
      });
      flush();
      bar.Done();
      if (!status.ok()) return fail(status.error());
      // Emulation: the drives, standards from the data, and the first three seasons of
      // the coal drive finalized (their honours are history; the fourth is left open).
      if (Status s = svc->Commit(demo::DemoDrives(economy), "demo drives", "demo", "demo");
          !s.ok()) {
        return fail(s.error());
      }
      if (Status s = svc->Commit(demo::DemoStandards(economy, svc->state()), "demo standards",
                                 "demo", "demo");
          !s.ok()) {
        return fail(s.error());
      }
      if (Status s = svc->Commit(demo::DemoLearning(economy, svc->state()), "demo learning", "demo",
                                 "demo");
          !s.ok()) {
        return fail(s.error());
      }
      if (auto coal = svc->state().FindDrive("coal-" + std::to_string(o->options.year))) {
        const engine::AssignmentBook book(svc->state());
        for (int32_t season = 0; season < 3; ++season) {
          auto results = service::FinalizeSeasonChanges(svc->state(), book, *coal, season);
          if (!results.ok()) return fail(results.error());
          if (Status s = svc->Commit(*results, "finalize season", "demo", "demo"); !s.ok()) {
            return fail(s.error());
          }
        }
      }
      const engine::State& s = svc->state();
      std::cout << o->db << ": demo economy of " << s.units().size() << " units, "
                << s.groups().size() << " groups, " << s.indicators().size() << " indicators, "
                << s.plans().size() << " plans, " << done << " reports for " << o->options.year
                << ", " << s.drives().size() << " drives, " << s.standards().size() << " standards"
                << " (seed " << o->options.seed << ")\n";
    }
    if (std::rename(tmp.c_str(), o->db.c_str()) != 0) {
      fail(IoError("cannot rename " + tmp + " to " + o->db));
    }
  });
}

}  // namespace

// Defined in fulfilment_command.cc, serve_command.cc and account_commands.cc.
void AddFulfilment(CLI::App& app, int& exit_code);
void AddServe(CLI::App& app, int& exit_code);
void AddUser(CLI::App& app, int& exit_code);
void AddAudit(CLI::App& app, int& exit_code);
// Defined in emulation_commands.cc.
void AddDrive(CLI::App& app, int& exit_code);
void AddStandards(CLI::App& app, int& exit_code);
void AddOutliers(CLI::App& app, int& exit_code);
void AddRecordsCommand(CLI::App& app, int& exit_code);
void AddLearningCommands(CLI::App& app, int& exit_code);

void RegisterCommands(CLI::App& app, int& exit_code) {
  AddInit(app, exit_code);
  AddImport(app, exit_code);
  AddExport(app, exit_code);
  AddHistory(app, exit_code);
  AddDemo(app, exit_code);
  AddFulfilment(app, exit_code);
  AddServe(app, exit_code);
  AddUser(app, exit_code);
  AddAudit(app, exit_code);
  AddDrive(app, exit_code);
  AddStandards(app, exit_code);
  AddOutliers(app, exit_code);
  AddRecordsCommand(app, exit_code);
  AddLearningCommands(app, exit_code);
}

}  // namespace chollima::cli
