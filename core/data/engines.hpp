#pragma once

#include "core/data/db.hpp"

struct sqlite3;
struct pg_conn;

// The engine implementations behind open_database (internal to core).
namespace dihya::db_engines {

Result<std::unique_ptr<Database>> open_sqlite(const DatabaseUrl& url, const OpenOptions& options);
Result<std::unique_ptr<Database>> open_postgresql(const DatabaseUrl& url,
                                                  const OpenOptions& options);

// Rows of TABLE updated by KEY through a temporary table: bulk-loaded, then applied by one
// UPDATE … FROM at each flush (PostgreSQL).
Result<std::unique_ptr<BulkUpdater>> staged_bulk_update(Database& db, const TableDef& table,
                                                        const std::vector<std::string>& key,
                                                        const std::vector<std::string>& set);

// Database::rewrite_columns on the SQLite CONNECTION behind DB (sqlite_rewrite.cpp).
Result<std::optional<std::int64_t>> sqlite_rewrite_columns(sqlite3* connection, Database& db,
                                                           const TableDef& table,
                                                           const std::vector<std::string>& columns,
                                                           const ColumnRewrite& rewrite);
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// Database::rewrite_columns on the PostgreSQL connection CONN behind DB (pg_rewrite.cpp).
Result<std::optional<std::int64_t>> pg_rewrite_columns(pg_conn* conn, Database& db,
                                                       const TableDef& table,
                                                       const std::vector<std::string>& columns,
                                                       const ColumnRewrite& rewrite);
// PostgreSQL's text forms: VALUE appended in COPY's text format; bytea's "\x0102…" output as
// raw bytes; a timestamptz of the UTC ISO session ("2026-11-24 10:00:00+00") in RFC 3339.
void append_copy_text(std::string& out, const Field& value);
std::string decode_bytea(const char* text, int length);
std::string normalize_timestamp(std::string text);

// Rewrite `?` placeholders (outside quotes) as $1, $2… for PostgreSQL.
std::string number_placeholders(std::string_view sql);

}  // namespace dihya::db_engines
