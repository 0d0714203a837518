// The one way emulation results are read from text options and written out, so the CLI
// (`chollima drive standings --format json`, `chollima records`, ...) and the HTTP API
// (`GET /api/drives/{code}/standings`, `/api/records`, events) give the same answers in
// the same shapes (docs/openapi.yaml describes them).
//
//   Result<engine::GroupLevel> level = ParseGroupLevel(state, "level", "sector:1");
//   io::JsonWriter w;
//   WriteStandingsJson(w, state, drive, standings, {.offset = 0, .limit = 20});
//
// Thread-safety: the functions read their arguments only.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/emulation.h"
#include "core/status.h"
#include "engine/drive.h"
#include "engine/fulfilment.h"
#include "engine/records.h"
#include "engine/standards.h"
#include "engine/state.h"
#include "io/json_writer.h"

namespace chollima::service {

// "HIERARCHY" or "HIERARCHY:LEVEL" (level 1 = roots). Fails with kNotFound for an unknown
// hierarchy, kInvalidArgument otherwise; messages start with `name`.
Result<engine::GroupLevel> ParseGroupLevel(const engine::State& state, std::string_view name,
                                           std::string_view text);
// "sector:1".
std::string FormatGroupLevel(const engine::State& state, const engine::GroupLevel& level);

// A unit's code, or "hierarchy/group" for a group (the codes users type).
std::string TargetCode(const engine::State& state, const PlanTarget& target);
// A unit code or "hierarchy/group" resolved on `state`; messages start with `name`.
Result<PlanTarget> ParseTarget(const engine::State& state, std::string_view name,
                               std::string_view text);

// {"kind":"unit"|"group","code":..,"name":..}
void WriteParticipant(io::JsonWriter& w, const engine::State& state, const PlanTarget& target);

// A drive by its code; kNotFound naming it otherwise.
Result<DriveId> FindDriveByCode(const engine::State& state, std::string_view code);

struct Page {
  size_t offset = 0;
  size_t limit = 100;
};

// {"drive","season","as_of","level","leagues","total","rows":[...]} (openapi: Standings).
void WriteStandingsJson(io::JsonWriter& w, const engine::State& state, const Drive& drive,
                        const engine::Standings& standings,
                        const std::optional<engine::GroupLevel>& level, const Page& page);
// {"index","begin","end"} with the inclusive last day as "end".
void WriteSeasonJson(io::JsonWriter& w, const engine::Season& season);
// {"drive","season","finalized","results":[...]} (openapi: SeasonResults).
void WriteResultsJson(io::JsonWriter& w, const engine::State& state, const Drive& drive,
                      const engine::Season& season, bool finalized,
                      std::span<const DriveResult> results);

// {"records":[...]} (openapi: Records).
void WriteRecordsJson(io::JsonWriter& w, const engine::State& state,
                      std::span<const engine::RecordEntry> records);
// {"outliers":[...]} (openapi: Outliers).
void WriteOutliersJson(io::JsonWriter& w, const engine::State& state,
                       std::span<const engine::Outlier> outliers);
// {"standards":[...]} (openapi: Standards): io::StandardToJson for each.
void WriteStandardsJson(io::JsonWriter& w, const engine::State& state,
                        std::span<const engine::StandardStatus> standards);
// The API's Drive (io::DriveToJson) with its seasons and the season holding `today`.
void WriteDriveJson(io::JsonWriter& w, const engine::State& state, DriveId id, const Drive& drive,
                    Date today);
// {"rebase","standard","reason"} (openapi: RebaseProposal).
void WriteRebaseJson(io::JsonWriter& w, const engine::State& state,
                     const engine::RebaseProposal& proposal);

// The data of the live events (GET /api/events): `overtaking` and `record`.
std::string OvertakingEventJson(const engine::State& state, const engine::DriveEvent& event,
                                const engine::Standings* standings, std::string_view at);
std::string RecordEventJson(const engine::State& state, const engine::RecordEvent& event,
                            std::string_view at);

// The changes that finalize `season` of drive `id`: its results as of the season's last
// day (engine::SeasonResults), with honours. Fails with kFailedPrecondition when the
// season is already finalized or has not ended by the State's last reported day, and
// kInvalidArgument for a season outside the drive's window. REQUIRES: `book` built from
// `state`; `id` valid.
Result<Changes> FinalizeSeasonChanges(const engine::State& state,
                                      const engine::AssignmentBook& book, DriveId id,
                                      int32_t season);

// "day", "month", "year" as record grains; fails naming `name` otherwise.
Result<Grain> ParseRecordGrain(std::string_view name, std::string_view text);
// "unit", "group", "all".
Result<engine::RecordScope> ParseRecordScope(std::string_view name, std::string_view text);

}  // namespace chollima::service
