#include "core/data/db.hpp"

#include <regex>

#include "core/base/signals.hpp"
#include "core/data/engines.hpp"

namespace dihya {
namespace {

struct TypeNames {
  ColumnType type;
  const char* name;
  const char* sqlite;
  const char* postgresql;
};

// SQLite declared types are chosen for their affinity: numeric and json keep TEXT affinity
// so that "1.10" or a bare JSON number are stored exactly as given.
constexpr TypeNames k_types[] = {
    {ColumnType::integer, "integer", "INTEGER", "BIGINT"},
    {ColumnType::real, "real", "REAL", "DOUBLE PRECISION"},
    {ColumnType::numeric, "numeric", "DECIMAL_TEXT", "NUMERIC"},
    {ColumnType::text, "text", "TEXT", "TEXT"},
    {ColumnType::blob, "blob", "BLOB", "BYTEA"},
    {ColumnType::boolean, "boolean", "BOOLEAN", "BOOLEAN"},
    {ColumnType::date, "date", "DATE", "DATE"},
    {ColumnType::timestamp, "timestamp", "TIMESTAMPTZ", "TIMESTAMPTZ"},
    {ColumnType::json, "json", "JSON_TEXT", "JSON"},
};

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + quote_identifier(c);
  return out;
}

}  // namespace

const char* column_type_name(ColumnType type) {
  for (const auto& t : k_types)
    if (t.type == type) return t.name;
  return "text";
}

std::optional<ColumnType> parse_column_type(std::string_view name) {
  for (const auto& t : k_types)
    if (name == t.name) return t.type;
  return std::nullopt;
}

const char* engine_type_name(ColumnType type, Engine engine) {
  for (const auto& t : k_types)
    if (t.type == type) return engine == Engine::sqlite ? t.sqlite : t.postgresql;
  return "TEXT";
}

Result<DatabaseUrl> parse_database_url(const std::string& url) {
  DatabaseUrl out;
  if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) {
    out.engine = Engine::sqlite;
    out.path = url.substr(7);
    out.display = url;
    return out;
  }
  static const std::regex pg(
      R"(postgres(?:ql)?://([^:@/]+)@([^:/?]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?/([A-Za-z0-9_.-]+))");
  std::smatch m;
  if (!std::regex_match(url, m, pg))
    return make_error(ExitCode::config_error, "core.db.bad_url", {{"url", url}});
  out.engine = Engine::postgresql;
  out.user = m[1];
  out.host = m[2];
  if (m[3].matched) out.port = std::stoi(m[3]);
  out.database = m[4];
  out.display = url;
  return out;
}

const ColumnDef* TableDef::column(std::string_view name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string create_table_sql(const TableDef& table, Engine engine, bool with_unique_keys,
                             bool with_primary_key) {
  std::string sql = "CREATE TABLE " + quote_identifier(table.name) + " (";
  bool first = true;
  for (const auto& column : table.columns) {
    sql += (first ? "" : ", ") + quote_identifier(column.name) + " " +
           engine_type_name(column.type, engine) + (column.nullable ? "" : " NOT NULL");
    first = false;
  }
  if (!table.primary_key.empty() && (with_primary_key || engine == Engine::sqlite))
    sql += ", PRIMARY KEY (" + column_list(table.primary_key) + ")";
  if (with_unique_keys)
    for (const auto& key : table.unique_keys) sql += ", UNIQUE (" + column_list(key) + ")";
  // SQLite cannot add a foreign key later: it is declared here and checked after a load.
  if (engine == Engine::sqlite)
    for (const auto& fk : table.foreign_keys)
      sql += ", FOREIGN KEY (" + column_list(fk.columns) + ") REFERENCES " +
             quote_identifier(fk.ref_table) + " (" + column_list(fk.ref_columns) + ")";
  return sql + ")";
}

namespace {

std::string key_index_name(const TableDef& table, const std::vector<std::string>& columns,
                           const char* suffix) {
  std::string name = table.name;
  for (const auto& c : columns) name += "_" + c;
  return quote_identifier(name + suffix);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> foreign_key_sql(const TableDef& table,
                                                                 bool not_valid) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& fk : table.foreign_keys) {
    std::string name = key_index_name(table, fk.columns, "_fkey");
    out.emplace_back(name, "ALTER TABLE " + quote_identifier(table.name) + " ADD CONSTRAINT " +
                               name + " FOREIGN KEY (" + column_list(fk.columns) + ") REFERENCES " +
                               quote_identifier(fk.ref_table) + " (" + column_list(fk.ref_columns) +
                               ")" + (not_valid ? " NOT VALID" : ""));
  }
  return out;
}

std::vector<std::string> create_index_sql(const TableDef& table, Engine engine,
                                          bool with_unique_keys, bool with_foreign_keys,
                                          bool with_primary_key) {
  std::vector<std::string> out;
  if (with_primary_key && engine == Engine::postgresql && !table.primary_key.empty())
    out.push_back("ALTER TABLE " + quote_identifier(table.name) + " ADD PRIMARY KEY (" +
                  column_list(table.primary_key) + ")");
  auto index_name = [&](const std::vector<std::string>& columns, const char* suffix) {
    return key_index_name(table, columns, suffix);
  };
  if (with_unique_keys)
    for (const auto& key : table.unique_keys) {
      if (engine == Engine::postgresql)
        out.push_back("ALTER TABLE " + quote_identifier(table.name) + " ADD CONSTRAINT " +
                      index_name(key, "_key") + " UNIQUE (" + column_list(key) + ")");
      else
        out.push_back("CREATE UNIQUE INDEX " + index_name(key, "_key") + " ON " +
                      quote_identifier(table.name) + " (" + column_list(key) + ")");
    }
  for (const auto& index : table.indexes)
    out.push_back(std::string(index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                  quote_identifier(index.name) + " ON " + quote_identifier(table.name) + " (" +
                  column_list(index.columns) + ")");
  if (engine == Engine::postgresql && with_foreign_keys)
    for (auto& [name, sql] : foreign_key_sql(table, false)) out.push_back(std::move(sql));
  return out;
}

namespace {

// One prepared UPDATE per row.
class RowByRowUpdater : public BulkUpdater {
 public:
  RowByRowUpdater(std::unique_ptr<Statement> update, std::size_t keys, std::size_t sets)
      : m_update(std::move(update)), m_keys(keys), m_sets(sets) {}
  Status add_row(const Field* fields, std::size_t count) override {
    if (count != m_keys + m_sets)
      return make_error(ExitCode::failure, "core.internal_error", {{"reason", "update width"}});
    // The SET values come first in the statement, the key after.
    for (std::size_t i = 0; i < m_sets; ++i)
      if (Status bound = m_update->bind(static_cast<int>(i) + 1, fields[m_keys + i]); !bound)
        return bound;
    for (std::size_t i = 0; i < m_keys; ++i)
      if (Status bound = m_update->bind(static_cast<int>(m_sets + i) + 1, fields[i]); !bound)
        return bound;
    auto done = m_update->step();
    if (!done) return done.error();
    m_updated += m_update->changes();
    return m_update->reset();
  }
  Status flush() override { return {}; }
  std::int64_t updated() const override { return m_updated; }

 private:
  std::unique_ptr<Statement> m_update;
  std::size_t m_keys, m_sets;
  std::int64_t m_updated = 0;
};

// Rows copied into a temporary table, then applied by one UPDATE … FROM at each flush.
class StagedUpdater : public BulkUpdater {
 public:
  StagedUpdater(Database& db, TableDef batch, std::string apply)
      : m_db(db), m_batch(std::move(batch)), m_apply(std::move(apply)) {}
  Status add_row(const Field* fields, std::size_t count) override {
    if (!m_loader) {
      auto loader = m_db.bulk_load(m_batch);
      if (!loader) return loader.error();
      m_loader = std::move(*loader);
    }
    ++m_pending;
    return m_loader->add_row(fields, count);
  }
  Status flush() override {
    if (!m_loader) return {};
    Status loaded = m_loader->finish();
    m_loader.reset();
    if (!loaded) return loaded;
    if (Status applied = m_db.execute(m_apply); !applied) return applied;
    m_updated += m_pending;
    m_pending = 0;
    return m_db.execute("TRUNCATE " + quote_identifier(m_batch.name));
  }
  std::int64_t updated() const override { return m_updated; }

 private:
  Database& m_db;
  TableDef m_batch;
  std::string m_apply;
  std::unique_ptr<BulkLoader> m_loader;
  std::int64_t m_pending = 0, m_updated = 0;
};

}  // namespace

namespace db_engines {

Result<std::unique_ptr<BulkUpdater>> staged_bulk_update(Database& db, const TableDef& table,
                                                        const std::vector<std::string>& key,
                                                        const std::vector<std::string>& set) {
  TableDef batch;
  batch.name = "dihya_update_" + table.name;
  std::string columns;
  for (const auto* names : {&key, &set})
    for (const auto& name : *names) {
      const ColumnDef* column = table.column(name);
      if (!column)
        return make_error(ExitCode::failure, "core.internal_error",
                          {{"reason", "no column " + name}});
      batch.columns.push_back(*column);
      columns += (columns.empty() ? "" : ", ") + quote_identifier(name);
    }
  // The batch table has the columns' own types (no constraints) and lives until the session
  // ends, or the transaction does.
  if (Status made = db.execute("DROP TABLE IF EXISTS pg_temp." + quote_identifier(batch.name));
      !made)
    return made.error();
  if (Status made = db.execute("CREATE TEMPORARY TABLE " + quote_identifier(batch.name) +
                               " ON COMMIT DROP AS SELECT " + columns + " FROM " +
                               quote_identifier(table.name) + " WITH NO DATA");
      !made)
    return made.error();
  std::string apply = "UPDATE " + quote_identifier(table.name) + " AS t SET ";
  for (std::size_t i = 0; i < set.size(); ++i)
    apply += (i ? ", " : "") + quote_identifier(set[i]) + " = b." + quote_identifier(set[i]);
  apply += " FROM " + quote_identifier(batch.name) + " AS b WHERE ";
  for (std::size_t i = 0; i < key.size(); ++i)
    apply += (i ? " AND " : "") + std::string("t.") + quote_identifier(key[i]) + " = b." +
             quote_identifier(key[i]);
  return std::unique_ptr<BulkUpdater>(new StagedUpdater(db, std::move(batch), std::move(apply)));
}

}  // namespace db_engines

Field read_field(const Statement& rows, int column, ColumnType type, std::string& scratch) {
  if (rows.is_null(column)) return Field::null();
  switch (type) {
    case ColumnType::integer:
      return Field::of(rows.get_integer(column));
    case ColumnType::real:
      return Field::of_real(rows.get_real(column));
    case ColumnType::boolean:
      return Field::of_bool(rows.get_integer(column) != 0);
    case ColumnType::blob:
      return Field::of_blob(rows.get_view(column, scratch));
    default:
      return Field::of(rows.get_view(column, scratch));
  }
}

OwnedField OwnedField::read(const Statement& rows, int column, ColumnType type) {
  std::string scratch;
  Field f = read_field(rows, column, type, scratch);
  OwnedField v{f.kind, f.integer, f.real, {}};
  if (f.kind == Field::Kind::text || f.kind == Field::Kind::blob) v.text = f.text;
  return v;
}

Field OwnedField::field() const {
  switch (kind) {
    case Field::Kind::integer:
      return Field::of(integer);
    case Field::Kind::real:
      return Field::of_real(real);
    case Field::Kind::boolean:
      return Field::of_bool(integer != 0);
    case Field::Kind::text:
      return Field::of(std::string_view(text));
    case Field::Kind::blob:
      return Field::of_blob(text);
    default:
      return Field::null();
  }
}

Status each_key_batch(Database& db, const TableDef& def,
                      const std::vector<const ColumnDef*>& columns, const std::string& condition,
                      const std::vector<Field>& params, std::size_t batch,
                      const std::function<Status(std::vector<OwnedRow>&)>& visit) {
  std::vector<const ColumnDef*> read;
  std::string keys, marks, list;
  for (const auto& name : def.primary_key) {
    read.push_back(def.column(name));
    keys += (keys.empty() ? "" : ", ") + quote_identifier(name);
    marks += marks.empty() ? "?" : ", ?";
  }
  read.insert(read.end(), columns.begin(), columns.end());
  for (const auto* c : read) list += (list.empty() ? "" : ", ") + quote_identifier(c->name);
  const std::size_t n_keys = def.primary_key.size();
  std::string select = "SELECT " + list + " FROM " + quote_identifier(def.name) + " WHERE (" +
                       (condition.empty() ? "1 = 1" : condition) + ")";
  std::string after =
      n_keys == 1 ? " AND " + keys + " > ?" : " AND (" + keys + ") > (" + marks + ")";
  std::string order = " ORDER BY " + keys + " LIMIT " + std::to_string(batch);
  OwnedRow last;
  for (;;) {
    check_interrupted();
    std::vector<OwnedRow> rows;
    {
      auto stmt = db.prepare(select + (last.empty() ? "" : after) + order);
      if (!stmt) return stmt.error();
      int index = 1;
      for (const auto& p : params)
        if (Status bound = (*stmt)->bind(index++, p); !bound) return bound;
      for (const auto& k : last)
        if (Status bound = (*stmt)->bind(index++, k.field()); !bound) return bound;
      for (;;) {
        auto more = (*stmt)->step();
        if (!more) return more.error();
        if (!*more) break;
        OwnedRow row;
        row.reserve(read.size());
        for (std::size_t i = 0; i < read.size(); ++i)
          row.push_back(OwnedField::read(**stmt, static_cast<int>(i), read[i]->type));
        rows.push_back(std::move(row));
      }
    }
    if (rows.empty()) return {};
    last.assign(rows.back().begin(), rows.back().begin() + static_cast<std::ptrdiff_t>(n_keys));
    bool done = rows.size() < batch;
    if (Status visited = visit(rows); !visited) return visited;
    if (done) return {};
  }
}

std::string update_by_key_sql(const std::string& table, const std::vector<std::string>& key,
                              const std::vector<std::string>& set) {
  std::string sql = "UPDATE " + quote_identifier(table) + " SET ";
  for (std::size_t i = 0; i < set.size(); ++i)
    sql += (i ? ", " : "") + quote_identifier(set[i]) + " = ?";
  sql += " WHERE ";
  for (std::size_t i = 0; i < key.size(); ++i)
    sql += (i ? " AND " : "") + quote_identifier(key[i]) + " = ?";
  return sql;
}

Result<std::unique_ptr<BulkUpdater>> Database::bulk_update(const TableDef& table,
                                                           const std::vector<std::string>& key,
                                                           const std::vector<std::string>& set) {
  auto update = prepare(update_by_key_sql(table.name, key, set));
  if (!update) return update.error();
  return std::unique_ptr<BulkUpdater>(
      new RowByRowUpdater(std::move(*update), key.size(), set.size()));
}

Result<std::unique_ptr<CsvCopy>> Database::copy_csv(const TableDef&,
                                                    const std::vector<std::string>&, bool, bool) {
  return make_error(ExitCode::failure, "core.db.no_csv_copy");
}

Result<bool> Database::table_exists(const std::string& table) {
  auto names = table_names();
  if (!names) return names.error();
  for (const auto& name : *names)
    if (name == table) return true;
  return false;
}

Result<std::int64_t> Database::count_rows(const std::string& table) {
  auto statement = prepare("SELECT COUNT(*) FROM " + quote_identifier(table));
  if (!statement) return statement.error();
  auto row = (*statement)->step();
  if (!row) return row.error();
  return (*statement)->get_integer(0);
}

Result<Transaction> Transaction::begin(Database& db) {
  if (Status started = db.begin(); !started) return started.error();
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (m_db) (void)m_db->rollback();
}

Status Transaction::commit() {
  Database* db = m_db;
  m_db = nullptr;
  return db->commit();
}

Result<std::unique_ptr<Database>> open_database(const std::string& url,
                                                const OpenOptions& options) {
  auto parsed = parse_database_url(url);
  if (!parsed) return parsed.error();
  if (parsed->engine == Engine::sqlite) return db_engines::open_sqlite(*parsed, options);
  return db_engines::open_postgresql(*parsed, options);
}

namespace db_engines {

std::string number_placeholders(std::string_view sql) {
  std::string out;
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace db_engines
}  // namespace dihya
