// User input for emulation (core/emulation.h) turned into validated values, from text
// fields (the CLI's flags) or from JSON (the HTTP API, docs in notes/api-contract.md),
// and the JSON writers of the same shapes.
//
//   DriveFields f{.code = "winter26", .name = "Winter drive", .start = "2026-01-01",
//                 .end = "2026-12-31", .rule = "coal:percent_of_plan@0.6,..."};
//   Result<Drive> d = MakeDrive(state, f);   // d->end == 2027-01-01 (exclusive)
//   // d.error().message: "rule: term 2: 'percentx' is not a normalization (...)"
//
// ERRORS. Every message starts with the field it is about, as named here ("code",
// "name", "start", "end", "season", "participants", "rule", "leagues", "size_bands",
// "promote", "relegate", "growth_base", "streak"; the JSON functions use the JSON path
// instead: "$.terms[1].normalization"), then the reason. A CLI turns "growth_base: ..."
// into "--growth-base: ...". Codes: kInvalidArgument for malformed input or a value the
// drive rules refuse (engine::ValidateDrive), kNotFound for an unknown indicator,
// hierarchy, group or unit, kAlreadyExists for a drive code already taken.
//
// TEXT FORMS
//   rule          terms separated by ',': indicator:normalization[:capacity][@weight],
//                 normalization one of percent_of_plan, growth, per_capacity, zscore;
//                 weight a number, default 1. Spaces around the parts are ignored.
//                 ParseRule checks the form and the codes; MakeDrive adds the drive rules
//                 (engine::ValidateDrive: weight > 0, a capacity exactly with
//                 per_capacity, no derived indicator), reported as "rule: term N: ...".
//                 FormatRule writes the same form back (the weight always, in its
//                 shortest form), and ParseRule(FormatRule(t)) == t.
//   participants  "units" (default), "units within HIERARCHY/GROUP",
//                 "groups HIERARCHY[:LEVEL]" (level 1 = roots, the default), optionally
//                 followed by "within HIERARCHY/GROUP".
//   leagues       "" or "none": one peer group; "HIERARCHY[:LEVEL]": peers by the group
//                 at LEVEL (default 1).
//   size_bands    "" (one tier) or "ATTRIBUTE:B1,B2,...": strictly ascending bounds.
//   dates         YYYY-MM-DD; `end` is the LAST day of the window (inclusive), stored as
//                 Drive::end = end + 1 (exclusive).
//   season        "" or "none" (one season), month, quarter, half, year.
//   growth_base   previous_year (default), previous_season.   streak: day (default), month.
//   peer group of a standard: "" for all units, else HIERARCHY/GROUP.
//
// Thread-safety: the functions are pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/emulation.h"
#include "core/status.h"
#include "engine/fulfilment.h"
#include "engine/standards.h"
#include "engine/state.h"
#include "io/json_reader.h"
#include "io/json_writer.h"

namespace chollima::io {

// ---- Score rule.
// Parses the rule's text form against `state` (indicator codes). Errors start with
// "rule: " and name the term by its 1-based position: "rule: term 2: ...".
Result<std::vector<ScoreTerm>> ParseRule(const engine::State& state, std::string_view text);
// The text form of `terms` (codes from `state`; "#id" for an unknown id).
std::string FormatRule(const engine::State& state, std::span<const ScoreTerm> terms);

// ---- Text forms of the other parts (each for messages and for `chollima drive list`).
std::string FormatParticipants(const engine::State& state, const DriveParticipants& p);
std::string FormatLeagues(const engine::State& state, const LeagueRule& l);  // "" for none
std::string FormatSizeBands(const LeagueRule& l);                            // "" for none
// "HIERARCHY/GROUP", or "" for kNoId.
std::string FormatGroupRef(const engine::State& state, GroupId group);
// Reads "HIERARCHY/GROUP" (a group reference) and "HIERARCHY[:LEVEL]" (a level, 1 = the
// top). The message is only the reason ("unknown hierarchy 'x'"): the caller names the
// field. kInvalidArgument when malformed, kNotFound when unknown.
Result<GroupId> ParseGroupRef(const engine::State& state, std::string_view text);
Result<engine::GroupLevel> ParseGroupLevel(const engine::State& state, std::string_view text);

// ---- Drives.
struct DriveFields {
  std::string code, name;
  std::string start, end;  // end: the last day, inclusive
  std::string season;      // "" = one season
  std::string participants;
  std::string rule;
  std::string leagues;
  std::string size_bands;
  int promote = 0;
  int relegate = 0;
  std::string growth_base;  // "" = previous_year
  std::string streak;       // "" = day
};

// A new drive from text fields, validated: syntax and codes here, the drive rules by
// engine::ValidateDrive, and the code must be new in `state`.
Result<Drive> MakeDrive(const engine::State& state, const DriveFields& fields);

// The same from the API's JSON (api-contract.md, POST /api/drives): an object with
// code, name, start, end (inclusive), season_grain (string or null), participants
// ({"kind":"units"|"groups","hierarchy","level","within"}), terms
// ([{"indicator","normalization","weight","capacity"}]) or rule (the text form),
// growth_base, leagues ({"hierarchy","level","size_attribute","size_bounds","promote",
// "relegate"}), streak_grain. Unknown members are refused. Errors are placed by JSON path
// under `path` ("$.terms[1].weight: ..."); malformed JSON text fails with
// kInvalidArgument "line L, column C: ...".
Result<Drive> DriveFromJson(const engine::State& state, const JsonValue& value,
                            std::string_view path = "$");
Result<Drive> DriveFromJson(const engine::State& state, std::string_view json_text);

// Writes the API's Drive object. `seasons` are engine::SeasonsOf(drive) as
// (begin, end exclusive) pairs, written with inclusive ends; `current_season` is null
// when unset.
struct SeasonSpan {
  int32_t index = 0;
  Date begin;  // [begin, end)
  Date end;
};
void DriveToJson(const engine::State& state, DriveId id, const Drive& drive,
                 std::span<const SeasonSpan> seasons, std::optional<int32_t> current_season,
                 JsonWriter& w);

// ---- Standards.
struct StandardFields {
  std::string indicator;
  std::string peer_group;  // "" = all units
  std::string from;
  std::string value;
  std::string note;
};
// A manual standard revision. Fields as named in StandardFields ("peer_group", ...).
// The value must be a finite number.
Result<Standard> MakeStandard(const engine::State& state, const StandardFields& fields);
// {"indicator","peer_group":null|"sector/coal","from","value","note"} (note optional).
Result<Standard> StandardFromJson(const engine::State& state, const JsonValue& value,
                                  std::string_view path = "$");
// {"from","value","source","note"}
void StandardRevisionToJson(const Standard& s, JsonWriter& w);
// The API's standards entry: indicator, peer_group, current, history, season, units,
// meeting, advanced_level (null when NaN).
void StandardToJson(const engine::State& state, const engine::StandardStatus& s, JsonWriter& w);

// ---- Outlier reviews.
struct ReviewFields {
  std::string unit, indicator, date;
  bool confirmed = true;
  std::string reviewer;
  std::string note;
};
// A review of the report of (unit, indicator, date): its value is the current report's.
// Fails with kNotFound ("date: ...") when there is no such report.
Result<OutlierReview> MakeOutlierReview(const engine::State& state, const ReviewFields& fields);
// {"unit","indicator","date","confirmed":bool,"note"}; the reviewer is the caller's.
Result<OutlierReview> OutlierReviewFromJson(const engine::State& state, const JsonValue& value,
                                            std::string reviewer, std::string_view path = "$");

}  // namespace chollima::io
