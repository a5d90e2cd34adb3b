#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/data/db.hpp"
#include "core/privacy/overdue.hpp"
#include "core/run/audit.hpp"

// Health facts of a tenant, computed once from what the tools leave behind (sidecars, the
// audit trail, metrics files, the file systems, the retention rules) for healthcheck,
// metrics_exporter, maintenance_report and alert (DESIGN.md §13). Nothing here decides what
// is healthy: thresholds belong to the callers.
namespace dihya::health {

// The newest backup that holds each part of the tenant (an "all" backup holds every part).
struct NewestBackup {
  std::string target;  // db, files, config
  std::string id;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> verified_ms;  // its last full verification that passed
};
// From the sidecars alone (no key, no backup read), oldest target first in db, files, config
// order; a part never backed up is left out. Empty without a backup section or repository.
Result<std::vector<NewestBackup>> newest_backups(const TenantConfig& tenant);

// The tenant's audit trail verified now (chain and checkpoints).
Result<AuditVerification> audit_state(const TenantConfig& tenant);

// The file system under one of the tenant's roots (state_dir, files.*, the SQLite file, the
// backup repository).
struct RootSpace {
  std::string name;  // "state_dir", "files.uploads", "database", "backup.repository"
  std::filesystem::path path;
  std::uint64_t free_bytes = 0, total_bytes = 0;
  std::uint64_t free_inodes = 0, total_inodes = 0;
};
// Roots that do not exist yet are measured at their nearest existing parent.
std::vector<RootSpace> root_space(const TenantConfig& tenant);

// A textfile metrics file a tool wrote for the tenant (<state_dir>/metrics/<tool>.prom).
struct MetricsFile {
  std::string tool;
  std::filesystem::path path;
  std::int64_t modified_ms = 0;
};
std::vector<MetricsFile> metrics_files(const TenantConfig& tenant);

// The rows past each retention rule of the tenant's personal-data map (none without a map).
Result<std::vector<personal::OverdueTable>> rows_past_retention(const TenantConfig& tenant,
                                                                Database& db, std::int64_t now_ms);

// Maintenance mode as ops/maintenance_mode records it in <state_dir>/maintenance/state.json
// ({"on": bool, "reason", "by", "since", "until"}, times in RFC 3339): off when the file is
// absent or its "until" has passed; a malformed file is 65.
struct MaintenanceState {
  bool on = false;
  std::string reason, by;
  std::optional<std::int64_t> since_ms, until_ms;
};
std::filesystem::path maintenance_state_file(const TenantConfig& tenant);
Result<MaintenanceState> maintenance_state(const TenantConfig& tenant, std::int64_t now_ms);

// Connect to the tenant's database within TIMEOUT and run one trivial query (a comment in it
// names healthcheck in the server's log): the round trip in milliseconds, connection included.
// An unreachable database is 69.
Result<double> database_round_trip_ms(const TenantConfig& tenant,
                                      std::chrono::milliseconds timeout);

}  // namespace dihya::health
