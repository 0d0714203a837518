// Export: writes any kind back out in the import format (CSV) or as a JSON array of
// objects with the same fields, so that import -> export -> import round-trips exactly.
#pragma once

#include <ostream>

#include "core/status.h"
#include "engine/state.h"
#include "io/import.h"
#include "io/table_writer.h"

namespace chollima::io {

// Writes the current facts of `kind` (reports: current values, not revisions), in a
// stable order (ids; reports by unit, indicator, date). Fails with kIo when the stream
// fails.
Status Export(ImportKind kind, const engine::State& state, TableFormat format, std::ostream& out);

// Names a plan target the way plans files do: a unit code or HIERARCHY/GROUP.
std::string TargetCode(const engine::State& state, const PlanTarget& target);
// Names a split method the way plans files do: even, workdays or the profile code.
std::string MethodName(const engine::State& state, const Plan& plan);

}  // namespace chollima::io
