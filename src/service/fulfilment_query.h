// The translation of fulfilment options (as the CLI and the HTTP API take them, all
// text) into an engine::FulfilmentQuery, and the one way fulfilment rows are written as
// a table, so `chollima fulfilment` and `GET /api/fulfilment` give the same figures.
//
//   FulfilmentOptions o{.period = "2026-01", .indicator = "coal"};
//   Result<engine::FulfilmentQuery> q = MakeFulfilmentQuery(state, o);
//   // q.error().message starts with the option's name: "period: '2026-13' is not ..."
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/fulfilment.h"
#include "engine/state.h"
#include "io/table_writer.h"

namespace chollima::service {

struct FulfilmentOptions {
  std::string period;     // required: any form ParsePeriod accepts
  std::string by;         // "" or HIERARCHY[:LEVEL]
  std::string within;     // "" or HIERARCHY/GROUP: only the units of that subtree
  std::string indicator;  // "" for every planned indicator
  std::string as_of;      // "" for the latest reported day (else the period's last day)
  bool units = false;     // with `by`: unit rows too
  double at_risk = 0.95;  // StatusThresholds::at_risk_pace
};

// Resolves "HIERARCHY/GROUP" (e.g. "region/P01"); kInvalidArgument when malformed,
// kNotFound when unknown.
Result<GroupId> ResolveGroupRef(const engine::State& state, std::string_view text);

// Returns the query for `options` on `state`. Fails with kInvalidArgument for a
// malformed period, date, `by` or `within`, kNotFound for an unknown indicator,
// hierarchy or group; the message starts with the option's name ("period", "by",
// "within", "indicator", "as_of").
// Thread-safety: reads `state` only.
Result<engine::FulfilmentQuery> MakeFulfilmentQuery(const engine::State& state,
                                                    const FulfilmentOptions& options);

// The columns of a fulfilment table, in order.
std::vector<std::string> FulfilmentColumns();

// Writes group, unit, then total rows of `table` to `writer` (made with
// FulfilmentColumns()). Rows with neither a plan nor a report are left out unless
// `all`. `rounded` rounds for a terminal; otherwise numbers are exact.
void WriteFulfilmentRows(const engine::State& state, const engine::FulfilmentTable& table, bool all,
                         bool rounded, io::TableWriter& writer);

}  // namespace chollima::service
