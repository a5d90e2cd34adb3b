// SQLite: whole columns rewritten by one UPDATE through an application-defined function, the
// indexes over them dropped first and built again after, all in the caller's transaction.
#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "core/base/signals.hpp"
#include "core/data/engines.hpp"

namespace dihya::db_engines {

namespace {

constexpr const char* k_function = "dihya_rewrite";

// What the function registered for one rewrite reads and writes.
struct RewriteState {
  const ColumnRewrite* rewrite = nullptr;
  std::vector<ColumnType> types;
  std::string out;
  std::optional<Error> error;  // the first the rewrite returned
};

// ARG as the row-by-row engine reads a column of TYPE (read_field): by the declared type.
Field field_of(sqlite3_value* arg, ColumnType type) {
  if (sqlite3_value_type(arg) == SQLITE_NULL) return Field::null();
  switch (type) {
    case ColumnType::integer:
      return Field::of(static_cast<std::int64_t>(sqlite3_value_int64(arg)));
    case ColumnType::real:
      return Field::of_real(sqlite3_value_double(arg));
    case ColumnType::boolean:
      return Field::of_bool(sqlite3_value_int64(arg) != 0);
    case ColumnType::blob: {
      const void* data = sqlite3_value_blob(arg);
      auto size = static_cast<std::size_t>(sqlite3_value_bytes(arg));
      return Field::of_blob(data ? std::string_view(static_cast<const char*>(data), size) : "");
    }
    default: {
      const unsigned char* text = sqlite3_value_text(arg);
      auto size = static_cast<std::size_t>(sqlite3_value_bytes(arg));
      return Field::of(text ? std::string_view(reinterpret_cast<const char*>(text), size) : "");
    }
  }
}

// VALUE as the function's result, stored as a bound parameter would be.
void set_result(sqlite3_context* context, const Field& value) {
  switch (value.kind) {
    case Field::Kind::null:
      sqlite3_result_null(context);
      break;
    case Field::Kind::integer:
    case Field::Kind::boolean:
      sqlite3_result_int64(context, value.integer);
      break;
    case Field::Kind::real:
      sqlite3_result_double(context, value.real);
      break;
    case Field::Kind::text:
      sqlite3_result_text64(context, value.text.data(), value.text.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8);
      break;
    case Field::Kind::blob:
      sqlite3_result_blob64(context, value.text.empty() ? "" : value.text.data(),
                            value.text.size(), SQLITE_TRANSIENT);
      break;
  }
}

// dihya_rewrite(column index, value).
extern "C" void rewrite_function(sqlite3_context* context, int, sqlite3_value** args) {
  auto* state = static_cast<RewriteState*>(sqlite3_user_data(context));
  auto column = static_cast<std::size_t>(sqlite3_value_int64(args[0]));
  if (state->error || column >= state->types.size()) {
    sqlite3_result_error(context, "dihya_rewrite stopped", -1);
    return;
  }
  // A throw may not cross SQLite's frames: everything is caught here.
  try {
    auto value = (*state->rewrite)(column, field_of(args[1], state->types[column]), state->out);
    if (!value) {
      state->error = value.error();
      sqlite3_result_error(context, "dihya_rewrite failed", -1);
      return;
    }
    set_result(context, *value);
  } catch (const Failure& failure) {
    state->error = failure.error();
    sqlite3_result_error(context, "dihya_rewrite failed", -1);
  } catch (const std::exception& e) {
    state->error = make_error(ExitCode::failure, "core.internal_error", {{"reason", e.what()}});
    sqlite3_result_error(context, "dihya_rewrite failed", -1);
  }
}

// An index to drop before the rewrite and build again after, with its definition.
struct SavedIndex {
  std::string name, sql;
};

// The indexes of TABLE made by CREATE INDEX that the rewrite of COLUMNS would have to keep up
// row by row: those over one of them, on an expression, or partial. UNIQUE and PRIMARY KEY
// constraints of the table itself cannot be dropped, and stay.
Result<std::vector<SavedIndex>> indexes_over(Database& db, const TableDef& table,
                                             const std::set<std::string>& columns) {
  auto list = db.prepare("SELECT il.name, il.partial, s.sql FROM pragma_index_list(?) AS il "
                         "JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = il.name "
                         "WHERE il.origin = 'c' AND s.sql IS NOT NULL ORDER BY il.name");
  if (!list) return list.error();
  if (Status bound = (*list)->bind(1, Field::of(table.name)); !bound) return bound.error();
  std::vector<std::pair<SavedIndex, bool>> candidates;
  for (;;) {
    auto row = (*list)->step();
    if (!row) return row.error();
    if (!*row) break;
    candidates.push_back({{(*list)->get_text(0), (*list)->get_text(2)},
                          (*list)->get_integer(1) != 0});
  }
  std::vector<SavedIndex> saved;
  for (auto& [index, partial] : candidates) {
    bool over = partial;
    auto info = db.prepare("SELECT cid, name FROM pragma_index_xinfo(?) WHERE key = 1");
    if (!info) return info.error();
    if (Status bound = (*info)->bind(1, Field::of(index.name)); !bound) return bound.error();
    for (;;) {
      auto row = (*info)->step();
      if (!row) return row.error();
      if (!*row) break;
      if ((*info)->get_integer(0) == -2 || columns.count((*info)->get_text(1))) over = true;
    }
    if (over) saved.push_back(std::move(index));
  }
  return saved;
}

// The UPDATE that rewrites COLUMNS through the function.
std::string rewrite_sql(const TableDef& table, const std::vector<std::string>& columns) {
  std::string sql = "UPDATE " + quote_identifier(table.name) + " SET ";
  for (std::size_t i = 0; i < columns.size(); ++i)
    sql += (i ? ", " : "") + quote_identifier(columns[i]) + " = " + k_function + "(" +
           std::to_string(i) + ", " + quote_identifier(columns[i]) + ")";
  return sql;
}

}  // namespace

Result<std::optional<std::int64_t>> sqlite_rewrite_columns(sqlite3* connection, Database& db,
                                                           const TableDef& table,
                                                           const std::vector<std::string>& columns,
                                                           const ColumnRewrite& rewrite) {
  RewriteState state;
  state.rewrite = &rewrite;
  for (const auto& name : columns) {
    const ColumnDef* column = table.column(name);
    if (!column)
      return make_error(ExitCode::failure, "core.internal_error", {{"reason", "no column " + name}});
    state.types.push_back(column->type);
  }
  auto saved = indexes_over(db, table, {columns.begin(), columns.end()});
  if (!saved) return saved.error();
  for (const auto& index : *saved)
    if (Status dropped = db.execute("DROP INDEX " + quote_identifier(index.name)); !dropped)
      return dropped.error();
  stop_point(("rewrite.dropped:" + table.name).c_str());
  int rc = sqlite3_create_function_v2(connection, k_function, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                      &state, rewrite_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(connection, rc, "sqlite3_create_function");
  Status updated = db.execute(rewrite_sql(table, columns));
  std::int64_t rows = sqlite3_changes64(connection);
  sqlite3_create_function_v2(connection, k_function, 2, SQLITE_UTF8, nullptr, nullptr, nullptr,
                             nullptr, nullptr);
  if (state.error) return *state.error;
  if (!updated) return updated.error();
  stop_point(("rewrite.updated:" + table.name).c_str());
  for (const auto& index : *saved)
    if (Status built = db.execute(index.sql); !built) return built.error();
  return std::optional<std::int64_t>(rows);
}

}  // namespace dihya::db_engines
