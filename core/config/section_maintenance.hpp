#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

// The tenant's "maintenance" section (maintenance/README.md): what check_integrity checks,
// how optimize_db decides, and when maintenance may run.
namespace dihya {

// The table that lists the tenant's stored files, and where they live.
struct FilesCatalog {
  std::string table = "files";
  std::string key = "id";
  std::string path = "path";
  std::string size = "size";
  std::string sha256 = "sha256";
  std::string root;  // a files.* root name; empty: the tenant's only (or first) root
  std::int64_t sample = 100;  // --quick hashes this many files
};

// The thresholds of optimize_db's plan.
struct OptimizeThresholds {
  std::int64_t free_percent = 10;         // SQLite: VACUUM past this share of free pages
  std::uint64_t disk_margin = 64ull << 20;  // free disk beyond the database's size
  std::int64_t dead_percent = 10;         // PostgreSQL: VACUUM past this share of dead rows
  std::int64_t min_dead_rows = 1000;      // … and at least this many
  std::int64_t index_bloat_percent = 30;  // REINDEX CONCURRENTLY past this estimated bloat
  std::uint64_t min_index_size = 1ull << 20;
  std::int64_t lock_timeout_ms = 2000;
  std::int64_t statement_timeout_ms = 30 * 60 * 1000;
  std::int64_t retries = 3;  // a statement that timed out on its lock is tried again
};

// When maintenance may run: local time of day from START to END (minutes since midnight; END
// before START spans midnight) on DAYS (0 Sunday … 6 Saturday; empty: every day).
struct MaintenanceWindow {
  int start_minute = 0, end_minute = 0;
  std::vector<int> days;
  bool contains(std::int64_t epoch_ms) const;
};

struct MaintenanceSettings {
  FilesCatalog files;
  std::int64_t backup_max_age_ms = 2 * 24 * 3600 * 1000ll;
  OptimizeThresholds optimize;
  std::optional<MaintenanceWindow> window;
  int threads = 2;  // file hashing
};

// The settings of TENANT's maintenance section, defaults where it is silent.
MaintenanceSettings maintenance_settings(const TenantConfig& tenant);

class ConfigChecker;
// Validate the "maintenance" section at PATH and keep it in TENANT.sections (a TenantSection of
// core/run/config_sections.cpp).
void check_maintenance_section(ConfigChecker& checker, const Json& section, const std::string& path,
                               TenantConfig& tenant);

}  // namespace dihya
