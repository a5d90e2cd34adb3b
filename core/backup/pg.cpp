// Restoring a PostgreSQL backup: pg_restore into a scratch database while the backup is read
// and checked, row counts compared, then databases renamed in one transaction.
#include "core/backup/pg.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "core/backup/parts.hpp"
#include "core/base/clock.hpp"
#include "core/base/process.hpp"
#include "core/data/db.hpp"
#include "core/privacy/subject.hpp"

namespace dihya {
namespace {

std::string url_of(const DatabaseUrl& url, const std::string& database) {
  return fmt::format("postgresql://{}@{}:{}/{}", url.user, url.host, url.port, database);
}

// A scratch database, dropped unless kept.
class ScratchDatabase {
 public:
  ScratchDatabase(Database& admin, std::string name) : m_admin(admin), m_name(std::move(name)) {}
  ~ScratchDatabase() {
    if (!m_kept) m_admin.execute("DROP DATABASE IF EXISTS " + quote_identifier(m_name));
  }
  const std::string& name() const { return m_name; }
  void keep() { m_kept = true; }

 private:
  Database& m_admin;
  std::string m_name;
  bool m_kept = false;
};

struct Restored {
  Json tables;
  Json manifest;
  std::int64_t entries = 0, bytes = 0;
};

// pg_restore the backup into the (new, empty) database NAME and check its row counts.
Result<Restored> restore_into(const DatabaseUrl& url, const std::string& name,
                              const BackupRepository& repo, const BackupInfo& info,
                              const BackupKeys& keys,
                              const std::function<void(std::uint64_t)>& progress) {
  ProcessRequest request;
  request.argv = {"pg_restore",
                  "--no-owner",
                  "--no-privileges",
                  "--exit-on-error",
                  "--single-transaction",
                  "--no-password",
                  "--dbname=" + url_of(url, name)};
  request.unset_env = {"DIHYA_TOKEN"};
  auto restore = StreamingProcess::start(request, StreamingProcess::Direction::write_stdin);
  if (!restore) return restore.error();
  EntrySink sink = [&](const ArchiveEntry& entry) -> Result<EntryAction> {
    EntryAction action;
    if (entry.name.rfind("db/", 0) == 0 && entry.type == EntryType::file)
      action.consume = [&](std::string_view data) { return restore->write(data); };
    return action;
  };
  auto read = read_backup(repo, info, keys, sink, progress);
  auto ended = restore->finish();
  if (!read) return read.error();
  if (!ended) return ended.error();
  if (ended->exit_code != 0)
    return make_error(ExitCode::failure, "core.backup.pg_restore_failed",
                      {{"status", std::to_string(ended->exit_code)}, {"reason", ended->err}});
  auto database = database_section(read->manifest, info.id, "postgresql");
  if (!database) return database.error();
  auto db = open_database(url_of(url, name));
  if (!db) return db.error();
  auto counts = check_row_counts(**db, *database);
  if (!counts) return counts.error();
  return Restored{*counts, read->manifest, read->entries, read->bytes};
}

std::string scratch_name(const std::string& base, const char* kind) {
  unsigned char random[4];
  crypto_init();
  randombytes_buf(random, sizeof random);
  std::string suffix = fmt::format(
      "_{}_{}", kind, to_hex(std::string_view(reinterpret_cast<const char*>(random), 4)));
  return base.substr(0, 63 - suffix.size()) + suffix;
}

Result<bool> database_exists(Database& admin, const std::string& name) {
  auto stmt = admin.prepare("SELECT count(*) FROM pg_database WHERE datname = ?");
  if (!stmt) return stmt.error();
  (*stmt)->bind(1, Field::of(name));
  auto row = (*stmt)->step();
  if (!row) return row.error();
  return (*stmt)->get_integer(0) > 0;
}

}  // namespace

Result<RestoreOutcome> restore_postgres(const TenantConfig& tenant, const BackupRepository& repo,
                                        const BackupInfo& info, const BackupKeys& keys,
                                        const RestoreRequest& request,
                                        const std::function<void(std::uint64_t)>& progress) {
  auto url = parse_database_url(tenant.database);
  if (!url) return url.error();
  auto admin = open_database(url_of(*url, "postgres"));
  if (!admin) return admin.error();
  if (request.to) {
    auto exists = database_exists(**admin, *request.to);
    if (!exists) return exists.error();
    if (*exists)
      return make_error(ExitCode::cant_create, "core.backup.destination_exists",
                        {{"path", *request.to}});
  }
  ScratchDatabase scratch(**admin, scratch_name(url->database, "restore"));
  if (Status created = (*admin)->execute("CREATE DATABASE " + quote_identifier(scratch.name()));
      !created)
    return created.error();
  auto restored = restore_into(*url, scratch.name(), repo, info, keys, progress);
  if (!restored) return restored.error();
  RestoreOutcome outcome;
  outcome.entries = restored->entries;
  outcome.bytes = restored->bytes;
  outcome.tables = restored->tables;
  outcome.manifest = restored->manifest;
  auto replayed = personal::replay_erasures(tenant, url_of(*url, scratch.name()));
  if (!replayed) return replayed.error();
  outcome.erasures_replayed = *replayed;
  std::string target = request.to ? *request.to : url->database;
  if (Status began = (*admin)->execute("BEGIN"); !began) return began.error();
  if (!request.to) {
    // The safety copy is the database it replaces, renamed: nothing is dropped.
    std::string safety = scratch_name(url->database, "pre_restore");
    if (Status renamed = (*admin)->execute("ALTER DATABASE " + quote_identifier(url->database) +
                                           " RENAME TO " + quote_identifier(safety));
        !renamed) {
      (*admin)->execute("ROLLBACK");
      Error error = make_error(ExitCode::temp_failure, "core.backup.database_in_use",
                               {{"database", url->database}});
      error.causes.push_back(renamed.error());
      return error;
    }
    outcome.safety.push_back(safety);
  }
  if (Status renamed = (*admin)->execute("ALTER DATABASE " + quote_identifier(scratch.name()) +
                                         " RENAME TO " + quote_identifier(target));
      !renamed) {
    (*admin)->execute("ROLLBACK");
    return renamed.error();
  }
  if (Status committed = (*admin)->execute("COMMIT"); !committed) return committed.error();
  scratch.keep();
  outcome.destinations.push_back(target);
  return outcome;
}

Result<Json> restore_test_postgres(const TenantConfig& tenant, const BackupRepository& repo,
                                   const BackupInfo& info, const BackupKeys& keys) {
  auto url = parse_database_url(tenant.database);
  if (!url) return url.error();
  auto admin = open_database(url_of(*url, "postgres"));
  if (!admin) return admin.error();
  ScratchDatabase scratch(**admin, scratch_name(url->database, "verify"));
  if (Status created = (*admin)->execute("CREATE DATABASE " + quote_identifier(scratch.name()));
      !created)
    return created.error();
  auto restored = restore_into(*url, scratch.name(), repo, info, keys, {});
  if (!restored) return restored.error();
  return restored->tables;
}

}  // namespace dihya
