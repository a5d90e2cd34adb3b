#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backup/backup.hpp"
#include "core/config/section_maintenance.hpp"

// The integrity checks of a tenant (check_integrity, and the ops tools that reuse them): its
// database, its stored files against their catalog, its backups, its audit trail. Each check
// says whether everything holds, names every corruption it found, or says why it could not run.
namespace dihya::integrity {

enum class Depth { quick, normal, deep };

// One corruption found: WHAT is wrong (a message id with its parameters) about SUBJECT (a
// table and row key, an index, a file's row key, a backup id, an audit record).
struct Finding {
  std::string kind;     // "sqlite_integrity", "foreign_key", "amcheck", "missing_file"…
  std::string subject;  // "files id=42", "index public.t_v", "backup 2026…"
  Error message;
};

struct CheckReport {
  explicit CheckReport(std::string name = {}) : check(std::move(name)) {}
  std::string check;  // db, files, backups, audit
  std::vector<Finding> findings;
  std::optional<Error> error;  // set when the check could not run
  Json facts = Json::object();  // what was checked (counts, engine, tables…)
  std::vector<Error> notes;      // worth knowing, not corruption (NOT VALID constraints)
  std::int64_t duration_ms = 0;

  bool ok() const { return !error && findings.empty(); }
  // 0 when everything holds, 65 when anything is corrupt, else the error's code.
  int exit_code() const;
  Json to_json() const;
};

// Called with the work done so far and the total, from the thread that runs the check.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// SQLite: quick_check (QUICK) or integrity_check, every message, then foreign_key_check.
// PostgreSQL: pg_amcheck (B-tree and heap; DEEP adds heapallindexed), the NOT VALID
// constraints, checksum failures, and with DEEP every foreign key checked again.
CheckReport check_database(const TenantConfig& tenant, Depth depth);

// Each row of the files catalog against the disk: missing, wrong size, wrong SHA-256 (DEEP
// hashes every file, QUICK checks sizes and hashes a sample), hashed on SETTINGS.threads.
CheckReport check_files(const TenantConfig& tenant, const MaintenanceSettings& settings,
                        Depth depth, const ProgressFn& progress = {});

// The newest backup of each part exists, is younger than backup_max_age_ms, and verifies
// (sidecar and file SHA-256 always; the whole content with KEYS (may be null) for the newest, for every
// backup with DEEP; QUICK reads sidecars and the newest file's hash only).
CheckReport check_backups(const TenantConfig& tenant, const MaintenanceSettings& settings,
                          Depth depth, const BackupKeys* keys, std::int64_t now_ms);

// The audit chain and its signed checkpoints.
CheckReport check_audit(const TenantConfig& tenant);

}  // namespace dihya::integrity
