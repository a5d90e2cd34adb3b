#pragma once

#include "core/data/db.hpp"

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

// Rewrite `?` placeholders (outside quotes) as $1, $2… for PostgreSQL.
std::string number_placeholders(std::string_view sql);

}  // namespace dihya::db_engines
