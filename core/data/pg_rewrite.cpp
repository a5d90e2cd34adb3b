// PostgreSQL: whole columns rewritten by TRUNCATE + COPY in the caller's transaction. The rows
// are copied out to an unlinked local file, the table's keys, indexes and the foreign keys
// that point at it are dropped, the table is truncated, the rows come back through COPY …
// FREEZE with the columns rewritten on the way, and everything dropped is re-created from
// its own definition (pg_get_constraintdef, pg_get_indexdef), which checks it again.
#include "core/data/engines.hpp"
#include "dihya_build_config.h"

#if DIHYA_HAVE_POSTGRESQL
#include <fcntl.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base/fs.hpp"
#include "core/base/signals.hpp"

namespace dihya::db_engines {

namespace {

constexpr std::size_t k_chunk = 1 << 20;
constexpr unsigned k_bytea_oid = 17, k_bool_oid = 16, k_timestamptz_oid = 1184;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

// An unlinked file in $TMPDIR (or /tmp), private to this process: gone when closed.
Result<Fd> scratch_file() {
  const char* dir = std::getenv("TMPDIR");
  fs::path where = dir && *dir ? dir : "/tmp";
  Fd fd(::open(where.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid()) return io_error(where, errno);
  return fd;
}

// Every row of SQL (text columns) on DB, PARAMS bound to its placeholders.
Result<std::vector<std::vector<std::string>>> rows_of(Database& db, const std::string& sql,
                                                      const std::vector<std::string>& params) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  for (std::size_t i = 0; i < params.size(); ++i)
    if (Status bound = (*stmt)->bind(static_cast<int>(i) + 1, Field::of(params[i])); !bound)
      return bound.error();
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return rows;
    std::vector<std::string> values;
    for (int c = 0; c < (*stmt)->column_count(); ++c)
      values.push_back((*stmt)->is_null(c) ? "" : (*stmt)->get_text(c));
    rows.push_back(std::move(values));
  }
}

// What is dropped before the rows go back in, and re-created after.
struct Dependents {
  // "table", name, definition: the table's own keys (p, u, x), then foreign keys.
  std::vector<std::array<std::string, 3>> keys, foreign_keys;
  std::vector<std::string> indexes;  // CREATE INDEX statements
};

// TABLE's dependents, or nullopt when TABLE is not a plain table the rewrite may truncate:
// user triggers (they must see each row change), inheritance children or partitions.
Result<std::optional<Dependents>> dependents_of(Database& db, const std::string& table) {
  const std::string oid = "to_regclass(?)";
  const std::string name = quote_identifier(table);
  auto shape = rows_of(db,
                       "SELECT c.relkind, (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = "
                       "c.oid AND NOT t.tgisinternal), (SELECT count(*) FROM pg_inherits i WHERE "
                       "i.inhparent = c.oid OR i.inhrelid = c.oid) FROM pg_class c WHERE c.oid = " +
                           oid,
                       {name});
  if (!shape) return shape.error();
  if (shape->size() != 1 || (*shape)[0][0] != "r" || (*shape)[0][1] != "0" ||
      (*shape)[0][2] != "0")
    return std::optional<Dependents>();
  Dependents d;
  auto constraints = rows_of(
      db,
      "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
      "FROM pg_constraint c WHERE c.conparentid = 0 AND ((c.conrelid = " +
          oid + " AND c.contype IN ('p', 'u', 'x', 'f')) OR (c.confrelid = " + oid +
          " AND c.contype = 'f')) ORDER BY c.contype <> 'p', c.conname",
      {name, name});
  if (!constraints) return constraints.error();
  for (auto& row : *constraints)
    (row[3] == "f" ? d.foreign_keys : d.keys).push_back({row[0], row[1], row[2]});
  auto indexes = rows_of(db,
                         "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = " +
                             oid +
                             " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
                             "i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', "
                             "'u', 'x')) ORDER BY i.indexrelid",
                         {name});
  if (!indexes) return indexes.error();
  for (auto& row : *indexes) d.indexes.push_back(row[0]);
  return std::optional<Dependents>(std::move(d));
}

Status drop_dependents(Database& db, const std::string& table, const Dependents& d) {
  for (const auto* list : {&d.foreign_keys, &d.keys})
    for (const auto& [owner, name, def] : *list)
      if (Status dropped = db.execute("ALTER TABLE " + owner + " DROP CONSTRAINT " +
                                      quote_identifier(name));
          !dropped)
        return dropped;
  auto names = rows_of(db,
                       "SELECT quote_ident(n.nspname) || '.' || quote_ident(ci.relname) FROM "
                       "pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_namespace n "
                       "ON n.oid = ci.relnamespace WHERE i.indrelid = to_regclass(?)",
                       {quote_identifier(table)});
  if (!names) return names.error();
  for (const auto& row : *names)
    if (Status dropped = db.execute("DROP INDEX " + row[0]); !dropped) return dropped;
  return {};
}

Status recreate_dependents(Database& db, const Dependents& d) {
  for (const auto& [owner, name, def] : d.keys)
    if (Status made = db.execute("ALTER TABLE " + owner + " ADD CONSTRAINT " +
                                 quote_identifier(name) + " " + def);
        !made)
      return made;
  for (const auto& sql : d.indexes)
    if (Status made = db.execute(sql); !made) return made;
  for (const auto& [owner, name, def] : d.foreign_keys)
    if (Status made = db.execute("ALTER TABLE " + owner + " ADD CONSTRAINT " +
                                 quote_identifier(name) + " " + def);
        !made)
      return made;
  return {};
}

Error copy_error(PGconn* conn, const PGresult* result, const std::string& what) {
  std::string reason = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
  return make_error(ExitCode::failure, "core.db.query_failed",
                    {{"engine", "PostgreSQL"}, {"reason", reason}, {"sql", what.substr(0, 120)}});
}

// Run SQL, a COPY, and wait for its end; STATUS is the state it must enter.
Result<ResultHandle> start_copy(PGconn* conn, const std::string& sql, ExecStatusType status) {
  ResultHandle result(PQexec(conn, sql.c_str()));
  if (PQresultStatus(result.get()) != status) return copy_error(conn, result.get(), sql);
  return result;
}

Status end_of_copy(PGconn* conn, const std::string& sql) {
  ResultHandle result(PQgetResult(conn));
  Status status;
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
    status = copy_error(conn, result.get(), sql);
  while (PGresult* r = PQgetResult(conn)) PQclear(r);
  return status;
}

// Every row of TABLE's COLUMNS in COPY's text format, into FILE.
Result<std::int64_t> copy_out(PGconn* conn, const std::string& columns, const std::string& table,
                              int file) {
  std::string sql = "COPY " + quote_identifier(table) + " (" + columns + ") TO STDOUT";
  auto started = start_copy(conn, sql, PGRES_COPY_OUT);
  if (!started) return started.error();
  std::string buffer;
  std::int64_t rows = 0;
  for (;;) {
    char* line = nullptr;
    int n = PQgetCopyData(conn, &line, 0);
    if (n < 0) break;
    buffer.append(line, static_cast<std::size_t>(n));
    PQfreemem(line);
    ++rows;
    if (buffer.size() >= k_chunk) {
      if (Status written = write_all(file, buffer, "copy"); !written) return written.error();
      buffer.clear();
    }
  }
  if (Status ended = end_of_copy(conn, sql); !ended) return ended.error();
  if (Status written = write_all(file, buffer, "copy"); !written) return written.error();
  return rows;
}

// A COPY text cell ("\N" aside) decoded.
std::string unescape(std::string_view cell) {
  std::string out;
  out.reserve(cell.size());
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] != '\\' || i + 1 == cell.size()) {
      out += cell[i];
      continue;
    }
    char c = cell[++i];
    switch (c) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      default: out += c;
    }
  }
  return out;
}

// One column being rewritten: where it sits in a row, its type and server type.
struct Rewritten {
  std::size_t position;
  ColumnType type;
  unsigned oid;
};

// CELL as the row-by-row engine reads a column (PgStatement and read_field); text in SCRATCH.
Field cell_field(std::string_view cell, const Rewritten& column, std::string& scratch) {
  if (cell == "\\N") return Field::null();
  scratch = unescape(cell);
  if (column.type == ColumnType::integer) return Field::of(std::atoll(scratch.c_str()));
  if (column.type == ColumnType::real) return Field::of_real(std::strtod(scratch.c_str(), nullptr));
  if (column.type == ColumnType::boolean || column.oid == k_bool_oid)
    return Field::of_bool(!scratch.empty() && scratch[0] == 't');
  if (column.oid == k_bytea_oid) {
    scratch = decode_bytea(scratch.data(), static_cast<int>(scratch.size()));
    return Field::of_blob(scratch);
  }
  if (column.oid == k_timestamptz_oid) scratch = normalize_timestamp(scratch);
  if (column.type == ColumnType::blob) return Field::of_blob(scratch);
  return Field::of(std::string_view(scratch));
}

// The rows of FILE back into TABLE, COLUMNS rewritten by REWRITE on the way.
Status copy_in(PGconn* conn, const std::string& columns, const std::string& table, int file,
               const std::vector<Rewritten>& rewritten, const ColumnRewrite& rewrite) {
  std::string sql =
      "COPY " + quote_identifier(table) + " (" + columns + ") FROM STDIN WITH (FREEZE)";
  auto started = start_copy(conn, sql, PGRES_COPY_IN);
  if (!started) return started.error();
  std::vector<std::string> scratch(rewritten.size()), outs(rewritten.size());
  std::string input, output, carry;
  std::vector<std::string_view> cells;
  auto abort = [&](Error e) -> Status {
    PQputCopyEnd(conn, "aborted");
    while (PGresult* r = PQgetResult(conn)) PQclear(r);
    return e;
  };
  auto row = [&](std::string_view line) -> Status {
    cells.clear();
    for (std::size_t start = 0;;) {
      std::size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    std::size_t next = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c) output += '\t';
      if (next < rewritten.size() && rewritten[next].position == c) {
        auto value =
            rewrite(next, cell_field(cells[c], rewritten[next], scratch[next]), outs[next]);
        if (!value) return value.error();
        append_copy_text(output, *value);
        ++next;
      } else {
        output += cells[c];
      }
    }
    output += '\n';
    return {};
  };
  input.resize(k_chunk);
  ::lseek(file, 0, SEEK_SET);
  for (;;) {
    ssize_t n = ::read(file, input.data(), input.size());
    if (n < 0) return abort(make_error(ExitCode::io_error, "core.db.query_failed",
                                       {{"engine", "PostgreSQL"},
                                        {"reason", std::strerror(errno)},
                                        {"sql", sql}}));
    if (n == 0) break;
    carry.append(input.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t end; (end = carry.find('\n', start)) != std::string::npos; start = end + 1)
      if (Status done = row(std::string_view(carry).substr(start, end - start)); !done)
        return abort(done.error());
    carry.erase(0, start);
    if (output.size() >= k_chunk) {
      if (PQputCopyData(conn, output.data(), static_cast<int>(output.size())) != 1)
        return abort(copy_error(conn, nullptr, sql));
      output.clear();
    }
  }
  if (!output.empty() && PQputCopyData(conn, output.data(), static_cast<int>(output.size())) != 1)
    return abort(copy_error(conn, nullptr, sql));
  if (PQputCopyEnd(conn, nullptr) != 1) return abort(copy_error(conn, nullptr, sql));
  return end_of_copy(conn, sql);
}

}  // namespace

Result<std::optional<std::int64_t>> pg_rewrite_columns(PGconn* conn, Database& db,
                                                       const TableDef& table,
                                                       const std::vector<std::string>& columns,
                                                       const ColumnRewrite& rewrite) {
  auto dependents = dependents_of(db, table.name);
  if (!dependents) return dependents.error();
  if (!*dependents) return std::optional<std::int64_t>();
  std::string list;
  std::vector<Rewritten> rewritten(columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto& column = table.columns[c];
    list += (c ? ", " : "") + quote_identifier(column.name);
    for (std::size_t r = 0; r < columns.size(); ++r)
      if (columns[r] == column.name) rewritten[r] = {c, column.type, 0};
  }
  for (std::size_t r = 0; r < columns.size(); ++r) {
    auto oid = rows_of(db,
                       "SELECT atttypid::int FROM pg_attribute WHERE attrelid = to_regclass(?) "
                       "AND attname = ?",
                       {quote_identifier(table.name), columns[r]});
    if (!oid) return oid.error();
    if (oid->size() != 1)
      return make_error(ExitCode::failure, "core.internal_error",
                        {{"reason", "no column " + columns[r]}});
    rewritten[r].oid = static_cast<unsigned>(std::stoul((*oid)[0][0]));
  }
  // COPY reads the columns in the table's order: the rewritten ones are met in that order.
  std::vector<std::size_t> order(columns.size());
  for (std::size_t r = 0; r < order.size(); ++r) order[r] = r;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return rewritten[a].position < rewritten[b].position; });
  std::vector<Rewritten> by_position;
  for (std::size_t r : order) by_position.push_back(rewritten[r]);
  ColumnRewrite in_order = [&](std::size_t i, const Field& value, std::string& out) {
    return rewrite(order[i], value, out);
  };

  auto file = scratch_file();
  if (!file) return file.error();
  auto rows = copy_out(conn, list, table.name, file->get());
  if (!rows) return rows.error();
  stop_point(("rewrite.copied:" + table.name).c_str());
  if (Status dropped = drop_dependents(db, table.name, **dependents); !dropped)
    return dropped.error();
  if (Status truncated = db.execute("TRUNCATE " + quote_identifier(table.name)); !truncated)
    return truncated.error();
  if (Status loaded = copy_in(conn, list, table.name, file->get(), by_position, in_order); !loaded)
    return loaded.error();
  stop_point(("rewrite.updated:" + table.name).c_str());
  if (Status made = recreate_dependents(db, **dependents); !made) return made.error();
  return std::optional<std::int64_t>(*rows);
}

}  // namespace dihya::db_engines

#endif
