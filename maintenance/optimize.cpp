// optimize_db's measurements and plan, on SQLite and PostgreSQL.
#include "maintenance/optimize.hpp"

#include <sys/statvfs.h>

#include "core/base/units.hpp"

namespace dihya::maintenance {
namespace {

Result<std::int64_t> scalar(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row || (*stmt)->is_null(0)) return std::int64_t{0};
  return (*stmt)->get_integer(0);
}

Error why(std::string id, MessageParams params) {
  return make_error(ExitCode::ok, std::move(id), std::move(params));
}

std::string percent(double value) {
  return std::to_string(static_cast<long long>(value + 0.5)) + "%";
}

std::int64_t file_bytes(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

// Tables whose rows VACUUM may renumber: rowid tables without an INTEGER PRIMARY KEY.
Result<std::vector<std::string>> implicit_rowid_tables(Database& db) {
  auto stmt = db.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND sql NOT LIKE '%WITHOUT ROWID%' AND NOT EXISTS (SELECT 1 FROM pragma_table_info(name) "
      "WHERE pk = 1 AND upper(type) = 'INTEGER' AND (SELECT count(*) FROM pragma_table_info(name) "
      "WHERE pk > 0) = 1) ORDER BY name");
  if (!stmt) return stmt.error();
  std::vector<std::string> out;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return out;
    out.push_back((*stmt)->get_text(0));
  }
}

Status plan_sqlite_vacuum(Database& db, const fs::path& file, const OptimizeThresholds& t,
                          const OptimizeRequest& request, OptimizePlan& plan) {
  auto page_size = scalar(db, "PRAGMA page_size");
  auto pages = scalar(db, "PRAGMA page_count");
  auto free_pages = scalar(db, "PRAGMA freelist_count");
  auto auto_vacuum = scalar(db, "PRAGMA auto_vacuum");
  for (auto* r : {&page_size, &pages, &free_pages, &auto_vacuum})
    if (!*r) return r->error();
  double ratio = *pages ? 100.0 * static_cast<double>(*free_pages) / static_cast<double>(*pages) : 0;
  std::int64_t bytes = *page_size * *pages;
  Json& m = plan.measurements;
  m["page_size"] = *page_size;
  m["pages"] = *pages;
  m["free_pages"] = *free_pages;
  m["free_percent"] = ratio;
  m["auto_vacuum"] = *auto_vacuum == 2 ? "incremental" : *auto_vacuum == 1 ? "full" : "none";
  if (request.vacuum == VacuumMode::none) return {};
  bool incremental_db = *auto_vacuum == 2;
  if (request.vacuum == VacuumMode::incremental ||
      (request.vacuum == VacuumMode::auto_ && incremental_db && *free_pages > 0)) {
    OptimizeStep step{"incremental_vacuum", "database", "PRAGMA incremental_vacuum",
                      why("maintenance.optimize.why_incremental",
                          {{"free", std::to_string(*free_pages)}})};
    if (!incremental_db)
      step.refusal = make_error(ExitCode::failure, "maintenance.optimize.no_incremental");
    plan.steps.push_back(std::move(step));
    return {};
  }
  if (request.vacuum == VacuumMode::auto_ && ratio <= static_cast<double>(t.free_percent)) return {};
  OptimizeStep step{"vacuum", "database", "VACUUM",
                    request.vacuum == VacuumMode::full
                        ? why("maintenance.optimize.why_vacuum_asked", {})
                        : why("maintenance.optimize.why_vacuum",
                              {{"measured", percent(ratio)},
                               {"threshold", percent(static_cast<double>(t.free_percent))}})};
  // VACUUM writes a whole new copy before the old one goes: it needs the database's size free.
  struct statvfs fs {};
  std::uint64_t free_disk = 0;
  if (::statvfs(file.parent_path().c_str(), &fs) == 0)
    free_disk = std::uint64_t{fs.f_bavail} * fs.f_frsize;
  std::uint64_t needed = static_cast<std::uint64_t>(bytes) + t.disk_margin;
  m["free_disk_bytes"] = free_disk;
  m["vacuum_needs_bytes"] = needed;
  if (free_disk < needed)
    step.refusal = make_error(ExitCode::failure, "maintenance.optimize.disk_too_small",
                              {{"free", format_size(free_disk)}, {"needed", format_size(needed)}});
  auto renumbered = implicit_rowid_tables(db);
  if (!renumbered) return renumbered.error();
  m["implicit_rowid_tables"] = *renumbered;
  plan.steps.push_back(std::move(step));
  return {};
}

Result<OptimizePlan> plan_sqlite(Database& db, const fs::path& file, const OptimizeThresholds& t,
                                 const OptimizeRequest& request) {
  OptimizePlan plan;
  plan.engine = Engine::sqlite;
  plan.measurements["file_bytes"] = file_bytes(file);
  fs::path wal = file.string() + "-wal";
  std::int64_t wal_bytes = file_bytes(wal);
  plan.measurements["wal_bytes"] = wal_bytes;
  if (wal_bytes > 0)
    plan.steps.push_back({"checkpoint", "database", "PRAGMA wal_checkpoint(TRUNCATE)",
                          why("maintenance.optimize.why_checkpoint",
                              {{"size", format_size(static_cast<std::uint64_t>(wal_bytes))}})});
  if (request.analyze)
    plan.steps.push_back({"analyze", "database", "ANALYZE", why("maintenance.optimize.why_analyze_asked", {})});
  else
    plan.steps.push_back({"optimize", "database", "PRAGMA optimize",
                          why("maintenance.optimize.why_optimize", {})});
  if (request.reindex)
    plan.steps.push_back({"reindex", "database", "REINDEX", why("maintenance.optimize.why_reindex_asked", {})});
  if (Status vacuum = plan_sqlite_vacuum(db, file, t, request, plan); !vacuum) return vacuum.error();
  return plan;
}

// Rows of a query of text columns.
Result<std::vector<std::vector<std::string>>> rows_of(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  std::vector<std::vector<std::string>> out;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return out;
    std::vector<std::string> values;
    for (int i = 0; i < (*stmt)->column_count(); ++i)
      values.push_back((*stmt)->is_null(i) ? "" : (*stmt)->get_text(i));
    out.push_back(std::move(values));
  }
}

// The role a statement on an object owned by OWNER runs as: the owner itself when the
// current user may become it (never maintenance by a superuser on another's objects,
// CVE-2022-1552), else a refusal.
void set_owner(Database& db, const std::string& owner, OptimizeStep& step) {
  step.owner = owner;
  auto stmt = db.prepare("SELECT pg_has_role(current_user, CAST(? AS name), 'MEMBER')::int");
  bool may = false;
  if (stmt && (*stmt)->bind(1, Field::of(owner)).ok()) {
    auto row = (*stmt)->step();
    may = row.ok() && *row && (*stmt)->get_integer(0) == 1;
  }
  if (!may)
    step.refusal = make_error(ExitCode::no_permission, "maintenance.optimize.not_owner",
                              {{"object", step.object}, {"owner", owner}});
}

Status plan_pg_tables(Database& db, const OptimizeThresholds& t, const OptimizeRequest& request,
                      OptimizePlan& plan) {
  auto tables = rows_of(db,
                        "SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname), "
                        "s.n_live_tup, s.n_dead_tup, pg_total_relation_size(s.relid), r.rolname "
                        "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                        "JOIN pg_roles r ON r.oid = c.relowner ORDER BY 1");
  if (!tables) return tables.error();
  Json list = Json::array();
  for (const auto& row : *tables) {
    double live = std::stod(row[1]), dead = std::stod(row[2]);
    double ratio = live + dead > 0 ? 100.0 * dead / (live + dead) : 0;
    list.push_back({{"table", row[0]}, {"live_rows", live}, {"dead_rows", dead},
                    {"dead_percent", ratio}, {"bytes", std::stoll(row[3])}, {"owner", row[4]}});
    std::string verb = request.vacuum == VacuumMode::full ? "VACUUM (FULL, ANALYZE) " : "VACUUM (ANALYZE) ";
    bool over = ratio > static_cast<double>(t.dead_percent) && dead >= static_cast<double>(t.min_dead_rows);
    OptimizeStep step;
    if (request.vacuum == VacuumMode::full) {
      step = {"vacuum_full", row[0], verb + row[0], why("maintenance.optimize.why_vacuum_asked", {})};
    } else if (request.vacuum != VacuumMode::none && over) {
      step = {"vacuum", row[0], verb + row[0],
              why("maintenance.optimize.why_dead_rows",
                  {{"measured", percent(ratio)}, {"count", std::to_string(static_cast<long long>(dead))},
                   {"threshold", percent(static_cast<double>(t.dead_percent))},
                   {"min", std::to_string(t.min_dead_rows)}})};
    } else if (request.analyze) {
      step = {"analyze", row[0], "ANALYZE " + row[0], why("maintenance.optimize.why_analyze_asked", {})};
    } else {
      continue;
    }
    set_owner(db, row[4], step);
    plan.steps.push_back(std::move(step));
  }
  plan.measurements["tables"] = list;
  return {};
}

// Estimated bloat of each B-tree index: its size against what its rows need (column widths
// from pg_stats, 12 bytes of tuple header and line pointer, 90% leaf fill).
Status plan_pg_indexes(Database& db, const OptimizeThresholds& t, const OptimizeRequest& request,
                       OptimizePlan& plan) {
  auto indexes = rows_of(db,
      "SELECT quote_ident(n.nspname) || '.' || quote_ident(i.relname), pg_relation_size(i.oid), "
      "i.reltuples::bigint, coalesce((SELECT sum(s.avg_width) FROM pg_attribute a JOIN pg_stats s "
      "ON s.schemaname = n.nspname AND s.tablename = tc.relname AND s.attname = a.attname "
      "WHERE a.attrelid = tc.oid AND a.attnum = ANY (x.indkey)), 0)::bigint, r.rolname "
      "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class tc ON tc.oid = x.indrelid "
      "JOIN pg_namespace n ON n.oid = i.relnamespace JOIN pg_roles r ON r.oid = tc.relowner "
      "JOIN pg_am am ON am.oid = i.relam WHERE am.amname = 'btree' "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
      "ORDER BY 1");
  if (!indexes) return indexes.error();
  Json list = Json::array();
  for (const auto& row : *indexes) {
    double bytes = std::stod(row[1]), tuples = std::stod(row[2]), width = std::stod(row[3]);
    double needed = tuples * (width + 12) / 0.9 + 8192 * 2;  // meta page and root
    double bloat = bytes > 0 && tuples > 0 ? std::max(0.0, 100.0 * (1 - needed / bytes)) : 0;
    list.push_back({{"index", row[0]}, {"bytes", bytes}, {"estimated_bloat_percent", bloat}});
    if (bytes < static_cast<double>(t.min_index_size) || bloat <= static_cast<double>(t.index_bloat_percent))
      continue;
    OptimizeStep step{"reindex", row[0], "REINDEX INDEX CONCURRENTLY " + row[0],
                      why("maintenance.optimize.why_index_bloat",
                          {{"measured", percent(bloat)},
                           {"threshold", percent(static_cast<double>(t.index_bloat_percent))},
                           {"size", format_size(static_cast<std::uint64_t>(bytes))}})};
    if (!request.reindex)
      step.refusal = make_error(ExitCode::ok, "maintenance.optimize.reindex_not_asked");
    else
      set_owner(db, row[4], step);
    plan.steps.push_back(std::move(step));
  }
  plan.measurements["indexes"] = list;
  return {};
}

}  // namespace

Result<OptimizePlan> plan_optimize(Database& db, const std::optional<fs::path>& sqlite_path,
                                   const OptimizeThresholds& thresholds,
                                   const OptimizeRequest& request) {
  if (db.engine() == Engine::sqlite) return plan_sqlite(db, *sqlite_path, thresholds, request);
  OptimizePlan plan;
  plan.engine = Engine::postgresql;
  auto size = scalar(db, "SELECT pg_database_size(current_database())");
  if (!size) return size.error();
  plan.measurements["database_bytes"] = *size;
  if (Status tables = plan_pg_tables(db, thresholds, request, plan); !tables) return tables.error();
  if (Status indexes = plan_pg_indexes(db, thresholds, request, plan); !indexes)
    return indexes.error();
  return plan;
}

Result<std::int64_t> step_object_bytes(Database& db, const std::optional<fs::path>& sqlite_path,
                                       const OptimizeStep& step) {
  if (db.engine() == Engine::sqlite)
    return file_bytes(*sqlite_path) + file_bytes(sqlite_path->string() + "-wal");
  if (step.object == "database") return scalar(db, "SELECT pg_database_size(current_database())");
  std::string fn = step.action == "reindex" ? "pg_relation_size" : "pg_total_relation_size";
  auto stmt = db.prepare("SELECT " + fn + "(to_regclass(?))");
  if (!stmt) return stmt.error();
  if (Status bound = (*stmt)->bind(1, Field::of(step.object)); !bound) return bound.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  return *row && !(*stmt)->is_null(0) ? (*stmt)->get_integer(0) : 0;
}

Json step_json(const OptimizeStep& step) {
  auto message = [](const Error& e) {
    Json params = Json::object();
    for (const auto& [k, v] : e.params) params[k] = v;
    return Json{{"id", e.id}, {"params", params}};
  };
  Json out = {{"action", step.action}, {"object", step.object}, {"sql", step.sql},
              {"reason", message(step.reason)}};
  if (!step.owner.empty()) out["owner"] = step.owner;
  if (step.refusal) out["refused"] = message(*step.refusal);
  return out;
}

}  // namespace dihya::maintenance
