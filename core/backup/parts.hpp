#pragma once

// Internal to the backup engine (core/backup_*.cpp): the parts of a backup and their entries.
#include <sys/stat.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/backup/backup.hpp"
#include "core/data/db.hpp"

namespace dihya {

inline constexpr const char* k_manifest_name = "manifest.json";
inline constexpr const char* k_index_name = "index.jsonl";

// One entry of the index: name, type, mode, mtime, size, sha256 (files) and link target.
Json manifest_entry(const ArchiveEntry& entry, const std::string& sha256);
// The index line of an entry: its JSON with keys in order and no spaces, then "\n".
std::string index_line(const ArchiveEntry& entry, const std::string& sha256);
// JSON text that never throws on names that are not UTF-8 (they are replaced).
std::string safe_dump(const Json& json);

// Adds entries to a backup's archive and keeps the manifest's list of them.
// The index (one line per entry) goes to a work file, so memory does not grow with the
// number of entries; it is archived after them, before the manifest.
class BackupWriter {
 public:
  BackupWriter(ArchiveWriter& archive, const fs::path& index_file,
               const std::function<void(std::uint64_t)>& progress);
  // Open the index file (mode 0600).
  Status open_index();
  // Archive the index as index.jsonl; returns the manifest's "index" section.
  Result<Json> close_index();

  Status file(const fs::path& source, const std::string& name);
  Status bytes(const std::string& name, std::string_view data, unsigned mode = 0600);
  Status directory(const std::string& name, const struct stat& st);
  Status symlink(const std::string& name, const std::string& target, const struct stat& st);
  // The tree at ROOT as the part NAME ("files/uploads"): links stay inside it or are skipped,
  // and so are the regular files EXCLUDE is true for.
  Status part_tree(const fs::path& root, const std::string& name,
                   std::function<bool(const fs::path&)> exclude = {});

  std::int64_t entries() const { return m_count; }
  const Json& skipped() const { return m_skipped; }
  // Never walk into DIR (the repository, when it lies inside a file root).
  void exclude(const fs::path& dir);
  std::int64_t data_bytes() const { return m_data_bytes; }

 private:
  Status tree(const fs::path& root, const std::string& name);
  void record(const ArchiveEntry& entry, const std::string& sha256);

  ArchiveWriter& m_archive;
  const std::function<void(std::uint64_t)>& m_progress;
  fs::path m_index_path;
  Fd m_index;
  std::string m_pending;  // index lines not yet written
  Sha256 m_index_hash;
  std::int64_t m_count = 0;
  Status m_index_status;
  Json m_skipped = Json::array();
  std::int64_t m_data_bytes = 0;
  std::string m_part_prefix;
  std::function<bool(const fs::path&)> m_exclude;
  std::vector<std::pair<dev_t, ino_t>> m_excluded_dirs;
};

// The database part: a consistent SQLite snapshot (db/<file>) or a pg_dump custom-format
// stream cut into numbered chunks (db/<name>.pgdump/000000, …). WORK holds the SQLite
// snapshot while it is archived. Returns the manifest's "database" section.
Result<Json> write_database_part(const TenantConfig& tenant, const fs::path& work,
                                 const std::string& id, BackupWriter& writer);
// The config part: the config file, the hooks, and the public keys — never a private key.
Result<Json> write_config_part(const TenantConfig& tenant, const fs::path& config_file,
                               BackupWriter& writer);

// Per-table row counts of DB.
Result<Json> count_table_rows(Database& db);
// The manifest's database section of backup ID, which must be of ENGINE (65 otherwise).
Result<Json> database_section(const Json& manifest, const std::string& id, const char* engine);
// DB's per-table row counts, which must equal those of the manifest's DATABASE section (65
// otherwise).
Result<Json> check_row_counts(Database& db, const Json& database);

}  // namespace dihya
