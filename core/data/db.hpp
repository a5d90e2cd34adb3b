#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/fs.hpp"

namespace dihya {

// The one type map shared by both engines (DESIGN.md §10).
enum class ColumnType { integer, real, numeric, text, blob, boolean, date, timestamp, json };

const char* column_type_name(ColumnType type);
std::optional<ColumnType> parse_column_type(std::string_view name);

enum class Engine { sqlite, postgresql };

// A parsed database URL: sqlite:PATH or postgresql://user@host:port/db.
struct DatabaseUrl {
  Engine engine = Engine::sqlite;
  std::string path;  // sqlite
  std::string user, host, database;
  int port = 5432;
  std::string display;  // safe to print and audit (never holds a password)
};
Result<DatabaseUrl> parse_database_url(const std::string& url);

// A value to bind or load. Views point into memory the caller keeps alive until the call
// returns. numeric, date, timestamp and json travel as text in their canonical form.
struct Field {
  enum class Kind { null, integer, real, text, blob, boolean };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view text;  // text or blob bytes

  static Field null() { return {}; }
  static Field of(std::int64_t v) { return {Kind::integer, v, 0, {}}; }
  static Field of_real(double v) { return {Kind::real, 0, v, {}}; }
  static Field of(std::string_view v) { return {Kind::text, 0, 0, v}; }
  static Field of_blob(std::string_view v) { return {Kind::blob, 0, 0, v}; }
  static Field of_bool(bool v) { return {Kind::boolean, v ? 1 : 0, 0, {}}; }
};

// How a column numbers its rows by itself: PostgreSQL's identity (ALWAYS or BY DEFAULT) or
// serial (a sequence owned by the column), SQLite's INTEGER PRIMARY KEY (the rowid) with or
// without AUTOINCREMENT.
enum class ColumnIdentity { none, always, by_default, serial, rowid, autoincrement };
const char* identity_name(ColumnIdentity identity);
std::optional<ColumnIdentity> parse_identity(std::string_view name);

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::text;
  bool nullable = true;
  // The type with its parameters, engine-neutral (core/data/types.hpp): "varchar(40)",
  // "numeric(10,2)", "timestamp" (naive)…; empty: the common type's own.
  std::string sql_type = {};
  // The type as the engine that holds the column declares it (SQLite's declared type,
  // PostgreSQL's format_type), so that the same engine makes it again exactly.
  std::string declared = {};
  Engine declared_on = Engine::sqlite;
  // The DEFAULT expression as DECLARED_ON writes it; none without one.
  std::optional<std::string> default_sql = {};
  ColumnIdentity identity = ColumnIdentity::none;
};

struct ForeignKey {
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
};

struct IndexDef {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
};

// What the type map cannot carry to the other engine (a view, a CHECK constraint, a trigger,
// a generated column, a partial or expression index, a column's collation), as its engine
// defines it: named in a package, made again on the same engine where it can (views, CHECKs).
struct SchemaObject {
  std::string kind;  // view, check, trigger, generated, index, collation
  std::string name;
  std::string table;       // the table it belongs to; empty for a view
  std::string definition;  // PostgreSQL: a view's query, "CHECK (…)"; SQLite: its SQL
  Engine engine = Engine::sqlite;
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;
  std::vector<std::string> primary_key;
  std::vector<ForeignKey> foreign_keys;
  std::vector<std::vector<std::string>> unique_keys;
  std::vector<IndexDef> indexes;  // non-unique and unique indexes beyond the keys above
  // Partial indexes and indexes on expressions, by name: not keys of the columns (a partial
  // unique index holds for some rows only) and not in the two lists above.
  std::vector<std::string> other_indexes = {};
  // CHECK constraints, declared again by create_table_sql on the engine that wrote them.
  std::vector<SchemaObject> checks = {};
  const ColumnDef* column(std::string_view name) const;
};

// A prepared statement; `?` placeholders, numbered from 1. Rows stream one at a time.
class Statement {
 public:
  virtual ~Statement() = default;
  virtual Status bind(int index, const Field& value) = 0;
  // Run the statement (first call) or fetch the next row: true while a row is available.
  virtual Result<bool> step() = 0;
  virtual Status reset() = 0;
  virtual int column_count() const = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t get_integer(int column) const = 0;
  virtual double get_real(int column) const = 0;
  virtual std::string get_text(int column) const = 0;  // blobs as raw bytes
  // The same without a copy where the engine allows: valid until the next step; SCRATCH
  // holds the text otherwise.
  virtual std::string_view get_view(int column, std::string& scratch) const {
    scratch = get_text(column);
    return scratch;
  }
  virtual std::int64_t changes() const = 0;
  // True when the engine holds the value of COLUMN as a double whatever the column's type
  // (SQLite's REAL storage class in a NUMERIC column).
  virtual bool stored_real(int) const { return false; }
};

// Rows appended to one table as fast as the engine allows (COPY, or multi-row prepared
// inserts). The text a row's fields point to must stay valid until flush() or finish().
class BulkLoader {
 public:
  virtual ~BulkLoader() = default;
  virtual Status add_row(const Field* fields, std::size_t count) = 0;
  // Write the rows held back so far; their fields' memory may then be reused.
  virtual Status flush() = 0;
  virtual Status finish() = 0;
};

// Rows of one table updated by key, as fast as the engine allows: add_row gets the key
// columns' values, then the new values of the columns to set. The text they point to must
// stay valid until flush().
class BulkUpdater {
 public:
  virtual ~BulkUpdater() = default;
  virtual Status add_row(const Field* fields, std::size_t count) = 0;
  virtual Status flush() = 0;
  // The rows updated so far (after flush).
  virtual std::int64_t updated() const = 0;
};

// CSV text handed to PostgreSQL's COPY … (FORMAT csv) as it is, without being decoded here.
class CsvCopy {
 public:
  virtual ~CsvCopy() = default;
  virtual Status write(std::string_view data) = 0;
  // End the COPY: the rows it loaded.
  virtual Result<std::int64_t> finish() = 0;
};

// The new value of one column of a row given its current VALUE, for
// Database::rewrite_columns: COLUMN indexes the columns being rewritten; text goes to OUT,
// which the result may point into. An error stops the rewrite (the caller rolls back).
using ColumnRewrite =
    std::function<Result<Field>(std::size_t column, const Field& value, std::string& out)>;

class Database {
 public:
  virtual ~Database() = default;
  virtual Engine engine() const = 0;
  virtual Status execute(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<Statement>> prepare(std::string_view sql) = 0;
  // FREEZE (PostgreSQL): the rows go in already frozen, which spares every later reader the
  // work of marking them; only for a table created in the current transaction.
  virtual Result<std::unique_ptr<BulkLoader>> bulk_load(const TableDef& table, bool freeze) = 0;
  Result<std::unique_ptr<BulkLoader>> bulk_load(const TableDef& table) {
    return bulk_load(table, false);
  }
  // The same for rows as package::RowDecoder gives them (typed as pg_copy.hpp says), which
  // PostgreSQL takes in its binary form unless a column is numeric.
  virtual Result<std::unique_ptr<BulkLoader>> load_decoded(const TableDef& table, bool freeze) {
    return bulk_load(table, freeze);
  }
  // Update TABLE's SET columns in the rows found by its KEY columns (a prepared UPDATE per
  // row; PostgreSQL: COPY into a temporary table, then one UPDATE … FROM per flush).
  virtual Result<std::unique_ptr<BulkUpdater>> bulk_update(const TableDef& table,
                                                           const std::vector<std::string>& key,
                                                           const std::vector<std::string>& set);
  // PostgreSQL: COPY TABLE's columns FROM CSV text, whose first line is (HEADER) a header
  // naming them in that order (checked where the server can); an unquoted empty cell is NULL
  // except in the NOT_NULL columns; FREEZE as for bulk_load. Other engines: 1 (not offered).
  virtual Result<std::unique_ptr<CsvCopy>> copy_csv(const TableDef& table,
                                                    const std::vector<std::string>& not_null,
                                                    bool header, bool freeze);
  // Rewrite COLUMNS of every row of TABLE by REWRITE inside the engine, in the caller's
  // transaction, as fast as it allows (SQLite: one UPDATE through a function registered on the
  // connection, the indexes over those columns dropped first and built again from their
  // definitions after). The rows rewritten, or nullopt when the engine offers no such path (the
  // caller then updates by key).
  virtual Result<std::optional<std::int64_t>> rewrite_columns(
      const TableDef& table, const std::vector<std::string>& columns, const ColumnRewrite& rewrite);
  virtual Result<std::vector<std::string>> table_names() = 0;
  virtual Result<TableDef> describe_table(const std::string& table) = 0;
  // The views of the schema, and the CHECK constraints, triggers, generated columns,
  // partial and expression indexes and collations of TABLES.
  virtual Result<std::vector<SchemaObject>> schema_objects(
      const std::vector<std::string>& tables) = 0;
  // Speed up a large load: the engine's pragmas or session settings; undone by end_bulk.
  virtual Status begin_bulk() = 0;
  virtual Status end_bulk() = 0;

  Status begin() { return execute("BEGIN"); }
  Status commit() { return execute("COMMIT"); }
  Status rollback() { return execute("ROLLBACK"); }
  Result<bool> table_exists(const std::string& table);
  Result<std::int64_t> count_rows(const std::string& table);
};

// A transaction rolled back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database* db) : m_db(db) {}
  Database* m_db;
};

struct OpenOptions {
  bool must_exist = false;  // a missing SQLite file is 66 instead of being created
  // SQLite: a 64 MiB page cache and a 256 MiB memory map, for a run that scans and rewrites
  // whole tables.
  bool whole_tables = false;
  // PostgreSQL: how long connecting may take (libpq's connect_timeout).
  int connect_timeout_seconds = 10;
  // SQLite: once this many milliseconds have passed since opening, a running statement is
  // interrupted (a read-only collector's timeout); 0 never. PostgreSQL: statement_timeout.
  std::int64_t statement_deadline_ms = 0;
};

// Open the database of URL; an unreachable server is 69 with the libpq reason.
Result<std::unique_ptr<Database>> open_database(const std::string& url,
                                                const OpenOptions& options = {});

// Copy the SQLite database at SOURCE to the new file DESTINATION (mode 0600) as one consistent
// snapshot, while other processes keep writing (rollback journal or WAL); the online backup
// API restarts the copy if a writer changes pages under it. DESTINATION must not exist.
Status snapshot_sqlite(const fs::path& source, const fs::path& destination);

// Run READ while the main file of the SQLite database at SOURCE is exactly the snapshot of a
// read transaction that READ gets the connection of, so the file can be copied byte for byte
// while other processes keep writing. With a rollback journal the transaction's shared lock
// keeps writers out of the file; in WAL mode the log is checkpointed and the transaction is
// kept only once nothing of the log lies beyond its snapshot, after which no checkpoint can
// change the file until it ends. Returns false without calling READ when writers kept the
// log busy for every attempt (the caller then copies through snapshot_sqlite).
Result<bool> with_stable_sqlite_file(const fs::path& source,
                                     const std::function<Status(Database&)>& read);

// Quote an identifier for SQL ("a""b"): names from config or the command line are never
// spliced into SQL unquoted.
std::string quote_identifier(std::string_view name);
// Quote a string literal for SQL ('it''s').
std::string quote_literal(std::string_view text);

// Whether TABLE is one the tool suite keeps for itself in a tenant's database (its name begins
// with "dihya_": dihya_anonymized, dihya_erasures, dihya_consent, dihya_retention_masked):
// not the application's data, so personal-data scans and exports leave it out.
bool is_internal_table(std::string_view table);

// Column COLUMN of the current row of ROWS as a field of TYPE; text may point into SCRATCH
// or into the statement (valid until its next step).
Field read_field(const Statement& rows, int column, ColumnType type, std::string& scratch);

// A field that owns its text: a value kept after its statement has moved on.
struct OwnedField {
  Field::Kind kind = Field::Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;

  static OwnedField read(const Statement& rows, int column, ColumnType type);
  Field field() const;  // points into this value
};

// The rows of DEF where CONDITION holds (PARAMS bound to its placeholders), each as its
// primary key then COLUMNS, in key order, BATCH rows at a time (keyset paging). Each batch is
// read whole before VISIT gets it, so the connection is free to write in between.
using OwnedRow = std::vector<OwnedField>;
Status each_key_batch(Database& db, const TableDef& def,
                      const std::vector<const ColumnDef*>& columns, const std::string& condition,
                      const std::vector<Field>& params, std::size_t batch,
                      const std::function<Status(std::vector<OwnedRow>&)>& visit);

// UPDATE TABLE SET each of SET = ? WHERE each of KEY = ? (the SET values bound first).
std::string update_by_key_sql(const std::string& table, const std::vector<std::string>& key,
                              const std::vector<std::string>& set);

// SQL for the table, its keys and indexes in ENGINE's dialect; without WITH_PRIMARY_KEY on
// PostgreSQL only (the key is then built after a load, faster than kept up row by row).
std::string create_table_sql(const TableDef& table, Engine engine, bool with_unique_keys = true,
                             bool with_primary_key = true);
// The statements that add TABLE's keys and indexes after a load; on PostgreSQL the foreign
// keys too, unless WITH_FOREIGN_KEYS is false (foreign_key_sql gives them apart), and the
// primary key first with WITH_PRIMARY_KEY.
std::vector<std::string> create_index_sql(const TableDef& table, Engine engine,
                                          bool with_unique_keys, bool with_foreign_keys = true,
                                          bool with_primary_key = false);
// PostgreSQL: ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY for each of TABLE's foreign keys,
// NOT VALID when asked (checked later by VALIDATE CONSTRAINT), with the constraint's name.
std::vector<std::pair<std::string, std::string>> foreign_key_sql(const TableDef& table,
                                                                 bool not_valid);
const char* engine_type_name(ColumnType type, Engine engine);
// After a load: the statements that move the sequence of each identity or serial column of
// TABLE past the largest value it holds (PostgreSQL; SQLite's AUTOINCREMENT follows by itself).
std::vector<std::string> identity_reset_sql(const TableDef& table, Engine engine);

}  // namespace dihya
