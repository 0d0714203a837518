#include "io/export.h"

#include <algorithm>

#include "core/text.h"

namespace chollima::io {
namespace {

const std::string& GroupCode(const engine::State& s, GroupId g) {
  return s.groups()[static_cast<size_t>(g)].code;
}

void ExportGroups(const engine::State& s, TableWriter& w) {
  for (const Group& g : s.groups()) {
    w.Row({Cell::Text(s.hierarchies()[static_cast<size_t>(g.hierarchy)].code), Cell::Text(g.code),
           Cell::Text(g.name),
           g.parent == kNoId ? Cell::Empty() : Cell::Text(GroupCode(s, g.parent))});
  }
}

std::vector<std::string> AttributeNames(const engine::State& s) {
  std::vector<std::string> names;
  for (const Unit& u : s.units()) {
    for (const auto& [name, value] : u.attributes) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

void ExportUnits(const engine::State& s, TableWriter& w, const std::vector<std::string>& attrs) {
  for (size_t u = 0; u < s.units().size(); ++u) {
    const Unit& unit = s.units()[u];
    std::vector<Cell> row{Cell::Text(unit.code), Cell::Text(unit.name)};
    for (size_t h = 0; h < s.hierarchies().size(); ++h) {
      Cell cell;
      for (const Membership& m : s.MembershipsOf(static_cast<UnitId>(u))) {
        if (m.hierarchy == static_cast<HierarchyId>(h) && m.from == kBeginningOfTime) {
          cell = Cell::Text(GroupCode(s, m.group));
        }
      }
      row.push_back(cell);
    }
    for (const std::string& name : attrs) {
      Cell cell;
      for (const auto& [n, v] : unit.attributes) {
        if (n == name) cell = Cell::Number(v);
      }
      row.push_back(cell);
    }
    w.Row(row);
  }
}

void ExportMemberships(const engine::State& s, TableWriter& w) {
  for (const Membership& m : s.AllMemberships()) {
    if (m.from == kBeginningOfTime) continue;  // exported with the units
    w.Row({Cell::Text(s.units()[static_cast<size_t>(m.unit)].code),
           Cell::Text(s.hierarchies()[static_cast<size_t>(m.hierarchy)].code),
           Cell::Text(GroupCode(s, m.group)), Cell::Text(FormatDate(m.from))});
  }
}

void ExportIndicators(const engine::State& s, TableWriter& w) {
  for (const Indicator& i : s.indicators()) {
    auto code = [&](IndicatorId id) {
      return id == kNoId ? Cell::Empty() : Cell::Text(s.indicators()[static_cast<size_t>(id)].code);
    };
    w.Row({Cell::Text(i.code), Cell::Text(i.name), Cell::Text(i.measure),
           Cell::Text(DirectionName(i.direction)), Cell::Text(AggregationName(i.aggregation)),
           Cell::Text(RoleName(i.role)), code(i.numerator), code(i.denominator),
           Cell::Text(GrainName(i.grain))});
  }
}

void ExportPlans(const engine::State& s, TableWriter& w) {
  for (const Plan& p : s.plans()) {
    w.Row({Cell::Text(TargetCode(s, p.target)),
           Cell::Text(s.indicators()[static_cast<size_t>(p.indicator)].code),
           Cell::Text(FormatPeriod(p.period)), Cell::Number(p.value),
           Cell::Text(MethodName(s, p))});
  }
}

void ExportReports(const engine::State& s, TableWriter& w) {
  // By unit, indicator (id order), date.
  std::vector<int32_t> order;
  order.reserve(s.series_count());
  for (size_t i = 0; i < s.series_count(); ++i) order.push_back(static_cast<int32_t>(i));
  std::vector<IndicatorId> series_indicator(s.series_count(), kNoId);
  for (size_t ind = 0; ind < s.indicators().size(); ++ind) {
    for (int32_t series : s.SeriesOf(static_cast<IndicatorId>(ind))) {
      series_indicator[static_cast<size_t>(series)] = static_cast<IndicatorId>(ind);
    }
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const UnitId ua = s.SeriesUnit(a);
    const UnitId ub = s.SeriesUnit(b);
    if (ua != ub) return ua < ub;
    return series_indicator[static_cast<size_t>(a)] < series_indicator[static_cast<size_t>(b)];
  });
  std::vector<Cell> row(4);
  for (int32_t series : order) {
    const auto values = s.Series(series);
    const Indicator& ind =
        s.indicators()[static_cast<size_t>(series_indicator[static_cast<size_t>(series)])];
    row[0] = Cell::Text(s.units()[static_cast<size_t>(s.SeriesUnit(series))].code);
    row[1] = Cell::Text(ind.code);
    for (size_t day = 0; day < values.size(); ++day) {
      if (engine::IsMissing(values[day])) continue;
      const Date d = s.origin() + static_cast<int32_t>(day);
      row[2] = Cell::Text(ind.grain == Grain::kMonth ? FormatPeriod(PeriodOf(Grain::kMonth, d))
                                                     : FormatDate(d));
      row[3] = Cell::Number(values[day]);
      w.Row(row);
    }
  }
}

void ExportCalendar(const engine::State& s, TableWriter& w) {
  static constexpr const char* kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (size_t d = 0; d < 7; ++d) {
    w.Row({Cell::Text(kNames[d]), Cell::Text(s.calendar().rest_weekdays[d] ? "rest" : "workday")});
  }
  for (const auto& [day, working] : s.calendar().exceptions) {
    w.Row({Cell::Text(FormatDate(day)), Cell::Text(working ? "workday" : "holiday")});
  }
}

void ExportProfiles(const engine::State& s, TableWriter& w) {
  for (const Profile& p : s.profiles()) {
    for (size_t m = 0; m < 12; ++m) {
      w.Row({Cell::Text(p.code), Cell::Number(static_cast<double>(m + 1)),
             Cell::Number(p.month_weights[m])});
    }
  }
}

}  // namespace

std::string TargetCode(const engine::State& s, const PlanTarget& t) {
  if (!t.is_group) return s.units()[static_cast<size_t>(t.id)].code;
  const Group& g = s.groups()[static_cast<size_t>(t.id)];
  return s.hierarchies()[static_cast<size_t>(g.hierarchy)].code + "/" + g.code;
}

std::string MethodName(const engine::State& s, const Plan& p) {
  switch (p.method) {
    case SplitMethod::kEven:
      return "even";
    case SplitMethod::kWorkdays:
      return "workdays";
    case SplitMethod::kProfile:
      return s.profiles()[static_cast<size_t>(p.profile)].code;
  }
  return "even";
}

Status Export(ImportKind kind, const engine::State& state, TableFormat format, std::ostream& out) {
  std::vector<std::string> columns;
  std::vector<std::string> attrs;
  switch (kind) {
    case ImportKind::kGroups:
      columns = {"hierarchy", "code", "name", "parent"};
      break;
    case ImportKind::kUnits:
      columns = {"code", "name"};
      for (const Hierarchy& h : state.hierarchies()) columns.push_back(h.code);
      attrs = AttributeNames(state);
      columns.insert(columns.end(), attrs.begin(), attrs.end());
      break;
    case ImportKind::kMemberships:
      columns = {"unit", "hierarchy", "group", "from"};
      break;
    case ImportKind::kIndicators:
      columns = {"code", "name",      "measure",     "direction", "aggregation",
                 "role", "numerator", "denominator", "grain"};
      break;
    case ImportKind::kPlans:
      columns = {"target", "indicator", "period", "value", "method"};
      break;
    case ImportKind::kReports:
      columns = {"unit", "indicator", "date", "value"};
      break;
    case ImportKind::kCalendar:
      columns = {"date", "kind"};
      break;
    case ImportKind::kProfiles:
      columns = {"profile", "month", "weight"};
      break;
  }
  TableWriter w(out, format, columns);
  switch (kind) {
    case ImportKind::kGroups:
      ExportGroups(state, w);
      break;
    case ImportKind::kUnits:
      ExportUnits(state, w, attrs);
      break;
    case ImportKind::kMemberships:
      ExportMemberships(state, w);
      break;
    case ImportKind::kIndicators:
      ExportIndicators(state, w);
      break;
    case ImportKind::kPlans:
      ExportPlans(state, w);
      break;
    case ImportKind::kReports:
      ExportReports(state, w);
      break;
    case ImportKind::kCalendar:
      ExportCalendar(state, w);
      break;
    case ImportKind::kProfiles:
      ExportProfiles(state, w);
      break;
  }
  w.Finish();
  out.flush();
  if (!out) return IoError("export: the output stream failed (disk full or closed pipe?)");
  return OkStatus();
}

}  // namespace chollima::io
