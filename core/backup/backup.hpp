#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/fs.hpp"
#include "core/base/i18n.hpp"
#include "core/base/options.hpp"
#include "core/config/config.hpp"
#include "core/io/archive.hpp"
#include "core/io/envelope.hpp"

// The backup engine (docs/backup-format.md), shared by the backup module and the emergency
// tools of ops. A repository is a directory of backup files, each with a JSON sidecar:
//
//   <repository>/<id>.tar.zst[.enc]   the backup: a tar stream, zstd, optionally in an envelope
//   <repository>/<id>.json            its sidecar, written last: a backup without one is not
//                                     listed and is removed by the next run as a leftover
//   <repository>/.lock                held by every run that changes the repository
//   <repository>/.tmp/                backups being written
namespace dihya {

enum class BackupTarget { db, files, config, all };
std::optional<BackupTarget> parse_backup_target(std::string_view text);
const char* backup_target_name(BackupTarget target);

constexpr int k_backup_format_version = 1;

// What a sidecar says (readable without any key).
struct BackupInfo {
  std::string id, tenant, target, tag;
  std::int64_t created_ms = 0;
  bool encrypted = false;
  std::vector<std::string> recipients;  // key ids the data key is wrapped for
  bool passphrase = false;
  std::string file;  // name of the backup file in the repository
  std::int64_t file_bytes = 0;
  std::string file_sha256;
  std::int64_t data_bytes = 0;  // the entries' bytes before compression
  std::int64_t entries = 0;
  std::string manifest_sha256;
  double seconds = 0;
  std::optional<std::string> verified_at;  // last full verification that passed (RFC 3339)

  Json to_json() const;
  static Result<BackupInfo> from_json(const Json& json);
};

class BackupRepository {
 public:
  // The tenant's repository (backup.repository); CREATE makes the directory (0700).
  static Result<BackupRepository> open(const TenantConfig& tenant, bool create);
  // Whether TENANT names a repository (backup.repository): what the backup tools act on.
  static bool configured(const TenantConfig& tenant) {
    return tenant.backup.contains("repository");
  }

  const fs::path& root() const { return m_root; }
  fs::path file_path(const BackupInfo& info) const { return m_root / info.file; }
  fs::path sidecar_path(const std::string& id) const { return m_root / (id + ".json"); }

  // The repository lock: 75 while another run holds it.
  Result<LockFile> lock() const;
  // Remove what an interrupted run left (under the lock): the work directory and backup
  // files without a sidecar. Returns the names removed.
  Result<std::vector<std::string>> clean_leftovers() const;
  // Every listed backup, oldest first. A sidecar that cannot be read is an error (65).
  Result<std::vector<BackupInfo>> list() const;
  // The backup ID, or the newest one (of TARGET when given) for "latest"; 66 when none.
  Result<BackupInfo> find(const std::string& id_or_latest,
                          const std::optional<std::string>& target = {}) const;
  Status save_sidecar(const BackupInfo& info) const;
  // Remove a backup: its sidecar first (so it is no longer listed), then its file.
  Status remove(const BackupInfo& info) const;

 private:
  fs::path m_root;
};

// What decrypts the tenant's backups: the identity files and the passphrase of --identity and
// --passphrase-file when any is given, else those of backup.identity and backup.passphrase_file.
struct BackupKeys {
  std::vector<IdentityKey> identities;
  std::optional<std::string> passphrase;
  EnvelopeOpeners openers() const;
};

// Where keys come from. ASK, when set, asks the operator for a secret (a terminal prompt);
// PURPOSE is "passphrase" (a backup's), "new_passphrase" (one being set: asked twice, 64 when
// the two differ) or "key_passphrase" (a protected identity file's).
struct KeySources {
  std::vector<fs::path> identity_files;  // instead of backup.identity
  std::optional<fs::path> passphrase_file;
  std::optional<fs::path> key_passphrase_file;
  std::function<Result<std::optional<std::string>>(const std::string& purpose)> ask;
};

// Key options as given on the command line: --identity FILE (repeatable),
// --passphrase-file FILE, --key-passphrase-file FILE.
struct KeyOptions {
  std::vector<fs::path> identity_files;
  std::optional<fs::path> passphrase_file;
  std::optional<fs::path> key_passphrase_file;
};
void declare_key_options(OptionSet& options, bool identities);
KeyOptions parse_key_options(const Arguments& args);
// KEYS as key sources that ask on the terminal, in the language of MESSAGES.
KeySources key_sources(const KeyOptions& keys, const Messages& messages);

// What a backup is encrypted for: the tenant's recipients (public keys only) and a passphrase
// (SOURCES.passphrase_file, backup.passphrase_file, or asked). 64 when there is none.
Result<EnvelopeKeys> backup_encryption_keys(const TenantConfig& tenant, const KeySources& sources);
// What opens the tenant's backups: identity files and a passphrase. Key material given in
// SOURCES (identity or passphrase files) is the only one tried; without it, the configured one.
Result<BackupKeys> backup_decryption_keys(const TenantConfig& tenant, const KeySources& sources);
// The first line of a secret file (0600, owned by the running user).
Result<std::string> read_secret_line(const fs::path& path);
// Ask for a secret on the terminal without echo; nullopt when stdin is not a terminal.
std::optional<std::string> prompt_secret(const std::string& prompt);
// Ask for a secret being set, twice (PROMPT, then AGAIN): nullopt when stdin is not a terminal
// or nothing was typed, 64 when the two entries differ.
Result<std::optional<std::string>> prompt_new_secret(const std::string& prompt,
                                                     const std::string& again);

struct BackupRequest {
  BackupTarget target = BackupTarget::db;
  std::string tag;
  int compression_level = 3;
  int threads = 2;
  std::optional<EnvelopeKeys> encryption;  // none: a plain tar.zst
  std::function<void(std::uint64_t bytes)> progress;
};

struct BackupOutcome {
  BackupInfo info;
  Json manifest;
  std::vector<std::string> warnings;  // entries skipped (links escaping their root)
};

// Write one backup of TENANT into REPO (the caller holds the repository lock). The backup is
// written under .tmp/, synced, moved into place, and listed only once its sidecar exists.
Result<BackupOutcome> create_backup(const TenantConfig& tenant, const fs::path& config_file,
                                    const BackupRepository& repo, const BackupRequest& request);

// What becomes of an entry as a backup is read: extracted under EXTRACT_ROOT (at
// root / entry.name), its data handed to CONSUME, or (neither) only checked.
struct EntryAction {
  std::optional<fs::path> extract_root;
  std::function<Status(std::string_view)> consume;
};
using EntrySink = std::function<Result<EntryAction>(const ArchiveEntry& entry)>;

struct ReadOutcome {
  Json manifest;
  std::int64_t entries = 0;
  std::int64_t bytes = 0;
};

// Read the backup of INFO from REPO with KEYS: every entry's SHA-256 against the manifest, the
// manifest against the sidecar, the file's SHA-256 against the sidecar. 65 at the first
// mismatch (naming it), 77 when no key opens it. Entries go to SINK as they are read.
Result<ReadOutcome> read_backup(const BackupRepository& repo, const BackupInfo& info,
                                const BackupKeys& keys, const EntrySink& sink,
                                const std::function<void(std::uint64_t)>& progress = {});

struct RestoreRequest {
  BackupTarget target = BackupTarget::db;  // db, files or config
  // Elsewhere than in place: a new SQLite file or directory, or a new PostgreSQL database name.
  std::optional<std::string> to;
  std::vector<std::string> include;  // globs on names inside the part (only with `to`)
};

struct RestoreOutcome {
  std::int64_t entries = 0, bytes = 0;
  std::vector<std::string> destinations;  // what now holds the restored data
  std::vector<std::string> safety;        // where what was replaced is kept
  Json tables = Json::object();           // db: rows per table, checked against the manifest
  Json manifest;
  std::int64_t erasures_replayed = 0;  // db: subjects erased again (see replay_erasures)
};

// Restore the TARGET part of a backup. Everything is written to a staging copy first, checked
// (every hash; a database's integrity and row counts), and only then swapped in: in place,
// after keeping what it replaces as a safety copy beside it. A failure at any point leaves
// the destination as it was and removes the staging copy. A restored database has the
// tenant's erasure journal replayed before it is swapped in: no erased subject comes back.
Result<RestoreOutcome> restore_backup(const TenantConfig& tenant, const fs::path& config_file,
                                      const BackupRepository& repo, const BackupInfo& info,
                                      const BackupKeys& keys, const RestoreRequest& request,
                                      const std::function<void(std::uint64_t)>& progress = {});

// verify_backup --restore-test: restore the database part into a scratch database (a file
// under WORK, or a new PostgreSQL database), check its integrity and per-table row counts
// against the manifest, and drop it. Returns the rows per table.
Result<Json> restore_test(const TenantConfig& tenant, const BackupRepository& repo,
                          const BackupInfo& info, const BackupKeys& keys, const fs::path& work);

// The data key of every encrypted backup wrapped again: ADD recipients gain a slot and
// REMOVE_IDS lose theirs, the data untouched (ops/rotate_keys). Backups already in the wanted
// state are left as they are. Returns the ids of the backups changed.
Result<std::vector<std::string>> rewrap_backups(const BackupRepository& repo,
                                                const BackupKeys& keys, const SlotChange& change);

class ConfigChecker;

// Validate the tenant's "backup" section at PATH for CHECKER and keep it in TENANT, its paths
// made absolute (a TenantSection of core/run/config_sections.cpp).
void check_backup_section(ConfigChecker& checker, const Json& section, const std::string& path,
                          TenantConfig& tenant);

}  // namespace dihya
