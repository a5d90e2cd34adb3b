#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/options.hpp"
#include "core/config/config.hpp"
#include "core/data/db.hpp"
#include "core/io/walk.hpp"

// clean_orphans: a file root compared with the database column that names its files, both
// ways, from one snapshot of the references; candidates quarantined (or deleted) only after
// every fail-closed check passed and each is re-checked just before it moves.
namespace dihya::cleaning {

struct OrphansOptions {
  bool dry_run = false;
  bool remove = false;                      // --delete instead of the quarantine
  std::optional<std::string> restore;       // --restore RUN
  std::vector<std::string> roots;           // --root NAME (default: every declared one)
  std::optional<std::uint64_t> max_delete;  // --max-delete COUNT: raises the count cap
  std::optional<std::uint64_t> max_delete_bytes;
};

void declare_orphans_options(OptionSet& options);
Result<OrphansOptions> parse_orphans_options(const Arguments& args);

// One declared comparison (cleaning.orphans[i]).
struct OrphanRule {
  std::string root;  // the name of a file root of the tenant
  fs::path dir;      // its directory
  std::string table = "files", column = "path", key = "id";
  std::string prefix;  // what the column's paths start with before the root's relative path
  std::int64_t grace_ms = 24 * 3600 * 1000LL;
  bool by_ctime = true;  // a file is young while its mtime or (by default) ctime is recent
  bool by_atime = false;
  int max_delete_percent = 5;
  std::uint64_t max_delete_bytes = std::uint64_t{1} << 30;
  int quarantine_days = 30;
};

Result<std::vector<OrphanRule>> select_orphan_rules(const TenantConfig& tenant,
                                                    const OrphansOptions& options);

// A file with no row.
struct Candidate {
  std::string path;  // relative to the root (bytes)
  FileFacts facts;
};
// A row whose file is missing.
struct MissingRow {
  std::string key, path;
};

// What the comparison found.
struct OrphanScan {
  std::uint64_t references = 0;  // rows naming a file below the root
  std::uint64_t files = 0, bytes = 0;
  std::uint64_t young = 0;  // unreferenced but within the grace period
  std::uint64_t candidate_count = 0, candidate_bytes = 0;
  std::vector<Candidate> candidates;  // the first ones (as many as the cap allows, plus one)
  std::uint64_t missing_count = 0;
  std::vector<MissingRow> missing;  // the first 1000
};

// Read every reference of RULE in one snapshot (SQLite read transaction, PostgreSQL
// REPEATABLE READ), list the root, and compare both ways; LIMIT candidates are kept in full.
// A failed query is 69.
Result<OrphanScan> scan_orphans(Database& db, const OrphanRule& rule, std::size_t limit);

// Which of the COUNT candidates from FIRST the database names now, outside any snapshot (one
// query for them all: the column need not be indexed).
Result<std::vector<bool>> still_referenced(Database& db, const OrphanRule& rule,
                                           const Candidate* first, std::size_t count);

}  // namespace dihya::cleaning
