#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>
#include <tuple>

#include "core/base/fs.hpp"
#include "core/data/engines.hpp"
#include "core/data/types.hpp"

// The SQLite engine: the embedded default.
namespace dihya::db_engines {

struct ConnectionDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using ConnectionHandle = std::unique_ptr<sqlite3, ConnectionDeleter>;

Error sqlite_error(sqlite3* db, int rc, std::string_view what);

namespace {

Error sqlite_error_impl(sqlite3* db, int rc, std::string_view what) {
  std::string reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  ExitCode code = ExitCode::failure;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) code = ExitCode::temp_failure;
  if (primary == SQLITE_CONSTRAINT || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    code = ExitCode::data_error;
  if (primary == SQLITE_IOERR || primary == SQLITE_FULL) code = ExitCode::io_error;
  if (primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_AUTH)
    code = ExitCode::no_permission;
  return make_error(
      code, "core.db.query_failed",
      {{"engine", "SQLite"}, {"reason", reason}, {"sql", std::string(what.substr(0, 120))}});
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

class SqliteStatement : public Statement {
 public:
  SqliteStatement(sqlite3* db, StatementHandle stmt) : m_db(db), m_stmt(std::move(stmt)) {}

  Status bind(int index, const Field& v) override {
    sqlite3_stmt* s = m_stmt.get();
    int rc = SQLITE_OK;
    switch (v.kind) {
      case Field::Kind::null:
        rc = sqlite3_bind_null(s, index);
        break;
      case Field::Kind::integer:
      case Field::Kind::boolean:
        rc = sqlite3_bind_int64(s, index, v.integer);
        break;
      case Field::Kind::real:
        rc = sqlite3_bind_double(s, index, v.real);
        break;
      case Field::Kind::text:
        rc =
            sqlite3_bind_text64(s, index, v.text.data(), v.text.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      case Field::Kind::blob:
        rc = sqlite3_bind_blob64(s, index, v.text.empty() ? "" : v.text.data(), v.text.size(),
                                 SQLITE_STATIC);
        break;
    }
    if (rc != SQLITE_OK) return sqlite_error(m_db, rc, sqlite3_sql(s));
    return {};
  }

  Result<bool> step() override {
    int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      m_changes = sqlite3_changes64(m_db);
      return false;
    }
    return sqlite_error(m_db, rc, sqlite3_sql(m_stmt.get()));
  }

  Status reset() override {
    sqlite3_reset(m_stmt.get());
    return {};
  }

  int column_count() const override { return sqlite3_column_count(m_stmt.get()); }
  bool is_null(int c) const override { return sqlite3_column_type(m_stmt.get(), c) == SQLITE_NULL; }
  std::int64_t get_integer(int c) const override { return sqlite3_column_int64(m_stmt.get(), c); }
  double get_real(int c) const override { return sqlite3_column_double(m_stmt.get(), c); }
  std::string get_text(int c) const override {
    std::string scratch;
    return std::string(get_view(c, scratch));
  }
  std::string_view get_view(int c, std::string&) const override {
    const void* data = sqlite3_column_type(m_stmt.get(), c) == SQLITE_BLOB
                           ? sqlite3_column_blob(m_stmt.get(), c)
                           : static_cast<const void*>(sqlite3_column_text(m_stmt.get(), c));
    int size = sqlite3_column_bytes(m_stmt.get(), c);
    return data ? std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size))
                : std::string_view();
  }
  std::int64_t changes() const override { return m_changes; }
  bool stored_real(int c) const override {
    return sqlite3_column_type(m_stmt.get(), c) == SQLITE_FLOAT;
  }

 private:
  sqlite3* m_db;
  StatementHandle m_stmt;
  std::int64_t m_changes = 0;
};

// Inserts rows k at a time through one multi-row INSERT, the rest one by one.
class SqliteLoader : public BulkLoader {
 public:
  SqliteLoader(std::unique_ptr<Statement> many, std::unique_ptr<Statement> one,
               std::size_t rows_per_insert, std::size_t width)
      : m_many(std::move(many)),
        m_one(std::move(one)),
        m_rows_per_insert(rows_per_insert),
        m_width(width) {
    m_pending.reserve(rows_per_insert * width);
  }

  Status add_row(const Field* fields, std::size_t count) override {
    if (count != m_width) return make_error(ExitCode::failure, "core.db.bad_bind");
    m_pending.insert(m_pending.end(), fields, fields + count);
    if (m_pending.size() < m_rows_per_insert * m_width) return {};
    Status done = run(*m_many, 0, m_rows_per_insert);
    m_pending.clear();
    return done;
  }

  Status flush() override {
    std::size_t rows = m_pending.size() / m_width;
    for (std::size_t r = 0; r < rows; ++r)
      if (Status done = run(*m_one, r, 1); !done) return done;
    m_pending.clear();
    return {};
  }

  Status finish() override { return flush(); }

 private:
  Status run(Statement& insert, std::size_t first_row, std::size_t rows) {
    const Field* fields = m_pending.data() + first_row * m_width;
    for (std::size_t i = 0; i < rows * m_width; ++i)
      if (Status bound = insert.bind(static_cast<int>(i) + 1, fields[i]); !bound) return bound;
    auto stepped = insert.step();
    if (!stepped) return stepped.error();
    return insert.reset();
  }

  std::unique_ptr<Statement> m_many, m_one;
  std::size_t m_rows_per_insert, m_width;
  std::vector<Field> m_pending;
};

class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(ConnectionHandle db) : m_db(std::move(db)) {}

  // Interrupt any statement still running DEADLINE_MS after now.
  void set_deadline(std::int64_t deadline_ms) {
    m_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
    sqlite3_progress_handler(
        m_db.get(), 1000,
        [](void* self) -> int {
          return std::chrono::steady_clock::now() > static_cast<SqliteDatabase*>(self)->m_deadline;
        },
        this);
  }

  Engine engine() const override { return Engine::sqlite; }

  Status execute(std::string_view sql) override {
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) return sqlite_error(m_db.get(), rc, sql);
    return {};
  }

  Result<std::unique_ptr<Statement>> prepare(std::string_view sql) override {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(m_db.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementHandle stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(m_db.get(), rc, sql);
    return std::unique_ptr<Statement>(new SqliteStatement(m_db.get(), std::move(stmt)));
  }

  using Database::bulk_load;
  Result<std::unique_ptr<BulkLoader>> bulk_load(const TableDef& table, bool) override {
    std::string sql = "INSERT INTO " + quote_identifier(table.name) + " (";
    std::string marks = "(";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      sql += (i ? ", " : "") + quote_identifier(table.columns[i].name);
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES ";
    marks += ")";
    // As many rows per statement as SQLite's parameter limit allows, up to 64.
    std::size_t width = std::max<std::size_t>(table.columns.size(), 1);
    std::size_t rows = std::clamp<std::size_t>(32000 / width, 1, 256);
    std::string many = sql;
    for (std::size_t r = 0; r < rows; ++r) many += (r ? ", " : "") + marks;
    auto many_insert = prepare(many);
    if (!many_insert) return many_insert.error();
    auto one_insert = prepare(sql + marks);
    if (!one_insert) return one_insert.error();
    return std::unique_ptr<BulkLoader>(
        new SqliteLoader(std::move(*many_insert), std::move(*one_insert), rows, width));
  }

  Result<std::optional<std::int64_t>> rewrite_columns(const TableDef& table,
                                                      const std::vector<std::string>& columns,
                                                      const ColumnRewrite& rewrite) override {
    return sqlite_rewrite_columns(m_db.get(), *this, table, columns, rewrite);
  }

  Result<std::vector<std::string>> table_names() override {
    auto stmt = prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name");
    if (!stmt) return stmt.error();
    std::vector<std::string> names;
    for (;;) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) break;
      names.push_back((*stmt)->get_text(0));
    }
    return names;
  }

  Result<TableDef> describe_table(const std::string& table) override;
  Result<std::vector<SchemaObject>> schema_objects(const std::vector<std::string>& tables) override;
  // An INTEGER PRIMARY KEY of one column is the rowid, AUTOINCREMENT when the table says so.
  Status mark_rowid(TableDef& def);

  Status begin_bulk() override {
    return execute(
        "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536; PRAGMA page_size = 16384; "
        "PRAGMA temp_store = FILE; PRAGMA threads = 2");
  }
  Status end_bulk() override { return execute("PRAGMA foreign_keys = ON"); }

 private:
  // Run a PRAGMA that returns rows and hand each to VISIT.
  template <class Visit>
  Status each_row(const std::string& sql, Visit visit) {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = (*stmt)->step();
      if (!row) return row.error();
      if (!*row) return {};
      visit(**stmt);
    }
  }

  ConnectionHandle m_db;
  std::chrono::steady_clock::time_point m_deadline{};
};

namespace {

bool word_at(std::string_view sql, std::size_t i, std::string_view word) {
  if (i + word.size() > sql.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k)
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return (i == 0 || !ident(sql[i - 1])) && (i + word.size() == sql.size() || !ident(sql[i + word.size()]));
}

// The end of the quoted text or identifier starting at I ('…', "…", `…`, […]).
std::size_t skip_quoted(std::string_view sql, std::size_t i) {
  char close = sql[i] == '[' ? ']' : sql[i];
  std::size_t end = sql.find(close, i + 1);
  return end == std::string_view::npos ? sql.size() : end + 1;
}

// The name just before position I when it reads "CONSTRAINT name", else "".
std::string constraint_name(std::string_view sql, std::size_t i) {
  std::size_t end = sql.find_last_not_of(" \t\n\r", i == 0 ? 0 : i - 1);
  if (end == std::string_view::npos) return {};
  std::size_t start = end;
  bool quoted = sql[end] == '"' || sql[end] == '`' || sql[end] == ']';
  if (quoted) {
    char open = sql[end] == ']' ? '[' : sql[end];
    start = sql.rfind(open, end - 1);
    if (start == std::string_view::npos) return {};
  } else {
    while (start > 0 && (std::isalnum(static_cast<unsigned char>(sql[start - 1])) || sql[start - 1] == '_'))
      --start;
  }
  std::size_t before = sql.find_last_not_of(" \t\n\r", start == 0 ? 0 : start - 1);
  if (before == std::string_view::npos || before < 9 || !word_at(sql, before - 9, "CONSTRAINT"))
    return {};
  std::string_view name = sql.substr(start, end + 1 - start);
  if (quoted) name = name.substr(1, name.size() - 2);
  return std::string(name);
}

// The CHECK constraints and COLLATE clauses of a CREATE TABLE statement.
void scan_table_sql(std::string_view sql, const std::string& table,
                    std::vector<SchemaObject>& out) {
  int checks = 0;
  for (std::size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      i = skip_quoted(sql, i);
    } else if (word_at(sql, i, "CHECK")) {
      std::size_t open = sql.find_first_not_of(" \t\n\r", i + 5);
      if (open == std::string_view::npos || sql[open] != '(') {
        i += 5;
        continue;
      }
      int depth = 0;
      std::size_t j = open;
      for (; j < sql.size(); ++j) {
        if (sql[j] == '\'' || sql[j] == '"' || sql[j] == '`' || sql[j] == '[') {
          j = skip_quoted(sql, j) - 1;
          continue;
        }
        if (sql[j] == '(') ++depth;
        if (sql[j] == ')' && --depth == 0) break;
      }
      std::string name = constraint_name(sql, i);
      if (name.empty()) name = table + "_check" + (checks ? std::to_string(checks + 1) : "");
      ++checks;
      out.push_back({"check", name, table,
                     "CHECK " + std::string(sql.substr(open, j + 1 - open)), Engine::sqlite});
      i = j + 1;
    } else if (word_at(sql, i, "COLLATE")) {
      std::size_t start = sql.find_first_not_of(" \t\n\r", i + 7);
      std::size_t end = start == std::string_view::npos ? start : sql.find_first_of(" ,)\t\n\r", start);
      std::string name(sql.substr(start, end == std::string_view::npos ? sql.npos : end - start));
      out.push_back({"collation", name, table, "COLLATE " + name, Engine::sqlite});
      i = end == std::string_view::npos ? sql.size() : end;
    } else {
      ++i;
    }
  }
}

}  // namespace

Result<std::vector<SchemaObject>> SqliteDatabase::schema_objects(
    const std::vector<std::string>& tables) {
  std::vector<SchemaObject> out;
  Status views = each_row(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name",
      [&](Statement& s) { out.push_back({"view", s.get_text(0), "", s.get_text(1), Engine::sqlite}); });
  if (!views) return views.error();
  for (const auto& table : tables) {
    std::string sql;
    Status read = each_row("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = " +
                               quote_literal(table),
                           [&](Statement& s) { sql = s.get_text(0); });
    if (!read) return read.error();
    scan_table_sql(sql, table, out);
    Status generated =
        each_row("PRAGMA table_xinfo(" + quote_identifier(table) + ")", [&](Statement& s) {
          if (s.get_integer(6) == 2 || s.get_integer(6) == 3)
            out.push_back({"generated", s.get_text(1), table, "", Engine::sqlite});
        });
    if (!generated) return generated.error();
    Status triggers = each_row(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = " +
            quote_literal(table) + " ORDER BY name",
        [&](Statement& s) {
          out.push_back({"trigger", s.get_text(0), table, s.get_text(1), Engine::sqlite});
        });
    if (!triggers) return triggers.error();
    Status indexes = each_row(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = " +
            quote_literal(table) + " AND sql IS NOT NULL ORDER BY name",
        [&](Statement& s) {
          std::string name = s.get_text(0);
          auto def = describe_table(table);
          if (def && std::find(def->other_indexes.begin(), def->other_indexes.end(), name) !=
                         def->other_indexes.end())
            out.push_back({"index", name, table, s.get_text(1), Engine::sqlite});
        });
    if (!indexes) return indexes.error();
  }
  return out;
}

Status SqliteDatabase::mark_rowid(TableDef& def) {
  if (def.primary_key.size() != 1) return {};
  ColumnDef* key = nullptr;
  for (auto& c : def.columns)
    if (c.name == def.primary_key[0]) key = &c;
  std::string declared = key ? key->declared : "";
  for (auto& ch : declared) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (declared != "INTEGER") return {};
  std::string sql;
  Status read = each_row("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = " +
                             quote_literal(def.name),
                         [&](Statement& s) { sql = s.get_text(0); });
  if (!read) return read;
  for (auto& ch : sql) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // WITHOUT ROWID tables have no rowid; a DESC key is not its alias either.
  if (sql.find("WITHOUT ROWID") != std::string::npos) return {};
  key->identity =
      sql.find("AUTOINCREMENT") != std::string::npos ? ColumnIdentity::autoincrement : ColumnIdentity::rowid;
  return {};
}

Result<TableDef> SqliteDatabase::describe_table(const std::string& table) {
  TableDef def;
  def.name = table;
  std::vector<std::pair<int, std::string>> pk;
  Status columns =
      each_row("PRAGMA table_info(" + quote_identifier(table) + ")", [&](Statement& s) {
        ColumnDef c{s.get_text(1), ColumnType::text, s.get_integer(3) == 0};
        type_from_sqlite(c, s.get_text(2));
        if (!s.is_null(4)) c.default_sql = s.get_text(4);
        if (s.get_integer(5) > 0) {
          pk.emplace_back(static_cast<int>(s.get_integer(5)), c.name);
          c.nullable = false;
        }
        def.columns.push_back(c);
      });
  if (!columns) return columns.error();
  if (def.columns.empty())
    return make_error(ExitCode::data_error, "core.db.no_such_table", {{"table", table}});
  std::sort(pk.begin(), pk.end());
  for (auto& [order, name] : pk) def.primary_key.push_back(name);
  if (Status numbered = mark_rowid(def); !numbered) return numbered.error();
  Status fks =
      each_row("PRAGMA foreign_key_list(" + quote_identifier(table) + ")", [&](Statement& s) {
        if (s.get_integer(1) == 0) def.foreign_keys.push_back({{}, s.get_text(2), {}});
        def.foreign_keys.back().columns.push_back(s.get_text(3));
        def.foreign_keys.back().ref_columns.push_back(s.get_text(4));
      });
  if (!fks) return fks.error();
  std::reverse(def.foreign_keys.begin(), def.foreign_keys.end());  // declaration order
  std::vector<std::tuple<std::string, bool, std::string>> indexes;
  Status list = each_row("PRAGMA index_list(" + quote_identifier(table) + ")", [&](Statement& s) {
    if (s.get_integer(4) == 0)
      indexes.emplace_back(s.get_text(1), s.get_integer(2) != 0, s.get_text(3));
    else
      def.other_indexes.push_back(s.get_text(1));  // partial (… WHERE …)
  });
  if (!list) return list.error();
  for (const auto& [name, unique, origin] : indexes) {
    if (origin == "pk") continue;
    std::vector<std::string> cols;
    bool expression = false;
    Status info = each_row("PRAGMA index_info(" + quote_identifier(name) + ")", [&](Statement& s) {
      if (s.is_null(2))
        expression = true;
      else
        cols.push_back(s.get_text(2));
    });
    if (!info) return info.error();
    if (expression) {
      def.other_indexes.push_back(name);
      continue;
    }
    if (unique)
      def.unique_keys.push_back(cols);
    else
      def.indexes.push_back({name, cols, false});
  }
  std::sort(def.unique_keys.begin(), def.unique_keys.end());
  std::sort(def.other_indexes.begin(), def.other_indexes.end());
  return def;
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  return sqlite_error_impl(db, rc, what);
}

Result<std::unique_ptr<Database>> open_sqlite(const DatabaseUrl& url, const OpenOptions& options) {
  std::error_code ec;
  if (options.must_exist && !fs::exists(url.path, ec))
    return make_error(ExitCode::no_input, "core.db.missing_file", {{"path", url.path}});
  if (!options.must_exist && !fs::path(url.path).parent_path().empty())
    if (Status dir = make_directories(fs::path(url.path).parent_path()); !dir) return dir.error();
  sqlite3* raw = nullptr;
  int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.must_exist ? 0 : SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(url.path.c_str(), &raw, flags, nullptr);
  ConnectionHandle db(raw);
  if (rc != SQLITE_OK)
    return make_error(
        ExitCode::io_error, "core.db.open_failed",
        {{"path", url.path}, {"reason", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)}});
  sqlite3_busy_timeout(db.get(), 10000);
  auto sqlite = std::make_unique<SqliteDatabase>(std::move(db));
  if (options.statement_deadline_ms > 0) sqlite->set_deadline(options.statement_deadline_ms);
  std::unique_ptr<Database> database = std::move(sqlite);
  if (Status ready = database->execute("PRAGMA foreign_keys = ON"); !ready) return ready.error();
  // A page cache large enough that a long transaction rewriting a table does not spill, and
  // the first 256 MiB read through a memory map rather than copied by read() (bench/anonymize
  // at 1 M users: 39.5 s without the map, 33 s with it; peak RSS 220 → 476 MiB, file pages).
  if (options.whole_tables)
    if (Status tuned =
            database->execute("PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456");
        !tuned)
      return tuned.error();
  // A file that is not a database is found now, not in the middle of an operation.
  if (auto probe = database->table_names(); !probe) return probe.error();
  return database;
}

}  // namespace dihya::db_engines

namespace dihya {

Status snapshot_sqlite(const fs::path& source, const fs::path& destination) {
  std::error_code ec;
  if (!fs::exists(source, ec))
    return make_error(ExitCode::no_input, "core.db.missing_file", {{"path", source.string()}});
  if (fs::exists(destination, ec))
    return make_error(ExitCode::cant_create, "core.fs.cant_create",
                      {{"path", destination.string()}, {"reason", "exists"}});
  sqlite3* raw_from = nullptr;
  int rc = sqlite3_open_v2(source.c_str(), &raw_from, SQLITE_OPEN_READONLY, nullptr);
  db_engines::ConnectionHandle from(raw_from);
  if (rc != SQLITE_OK) return db_engines::sqlite_error(from.get(), rc, "open");
  sqlite3_busy_timeout(from.get(), 10000);
  {
    // Create the file private before SQLite writes to it.
    Fd fd(::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.valid())
      return make_error(ExitCode::cant_create, "core.fs.cant_create",
                        {{"path", destination.string()}, {"reason", std::strerror(errno)}});
  }
  sqlite3* raw_to = nullptr;
  rc = sqlite3_open_v2(destination.c_str(), &raw_to, SQLITE_OPEN_READWRITE, nullptr);
  db_engines::ConnectionHandle to(raw_to);
  Status status;
  if (rc != SQLITE_OK) status = db_engines::sqlite_error(to.get(), rc, "open");
  if (status) {
    // One step copies everything: the snapshot is the source as of that step's read lock.
    sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
    if (!backup) {
      status = db_engines::sqlite_error(to.get(), sqlite3_errcode(to.get()), "backup");
    } else {
      do {
        rc = sqlite3_backup_step(backup, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
      } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_OK);
      sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) status = db_engines::sqlite_error(to.get(), rc, "backup");
    }
  }
  to.reset();
  if (!status) ::unlink(destination.c_str());
  return status;
}

namespace {

// The first row of SQL on DB, as integers (a PRAGMA's answer).
Result<std::vector<std::int64_t>> first_row(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  std::vector<std::int64_t> out;
  if (*row)
    for (int i = 0; i < (*stmt)->column_count(); ++i) out.push_back((*stmt)->get_integer(i));
  return out;
}

}  // namespace

Result<bool> with_stable_sqlite_file(const fs::path& source,
                                     const std::function<Status(Database&)>& read) {
  std::string url = "sqlite:" + source.string();
  auto reader = open_database(url, {.must_exist = true});
  if (!reader) return reader.error();
  std::string mode;
  {
    auto stmt = (*reader)->prepare("PRAGMA journal_mode");
    if (!stmt) return stmt.error();
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (*row) mode = (*stmt)->get_text(0);
  }
  bool wal = mode == "wal";
  std::unique_ptr<Database> checkpointer;
  if (wal) {
    auto opened = open_database(url, {.must_exist = true});
    if (!opened) return opened.error();
    checkpointer = std::move(*opened);
  }
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (wal)
      if (auto done = first_row(*checkpointer, "PRAGMA wal_checkpoint(TRUNCATE)"); !done)
        return done.error();
    if (Status began = (*reader)->execute("BEGIN"); !began) return began.error();
    // The first read takes the snapshot (and, with a rollback journal, the shared lock).
    if (auto started = first_row(**reader, "SELECT count(*) FROM sqlite_master"); !started) {
      (*reader)->execute("ROLLBACK");
      return started.error();
    }
    bool stable = true;
    if (wal) {
      // busy, frames in the log, frames copied into the file: all copied means that the
      // log holds nothing beyond this snapshot, and the file is the snapshot.
      auto state = first_row(*checkpointer, "PRAGMA wal_checkpoint(PASSIVE)");
      if (!state) {
        (*reader)->execute("ROLLBACK");
        return state.error();
      }
      stable = state->size() == 3 && (*state)[1] == (*state)[2];
    }
    if (stable) {
      Status done = read(**reader);
      (*reader)->execute("COMMIT");
      if (!done) return done.error();
      return true;
    }
    (*reader)->execute("ROLLBACK");
    sqlite3_sleep(20 * (attempt + 1));
  }
  return false;
}

}  // namespace dihya
