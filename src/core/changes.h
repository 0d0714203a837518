// Changes: everything one command writes, validated and resolved to ids, so that the
// store can write it in one transaction and the engine can apply it afterwards.
// Ids of new things continue the State's dense ids in order (the first new unit gets
// id == State::units().size(), and so on).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/emulation.h"
#include "core/learning.h"
#include "core/model.h"

namespace chollima {

// A report submitted with a client key: the key makes resubmission idempotent.
struct ReportKey {
  std::string key;
  Report report;
};

struct Changes {
  std::vector<Hierarchy> new_hierarchies;
  std::vector<Group> new_groups;  // parents before children
  std::vector<std::pair<GroupId, Group>> changed_groups;
  std::vector<Unit> new_units;
  std::vector<std::pair<UnitId, Unit>> changed_units;
  std::vector<Membership> memberships;
  std::vector<Indicator> new_indicators;  // parts before ratios
  std::vector<std::pair<IndicatorId, Indicator>> changed_indicators;
  std::vector<Profile> profiles;         // new or replacing a profile of the same code
  std::optional<WorkCalendar> calendar;  // replaces the whole calendar
  std::vector<Plan> plans;               // new plans or new revisions of existing ones
  std::vector<Report> reports;           // new values: first reports or corrections
  // Client keys seen for the first time: those of keyed reports among `reports`, and
  // those of keyed reports equal to the stored value, recorded so that resending the
  // key after a later correction stays a no-op rather than reverting it.
  std::vector<ReportKey> report_keys;
  // Emulation (core/emulation.h): new drives (ids continue State::drives()), the results
  // of a finalized season, new standard revisions, and outlier reviews.
  std::vector<Drive> new_drives;
  std::vector<DriveResult> drive_results;
  std::vector<Standard> standards;
  std::vector<OutlierReview> outlier_reviews;
  // Models and learning (core/learning.h): revisions appended in order.
  std::vector<ModelDesignation> models;
  std::vector<FollowerChoice> follower_choices;
  std::vector<PairRule> pair_rules;
  std::vector<LearningPair> pairs;

  bool empty() const {
    return new_hierarchies.empty() && new_groups.empty() && changed_groups.empty() &&
           new_units.empty() && changed_units.empty() && memberships.empty() &&
           new_indicators.empty() && changed_indicators.empty() && profiles.empty() && !calendar &&
           plans.empty() && reports.empty() && report_keys.empty() && new_drives.empty() &&
           drive_results.empty() && standards.empty() && outlier_reviews.empty() &&
           models.empty() && follower_choices.empty() && pair_rules.empty() && pairs.empty();
  }
};

// Who wrote a batch of changes, when, and from what.
struct BatchInfo {
  std::string kind;         // "import units", "demo", ...
  std::string source;       // file name or "-"
  std::string author;       // user name
  std::string recorded_at;  // ISO 8601 UTC timestamp, from the injected clock
};

}  // namespace chollima
