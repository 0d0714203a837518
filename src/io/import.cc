#include "io/import.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/text.h"

namespace chollima::io {
namespace {

constexpr size_t kMaxCodeBytes = 200;
constexpr size_t kMaxNameBytes = 1000;

// Collects errors up to the limit and knows how to name a place in the file.
class Errors {
 public:
  Errors(const std::string& file, size_t limit, const ImportOptions& options, ImportResult& result)
      : file_(file), limit_(limit), options_(options), result_(result) {}

  void Add(int64_t line, size_t column, std::string_view field, std::string_view reason) {
    if (result_.errors.size() >= limit_) {
      result_.errors_truncated = true;
      return;
    }
    result_.errors.push_back({.line = line,
                              .column = column,
                              .field = std::string(field),
                              .reason = std::string(reason),
                              .message = CsvErrorMessage(file_, line, column, field, reason)});
  }
  // A problem of the whole file; `field` names the column it is about, if one.
  void AddFile(std::string_view reason, std::string_view field = {}) {
    if (result_.errors.size() >= limit_) {
      result_.errors_truncated = true;
      return;
    }
    result_.errors.push_back({.field = std::string(field),
                              .reason = std::string(reason),
                              .message = file_ + ": " + std::string(reason)});
  }
  bool full() const { return result_.errors.size() >= limit_; }
  bool any() const { return !result_.errors.empty(); }
  // How a reason names the record on `line`: "on line 3" (ImportOptions::describe_line).
  std::string Place(int64_t line) const {
    if (options_.describe_line) return options_.describe_line(line);
    return "on line " + std::to_string(line);
  }

 private:
  const std::string& file_;
  size_t limit_;
  const ImportOptions& options_;
  ImportResult& result_;
};

// Column layout of a file: the header's names and where each known column is.
class Header {
 public:
  // Reads the header record. Returns false (with errors) when it is missing or bad.
  bool Read(CsvReader& reader, Errors& errors) {
    auto more = reader.Next(record_);
    if (!more.ok()) {
      errors.AddFile(more.error().message);
      return false;
    }
    if (!*more) {
      errors.AddFile("the file is empty; expected a header line");
      return false;
    }
    for (size_t i = 0; i < record_.fields.size(); ++i) {
      std::string name = ToLower(Trim(record_.fields[i]));
      if (name.empty()) {
        errors.Add(1, i + 1, "", "empty column name in the header");
        continue;
      }
      if (index_.count(name) != 0) {
        errors.Add(1, i + 1, name, "column appears twice in the header");
        continue;
      }
      index_.emplace(name, i);
      names_.push_back(name);
    }
    return !errors.any();
  }

  // Index of `name`, or npos.
  size_t Find(std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? std::string::npos : it->second;
  }
  bool Require(std::initializer_list<const char*> names, Errors& errors) const {
    bool ok = true;
    for (const char* n : names) {
      if (Find(n) == std::string::npos) {
        errors.AddFile(std::string("missing column '") + n + "' in the header", n);
        ok = false;
      }
    }
    return ok;
  }
  // Reports header columns outside `allowed`.
  bool OnlyAllow(std::initializer_list<const char*> allowed, Errors& errors) const {
    bool ok = true;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (std::find_if(allowed.begin(), allowed.end(),
                       [&](const char* a) { return names_[i] == a; }) == allowed.end()) {
        errors.Add(1, Find(names_[i]) + 1, names_[i], "unknown column");
        ok = false;
      }
    }
    return ok;
  }
  // 1-based column of `name` for messages, or 0 when it is absent.
  size_t ColumnOf(std::string_view name) const {
    const size_t i = Find(name);
    return i == std::string::npos ? 0 : i + 1;
  }
  const std::vector<std::string>& names() const { return names_; }
  size_t width() const { return record_.fields.size(); }

 private:
  CsvRecord record_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::string> names_;
};

// One data row with its place in the file, for field access with error reporting.
class Row {
 public:
  Row(const CsvRecord& rec, const Header& header, Errors& errors)
      : rec_(rec), header_(header), errors_(errors) {}

  int64_t line() const { return rec_.line; }
  // The field at column index `i` (trimmed); REQUIRES: i < header width.
  std::string_view At(size_t i) const { return Trim(rec_.fields[i]); }
  // The field of column `name` (trimmed), or "" when the column is absent.
  std::string_view Get(std::string_view name) const {
    const size_t i = header_.Find(name);
    if (i == std::string::npos || i >= rec_.fields.size()) return {};
    return Trim(rec_.fields[i]);
  }
  void Fail(std::string_view name, std::string_view reason) {
    failed_ = true;
    const size_t i = header_.Find(name);
    errors_.Add(rec_.line, i == std::string::npos ? 0 : i + 1, name, reason);
  }
  bool failed() const { return failed_; }
  // How a reason names the record on `line` ("on line 3").
  std::string Place(int64_t line) const { return errors_.Place(line); }

  // A code: non-empty, UTF-8, at most kMaxCodeBytes, no control characters.
  std::string_view Code(std::string_view name) {
    std::string_view v = Get(name);
    if (v.empty()) {
      Fail(name, "is empty");
    } else if (!CheckText(name, v, kMaxCodeBytes, false)) {
      return {};
    }
    return v;
  }
  std::string_view Name(std::string_view name, bool required) {
    std::string_view v = Get(name);
    if (v.empty()) {
      if (required) Fail(name, "is empty");
      return v;
    }
    if (!CheckText(name, v, kMaxNameBytes, true)) return {};
    return v;
  }
  std::optional<double> Number(std::string_view name) {
    std::string_view v = Get(name);
    double out = 0;
    if (v.empty()) {
      Fail(name, "is empty; expected a number");
      return std::nullopt;
    }
    if (!ParseNumber(v, out)) {
      Fail(name, "'" + std::string(v) + "' is not a number (use digits, '.' for decimals)");
      return std::nullopt;
    }
    return out;
  }
  bool CheckWidth() {
    if (rec_.fields.size() != header_.width()) {
      failed_ = true;
      errors_.Add(rec_.line, rec_.fields.size(), "",
                  "has " + std::to_string(rec_.fields.size()) + " fields; the header has " +
                      std::to_string(header_.width()));
      return false;
    }
    return true;
  }

 private:
  // Names may hold line breaks and tabs (quoted in CSV); codes may not.
  bool CheckText(std::string_view name, std::string_view v, size_t max_bytes, bool allow_breaks) {
    if (!IsValidUtf8(v)) {
      Fail(name, "is not valid UTF-8");
      return false;
    }
    if (v.size() > max_bytes) {
      Fail(name, "is longer than " + std::to_string(max_bytes) + " bytes");
      return false;
    }
    for (char c : v) {
      if (static_cast<unsigned char>(c) < 0x20 &&
          !(allow_breaks && (c == '\n' || c == '\r' || c == '\t'))) {
        Fail(name, "contains a control character");
        return false;
      }
    }
    return true;
  }

  const CsvRecord& rec_;
  const Header& header_;
  Errors& errors_;
  bool failed_ = false;
};

// Iterates the data records of a file, calling `fn(Row&)` for each.
template <typename Fn>
bool ForEachRow(CsvReader& reader, const Header& header, Errors& errors, ImportResult& result,
                const std::function<void(size_t)>& progress, Fn&& fn) {
  CsvRecord rec;
  int64_t count = 0;
  while (true) {
    auto more = reader.Next(rec);
    if (!more.ok()) {
      errors.AddFile(more.error().message);
      return false;
    }
    if (!*more) break;
    ++result.rows;
    Row row(rec, header, errors);
    if (row.CheckWidth()) fn(row);
    if (errors.full() && result.errors_truncated) return false;
    if (progress && (++count & 0xFFFF) == 0) progress(reader.position());
  }
  if (progress) progress(reader.position());
  return true;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---------------------------------------------------------------- groups

void ImportGroups(CsvReader& reader, const Header& header, const engine::State& state,
                  Errors& errors, ImportResult& result,
                  const std::function<void(size_t)>& progress) {
  if (!header.Require({"hierarchy", "code", "name", "parent"}, errors) ||
      !header.OnlyAllow({"hierarchy", "code", "name", "parent"}, errors)) {
    return;
  }
  struct Pending {
    int64_t line;
    std::string hierarchy, code, name, parent;
  };
  std::vector<Pending> rows;
  std::map<std::pair<std::string, std::string>, int64_t> seen;  // (hierarchy, code) -> line
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    Pending p{row.line(), std::string(row.Code("hierarchy")), std::string(row.Code("code")),
              std::string(row.Name("name", true)), std::string(row.Get("parent"))};
    if (row.failed()) return;
    auto [it, fresh] = seen.emplace(std::make_pair(p.hierarchy, p.code), p.line);
    if (!fresh) {
      row.Fail("code", "group " + Quote(p.code) + " of hierarchy " + Quote(p.hierarchy) +
                           " appears twice (also " + row.Place(it->second) + ")");
      return;
    }
    if (p.parent == p.code) {
      row.Fail("parent", "a group cannot be its own parent");
      return;
    }
    rows.push_back(std::move(p));
  });
  if (errors.any()) return;

  // New hierarchies get ids after the existing ones, in order of first appearance.
  std::map<std::string, HierarchyId> new_hierarchy;
  auto hierarchy_id = [&](const std::string& code) -> HierarchyId {
    if (auto h = state.FindHierarchy(code)) return *h;
    auto it = new_hierarchy.find(code);
    if (it != new_hierarchy.end()) return it->second;
    const auto id = static_cast<HierarchyId>(state.hierarchies().size() + new_hierarchy.size());
    new_hierarchy.emplace(code, id);
    result.changes.new_hierarchies.push_back({code});
    return id;
  };

  // Existing groups: unchanged (ignored) or renamed (updated); a new parent is refused.
  std::vector<const Pending*> fresh;
  std::map<std::pair<std::string, std::string>, const Pending*> fresh_by_key;
  for (const Pending& p : rows) {
    const HierarchyId h = hierarchy_id(p.hierarchy);
    std::optional<GroupId> existing = state.FindGroup(h, p.code);
    if (!existing) {
      fresh.push_back(&p);
      fresh_by_key.emplace(std::make_pair(p.hierarchy, p.code), &p);
      continue;
    }
    const Group& g = state.groups()[static_cast<size_t>(*existing)];
    const std::string old_parent =
        g.parent == kNoId ? "" : state.groups()[static_cast<size_t>(g.parent)].code;
    if (old_parent != p.parent) {
      errors.Add(p.line, header.ColumnOf("parent"), "parent",
                 "group " + Quote(p.code) + " already exists under " +
                     (old_parent.empty() ? "no parent" : Quote(old_parent)) +
                     "; moving a group is not supported (create a new group and move units "
                     "with a memberships import)");
      continue;
    }
    if (g.name == p.name) {
      ++result.ignored;
    } else {
      Group changed = g;
      changed.name = p.name;
      result.changes.changed_groups.emplace_back(*existing, std::move(changed));
      ++result.updated;
    }
  }
  if (errors.any()) return;

  // Order new groups parents-first; a parent must exist in the store or in this file.
  std::map<std::pair<std::string, std::string>, GroupId> assigned;
  std::map<std::pair<std::string, std::string>, int> state_mark;  // 1 visiting, 2 done
  GroupId next_id = static_cast<GroupId>(state.groups().size());
  std::function<bool(const Pending&, std::vector<std::string>&)> place =
      [&](const Pending& p, std::vector<std::string>& path) -> bool {
    const auto key = std::make_pair(p.hierarchy, p.code);
    int& mark = state_mark[key];
    if (mark == 2) return true;
    if (mark == 1) {
      std::string cycle;
      for (const auto& c : path) cycle += Quote(c) + " -> ";
      errors.Add(p.line, header.ColumnOf("parent"), "parent",
                 "cycle in hierarchy " + Quote(p.hierarchy) + ": " + cycle + Quote(p.code));
      return false;
    }
    mark = 1;
    path.push_back(p.code);
    const HierarchyId h = hierarchy_id(p.hierarchy);
    GroupId parent = kNoId;
    if (!p.parent.empty()) {
      if (auto existing = state.FindGroup(h, p.parent)) {
        parent = *existing;
      } else if (auto it = fresh_by_key.find({p.hierarchy, p.parent}); it != fresh_by_key.end()) {
        if (!place(*it->second, path)) return false;
        parent = assigned.at({p.hierarchy, p.parent});
      } else {
        errors.Add(
            p.line, header.ColumnOf("parent"), "parent",
            "unknown parent group " + Quote(p.parent) + " in hierarchy " + Quote(p.hierarchy));
        return false;
      }
    }
    path.pop_back();
    mark = 2;
    assigned.emplace(key, next_id++);
    result.changes.new_groups.push_back(
        {.hierarchy = h, .code = p.code, .name = p.name, .parent = parent});
    ++result.imported;
    return true;
  };
  for (const Pending* p : fresh) {
    std::vector<std::string> path;
    if (!place(*p, path) && errors.full()) return;
  }
}

// ---------------------------------------------------------------- units

void ImportUnits(CsvReader& reader, const Header& header, const engine::State& state,
                 Errors& errors, ImportResult& result,
                 const std::function<void(size_t)>& progress) {
  if (!header.Require({"code", "name"}, errors)) return;
  // Every other column is a hierarchy (holding the unit's group code) or a numeric
  // attribute.
  std::vector<std::pair<std::string, HierarchyId>> hierarchy_columns;
  std::vector<std::string> attribute_columns;
  for (const std::string& name : header.names()) {
    if (name == "code" || name == "name") continue;
    if (auto h = state.FindHierarchy(name)) {
      hierarchy_columns.emplace_back(name, *h);
    } else {
      attribute_columns.push_back(name);
    }
  }
  std::unordered_map<std::string, int64_t> seen;
  UnitId next_id = static_cast<UnitId>(state.units().size());
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    Unit unit{std::string(row.Code("code")), std::string(row.Name("name", true)), {}};
    std::vector<std::pair<HierarchyId, GroupId>> groups;
    for (const auto& [column, h] : hierarchy_columns) {
      std::string_view code = row.Get(column);
      if (code.empty()) continue;
      auto g = state.FindGroup(h, code);
      if (!g) {
        row.Fail(column, "unknown group " + Quote(code) + " in hierarchy " + Quote(column) +
                             " (import groups first)");
        continue;
      }
      groups.emplace_back(h, *g);
    }
    for (const std::string& column : attribute_columns) {
      std::string_view v = row.Get(column);
      if (v.empty()) continue;
      double x = 0;
      if (!ParseNumber(v, x)) {
        row.Fail(column, Quote(v) +
                             " is not a number (a column that is not a hierarchy "
                             "holds a numeric attribute; known hierarchies must be "
                             "imported with groups first)");
        continue;
      }
      unit.attributes.emplace_back(column, x);
    }
    if (row.failed()) return;
    auto [it, fresh] = seen.emplace(unit.code, row.line());
    if (!fresh) {
      row.Fail("code",
               "unit " + Quote(unit.code) + " appears twice (also " + row.Place(it->second) + ")");
      return;
    }
    std::optional<UnitId> existing = state.FindUnit(unit.code);
    const UnitId id = existing ? *existing : next_id;
    bool changed = false;
    for (const auto& [h, g] : groups) {
      bool same = false;
      if (existing) {
        for (const Membership& m : state.MembershipsOf(id)) {
          if (m.hierarchy == h && m.from == kBeginningOfTime) same = m.group == g;
        }
      }
      if (!same) {
        result.changes.memberships.push_back({id, h, g, kBeginningOfTime});
        changed = true;
      }
    }
    if (!existing) {
      result.changes.new_units.push_back(std::move(unit));
      ++next_id;
      ++result.imported;
      return;
    }
    const Unit& old = state.units()[static_cast<size_t>(id)];
    if (old.name != unit.name || old.attributes != unit.attributes) {
      result.changes.changed_units.emplace_back(id, std::move(unit));
      changed = true;
    }
    if (changed) {
      ++result.updated;
    } else {
      ++result.ignored;
    }
  });
}

// ---------------------------------------------------------------- memberships

void ImportMemberships(CsvReader& reader, const Header& header, const engine::State& state,
                       Errors& errors, ImportResult& result,
                       const std::function<void(size_t)>& progress) {
  if (!header.Require({"unit", "hierarchy", "group", "from"}, errors) ||
      !header.OnlyAllow({"unit", "hierarchy", "group", "from"}, errors)) {
    return;
  }
  std::map<std::tuple<UnitId, HierarchyId, int32_t>, int64_t> seen;
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    std::string_view unit_code = row.Code("unit");
    std::string_view hierarchy_code = row.Code("hierarchy");
    std::string_view group_code = row.Code("group");
    std::string_view from_text = row.Get("from");
    if (row.failed()) return;
    auto unit = state.FindUnit(unit_code);
    if (!unit) row.Fail("unit", "unknown unit " + Quote(unit_code));
    auto h = state.FindHierarchy(hierarchy_code);
    if (!h) {
      row.Fail("hierarchy", "unknown hierarchy " + Quote(hierarchy_code));
      return;
    }
    auto g = state.FindGroup(*h, group_code);
    if (!g)
      row.Fail("group",
               "unknown group " + Quote(group_code) + " in hierarchy " + Quote(hierarchy_code));
    auto from = ParseDate(from_text);
    if (!from.ok()) row.Fail("from", from.error().message);
    if (row.failed()) return;
    auto [it, fresh] = seen.emplace(std::make_tuple(*unit, *h, from->days()), row.line());
    if (!fresh) {
      row.Fail("from", "the same unit, hierarchy and date appear twice (also " +
                           row.Place(it->second) + ")");
      return;
    }
    bool exists = false;
    bool same = false;
    for (const Membership& m : state.MembershipsOf(*unit)) {
      if (m.hierarchy == *h && m.from == *from) {
        exists = true;
        same = m.group == *g;
      }
    }
    if (same) {
      ++result.ignored;
      return;
    }
    result.changes.memberships.push_back({*unit, *h, *g, *from});
    if (exists) {
      ++result.updated;
    } else {
      ++result.imported;
    }
  });
}

// ---------------------------------------------------------------- indicators

void ImportIndicators(CsvReader& reader, const Header& header, const engine::State& state,
                      Errors& errors, ImportResult& result,
                      const std::function<void(size_t)>& progress) {
  static constexpr std::initializer_list<const char*> kColumns = {
      "code", "name",      "measure",     "direction", "aggregation",
      "role", "numerator", "denominator", "grain"};
  if (!header.Require({"code", "name", "measure", "direction", "aggregation", "role"}, errors) ||
      !header.OnlyAllow(kColumns, errors)) {
    return;
  }
  struct Pending {
    int64_t line;
    Indicator indicator;
    std::string numerator, denominator;
  };
  std::vector<Pending> rows;
  std::unordered_map<std::string, int64_t> seen;
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    Pending p{
        row.line(), {}, std::string(row.Get("numerator")), std::string(row.Get("denominator"))};
    Indicator& i = p.indicator;
    i.code = std::string(row.Code("code"));
    i.name = std::string(row.Name("name", true));
    i.measure = std::string(row.Name("measure", false));
    if (!ParseDirection(row.Get("direction"), i.direction)) {
      row.Fail("direction", Quote(row.Get("direction")) + " is not a direction (higher, lower)");
    }
    if (!ParseAggregation(row.Get("aggregation"), i.aggregation)) {
      row.Fail("aggregation",
               Quote(row.Get("aggregation")) + " is not an aggregation (sum, mean, last, max)");
    }
    if (!ParseRole(row.Get("role"), i.role)) {
      row.Fail("role", Quote(row.Get("role")) + " is not a role (output, input, quality)");
    }
    std::string_view grain = row.Get("grain");
    if (grain.empty() || grain == "day") {
      i.grain = Grain::kDay;
    } else if (grain == "month") {
      i.grain = Grain::kMonth;
    } else {
      row.Fail("grain", Quote(grain) + " is not a reporting grain (day, month)");
    }
    if (p.numerator.empty() != p.denominator.empty()) {
      row.Fail(p.numerator.empty() ? "numerator" : "denominator",
               "a derived indicator needs both a numerator and a denominator");
    }
    if (!p.numerator.empty() && (p.numerator == i.code || p.denominator == i.code)) {
      row.Fail("numerator", "an indicator cannot be a ratio of itself");
    }
    if (row.failed()) return;
    auto [it, fresh] = seen.emplace(i.code, row.line());
    if (!fresh) {
      row.Fail("code", "indicator " + Quote(i.code) + " appears twice (also " +
                           row.Place(it->second) + ")");
      return;
    }
    rows.push_back(std::move(p));
  });
  if (errors.any()) return;

  // Base indicators first (in file order), then ratios, so parts precede ratios.
  std::unordered_map<std::string, IndicatorId> fresh_ids;
  std::unordered_map<std::string, const Pending*> by_code;
  for (const Pending& p : rows) by_code.emplace(p.indicator.code, &p);
  IndicatorId next_id = static_cast<IndicatorId>(state.indicators().size());
  auto resolve = [&](const std::string& code, const Pending& p, const char* column,
                     IndicatorId& out) -> bool {
    if (auto id = state.FindIndicator(code)) {
      if (state.indicators()[static_cast<size_t>(*id)].IsDerived()) {
        errors.Add(p.line, header.ColumnOf(column), column,
                   Quote(code) + " is itself a ratio; use base indicators");
        return false;
      }
      out = *id;
      return true;
    }
    auto it = by_code.find(code);
    if (it == by_code.end()) {
      errors.Add(p.line, header.ColumnOf(column), column, "unknown indicator " + Quote(code));
      return false;
    }
    if (!it->second->numerator.empty()) {
      errors.Add(p.line, header.ColumnOf(column), column,
                 Quote(code) + " is itself a ratio; use base indicators");
      return false;
    }
    out = fresh_ids.at(code);
    return true;
  };
  for (int pass = 0; pass < 2; ++pass) {
    for (const Pending& p : rows) {
      const bool derived = !p.numerator.empty();
      if (derived != (pass == 1)) continue;
      Indicator ind = p.indicator;
      if (derived && (!resolve(p.numerator, p, "numerator", ind.numerator) ||
                      !resolve(p.denominator, p, "denominator", ind.denominator))) {
        continue;
      }
      if (auto existing = state.FindIndicator(ind.code)) {
        const Indicator& old = state.indicators()[static_cast<size_t>(*existing)];
        if (old.direction != ind.direction || old.aggregation != ind.aggregation ||
            old.role != ind.role || old.grain != ind.grain || old.numerator != ind.numerator ||
            old.denominator != ind.denominator) {
          errors.Add(p.line, header.ColumnOf("code"), "code",
                     "indicator " + Quote(ind.code) +
                         " exists with a different direction, aggregation, role, grain or "
                         "parts; only its name and measure can change");
          continue;
        }
        if (old.name == ind.name && old.measure == ind.measure) {
          ++result.ignored;
        } else {
          result.changes.changed_indicators.emplace_back(*existing, std::move(ind));
          ++result.updated;
        }
        continue;
      }
      fresh_ids.emplace(ind.code, next_id++);
      result.changes.new_indicators.push_back(std::move(ind));
      ++result.imported;
    }
  }
}

// ---------------------------------------------------------------- plans

struct PlanKeyHash {
  size_t operator()(const std::tuple<bool, int32_t, int32_t, int32_t, int32_t>& k) const {
    size_t h = std::hash<int64_t>()(std::get<1>(k)) * 31 + std::get<0>(k);
    h = h * 1000003 + static_cast<size_t>(std::get<2>(k));
    h = h * 1000003 + static_cast<size_t>(std::get<3>(k));
    return h * 1000003 + static_cast<size_t>(std::get<4>(k));
  }
};

void ImportPlans(CsvReader& reader, const Header& header, const engine::State& state,
                 Errors& errors, ImportResult& result,
                 const std::function<void(size_t)>& progress) {
  if (!header.Require({"target", "indicator", "period", "value"}, errors) ||
      !header.OnlyAllow({"target", "indicator", "period", "value", "method"}, errors)) {
    return;
  }
  std::unordered_map<std::tuple<bool, int32_t, int32_t, int32_t, int32_t>, int64_t, PlanKeyHash>
      seen;
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    Plan plan;
    std::string_view target = row.Code("target");
    std::string_view indicator = row.Code("indicator");
    std::string_view period_text = row.Get("period");
    auto value = row.Number("value");
    if (row.failed()) return;
    if (const size_t slash = target.find('/'); slash != std::string_view::npos) {
      std::string_view h_code = target.substr(0, slash);
      std::string_view g_code = target.substr(slash + 1);
      auto h = state.FindHierarchy(h_code);
      std::optional<GroupId> g = h ? state.FindGroup(*h, g_code) : std::nullopt;
      if (!h) {
        row.Fail("target", "unknown hierarchy " + Quote(h_code) + " in group target " +
                               Quote(target) + " (HIERARCHY/GROUP)");
      } else if (!g) {
        row.Fail("target", "unknown group " + Quote(g_code) + " in hierarchy " + Quote(h_code));
      } else {
        plan.target = {true, *g};
      }
    } else if (auto u = state.FindUnit(target)) {
      plan.target = {false, *u};
    } else {
      row.Fail("target",
               "unknown unit " + Quote(target) + " (a group target is written HIERARCHY/GROUP)");
    }
    auto ind = state.FindIndicator(indicator);
    if (!ind) row.Fail("indicator", "unknown indicator " + Quote(indicator));
    auto period = ParsePeriod(period_text);
    if (!period.ok()) row.Fail("period", period.error().message);
    if (row.failed()) return;
    const Indicator& info = state.indicators()[static_cast<size_t>(*ind)];
    const Grain report_grain =
        info.IsDerived() ? std::max(state.indicators()[static_cast<size_t>(info.numerator)].grain,
                                    state.indicators()[static_cast<size_t>(info.denominator)].grain)
                         : info.grain;
    if (period->grain < report_grain ||
        (report_grain == Grain::kMonth && period->grain == Grain::kWeek)) {
      row.Fail("period", "indicator " + Quote(indicator) + " is reported by " +
                             GrainName(report_grain) + "; a plan for the " +
                             GrainName(period->grain) + " " + FormatPeriod(*period) +
                             " cannot be aggregated from it");
      return;
    }
    if (*value < 0) {
      row.Fail("value", "a plan cannot be negative");
      return;
    }
    plan.indicator = *ind;
    plan.period = *period;
    plan.value = *value;
    std::string_view method = row.Get("method");
    if (method.empty() || method == "even") {
      plan.method = SplitMethod::kEven;
    } else if (method == "workdays") {
      plan.method = SplitMethod::kWorkdays;
    } else if (auto profile = state.FindProfile(method)) {
      plan.method = SplitMethod::kProfile;
      plan.profile = *profile;
    } else {
      row.Fail("method", Quote(method) +
                             " is neither 'even', 'workdays' nor a known seasonal profile "
                             "(import profiles first)");
      return;
    }
    auto key = std::make_tuple(plan.target.is_group, plan.target.id, plan.indicator,
                               plan.period.begin.days(), plan.period.end.days());
    auto [it, fresh] = seen.emplace(key, row.line());
    if (!fresh) {
      row.Fail("period", "a plan for the same target, indicator and period appears twice (also " +
                             row.Place(it->second) + ")");
      return;
    }
    const Plan* old = state.FindPlan(plan.target, plan.indicator, plan.period);
    if (old != nullptr && old->value == plan.value && old->method == plan.method &&
        old->profile == plan.profile) {
      ++result.ignored;
      return;
    }
    if (old != nullptr) {
      ++result.updated;
    } else {
      ++result.imported;
    }
    result.changes.plans.push_back(plan);
  });
}

// ---------------------------------------------------------------- reports

Status ImportReports(CsvReader& reader, const Header& header, const engine::State& state,
                     const KeyLookup& lookup_key, const ImportOptions& options, Errors& errors,
                     ImportResult& result, const std::function<void(size_t)>& progress) {
  if (!header.Require({"unit", "indicator", "date", "value"}, errors) ||
      !header.OnlyAllow({"unit", "indicator", "date", "value", "key"}, errors)) {
    return OkStatus();
  }
  const size_t unit_col = header.Find("unit");
  const size_t indicator_col = header.Find("indicator");
  const size_t date_col = header.Find("date");
  const size_t value_col = header.Find("value");
  const size_t key_col = header.Find("key");
  // Memoize the last codes seen: bulk files repeat them row after row.
  std::string last_unit_code;
  UnitId last_unit = kNoId;
  std::string last_indicator_code;
  IndicatorId last_indicator = kNoId;
  std::string last_date_text;
  Date last_date;
  std::unordered_map<std::string, std::pair<Report, int64_t>> file_keys;
  // Keyed files look keys up in the store while parsing, so they are never streamed.
  const bool stream = options.report_sink && key_col == std::string::npos;
  Status lookup_status;
  result.changes.reports.reserve(reader.size() / 32);

  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    const std::string_view unit_code = row.At(unit_col);
    const std::string_view indicator_code = row.At(indicator_col);
    const std::string_view date_text = row.At(date_col);
    const std::string_view value_text = row.At(value_col);
    Report r;
    if (unit_code == last_unit_code && last_unit != kNoId) {
      r.unit = last_unit;
    } else if (auto u = state.FindUnit(unit_code)) {
      r.unit = *u;
      last_unit = *u;
      last_unit_code = unit_code;
    } else {
      row.Fail("unit", unit_code.empty() ? "is empty" : "unknown unit " + Quote(unit_code));
    }
    const Indicator* info = nullptr;
    if (indicator_code == last_indicator_code && last_indicator != kNoId) {
      r.indicator = last_indicator;
    } else if (auto i = state.FindIndicator(indicator_code)) {
      r.indicator = *i;
      last_indicator = *i;
      last_indicator_code = indicator_code;
    } else {
      row.Fail("indicator",
               indicator_code.empty() ? "is empty" : "unknown indicator " + Quote(indicator_code));
    }
    if (r.indicator != kNoId) {
      info = &state.indicators()[static_cast<size_t>(r.indicator)];
      if (info->IsDerived()) {
        row.Fail("indicator", "indicator " + Quote(indicator_code) +
                                  " is a ratio of two others; report its parts");
      }
    }
    if (date_text == last_date_text && !last_date_text.empty()) {
      r.date = last_date;
    } else if (auto d = ParseDate(date_text); d.ok()) {
      r.date = *d;
      last_date = *d;
      last_date_text = date_text;
    } else if (info != nullptr && info->grain == Grain::kMonth) {
      auto p = ParsePeriod(date_text);
      if (p.ok() && p->grain == Grain::kMonth) {
        r.date = p->begin;
      } else {
        row.Fail("date", Quote(date_text) + " is not a month (YYYY-MM) or its first day");
      }
    } else {
      row.Fail("date", d.error().message);
    }
    if (!row.failed() && info != nullptr && info->grain == Grain::kMonth &&
        r.date.ToCivil().day != 1) {
      row.Fail("date", "indicator " + Quote(indicator_code) +
                           " is reported by month; date it to the month (YYYY-MM)");
    }
    if (!ParseNumber(value_text, r.value)) {
      row.Fail("value", value_text.empty() ? "is empty; expected a number"
                                           : Quote(value_text) +
                                                 " is not a number (use digits, '.' for "
                                                 "decimals)");
    }
    if (row.failed()) return;

    if (key_col != std::string::npos) {
      const std::string_view key = row.At(key_col);
      if (!key.empty()) {
        auto same = [&](const Report& o) {
          return o.unit == r.unit && o.indicator == r.indicator && o.date == r.date &&
                 o.value == r.value;
        };
        auto fk = file_keys.find(std::string(key));
        if (fk != file_keys.end()) {
          if (same(fk->second.first)) {
            ++result.ignored;
          } else {
            row.Fail("key", "key " + Quote(key) + " is used " + row.Place(fk->second.second) +
                                " for a different report");
          }
          return;
        }
        auto stored = lookup_key(std::string(key));
        if (!stored.ok()) {
          lookup_status = stored.error();
          return;
        }
        if (stored->has_value()) {
          if (same(**stored)) {
            ++result.ignored;
          } else {
            row.Fail("key", "key " + Quote(key) + " was already used for a different report");
          }
          return;
        }
        file_keys.emplace(std::string(key), std::make_pair(r, row.line()));
        result.changes.report_keys.push_back({std::string(key), r});
      }
    }
    const auto current = state.ReportValue(r.unit, r.indicator, r.date);
    if (current && *current == r.value) {
      ++result.ignored;
      return;
    }
    if (current) {
      ++result.updated;
    } else {
      ++result.imported;
    }
    std::vector<Report>& out = result.changes.reports;
    out.push_back(r);
    if (stream && out.size() - result.reports_streamed >= options.stream_chunk_rows &&
        !errors.any()) {
      options.report_sink(std::span<const Report>(out).subspan(result.reports_streamed));
      result.reports_streamed = out.size();
    }
  });
  return lookup_status;
}

// ---------------------------------------------------------------- calendar, profiles

int WeekdayIndex(std::string_view s) {
  static constexpr const char* kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const std::string lower = ToLower(s);
  for (int i = 0; i < 7; ++i) {
    if (lower == kNames[i]) return i;
  }
  return -1;
}

void ImportCalendar(CsvReader& reader, const Header& header, const engine::State& state,
                    Errors& errors, ImportResult& result,
                    const std::function<void(size_t)>& progress) {
  if (!header.Require({"date", "kind"}, errors) || !header.OnlyAllow({"date", "kind"}, errors)) {
    return;
  }
  WorkCalendar cal = state.calendar();
  const WorkCalendar before = cal;
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    const std::string_view date = row.Get("date");
    const std::string kind = ToLower(row.Get("kind"));
    if (kind != "rest" && kind != "holiday" && kind != "workday") {
      row.Fail("kind", Quote(kind) + " is not a day kind (rest, holiday, workday)");
      return;
    }
    const bool working = kind == "workday";
    if (const int w = WeekdayIndex(date); w >= 0) {
      if (kind == "holiday") {
        row.Fail("kind", "a weekday is 'rest' or 'workday'; 'holiday' is for dates");
        return;
      }
      const bool rest = !working;
      if (cal.rest_weekdays[static_cast<size_t>(w)] == rest) {
        ++result.ignored;
      } else {
        cal.rest_weekdays[static_cast<size_t>(w)] = rest;
        ++result.updated;
      }
      return;
    }
    auto d = ParseDate(date);
    if (!d.ok()) {
      row.Fail("date", d.error().message + " or a weekday (mon..sun)");
      return;
    }
    auto it = std::find_if(cal.exceptions.begin(), cal.exceptions.end(),
                           [&](const auto& e) { return e.first == *d; });
    if (it == cal.exceptions.end()) {
      cal.exceptions.emplace_back(*d, working);
      ++result.imported;
    } else if (it->second == working) {
      ++result.ignored;
    } else {
      it->second = working;
      ++result.updated;
    }
  });
  std::sort(cal.exceptions.begin(), cal.exceptions.end());
  if (cal.rest_weekdays != before.rest_weekdays || cal.exceptions != before.exceptions) {
    result.changes.calendar = std::move(cal);
  }
}

void ImportProfiles(CsvReader& reader, const Header& header, const engine::State& state,
                    Errors& errors, ImportResult& result,
                    const std::function<void(size_t)>& progress) {
  if (!header.Require({"profile", "month", "weight"}, errors) ||
      !header.OnlyAllow({"profile", "month", "weight"}, errors)) {
    return;
  }
  struct Pending {
    int64_t first_line;
    Profile profile;
    std::array<int64_t, 12> lines{};
  };
  std::vector<Pending> profiles;
  ForEachRow(reader, header, errors, result, progress, [&](Row& row) {
    std::string_view code = row.Code("profile");
    int month = 0;
    if (!ParseDigits(row.Get("month"), month) || month < 1 || month > 12) {
      row.Fail("month", Quote(row.Get("month")) + " is not a month number 1..12");
    }
    auto weight = row.Number("weight");
    if (weight && *weight < 0) row.Fail("weight", "a weight cannot be negative");
    if (code == "even" || code == "workdays") {
      row.Fail("profile", Quote(code) + " is a built-in method name; choose another name");
    }
    if (row.failed()) return;
    auto it = std::find_if(profiles.begin(), profiles.end(),
                           [&](const Pending& p) { return p.profile.code == code; });
    if (it == profiles.end()) {
      profiles.push_back({row.line(), {std::string(code), {}}, {}});
      it = profiles.end() - 1;
    }
    auto& line = it->lines[static_cast<size_t>(month - 1)];
    if (line != 0) {
      row.Fail("month", "month " + std::to_string(month) + " of profile " + Quote(code) +
                            " appears twice (also " + row.Place(line) + ")");
      return;
    }
    line = row.line();
    it->profile.month_weights[static_cast<size_t>(month - 1)] = *weight;
  });
  for (Pending& p : profiles) {
    double total = 0;
    for (size_t m = 0; m < 12; ++m) {
      total += p.profile.month_weights[m];
      if (p.lines[m] == 0) {
        errors.Add(p.first_line, header.ColumnOf("month"), "month",
                   "profile " + Quote(p.profile.code) + " has no weight for month " +
                       std::to_string(m + 1) + " (give all twelve)");
      }
    }
    if (total <= 0) {
      errors.Add(p.first_line, header.ColumnOf("weight"), "weight",
                 "profile " + Quote(p.profile.code) + " has no positive weight");
    }
    auto existing = state.FindProfile(p.profile.code);
    if (existing &&
        state.profiles()[static_cast<size_t>(*existing)].month_weights == p.profile.month_weights) {
      ++result.ignored;
      continue;
    }
    if (existing) {
      ++result.updated;
    } else {
      ++result.imported;
    }
    result.changes.profiles.push_back(std::move(p.profile));
  }
}

}  // namespace

const char* ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kGroups:
      return "groups";
    case ImportKind::kUnits:
      return "units";
    case ImportKind::kMemberships:
      return "memberships";
    case ImportKind::kIndicators:
      return "indicators";
    case ImportKind::kPlans:
      return "plans";
    case ImportKind::kReports:
      return "reports";
    case ImportKind::kCalendar:
      return "calendar";
    case ImportKind::kProfiles:
      return "profiles";
  }
  return "reports";
}

Result<ImportKind> ParseImportKind(std::string_view name) {
  for (ImportKind k : kAllImportKinds) {
    if (name == ImportKindName(k)) return k;
  }
  return InvalidArgument("'" + std::string(name) +
                         "' is not a kind (groups, units, memberships, indicators, plans, "
                         "reports, calendar, profiles)");
}

Result<ImportResult> ParseImport(ImportKind kind, CsvReader& reader, const engine::State& state,
                                 const KeyLookup& lookup_key, const ImportOptions& options,
                                 const std::function<void(size_t)>& progress) {
  ImportResult result;
  Errors errors(reader.name(), std::max<size_t>(options.max_errors, 1), options, result);
  Header header;
  if (!header.Read(reader, errors)) return result;
  switch (kind) {
    case ImportKind::kGroups:
      ImportGroups(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kUnits:
      ImportUnits(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kMemberships:
      ImportMemberships(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kIndicators:
      ImportIndicators(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kPlans:
      ImportPlans(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kReports: {
      Status s =
          ImportReports(reader, header, state, lookup_key, options, errors, result, progress);
      if (!s.ok()) return s.error();
      break;
    }
    case ImportKind::kCalendar:
      ImportCalendar(reader, header, state, errors, result, progress);
      break;
    case ImportKind::kProfiles:
      ImportProfiles(reader, header, state, errors, result, progress);
      break;
  }
  if (!result.errors.empty()) {
    result.changes = Changes{};
    result.reports_streamed = 0;
  }
  return result;
}

}  // namespace chollima::io
