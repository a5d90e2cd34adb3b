#include "core/data/engines.hpp"
#include "core/data/pg_copy.hpp"
#include "core/data/types.hpp"
#include "dihya_build_config.h"

#if DIHYA_HAVE_POSTGRESQL
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#endif

// The PostgreSQL engine, through libpq. Passwords come only from ~/.pgpass or $PGPASSFILE.
namespace dihya::db_engines {

#if !DIHYA_HAVE_POSTGRESQL

Result<std::unique_ptr<Database>> open_postgresql(const DatabaseUrl& url,
                                                  const OpenOptions&) {
  return make_error(ExitCode::unavailable, "core.db.no_postgresql", {{"url", url.display}});
}

#else

namespace {

constexpr unsigned k_bytea_oid = 17, k_bool_oid = 16, k_timestamptz_oid = 1184;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnDeleter>;

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Error pg_error(PGconn* conn, const PGresult* result, std::string_view sql) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  ExitCode code = ExitCode::failure;
  if (sqlstate.rfind("08", 0) == 0 || PQstatus(conn) != CONNECTION_OK)
    code = ExitCode::unavailable;
  else if (sqlstate.rfind("23", 0) == 0 || sqlstate.rfind("22", 0) == 0)
    code = ExitCode::data_error;
  else if (sqlstate == "42501")
    code = ExitCode::no_permission;
  else if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03")
    code = ExitCode::temp_failure;
  std::string reason = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  return make_error(
      code, "core.db.query_failed",
      {{"engine", "PostgreSQL"}, {"reason", reason}, {"sql", std::string(sql.substr(0, 120))}});
}

}  // namespace

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// "\x0102…" (bytea hex output) to raw bytes.
std::string decode_bytea(const char* text, int length) {
  std::string out;
  if (length < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text, length);
  out.reserve(static_cast<std::size_t>(length - 2) / 2);
  for (int i = 2; i + 1 < length; i += 2)
    out += static_cast<char>(hex_value(text[i]) * 16 + hex_value(text[i + 1]));
  return out;
}

// "2026-11-24 10:00:00.5+00" (ISO, UTC session) to "2026-11-24T10:00:00.5Z".
std::string normalize_timestamp(std::string text) {
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  if (text.size() > 3 && text.compare(text.size() - 3, 3, "+00") == 0)
    text.replace(text.size() - 3, 3, "Z");
  return text;
}

// VALUE in COPY's text format (what PgLoader sends).
void append_copy_text(std::string& out, const Field& v) {
  char digits[32];
  switch (v.kind) {
    case Field::Kind::null:
      out += "\\N";
      break;
    case Field::Kind::integer: {
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v.integer);
      out.append(digits, end);
      break;
    }
    case Field::Kind::boolean:
      out += v.integer ? 't' : 'f';
      break;
    case Field::Kind::real:
      std::snprintf(digits, sizeof digits, "%.17g", v.real);
      out += digits;
      break;
    case Field::Kind::text:
      for (char c : v.text) {
        switch (c) {
          case '\\':
            out += "\\\\";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          default:
            out += c;
        }
      }
      break;
    case Field::Kind::blob: {
      static const char* hex = "0123456789abcdef";
      out += "\\\\x";
      for (unsigned char c : v.text) {
        out += hex[c >> 4];
        out += hex[c & 15];
      }
      break;
    }
  }
}

namespace {

class PgStatement : public Statement {
 public:
  PgStatement(PGconn* conn, std::string sql) : m_conn(conn), m_sql(std::move(sql)) {}
  ~PgStatement() override { drain(); }

  Status bind(int index, const Field& v) override {
    if (index < 1) return make_error(ExitCode::failure, "core.db.bad_bind");
    std::size_t i = static_cast<std::size_t>(index - 1);
    if (m_values.size() <= i) {
      m_values.resize(i + 1);
      m_null.resize(i + 1, true);
      m_binary.resize(i + 1, 0);
    }
    m_null[i] = v.kind == Field::Kind::null;
    m_binary[i] = v.kind == Field::Kind::blob ? 1 : 0;
    switch (v.kind) {
      case Field::Kind::null:
        m_values[i].clear();
        break;
      case Field::Kind::integer:
        m_values[i] = std::to_string(v.integer);
        break;
      case Field::Kind::boolean:
        m_values[i] = v.integer ? "t" : "f";
        break;
      case Field::Kind::real: {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.17g", v.real);
        m_values[i] = buffer;
        break;
      }
      case Field::Kind::text:
      case Field::Kind::blob:
        m_values[i].assign(v.text.data(), v.text.size());
        break;
    }
    return {};
  }

  Result<bool> step() override {
    if (!m_started) {
      std::vector<const char*> values;
      std::vector<int> lengths;
      for (std::size_t i = 0; i < m_values.size(); ++i) {
        values.push_back(m_null[i] ? nullptr : m_values[i].data());
        lengths.push_back(static_cast<int>(m_values[i].size()));
      }
      if (!PQsendQueryParams(m_conn, m_sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), lengths.data(), m_binary.data(), 0))
        return pg_error(m_conn, nullptr, m_sql);
      PQsetSingleRowMode(m_conn);
      m_started = true;
    }
    if (m_finished) return false;
    m_row.reset(PQgetResult(m_conn));
    if (!m_row) {
      m_finished = true;
      return false;
    }
    ExecStatusType status = PQresultStatus(m_row.get());
    if (status == PGRES_SINGLE_TUPLE) return true;
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      const char* tuples = PQcmdTuples(m_row.get());
      m_changes = tuples && *tuples ? std::atoll(tuples) : 0;
      drain();
      return false;
    }
    Error error = pg_error(m_conn, m_row.get(), m_sql);
    drain();
    return error;
  }

  Status reset() override {
    drain();
    m_started = false;
    m_finished = false;
    return {};
  }

  int column_count() const override { return m_row ? PQnfields(m_row.get()) : 0; }
  bool is_null(int c) const override { return PQgetisnull(m_row.get(), 0, c); }
  std::int64_t get_integer(int c) const override {
    const char* v = PQgetvalue(m_row.get(), 0, c);
    if (PQftype(m_row.get(), c) == k_bool_oid) return v[0] == 't' ? 1 : 0;
    return std::atoll(v);
  }
  double get_real(int c) const override {
    return std::strtod(PQgetvalue(m_row.get(), 0, c), nullptr);
  }
  std::string get_text(int c) const override {
    const char* v = PQgetvalue(m_row.get(), 0, c);
    int length = PQgetlength(m_row.get(), 0, c);
    unsigned type = PQftype(m_row.get(), c);
    if (type == k_bytea_oid) return decode_bytea(v, length);
    if (type == k_timestamptz_oid) return normalize_timestamp(std::string(v, length));
    return std::string(v, static_cast<std::size_t>(length));
  }
  std::string_view get_view(int c, std::string& scratch) const override {
    unsigned type = PQftype(m_row.get(), c);
    if (type == k_bytea_oid || type == k_timestamptz_oid) return scratch = get_text(c);
    return std::string_view(PQgetvalue(m_row.get(), 0, c),
                            static_cast<std::size_t>(PQgetlength(m_row.get(), 0, c)));
  }
  std::int64_t changes() const override { return m_changes; }

 private:
  // Consume what is left of the current query so the connection is free again.
  void drain() {
    if (!m_started || m_finished) return;
    while (PGresult* r = PQgetResult(m_conn)) PQclear(r);
    m_finished = true;
  }

  PGconn* m_conn;
  std::string m_sql;
  std::vector<std::string> m_values;
  std::vector<bool> m_null;
  std::vector<int> m_binary;
  ResultHandle m_row;
  bool m_started = false, m_finished = false;
  std::int64_t m_changes = 0;
};

// COPY … FROM STDIN in text format, or in binary format for the rows of a package
// (pg_copy.hpp), sent in chunks of about 1 MiB.
class PgLoader : public BulkLoader {
 public:
  PgLoader(PGconn* conn, const TableDef& table, bool binary)
      : m_conn(conn), m_table(table.name), m_def(binary ? &table : nullptr) {
    m_buffer.reserve(k_chunk + 65536);
    if (m_def) {
      m_wires = pg_copy::layout(table).value_or(std::vector<pg_copy::Wire>{});
      pg_copy::header(m_buffer);
    }
  }
  ~PgLoader() override {
    if (!m_done) PQputCopyEnd(m_conn, "aborted");
    while (PGresult* r = PQgetResult(m_conn)) PQclear(r);
  }

  Status add_row(const Field* fields, std::size_t count) override {
    if (m_def) {
      std::size_t start = m_buffer.size();
      if (Status added = pg_copy::append_row(m_buffer, *m_def, m_wires, fields, count); !added) {
        m_buffer.resize(start);
        return added;
      }
      if (m_buffer.size() >= k_chunk) return send();
      return {};
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (i) m_buffer += '\t';
      append(fields[i]);
    }
    m_buffer += '\n';
    if (m_buffer.size() >= k_chunk) return send();
    return {};
  }

  // COPY already holds a copy of every row: nothing refers to the caller's memory.
  Status flush() override { return {}; }

  Status finish() override {
    if (m_def) pg_copy::trailer(m_buffer);
    if (Status flushed = send(); !flushed) return flushed;
    m_done = true;
    if (PQputCopyEnd(m_conn, nullptr) != 1) return pg_error(m_conn, nullptr, "COPY " + m_table);
    ResultHandle result(PQgetResult(m_conn));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      return pg_error(m_conn, result.get(), "COPY " + m_table);
    return {};
  }

 private:
  static constexpr std::size_t k_chunk = 1 << 20;

  void append(const Field& v) { append_copy_text(m_buffer, v); }

  Status send() {
    if (m_buffer.empty()) return {};
    if (PQputCopyData(m_conn, m_buffer.data(), static_cast<int>(m_buffer.size())) != 1)
      return pg_error(m_conn, nullptr, "COPY " + m_table);
    m_buffer.clear();
    return {};
  }

  PGconn* m_conn;
  std::string m_table;
  const TableDef* m_def;  // binary COPY of its columns' types
  std::vector<pg_copy::Wire> m_wires;
  std::string m_buffer;
  bool m_done = false;
};

// COPY … FROM STDIN (FORMAT csv): the caller's text goes to the server as it is.
class PgCsvCopy : public CsvCopy {
 public:
  PgCsvCopy(PGconn* conn, std::string table) : m_conn(conn), m_table(std::move(table)) {}
  ~PgCsvCopy() override {
    if (!m_done) PQputCopyEnd(m_conn, "aborted");
    while (PGresult* r = PQgetResult(m_conn)) PQclear(r);
  }
  Status write(std::string_view data) override {
    if (!data.empty() && PQputCopyData(m_conn, data.data(), static_cast<int>(data.size())) != 1)
      return pg_error(m_conn, nullptr, "COPY " + m_table);
    return {};
  }
  Result<std::int64_t> finish() override {
    m_done = true;
    if (PQputCopyEnd(m_conn, nullptr) != 1) return pg_error(m_conn, nullptr, "COPY " + m_table);
    ResultHandle result(PQgetResult(m_conn));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      return pg_error(m_conn, result.get(), "COPY " + m_table);
    return std::atoll(PQcmdTuples(result.get()));
  }

 private:
  PGconn* m_conn;
  std::string m_table;
  bool m_done = false;
};

class PgDatabase : public Database {
 public:
  explicit PgDatabase(ConnHandle conn) : m_conn(std::move(conn)) {}

  Engine engine() const override { return Engine::postgresql; }

  Status execute(std::string_view sql) override {
    std::string text(sql);
    ResultHandle result(PQexec(m_conn.get(), text.c_str()));
    ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      return pg_error(m_conn.get(), result.get(), sql);
    return {};
  }

  Result<std::unique_ptr<Statement>> prepare(std::string_view sql) override {
    return std::unique_ptr<Statement>(new PgStatement(m_conn.get(), number_placeholders(sql)));
  }

  using Database::bulk_load;
  Result<std::unique_ptr<BulkLoader>> bulk_load(const TableDef& table, bool freeze) override {
    return copy_in(table, freeze, false);
  }
  Result<std::unique_ptr<BulkLoader>> load_decoded(const TableDef& table, bool freeze) override {
    return copy_in(table, freeze, pg_copy::encodable(table));
  }

  Result<std::unique_ptr<BulkUpdater>> bulk_update(const TableDef& table,
                                                   const std::vector<std::string>& key,
                                                   const std::vector<std::string>& set) override;

  Result<std::unique_ptr<CsvCopy>> copy_csv(const TableDef& table,
                                            const std::vector<std::string>& not_null, bool header,
                                            bool freeze) override {
    std::string columns;
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      columns += (i ? ", " : "") + quote_identifier(table.columns[i].name);
    std::string sql = "COPY " + quote_identifier(table.name) + " (" + columns +
                      ") FROM STDIN WITH (FORMAT csv, HEADER " +
                      (!header                                   ? "false"
                       : PQserverVersion(m_conn.get()) >= 150000 ? "MATCH"
                                                                 : "true");
    if (freeze) sql += ", FREEZE";
    if (!not_null.empty()) {
      sql += ", FORCE_NOT_NULL (";
      for (std::size_t i = 0; i < not_null.size(); ++i)
        sql += (i ? ", " : "") + quote_identifier(not_null[i]);
      sql += ")";
    }
    sql += ")";
    ResultHandle result(PQexec(m_conn.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COPY_IN)
      return pg_error(m_conn.get(), result.get(), sql);
    return std::unique_ptr<CsvCopy>(new PgCsvCopy(m_conn.get(), table.name));
  }

  Result<std::optional<std::int64_t>> rewrite_columns(const TableDef& table,
                                                      const std::vector<std::string>& columns,
                                                      const ColumnRewrite& rewrite) override {
    return pg_rewrite_columns(m_conn.get(), *this, table, columns, rewrite);
  }

  Result<std::vector<std::string>> table_names() override {
    std::vector<std::string> names;
    Status listed =
        each_row("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
                 {}, [&](Statement& s) { names.push_back(s.get_text(0)); });
    if (!listed) return listed.error();
    return names;
  }

  Result<TableDef> describe_table(const std::string& table) override;
  Result<std::vector<SchemaObject>> schema_objects(const std::vector<std::string>& tables) override;

  Status begin_bulk() override { return execute("SET synchronous_commit = off"); }
  Status end_bulk() override { return execute("RESET synchronous_commit"); }

 private:
  Result<std::unique_ptr<BulkLoader>> copy_in(const TableDef& table, bool freeze, bool binary) {
    std::string sql = "COPY " + quote_identifier(table.name) + " (";
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      sql += (i ? ", " : "") + quote_identifier(table.columns[i].name);
    sql += ") FROM STDIN";
    if (binary || freeze)
      sql += std::string(" WITH (") + (binary ? "FORMAT binary" : "") +
             (binary && freeze ? ", " : "") + (freeze ? "FREEZE" : "") + ")";
    ResultHandle result(PQexec(m_conn.get(), sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COPY_IN)
      return pg_error(m_conn.get(), result.get(), sql);
    return std::unique_ptr<BulkLoader>(new PgLoader(m_conn.get(), table, binary));
  }

  template <class Visit>
  Status each_row(const std::string& sql, const std::vector<std::string>& params, Visit visit) {
    PgStatement stmt(m_conn.get(), number_placeholders(sql));
    for (std::size_t i = 0; i < params.size(); ++i)
      (void)stmt.bind(static_cast<int>(i) + 1, Field::of(params[i]));
    for (;;) {
      auto row = stmt.step();
      if (!row) return row.error();
      if (!*row) return {};
      visit(stmt);
    }
  }

  ConnHandle m_conn;
};

std::vector<std::string> json_names(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text.empty() ? "[]" : text, nullptr, false);
  std::vector<std::string> out;
  if (parsed.is_array())
    for (const auto& v : parsed) out.push_back(v.get<std::string>());
  return out;
}

Result<std::unique_ptr<BulkUpdater>> PgDatabase::bulk_update(const TableDef& table,
                                                             const std::vector<std::string>& key,
                                                             const std::vector<std::string>& set) {
  return staged_bulk_update(*this, table, key, set);
}

Result<std::vector<SchemaObject>> PgDatabase::schema_objects(
    const std::vector<std::string>& tables) {
  std::vector<SchemaObject> out;
  auto add = [&](const char* kind) {
    return [&out, kind](Statement& s) {
      out.push_back({kind, s.get_text(0), s.get_text(1), s.get_text(2), Engine::postgresql});
    };
  };
  const char* in_schema = "n.nspname = current_schema()";
  Status views = each_row(std::string("SELECT c.relname, '', pg_get_viewdef(c.oid, true) FROM pg_class c "
                                      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
                              in_schema + " AND c.relkind IN ('v', 'm') ORDER BY 1",
                          {}, add("view"));
  if (!views) return views.error();
  for (const auto& table : tables) {
    std::string of_table = std::string(" JOIN pg_class c ON c.oid = %s JOIN pg_namespace n ON "
                                       "n.oid = c.relnamespace WHERE ") +
                           in_schema + " AND c.relname = ?";
    auto with = [&](const char* oid) {
      std::string sql = of_table;
      sql.replace(sql.find("%s"), 2, oid);
      return sql;
    };
    struct Query {
      const char* kind;
      std::string sql;
    };
    const Query queries[] = {
        {"check", "SELECT con.conname, c.relname, pg_get_constraintdef(con.oid) FROM pg_constraint con" +
                      with("con.conrelid") + " AND con.contype = 'c' ORDER BY 1"},
        {"trigger", "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t" +
                        with("t.tgrelid") + " AND NOT t.tgisinternal ORDER BY 1"},
        {"generated", "SELECT a.attname, c.relname, pg_get_expr(d.adbin, d.adrelid) "
                      "FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND "
                      "d.adnum = a.attnum" + with("a.attrelid") + " AND a.attgenerated <> '' ORDER BY 1"},
        {"collation", "SELECT a.attname, c.relname, 'COLLATE ' || quote_ident(co.collname) "
                      "FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid "
                      "JOIN pg_collation co ON co.oid = a.attcollation" + with("a.attrelid") +
                      " AND a.attnum > 0 AND NOT a.attisdropped AND a.attcollation <> ty.typcollation "
                      "ORDER BY 1"},
        {"index", "SELECT i.relname, c.relname, pg_get_indexdef(i.oid) FROM pg_index ix "
                  "JOIN pg_class i ON i.oid = ix.indexrelid" + with("ix.indrelid") +
                  " AND (ix.indpred IS NOT NULL OR ix.indexprs IS NOT NULL) ORDER BY 1"},
    };
    for (const auto& q : queries)
      if (Status listed = each_row(q.sql, {table}, add(q.kind)); !listed) return listed.error();
  }
  return out;
}

Result<TableDef> PgDatabase::describe_table(const std::string& table) {
  TableDef def;
  def.name = table;
  // A serial column's default is nextval() of the sequence it owns: its identity, not a
  // default to copy.
  Status columns = each_row(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
      "pg_get_expr(d.adbin, d.adrelid), a.attidentity, "
      "pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
      "a.attname) IS NOT NULL "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 "
      "AND NOT a.attisdropped ORDER BY a.attnum",
      {table}, [&](Statement& s) {
        ColumnDef c{s.get_text(0), ColumnType::text, s.get_integer(2) == 0};
        type_from_postgresql(c, s.get_text(1));
        std::string identity = s.get_text(4);
        bool owned = s.get_text(5) == "t";
        if (identity == "a")
          c.identity = ColumnIdentity::always;
        else if (identity == "d")
          c.identity = ColumnIdentity::by_default;
        else if (owned && !s.is_null(3) && s.get_text(3).rfind("nextval(", 0) == 0)
          c.identity = ColumnIdentity::serial;
        else if (!s.is_null(3))
          c.default_sql = s.get_text(3);
        def.columns.push_back(std::move(c));
      });
  if (!columns) return columns.error();
  if (def.columns.empty())
    return make_error(ExitCode::data_error, "core.db.no_such_table", {{"table", table}});
  const char* keys =
      "(SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(%s) WITH ORDINALITY k(n, i) "
      "JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.n)";
  char own[512], ref[512];
  std::snprintf(own, sizeof own, keys, "con.conkey", "con.conrelid");
  std::snprintf(ref, sizeof ref, keys, "con.confkey", "con.confrelid");
  Status constraints =
      each_row(std::string("SELECT con.contype, ") + own + ", COALESCE(rc.relname, ''), " + ref +
                   " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "LEFT JOIN pg_class rc ON rc.oid = con.confrelid "
                   "WHERE n.nspname = current_schema() AND c.relname = ? ORDER BY con.conname",
               {table}, [&](Statement& s) {
                 std::string type = s.get_text(0);
                 auto cols = json_names(s.get_text(1));
                 if (type == "p")
                   def.primary_key = cols;
                 else if (type == "u")
                   def.unique_keys.push_back(cols);
                 else if (type == "f")
                   def.foreign_keys.push_back({cols, s.get_text(2), json_names(s.get_text(3))});
               });
  if (!constraints) return constraints.error();
  Status indexes = each_row(
      "SELECT i.relname, ix.indisunique, (SELECT json_agg(a.attname ORDER BY k.i) "
      "FROM unnest(ix.indkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a "
      "ON a.attrelid = ix.indrelid AND a.attnum = k.n), "
      "ix.indpred IS NOT NULL OR ix.indexprs IS NOT NULL "
      "FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid "
      "JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
      "WHERE n.nspname = current_schema() AND t.relname = ? "
      "AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid) "
      "ORDER BY i.relname",
      {table}, [&](Statement& s) {
        if (s.get_integer(3)) {  // partial or on an expression
          def.other_indexes.push_back(s.get_text(0));
          return;
        }
        auto cols = json_names(s.get_text(2));
        if (s.get_integer(1))
          def.unique_keys.push_back(cols);
        else
          def.indexes.push_back({s.get_text(0), cols, false});
      });
  if (!indexes) return indexes.error();
  std::sort(def.unique_keys.begin(), def.unique_keys.end());
  std::sort(def.other_indexes.begin(), def.other_indexes.end());
  return def;
}

}  // namespace

Result<std::unique_ptr<Database>> open_postgresql(const DatabaseUrl& url,
                                                  const OpenOptions& options) {
  std::string port = std::to_string(url.port);
  std::string timeout = std::to_string(std::max(1, options.connect_timeout_seconds));
  const char* keys[] = {
      "host", "port", "dbname", "user", "application_name", "connect_timeout", "client_encoding",
      nullptr};
  const char* values[] = {url.host.c_str(), port.c_str(), url.database.c_str(),
                          url.user.c_str(), "dihya",      timeout.c_str(),
                          "UTF8",           nullptr};
  ConnHandle conn(PQconnectdbParams(keys, values, 0));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    return make_error(ExitCode::unavailable, "core.db.unreachable",
                      {{"url", url.display}, {"reason", trimmed(PQerrorMessage(conn.get()))}});
  auto db = std::unique_ptr<Database>(new PgDatabase(std::move(conn)));
  if (Status session = db->execute("SET TIME ZONE 'UTC'; SET DateStyle = 'ISO'; "
                                   "SET extra_float_digits = 3; SET client_min_messages = warning");
      !session)
    return session.error();
  return db;
}

#endif

}  // namespace dihya::db_engines
