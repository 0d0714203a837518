// `chollima drive`, `chollima standards`, `chollima outliers` and `chollima records`:
// emulation drives with their standings and results, standards with their history,
// outlier reviews and the records book. With --format json a command prints the HTTP
// API's answer for the same query (service/emulation_view.h), so scripts see one shape.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "engine/assignments.h"
#include "engine/drive.h"
#include "engine/records.h"
#include "engine/standards.h"
#include "io/emulation_input.h"
#include "io/table_writer.h"
#include "service/emulation_view.h"
#include "service/service.h"

namespace chollima::cli {

std::string Author() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

std::string AsOption(const std::string& message) {
  const size_t colon = message.find(':');
  if (colon == std::string::npos || message.starts_with("line ")) return message;
  std::string name = message.substr(0, colon);
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return message;
  }
  for (char& c : name) c = c == '_' ? '-' : c;
  return "--" + name + message.substr(colon);
}

io::TableFormat FormatOf(const std::string& f) {
  return f == "json"  ? io::TableFormat::kJson
         : f == "csv" ? io::TableFormat::kCsv
                      : io::TableFormat::kTable;
}

void AddFormat(CLI::App* cmd, std::string& format) {
  cmd->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
}

Error WithPrefix(std::string_view field, const Error& e) {
  return {e.code, std::string(field) + ": " + e.message};
}

int Rejected(const std::string& command, const Error& e) {
  std::cerr << "chollima " << command << ": " << AsOption(e.message) << "\n";
  return kExitBadInput;
}

int CommitFailure(const std::string& command, const Error& e) {
  if (e.code == ErrorCode::kIo || e.code == ErrorCode::kInternal) return StoreFailure(e);
  return Rejected(command, e);
}

namespace {

// Errors of a season index name --season (the kernels' say "season: ..." already).
Error SeasonError(const Error& e) {
  return e.message.starts_with("season") ? e : WithPrefix("season", e);
}

std::string ParticipantCode(const engine::State& s, const PlanTarget& p) {
  if (p.is_group) return io::FormatGroupRef(s, p.id);
  if (p.id < 0 || static_cast<size_t>(p.id) >= s.units().size()) return "#" + std::to_string(p.id);
  return s.units()[static_cast<size_t>(p.id)].code;
}

std::string ParticipantName(const engine::State& s, const PlanTarget& p) {
  if (p.is_group) {
    if (p.id < 0 || static_cast<size_t>(p.id) >= s.groups().size()) return "";
    return s.groups()[static_cast<size_t>(p.id)].name;
  }
  if (p.id < 0 || static_cast<size_t>(p.id) >= s.units().size()) return "";
  return s.units()[static_cast<size_t>(p.id)].name;
}

// The drive named by --drive, or exit 2 with a message.
std::optional<DriveId> FindDriveOption(const engine::State& s, const std::string& command,
                                       const std::string& code, int& exit_code) {
  auto id = s.FindDrive(code);
  if (!id) {
    std::cerr << "chollima " << command << ": --drive: unknown drive '" << code
              << "' (see chollima drive list)\n";
    exit_code = kExitUsage;
  }
  return id;
}

std::string SeasonText(const engine::Season& s) {
  return FormatDate(s.begin) + " .. " + FormatDate(s.end - 1);
}

// ------------------------------------------------------------------ drive create

struct CreateOptions {
  std::string db, author = Author();
  io::DriveFields fields;
  bool dry_run = false;
};

int RunCreate(const CreateOptions& o) {
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  auto drive = io::MakeDrive(svc->state(), o.fields);
  if (!drive.ok()) {
    Rejected("drive create", drive.error());
    std::cerr << "chollima drive create: nothing was written\n";
    return kExitBadInput;
  }
  const size_t seasons = engine::SeasonsOf(*drive).size();
  if (!o.dry_run) {
    Changes changes;
    changes.new_drives = {*drive};
    if (Status s = svc->Commit(changes, "create drive", drive->code, o.author); !s.ok()) {
      return CommitFailure("drive create", s.error());
    }
  }
  std::cout << drive->code << ": drive " << (o.dry_run ? "is valid" : "created") << ", "
            << FormatDate(drive->start) << " .. " << FormatDate(drive->end - 1) << ", " << seasons
            << (seasons == 1 ? " season" : " seasons") << ", rule "
            << io::FormatRule(svc->state(), drive->terms)
            << (o.dry_run ? " (dry run: nothing written)" : "") << "\n";
  return kExitOk;
}

void AddDriveCreate(CLI::App& drive, int& exit_code) {
  auto* cmd = drive.add_subcommand("create", "Create a drive (validated; the code must be new)");
  cmd->footer(
      "Rule: terms separated by ',', each indicator:normalization[:capacity][@weight] with\n"
      "  normalization percent_of_plan, growth, per_capacity (needs the capacity, an input\n"
      "  indicator) or zscore; weight > 0, default 1. Example:\n"
      "  coal_output:percent_of_plan@0.6,coal_output:per_capacity:workers@0.4\n"
      "Participants: units | units within HIERARCHY/GROUP | groups HIERARCHY[:LEVEL]\n"
      "  [within HIERARCHY/GROUP].\n"
      "Leagues: HIERARCHY[:LEVEL] (one peer group per group at that level), with\n"
      "  --size-bands ATTRIBUTE:B1,B2,... (tier 1 holds attribute >= the last bound).\n"
      "--end is the last day of the drive (inclusive).\n"
      "Exit codes: 0 created, 1 rejected (nothing written), 2 bad arguments or no store,\n"
      "3 store failure.");
  auto o = std::make_shared<CreateOptions>();
  io::DriveFields& f = o->fields;
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--code", f.code, "Drive code (unique)")->required();
  cmd->add_option("--name", f.name, "Drive name")->required();
  cmd->add_option("--start", f.start, "First day (YYYY-MM-DD)")->required();
  cmd->add_option("--end", f.end, "Last day, inclusive (YYYY-MM-DD)")->required();
  cmd->add_option("--season", f.season, "Seasons of month, quarter, half or year (default: one)");
  cmd->add_option("--participants", f.participants, "Who takes part (default: units)");
  cmd->add_option("--rule", f.rule, "Scoring rule (see below)")->required();
  cmd->add_option("--leagues", f.leagues, "Peer groups: HIERARCHY[:LEVEL] (default: one)");
  cmd->add_option("--size-bands", f.size_bands, "Size tiers: ATTRIBUTE:B1,B2,...");
  cmd->add_option("--promote", f.promote, "Top k of each tier move up between seasons")
      ->capture_default_str();
  cmd->add_option("--relegate", f.relegate, "Bottom k of each tier move down between seasons")
      ->capture_default_str();
  cmd->add_option("--growth-base", f.growth_base, "previous_year (default) or previous_season");
  cmd->add_option("--streak", f.streak, "Streaks of day (default) or month at plan");
  cmd->add_option("--author", o->author, "Who creates it (kept in the audit log)")
      ->capture_default_str();
  cmd->add_flag("--dry-run", o->dry_run, "Validate and show, write nothing");
  cmd->callback([o, &exit_code] { exit_code = RunCreate(*o); });
}

// ------------------------------------------------------------------ drive list

void AddDriveList(CLI::App& drive, int& exit_code) {
  auto* cmd = drive.add_subcommand("list", "The drives with their rules, leagues and windows");
  struct Opts {
    std::string db, format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    if (o->format == "json") {
      const Date today = s.LastReportedDay().value_or(Date());
      PrintJson([&](io::JsonWriter& j) {
        j.BeginObject();
        j.Key("drives");
        j.BeginArray();
        for (DriveId id = 0; id < static_cast<DriveId>(s.drives().size()); ++id) {
          service::WriteDriveJson(j, s, id, s.drives()[static_cast<size_t>(id)], today);
        }
        j.EndArray();
        j.EndObject();
      });
      return;
    }
    io::TableWriter w(std::cout, FormatOf(o->format),
                      {"code", "name", "start", "end", "season", "seasons", "participants", "rule",
                       "leagues", "size_bands", "promote", "relegate", "growth_base", "streak"});
    for (const Drive& d : s.drives()) {
      w.Row({io::Cell::Text(d.code), io::Cell::Text(d.name), io::Cell::Text(FormatDate(d.start)),
             io::Cell::Text(FormatDate(d.end - 1)),
             d.season_grain ? io::Cell::Text(GrainName(*d.season_grain)) : io::Cell::Empty(),
             io::Cell::Number(static_cast<double>(engine::SeasonsOf(d).size())),
             io::Cell::Text(io::FormatParticipants(s, d.participants)),
             io::Cell::Text(io::FormatRule(s, d.terms)),
             io::Cell::Text(io::FormatLeagues(s, d.leagues)),
             io::Cell::Text(io::FormatSizeBands(d.leagues)), io::Cell::Number(d.leagues.promote),
             io::Cell::Number(d.leagues.relegate), io::Cell::Text(GrowthBaseName(d.growth_base)),
             io::Cell::Text(GrainName(d.streak_grain))});
    }
    w.Finish();
  });
}

// ------------------------------------------------------------------ drive standings

struct StandingsOptions {
  std::string db, drive, as_of, level, within, format = "table";
  int league = -1;
  size_t limit = 0;
};

int RunStandings(const StandingsOptions& o) {
  const std::string command = "drive standings";
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  const engine::State& s = svc->state();
  auto id = FindDriveOption(s, command, o.drive, exit_code);
  if (!id) return exit_code;
  const Drive& drive = s.drives()[static_cast<size_t>(*id)];
  engine::StandingsQuery q;
  if (o.as_of.empty()) {
    q.as_of = s.LastReportedDay().value_or(drive.start);
  } else {
    auto d = ParseDate(o.as_of);
    if (!d.ok()) return Rejected(command, WithPrefix("as_of", d.error()));
    q.as_of = *d;
  }
  if (!o.level.empty()) {
    auto level = io::ParseGroupLevel(s, o.level);
    if (!level.ok()) return Rejected(command, WithPrefix("level", level.error()));
    q.level = *level;
  }
  if (!o.within.empty()) {
    auto g = io::ParseGroupRef(s, o.within);
    if (!g.ok()) return Rejected(command, WithPrefix("within", g.error()));
    q.within = *g;
  }
  if (o.league >= 0) q.league = o.league;
  const engine::AssignmentBook book(s);
  auto table = engine::ComputeStandings(s, book, *id, drive, s.drive_results(), q);
  if (!table.ok()) return Rejected(command, table.error());
  if (o.format == "json") {
    PrintJson([&](io::JsonWriter& j) {
      service::WriteStandingsJson(
          j, s, drive, *table, q.level,
          {.offset = 0, .limit = o.limit > 0 ? o.limit : table->rows.size()});
    });
    return kExitOk;
  }
  const bool text = o.format == "table";
  if (text) {
    std::cout << drive.name << " (" << drive.code << "), season " << table->season.index << " ("
              << SeasonText(table->season) << "), as of " << FormatDate(table->as_of)
              << (q.level ? ", groups at " + o.level : "") << "\n\n";
  }
  std::vector<std::string> columns = {"league", "rank",  "overall_rank", "participant",
                                      "name",   "score", "change_day",   "change_start",
                                      "streak", "zone",  "unscored"};
  for (const ScoreTerm& t : drive.terms) {
    columns.push_back(s.indicators()[static_cast<size_t>(t.indicator)].code + ":" +
                      NormalizationName(t.normalization));
  }
  io::TableWriter w(std::cout, FormatOf(o.format), columns);
  size_t rows = 0;
  for (const engine::StandingRow& r : table->rows) {
    if (o.limit > 0 && rows >= o.limit) break;
    ++rows;
    const auto league = static_cast<size_t>(r.league);
    const double score = text && r.scored ? std::round(r.score * 100) / 100 : r.score;
    std::vector<io::Cell> cells = {
        io::Cell::Text(league < table->leagues.size() ? table->leagues[league].name : ""),
        r.rank > 0 ? io::Cell::Number(r.rank) : io::Cell::Empty(),
        r.overall_rank > 0 ? io::Cell::Number(r.overall_rank) : io::Cell::Empty(),
        io::Cell::Text(ParticipantCode(s, r.participant)),
        io::Cell::Text(ParticipantName(s, r.participant)),
        r.scored ? io::Cell::Number(score) : io::Cell::Empty(),
        io::Cell::Number(r.rank_change_day),
        io::Cell::Number(r.rank_change_start),
        io::Cell::Number(r.streak),
        io::Cell::Text(r.in_promotion_zone    ? "promotion"
                       : r.in_relegation_zone ? "relegation"
                                              : ""),
        io::Cell::Text(r.unscored_reason)};
    for (const engine::ScorePart& p : r.parts) {
      cells.push_back(io::Cell::Number(text && std::isfinite(p.normalized)
                                           ? std::round(p.normalized * 100) / 100
                                           : p.normalized));
    }
    w.Row(cells);
  }
  w.Finish();
  if (text && o.limit > 0 && table->rows.size() > o.limit) {
    std::cout << "\n(" << table->rows.size() - o.limit << " more rows; raise --limit)\n";
  }
  return kExitOk;
}

void AddDriveStandings(CLI::App& drive, int& exit_code) {
  auto* cmd = drive.add_subcommand("standings", "A drive's live standings: rank, score, parts");
  cmd->footer(
      "Rows by league, then rank (unscored last, with the reason). change_day and\n"
      "change_start: places gained since the day before and since the season's start.\n"
      "streak: consecutive days (or months) at or above plan. zone: promotion or relegation\n"
      "by the current ranks. One column per term: its normalized value.\n"
      "Exit codes: 0 shown, 1 bad --as-of, --level or --within, 2 bad arguments, unknown\n"
      "drive or no store, 3 store failure.");
  auto o = std::make_shared<StandingsOptions>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--drive", o->drive, "Drive code")->required();
  cmd->add_option("--as-of", o->as_of, "Standings as of this day (default: the last reported)");
  cmd->add_option("--level", o->level,
                  "Standings of the groups at HIERARCHY[:LEVEL] (e.g. region:1 for provinces)");
  cmd->add_option("--league", o->league, "Only this league (its index, 0 = first)");
  cmd->add_option("--within", o->within, "Only participants within HIERARCHY/GROUP");
  cmd->add_option("--limit", o->limit, "At most this many rows (0: all)")->capture_default_str();
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] { exit_code = RunStandings(*o); });
}

// ------------------------------------------------------------------ drive results

struct ResultsOptions {
  std::string db, drive, author = Author(), format = "table";
  int season = 0;
  bool finalize = false;
};

int RunResults(const ResultsOptions& o) {
  const std::string command = "drive results";
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  auto id = FindDriveOption(svc->state(), command, o.drive, exit_code);
  if (!id) return exit_code;
  std::vector<DriveResult> results;
  bool finalized = svc->state().IsSeasonFinalized(*id, o.season);
  if (o.finalize) {
    auto r = svc->FinalizeSeason(*id, o.season, o.author);
    if (!r.ok()) return CommitFailure(command, SeasonError(r.error()));
    results = std::move(*r);
    finalized = true;
  } else if (finalized) {
    results = svc->StoredResults(*id, o.season);
  } else {
    const engine::State& s = svc->state();
    const engine::AssignmentBook book(s);
    auto r = engine::SeasonResults(s, book, *id, s.drives()[static_cast<size_t>(*id)],
                                   s.drive_results(), o.season);
    if (!r.ok()) return Rejected(command, SeasonError(r.error()));
    results = std::move(*r);
  }
  const engine::State& s = svc->state();
  const Drive& drive = s.drives()[static_cast<size_t>(*id)];
  const auto seasons = engine::SeasonsOf(drive);
  if (o.format == "json" && o.season >= 0 && static_cast<size_t>(o.season) < seasons.size()) {
    PrintJson([&](io::JsonWriter& j) {
      service::WriteResultsJson(j, s, drive, seasons[static_cast<size_t>(o.season)], finalized,
                                results);
    });
    return kExitOk;
  }
  const bool text = o.format == "table";
  if (text) {
    std::cout << drive.name << " (" << drive.code << "), season " << o.season;
    if (o.season >= 0 && static_cast<size_t>(o.season) < seasons.size()) {
      std::cout << " (" << SeasonText(seasons[static_cast<size_t>(o.season)]) << ")";
    }
    std::cout << ": "
              << (o.finalize  ? "finalized now"
                  : finalized ? "finalized"
                              : "not finalized (as of today; --finalize keeps them)")
              << "\n\n";
  }
  io::TableWriter w(
      std::cout, FormatOf(o.format),
      {"participant", "name", "league", "tier", "rank", "overall", "score", "title", "finalized"});
  for (const DriveResult& r : results) {
    w.Row({io::Cell::Text(ParticipantCode(s, r.participant)),
           io::Cell::Text(ParticipantName(s, r.participant)), io::Cell::Text(r.league),
           io::Cell::Number(r.tier), io::Cell::Number(r.rank), io::Cell::Number(r.overall),
           io::Cell::Number(text ? std::round(r.score * 100) / 100 : r.score),
           io::Cell::Text(r.title), io::Cell::Text(finalized ? "yes" : "no")});
  }
  w.Finish();
  return kExitOk;
}

void AddDriveResults(CLI::App& drive, int& exit_code) {
  auto* cmd =
      drive.add_subcommand("results", "A season's results with honours; --finalize keeps them");
  cmd->footer(
      "Without --finalize: the stored results of a finalized season, else the results as of\n"
      "the season's last day (or the last reported day when earlier), not stored.\n"
      "--finalize stores them once as history (titles: winner, league_winner, promoted,\n"
      "relegated); finalizing a season again is refused (exit 1).\n"
      "Exit codes: 0 shown, 1 refused or bad season, 2 bad arguments, unknown drive or no\n"
      "store, 3 store failure.");
  auto o = std::make_shared<ResultsOptions>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--drive", o->drive, "Drive code")->required();
  cmd->add_option("--season", o->season, "Season index (0 = first)")->required();
  cmd->add_flag("--finalize", o->finalize, "Store the results as the season's final ones");
  cmd->add_option("--author", o->author, "Who finalizes (kept in the audit log)")
      ->capture_default_str();
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] { exit_code = RunResults(*o); });
}

// ------------------------------------------------------------------ standards

void AddStandardsSet(CLI::App& standards, int& exit_code) {
  auto* cmd = standards.add_subcommand("set", "Set a standard by hand (a new revision)");
  cmd->footer(
      "A revision is in force from --from until the next revision of the same indicator\n"
      "and peer group; revisions are kept as history (chollima standards list).\n"
      "Exit codes: 0 set, 1 rejected (nothing written), 2 bad arguments or no store,\n"
      "3 store failure.");
  struct Opts {
    std::string db, author = Author();
    io::StandardFields fields;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--indicator", o->fields.indicator, "Indicator code")->required();
  cmd->add_option("--peer-group", o->fields.peer_group,
                  "HIERARCHY/GROUP, e.g. sector/coal (default: all units)");
  cmd->add_option("--from", o->fields.from, "First day in force (YYYY-MM-DD)")->required();
  cmd->add_option("--value", o->fields.value, "The norm")->required();
  cmd->add_option("--note", o->fields.note, "Why");
  cmd->add_option("--author", o->author, "Who sets it (kept in the audit log)")
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    auto standard = io::MakeStandard(svc->state(), o->fields);
    if (!standard.ok()) {
      exit_code = Rejected("standards set", standard.error());
      std::cerr << "chollima standards set: nothing was written\n";
      return;
    }
    Changes changes;
    changes.standards = {*standard};
    if (Status s = svc->Commit(changes, "set standard", o->fields.indicator, o->author); !s.ok()) {
      exit_code = CommitFailure("standards set", s.error());
      return;
    }
    std::cout << o->fields.indicator << " ("
              << (o->fields.peer_group.empty() ? "all units" : o->fields.peer_group)
              << "): standard " << FormatNumber(standard->value) << " from "
              << FormatDate(standard->from) << "\n";
  });
}

void AddStandardsList(CLI::App& standards, int& exit_code) {
  auto* cmd = standards.add_subcommand("list", "Every stored standard revision, with its span");
  cmd->footer(
      "One row per revision, by indicator, peer group and first day; 'until' is the last day\n"
      "before the next revision of the same indicator and peer group (empty: still in force).");
  struct Opts {
    std::string db, indicator, format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--indicator", o->indicator, "Only this indicator");
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    std::optional<IndicatorId> only;
    if (!o->indicator.empty()) {
      only = s.FindIndicator(o->indicator);
      if (!only) {
        std::cerr << "chollima standards list: --indicator: unknown indicator '" << o->indicator
                  << "'\n";
        exit_code = kExitUsage;
        return;
      }
    }
    io::TableWriter w(std::cout, FormatOf(o->format),
                      {"indicator", "peer_group", "from", "until", "value", "source", "note"});
    const auto& all = s.standards();  // ordered by indicator, peer group, from
    for (size_t i = 0; i < all.size(); ++i) {
      const Standard& x = all[i];
      if (only && x.indicator != *only) continue;
      const bool last = i + 1 == all.size() || all[i + 1].indicator != x.indicator ||
                        all[i + 1].peer_group != x.peer_group;
      w.Row({io::Cell::Text(s.indicators()[static_cast<size_t>(x.indicator)].code),
             io::Cell::Text(x.peer_group == kNoId ? "all" : io::FormatGroupRef(s, x.peer_group)),
             io::Cell::Text(FormatDate(x.from)),
             last ? io::Cell::Empty() : io::Cell::Text(FormatDate(all[i + 1].from - 1)),
             io::Cell::Number(x.value), io::Cell::Text(StandardSourceName(x.source)),
             io::Cell::Text(x.note)});
    }
    w.Finish();
  });
}

// ------------------------------------------------------------------ outliers

void AddOutliersReview(CLI::App& outliers, int& exit_code) {
  auto* cmd = outliers.add_subcommand("review", "Confirm or reject a report flagged as an outlier");
  cmd->footer(
      "A confirmed value may set records; a rejected one never does (the value stays as\n"
      "reported). The review holds for the value reported now: a later correction is judged\n"
      "afresh. The latest review of a report wins.\n"
      "Exit codes: 0 stored, 1 rejected (nothing written), 2 bad arguments or no store,\n"
      "3 store failure.");
  struct Opts {
    std::string db, author = Author();
    io::ReviewFields fields;
    bool confirm = false, reject = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--unit", o->fields.unit, "Unit code")->required();
  cmd->add_option("--indicator", o->fields.indicator, "Indicator code")->required();
  cmd->add_option("--date", o->fields.date, "The report's date (YYYY-MM-DD)")->required();
  auto* confirm = cmd->add_flag("--confirm", o->confirm, "The value is real: it may set records");
  auto* reject = cmd->add_flag("--reject", o->reject, "The value is wrong: it sets no record");
  confirm->excludes(reject);
  cmd->add_option("--note", o->fields.note, "Why");
  cmd->add_option("--author", o->author, "Who reviews (kept with the review)")
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    if (o->confirm == o->reject) {
      std::cerr << "chollima outliers review: give --confirm or --reject\n";
      exit_code = kExitUsage;
      return;
    }
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    io::ReviewFields f = o->fields;
    f.confirmed = o->confirm;
    f.reviewer = o->author;
    auto review = io::MakeOutlierReview(svc->state(), f);
    if (!review.ok()) {
      exit_code = Rejected("outliers review", review.error());
      std::cerr << "chollima outliers review: nothing was written\n";
      return;
    }
    Changes changes;
    changes.outlier_reviews = {*review};
    if (Status s = svc->Commit(changes, "review outlier", f.unit, o->author); !s.ok()) {
      exit_code = CommitFailure("outliers review", s.error());
      return;
    }
    std::cout << f.unit << " " << f.indicator << " " << f.date << " = "
              << FormatNumber(review->value) << ": " << (f.confirmed ? "confirmed" : "rejected")
              << "\n";
  });
}

// The as-of day of --as-of, else the last reported day; nullopt (exit code set) when
// neither is there or the date is bad.
std::optional<Date> AsOfOption(const engine::State& s, const std::string& command,
                               const std::string& text, int& exit_code) {
  if (!text.empty()) {
    auto d = ParseDate(text);
    if (!d.ok()) {
      exit_code = Rejected(command, WithPrefix("as_of", d.error()));
      return std::nullopt;
    }
    return *d;
  }
  if (auto last = s.LastReportedDay()) return *last;
  std::cerr << "chollima " << command << ": the store has no reports yet; give --as-of\n";
  exit_code = kExitUsage;
  return std::nullopt;
}

std::optional<Grain> SeasonGrainOption(const std::string& command, const std::string& text,
                                       int& exit_code) {
  auto g = ParseGrain(text);
  if (!g.ok() || *g < Grain::kMonth || *g > Grain::kYear) {
    std::cerr << "chollima " << command << ": --season: '" << text
              << "' is not a season grain (month, quarter, half, year)\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  return *g;
}

std::optional<IndicatorId> IndicatorOption(const engine::State& s, const std::string& command,
                                           const std::string& code, int& exit_code) {
  auto id = s.FindIndicator(code);
  if (!id) {
    std::cerr << "chollima " << command << ": --indicator: unknown indicator '" << code << "'\n";
    exit_code = kExitUsage;
  }
  return id;
}

// The peer group of --peer-group ("" = all units: kNoId); nullopt (exit code set) when bad.
std::optional<GroupId> PeerGroupOption(const engine::State& s, const std::string& command,
                                       const std::string& text, int& exit_code) {
  if (text.empty()) return kNoId;
  auto g = io::ParseGroupRef(s, text);
  if (!g.ok()) {
    std::cerr << "chollima " << command << ": --peer-group: " << g.error().message << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  return *g;
}

// ------------------------------------------------------------------ records

std::string RecordTarget(const engine::State& s, const engine::RecordKey& k) {
  switch (k.scope) {
    case engine::RecordScope::kUnit:
      return ParticipantCode(s, {false, k.scope_id});
    case engine::RecordScope::kGroup:
      return io::FormatGroupRef(s, k.scope_id);
    case engine::RecordScope::kAll:
      break;
  }
  return "";
}

void AddRecords(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("records", "The records book: best day, month and year");
  cmd->footer(
      "One row per record: indicator, grain, scope (unit, group or all) and its target, the\n"
      "holder (a unit), the period and value, and the record it broke (previous). Months\n"
      "and years count when complete, or running for higher-is-better sums. Equal values:\n"
      "the earlier period holds the record. A flagged outlier sets no record until it is\n"
      "confirmed (chollima outliers review). Derived ratios have no records.\n"
      "Exit codes: 0 shown, 2 bad arguments or no store, 3 store failure.");
  struct Opts {
    std::string db, indicator, grain, scope, target, format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--indicator", o->indicator, "Only this indicator");
  cmd->add_option("--grain", o->grain, "day, month or year")
      ->check(CLI::IsMember({"day", "month", "year"}));
  cmd->add_option("--scope", o->scope, "unit, group or all")
      ->check(CLI::IsMember({"unit", "group", "all"}));
  cmd->add_option("--target", o->target, "Only the records of this unit or HIERARCHY/GROUP");
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    const std::string command = "records";
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    engine::RecordFilter filter;
    if (!o->indicator.empty()) {
      filter.indicator = IndicatorOption(s, command, o->indicator, exit_code);
      if (!filter.indicator) return;
    }
    if (!o->grain.empty()) filter.grain = *ParseGrain(o->grain);
    if (!o->scope.empty()) {
      filter.scope = o->scope == "unit"    ? engine::RecordScope::kUnit
                     : o->scope == "group" ? engine::RecordScope::kGroup
                                           : engine::RecordScope::kAll;
    }
    if (!o->target.empty()) {
      const bool group = o->target.find('/') != std::string::npos;
      const engine::RecordScope scope =
          group ? engine::RecordScope::kGroup : engine::RecordScope::kUnit;
      if (filter.scope && *filter.scope != scope) {
        std::cerr << "chollima records: --target " << o->target << " is a "
                  << (group ? "group" : "unit") << ", not of --scope " << o->scope << "\n";
        exit_code = kExitUsage;
        return;
      }
      filter.scope = scope;
      if (group) {
        auto g = io::ParseGroupRef(s, o->target);
        if (!g.ok()) {
          std::cerr << "chollima records: --target: " << g.error().message << "\n";
          exit_code = kExitUsage;
          return;
        }
        filter.scope_id = *g;
      } else {
        auto u = s.FindUnit(o->target);
        if (!u) {
          std::cerr << "chollima records: --target: unknown unit '" << o->target << "'\n";
          exit_code = kExitUsage;
          return;
        }
        filter.scope_id = *u;
      }
    }
    const engine::RecordBook book(s, s.outlier_reviews());
    const std::vector<engine::RecordEntry> records = book.Records(filter);
    if (o->format == "json") {
      PrintJson([&](io::JsonWriter& j) { service::WriteRecordsJson(j, s, records); });
      return;
    }
    io::TableWriter w(std::cout, FormatOf(o->format),
                      {"indicator", "grain", "scope", "target", "holder", "period", "value",
                       "previous_holder", "previous_period", "previous_value"});
    for (const engine::RecordEntry& e : records) {
      std::vector<io::Cell> cells = {
          io::Cell::Text(s.indicators()[static_cast<size_t>(e.key.indicator)].code),
          io::Cell::Text(GrainName(e.key.grain)),
          io::Cell::Text(engine::RecordScopeName(e.key.scope)),
          io::Cell::Text(RecordTarget(s, e.key)),
          io::Cell::Text(ParticipantCode(s, {false, e.record.holder})),
          io::Cell::Text(FormatPeriod(e.record.period)),
          io::Cell::Number(e.record.value)};
      if (e.previous) {
        cells.push_back(io::Cell::Text(ParticipantCode(s, {false, e.previous->holder})));
        cells.push_back(io::Cell::Text(FormatPeriod(e.previous->period)));
        cells.push_back(io::Cell::Number(e.previous->value));
      } else {
        cells.insert(cells.end(), 3, io::Cell::Empty());
      }
      w.Row(cells);
    }
    w.Finish();
  });
}

// ------------------------------------------------------------------ outliers list

void AddOutliersList(CLI::App& outliers, int& exit_code) {
  auto* cmd = outliers.add_subcommand("list", "Reports flagged as outliers, reviewed or not");
  cmd->footer(
      "A report is flagged when it exceeds the unit's attribute capacity_<indicator>\n"
      "(reason capacity), or lies far outside the unit's last 90 reports (reason history:\n"
      "more than 8 robust standard deviations from their median, with at least 20 of them).\n"
      "review: unreviewed (it sets no record), confirmed or rejected.\n"
      "Exit codes: 0 shown, 2 bad arguments or no store, 3 store failure.");
  struct Opts {
    std::string db, unit, indicator, format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--unit", o->unit, "Only this unit");
  cmd->add_option("--indicator", o->indicator, "Only this indicator");
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    const std::string command = "outliers list";
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    std::optional<UnitId> unit;
    std::optional<IndicatorId> indicator;
    if (!o->unit.empty()) {
      unit = s.FindUnit(o->unit);
      if (!unit) {
        std::cerr << "chollima outliers list: --unit: unknown unit '" << o->unit << "'\n";
        exit_code = kExitUsage;
        return;
      }
    }
    if (!o->indicator.empty()) {
      indicator = IndicatorOption(s, command, o->indicator, exit_code);
      if (!indicator) return;
    }
    const engine::RecordBook book(s, s.outlier_reviews());
    const std::vector<engine::Outlier> flagged = book.Outliers(unit, indicator);
    if (o->format == "json") {
      PrintJson([&](io::JsonWriter& j) { service::WriteOutliersJson(j, s, flagged); });
      return;
    }
    io::TableWriter w(
        std::cout, FormatOf(o->format),
        {"unit", "indicator", "date", "value", "expected", "score", "reason", "review"});
    for (const engine::Outlier& x : flagged) {
      w.Row({io::Cell::Text(ParticipantCode(s, {false, x.unit})),
             io::Cell::Text(s.indicators()[static_cast<size_t>(x.indicator)].code),
             io::Cell::Text(FormatDate(x.date)), io::Cell::Number(x.value),
             io::Cell::Number(x.expected), io::Cell::Number(x.score), io::Cell::Text(x.reason),
             io::Cell::Text(!x.confirmed   ? "unreviewed"
                            : *x.confirmed ? "confirmed"
                                           : "rejected")});
    }
    w.Finish();
  });
}

// ------------------------------------------------------------------ standards status, rebase

void AddStandardsStatus(CLI::App& standards, int& exit_code) {
  auto* cmd = standards.add_subcommand(
      "status", "Each standard in force and how its peer group stood in the last season");
  cmd->footer(
      "For every indicator and peer group with a standard: the revision in force on\n"
      "--as-of, the last complete season before it, the units with a value in it, how many\n"
      "met the standard, and the advanced level (the median of the best quarter of the\n"
      "units' values; empty with fewer than 4 units).\n"
      "Exit codes: 0 shown, 1 bad --as-of, 2 bad arguments or no store, 3 store failure.");
  struct Opts {
    std::string db, as_of, season = "year", format = "table";
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--as-of", o->as_of, "As of this day (default: the last reported day)");
  cmd->add_option("--season", o->season, "Season grain: month, quarter, half or year")
      ->capture_default_str();
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    const std::string command = "standards status";
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    auto as_of = AsOfOption(s, command, o->as_of, exit_code);
    if (!as_of) return;
    auto season = SeasonGrainOption(command, o->season, exit_code);
    if (!season) return;
    auto status = engine::EvaluateStandards(s, s.standards(), {.as_of = *as_of, .season = *season});
    if (!status.ok()) {
      exit_code = Rejected(command, status.error());
      return;
    }
    if (o->format == "json") {
      PrintJson([&](io::JsonWriter& j) { service::WriteStandardsJson(j, s, *status); });
      return;
    }
    io::TableWriter w(std::cout, FormatOf(o->format),
                      {"indicator", "peer_group", "from", "value", "source", "revisions", "season",
                       "units", "meeting", "advanced_level"});
    for (const engine::StandardStatus& x : *status) {
      w.Row({io::Cell::Text(s.indicators()[static_cast<size_t>(x.indicator)].code),
             io::Cell::Text(x.peer_group == kNoId ? "all" : io::FormatGroupRef(s, x.peer_group)),
             x.in_force ? io::Cell::Text(FormatDate(x.current.from)) : io::Cell::Empty(),
             x.in_force ? io::Cell::Number(x.current.value) : io::Cell::Empty(),
             x.in_force ? io::Cell::Text(StandardSourceName(x.current.source)) : io::Cell::Empty(),
             io::Cell::Number(static_cast<double>(x.history.size())),
             io::Cell::Text(FormatPeriod(x.season)), io::Cell::Number(x.units),
             io::Cell::Number(x.meeting), io::Cell::Number(x.advanced_level)});
    }
    w.Finish();
  });
}

void AddStandardsRebase(CLI::App& standards, int& exit_code) {
  auto* cmd = standards.add_subcommand(
      "rebase", "Propose re-basing a standard from the data (--apply stores it)");
  cmd->footer(
      "Without a standard yet, the first one is the advanced level of the last complete\n"
      "season. Otherwise the standard is re-based only when the advanced exceeded it in\n"
      "each of the last two complete seasons (one good season is not enough), to the less\n"
      "demanding of the two levels: never a cut, never a jump to one peak. The new revision\n"
      "starts the day after the last complete season.\n"
      "Exit codes: 0 proposed or not (the reason is printed), 1 bad input, 2 bad arguments\n"
      "or no store, 3 store failure.");
  struct Opts {
    std::string db, indicator, peer_group, as_of, season = "year", author = Author();
    bool apply = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--indicator", o->indicator, "Indicator code")->required();
  cmd->add_option("--peer-group", o->peer_group, "HIERARCHY/GROUP (default: all units)");
  cmd->add_option("--as-of", o->as_of, "As of this day (default: the last reported day)");
  cmd->add_option("--season", o->season, "Season grain: month, quarter, half or year")
      ->capture_default_str();
  cmd->add_flag("--apply", o->apply, "Store the proposed revision");
  cmd->add_option("--author", o->author, "Who applies it (kept in the audit log)")
      ->capture_default_str();
  cmd->callback([o, &exit_code] {
    const std::string command = "standards rebase";
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    auto indicator = IndicatorOption(s, command, o->indicator, exit_code);
    if (!indicator) return;
    auto peer = PeerGroupOption(s, command, o->peer_group, exit_code);
    if (!peer) return;
    auto as_of = AsOfOption(s, command, o->as_of, exit_code);
    if (!as_of) return;
    auto season = SeasonGrainOption(command, o->season, exit_code);
    if (!season) return;
    auto p = engine::ProposeRebase(s, s.standards(), *indicator, *peer,
                                   {.as_of = *as_of, .season = *season});
    if (!p.ok()) {
      exit_code = Rejected(command, p.error());
      return;
    }
    const std::string who =
        o->indicator + " (" + (o->peer_group.empty() ? "all units" : o->peer_group) + ")";
    if (!p->rebase) {
      std::cout << who << ": no re-basing: " << p->reason << "\n";
      return;
    }
    if (o->apply) {
      Changes changes;
      changes.standards = {p->standard};
      if (Status st = svc->Commit(changes, "rebase standard", o->indicator, o->author); !st.ok()) {
        exit_code = CommitFailure(command, st.error());
        return;
      }
    }
    std::cout << who << ": " << (o->apply ? "re-based" : "re-base") << " to "
              << FormatNumber(p->standard.value) << " from " << FormatDate(p->standard.from) << ": "
              << p->reason << (o->apply ? "" : " (not stored; --apply stores it)") << "\n";
  });
}

}  // namespace

void AddDrive(CLI::App& app, int& exit_code) {
  auto* drive = app.add_subcommand("drive", "Emulation drives: create, list, standings, results");
  drive->require_subcommand(1);
  AddDriveCreate(*drive, exit_code);
  AddDriveList(*drive, exit_code);
  AddDriveStandings(*drive, exit_code);
  AddDriveResults(*drive, exit_code);
}

void AddStandards(CLI::App& app, int& exit_code) {
  auto* standards = app.add_subcommand(
      "standards", "Standards (norms) per indicator and peer group: set, list, status, rebase");
  standards->require_subcommand(1);
  AddStandardsSet(*standards, exit_code);
  AddStandardsList(*standards, exit_code);
  AddStandardsStatus(*standards, exit_code);
  AddStandardsRebase(*standards, exit_code);
}

void AddOutliers(CLI::App& app, int& exit_code) {
  auto* outliers = app.add_subcommand(
      "outliers", "Reports far outside their unit's history or capacity: list, review");
  outliers->require_subcommand(1);
  AddOutliersReview(*outliers, exit_code);
  AddOutliersList(*outliers, exit_code);
}

void AddRecordsCommand(CLI::App& app, int& exit_code) { AddRecords(app, exit_code); }

}  // namespace chollima::cli
