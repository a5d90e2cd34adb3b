#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cleaning/orphans.hpp"

// Where clean_orphans puts what it takes away: <state_dir>/quarantine/<run>/files/<path>,
// with manifest.jsonl (one line per file: root, path, size, SHA-256, mtime) and run.json.
namespace dihya::cleaning {

struct MoveTally {
  std::uint64_t moved = 0, bytes = 0;
  std::uint64_t kept_referenced = 0;  // a row appeared for it since the scan
  std::uint64_t kept_changed = 0;     // the file changed, vanished or got young again
};

// One quarantine (or deletion) run: CANDIDATES of RULE, each re-checked against the database
// and the disk just before it moves. RUN_DIR is empty with REMOVE (deleted, not kept).
class OrphanMover {
 public:
  OrphanMover(Database& db, const OrphanRule& rule, fs::path run_dir, bool remove);
  ~OrphanMover();
  // Move or delete every candidate; a failed database re-check stops at once (69).
  Status move_all(const std::vector<Candidate>& candidates, MoveTally& tally);

 private:
  Status move_one(const Candidate& c, bool referenced, MoveTally& tally);
  Status open_dirs();

  Database& m_db;
  const OrphanRule& m_rule;
  fs::path m_run_dir;
  bool m_remove;
  Fd m_root;
  Fd m_files;  // <run>/files
  Fd m_manifest;
};

// A new run directory below <state_dir>/quarantine, named after the time.
Result<fs::path> create_quarantine_run(const fs::path& quarantine_dir);
// Write <run>/run.json once a run's files are all in.
Status finish_quarantine_run(const fs::path& run_dir, const std::string& tenant,
                             const MoveTally& tally);

struct RestoreTally {
  std::uint64_t restored = 0, bytes = 0, conflicts = 0, corrupt = 0;
};
// Put every file of quarantine run RUN back where it was, byte-identical (SHA-256 checked
// before and after); a path that exists again is left in the quarantine (a conflict).
Result<RestoreTally> restore_quarantine(const TenantConfig& tenant, const std::string& run,
                                        const std::vector<OrphanRule>& rules);

// Remove the quarantine runs older than their root's quarantine_days; the names removed.
Result<std::vector<std::string>> purge_quarantines(const fs::path& quarantine_dir,
                                                   const std::vector<OrphanRule>& rules);

}  // namespace dihya::cleaning
