// Authorization of writes: the one place that decides whether an account may make a
// change, so that a CSV upload and a JSON write are checked alike. Everyone reads
// everything; what differs is what each role may write:
//
//   admin     everything.
//   planner   within its subtree (its scope group and every group below it, in the scope's
//             hierarchy):
//               - new groups whose parent is in the subtree (a new root is outside any
//                 subtree), and changes of groups below its scope group;
//               - new units, each with a membership in the subtree in the same changes;
//               - changes of units currently in the subtree;
//               - memberships into a group of the subtree, of units currently in the
//                 subtree or new in the same changes;
//               - plans of a group in the subtree, or of a unit that is in the subtree on
//                 the first day of the plan's period (counting memberships in the same
//                 changes).
//               - emulation: new drives whose participants are limited to a group of the
//                 subtree (DriveParticipants::within), the season results of such a drive,
//                 standards of a peer group in the subtree (all units: admins only), and
//                 outlier reviews of units currently in the subtree.
//             Not hierarchies, indicators, profiles or the calendar (admins only), and not
//             reports (reporters and admins).
//   reporter  reports (and their client keys) for its own units; nothing else.
//   viewer    nothing.
//
// A unit is "currently in the subtree" when its latest membership in the scope's
// hierarchy (the one with the latest start, in force from then on) is in the subtree.
//
//   auto who = ResolvePrincipal(*account, svc.state());
//   if (Status s = AuthorizeChanges(who, changes, svc.state()); !s.ok()) return s;  // 403
//
// Failures are kPermissionDenied with a message naming the account, what it may do, and
// the first offending item.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/changes.h"
#include "core/status.h"
#include "engine/state.h"
#include "store/accounts.h"

namespace chollima::auth {

using store::AccountRole;

// Who is acting: an account with its scope or units resolved against the current State.
struct Principal {
  int64_t account = 0;
  std::string name;
  AccountRole role = AccountRole::kViewer;
  // Planners: the subtree as codes, and resolved (kNoId when the codes do not resolve;
  // such a planner may change nothing).
  std::string scope_hierarchy;
  std::string scope_group;
  HierarchyId hierarchy = kNoId;
  GroupId group = kNoId;
  // Reporters: the unit codes, and the ids of those that resolve, sorted.
  std::vector<std::string> unit_codes;
  std::vector<UnitId> units;
};

Principal ResolvePrincipal(const store::Account& account, const engine::State& state);

// OK when `who` may write all of `changes` (resolved against `state`, which they extend).
Status AuthorizeChanges(const Principal& who, const Changes& changes, const engine::State& state);

// The report part alone, for reports streamed in chunks before the rest of the changes are
// known (a reports import): OK when `who` may write every one of `reports`.
Status AuthorizeReports(const Principal& who, std::span<const Report> reports,
                        const engine::State& state);

// OK when `who`'s role is at least `minimum` in the order viewer < reporter < planner <
// admin (for routes such as account management: RequireRole(who, AccountRole::kAdmin)).
Status RequireRole(const Principal& who, AccountRole minimum);

}  // namespace chollima::auth
