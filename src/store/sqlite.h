// Thin RAII wrappers over the SQLite C API. Every return code is checked and turned
// into an Error that names the statement and SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace chollima::store {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binders take 1-based parameter indexes, as SQLite does.
  void Bind(int idx, int64_t v) { sqlite3_bind_int64(stmt_, idx, v); }
  void Bind(int idx, int32_t v) { sqlite3_bind_int(stmt_, idx, v); }
  void Bind(int idx, double v) { sqlite3_bind_double(stmt_, idx, v); }
  void Bind(int idx, std::string_view v) {
    sqlite3_bind_text(stmt_, idx, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindNull(int idx) { sqlite3_bind_null(stmt_, idx); }

  // Steps once. Returns true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion of a statement that returns no rows, then resets it.
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  int32_t Int32(int col) const { return sqlite3_column_int(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Steps `stmt` through all its rows, calling `fn(stmt)` for each.
template <typename Fn>
Status ForEachRow(Statement& stmt, Fn&& fn) {
  while (true) {
    auto row = stmt.Step();
    if (!row.ok()) return row.error();
    if (!*row) return OkStatus();
    fn(stmt);
  }
}

class Database {
 public:
  // Opens `path`; with `create` false the file must already exist.
  static Result<Database> Open(const std::string& path, bool create);
  Database(Database&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // The single integer the query returns, or `fallback` when it returns no row.
  Result<int64_t> QueryInt(std::string_view sql, int64_t fallback);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  Error LastError(std::string_view what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace chollima::store
