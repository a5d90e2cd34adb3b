// Restoring a backup: into a staging copy, checked, then swapped in (docs/backup-format.md §6).
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "core/backup/backup.hpp"
#include "core/backup/parts.hpp"
#include "core/backup/pg.hpp"
#include "core/base/clock.hpp"
#include "core/base/glob.hpp"
#include "core/data/db.hpp"
#include "core/privacy/subject.hpp"

namespace dihya {
namespace {

// A staging directory removed (with what is left in it) unless released.
struct Staging {
  fs::path path;
  ~Staging() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

Status make_staging(Staging& staging, const fs::path& dir) {
  staging.path = dir;
  std::error_code ec;
  fs::remove_all(dir, ec);  // a leftover of an interrupted restore of the same backup
  if (::mkdir(dir.c_str(), 0700) != 0) return io_error(dir, errno);
  return {};
}

Status rename_path(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error(to, errno);
  return {};
}

// Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE).
Status exchange(const fs::path& a, const fs::path& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
    return io_error(b, errno);
  return {};
}

// The destination given with --to must not hold anything yet.
Status check_new_destination(const fs::path& to) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(to, ec))) {
    if (!fs::is_directory(to, ec) || !fs::is_empty(to, ec))
      return make_error(ExitCode::cant_create, "core.backup.destination_exists",
                        {{"path", to.string()}});
  }
  return {};
}

Status place_new(const fs::path& staged, const fs::path& to) {
  std::error_code ec;
  if (fs::is_directory(to, ec)) ::rmdir(to.c_str());
  if (Status made = make_directories(to.parent_path(), 0750); !made) return made;
  return rename_path(staged, to);
}

bool included(const std::vector<std::string>& globs, const std::string& relative) {
  if (globs.empty()) return true;
  for (const auto& glob : globs)
    if (path_glob_match(glob, relative)) return true;
  return false;
}

// Row counts of a restored SQLite file against the manifest, and with INTEGRITY its
// `PRAGMA integrity_check` (a restore has already checked every byte's SHA-256 against the
// manifest; the restore test adds SQLite's own check of what those bytes mean).
Result<Json> check_sqlite_copy(const fs::path& file, const Json& database, bool integrity) {
  auto db = open_database("sqlite:" + file.string(), {.must_exist = true});
  if (!db) return db.error();
  if (integrity) {
    auto stmt = (*db)->prepare("PRAGMA integrity_check");
    if (!stmt) return stmt.error();
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row || (*stmt)->get_text(0) != "ok")
      return make_error(ExitCode::data_error, "core.backup.integrity_failed",
                        {{"reason", *row ? (*stmt)->get_text(0) : "?"}});
  }
  return check_row_counts(**db, database);
}

// Flush everything written under DIR to disk before it replaces anything.
Status sync_tree(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::syncfs(fd.get()) != 0) return io_error(dir, errno);
  return {};
}

struct DirectoryTimes {
  std::vector<std::pair<fs::path, ArchiveEntry>> dirs;
  void apply() {
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it)
      set_entry_attributes(it->second, it->first);
  }
};

}  // namespace

Result<RestoreOutcome> restore_backup(const TenantConfig& tenant, const fs::path& config_file,
                                      const BackupRepository& repo, const BackupInfo& info,
                                      const BackupKeys& keys, const RestoreRequest& request,
                                      const std::function<void(std::uint64_t)>& progress) {
  std::string part = backup_target_name(request.target);
  if (request.target == BackupTarget::all)
    return make_error(ExitCode::usage, "core.backup.restore_all");
  if (info.target != part && info.target != "all")
    return make_error(ExitCode::usage, "core.backup.wrong_target",
                      {{"id", info.id}, {"target", info.target}, {"wanted", part}});
  if (!request.include.empty() && !request.to)
    return make_error(ExitCode::usage, "core.backup.include_needs_to");
  std::string prefix = part + "/";
  RestoreOutcome outcome;
  std::string when = format_compact_utc(now_ms());
  std::optional<fs::path> to;
  if (request.to) to = fs::absolute(*request.to).lexically_normal();

  bool postgres = request.target == BackupTarget::db && !tenant.sqlite_path();
  if (postgres) return restore_postgres(tenant, repo, info, keys, request, progress);

  // Where the staging copy goes: beside the destination, on the same file system.
  fs::path anchor;
  if (to) {
    if (Status fresh = check_new_destination(*to); !fresh) return fresh.error();
    anchor = to->parent_path();
  } else if (request.target == BackupTarget::db) {
    anchor = tenant.sqlite_path()->parent_path();
  } else if (request.target == BackupTarget::config) {
    anchor = config_file.parent_path();
  } else {
    anchor = tenant.files.empty() ? tenant.state_dir : tenant.files.begin()->second.parent_path();
  }
  if (Status made = make_directories(anchor, 0750); !made) return made.error();
  Staging staging;
  if (Status made = make_staging(staging, anchor / (".dihya-restore-" + info.id)); !made)
    return made.error();
  // In place, each file root gets its own staging directory beside it.
  std::map<std::string, std::unique_ptr<Staging>> root_staging;
  if (!to && request.target == BackupTarget::files)
    for (const auto& [key, root] : tenant.files) {
      auto s = std::make_unique<Staging>();
      fs::path dir = root.parent_path() / (".dihya-restore-" + info.id + "-" + key);
      if (Status made = make_directories(root.parent_path(), 0750); !made) return made.error();
      if (Status made = make_staging(*s, dir); !made) return made.error();
      root_staging[key] = std::move(s);
    }

  DirectoryTimes times;
  std::uint64_t matched = 0;  // files --include selected
  EntrySink sink = [&](const ArchiveEntry& entry) -> Result<EntryAction> {
    EntryAction action;
    if (entry.name.rfind(prefix, 0) != 0) return action;
    std::string relative = entry.name.substr(prefix.size());
    if (!request.include.empty() &&
        (entry.type == EntryType::directory || !included(request.include, relative)))
      return action;
    if (entry.type != EntryType::directory) ++matched;
    fs::path root = staging.path;
    if (!root_staging.empty()) {
      std::string key = relative.substr(0, relative.find('/'));
      auto it = root_staging.find(key);
      if (it == root_staging.end()) return action;  // a root no longer configured
      root = it->second->path;
    }
    if (entry.type == EntryType::directory) times.dirs.emplace_back(root, entry);
    action.extract_root = root;
    return action;
  };
  auto read = read_backup(repo, info, keys, sink, progress);
  if (!read) return read.error();
  // An --include that selects nothing is a mistyped pattern, not a restore: nothing is swapped.
  if (!request.include.empty() && matched == 0) {
    std::string patterns;
    for (const auto& glob : request.include) patterns += (patterns.empty() ? "" : ", ") + glob;
    return make_error(ExitCode::no_input, "core.backup.include_matched_nothing",
                      {{"patterns", patterns}, {"id", info.id}});
  }
  times.apply();
  outcome.entries = read->entries;
  outcome.bytes = read->bytes;
  outcome.manifest = read->manifest;

  // Everything is checked and on disk (one syncfs per file system): now swap in.
  if (Status synced = sync_tree(staging.path); !synced) return synced.error();
  for (const auto& [key, s] : root_staging)
    if (Status synced = sync_tree(s->path); !synced) return synced.error();
  if (request.target == BackupTarget::db) {
    auto database = database_section(read->manifest, info.id, "sqlite");
    if (!database) return database.error();
    fs::path staged = staging.path / database->value("entry", "db/missing");
    auto counts = check_sqlite_copy(staged, *database, false);
    if (!counts) return counts.error();
    outcome.tables = *counts;
    auto replayed = personal::replay_erasures(tenant, "sqlite:" + staged.string());
    if (!replayed) return replayed.error();
    outcome.erasures_replayed = *replayed;
    fs::path destination = to ? *to : *tenant.sqlite_path();
    if (!to && fs::exists(destination)) {
      // The safety copy: a consistent snapshot of what is replaced, kept beside it.
      fs::path safety = destination;
      safety += ".pre-restore-" + when;
      if (Status copied = snapshot_sqlite(destination, safety); !copied) return copied.error();
      outcome.safety.push_back(safety.string());
      if (Status swapped = rename_path(staged, destination); !swapped) return swapped.error();
      for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        fs::path side = destination;
        side += suffix;
        ::unlink(side.c_str());
      }
    } else if (Status placed = place_new(staged, destination); !placed) {
      return placed.error();
    }
    outcome.destinations.push_back(destination.string());
  } else if (request.target == BackupTarget::files) {
    if (to) {
      fs::path staged = staging.path / "files";
      std::error_code ec;
      if (!fs::exists(staged, ec)) ::mkdir(staged.c_str(), 0750);
      if (Status placed = place_new(staged, *to); !placed) return placed.error();
      outcome.destinations.push_back(to->string());
    } else {
      for (const auto& [key, root] : tenant.files) {
        fs::path staged = root_staging[key]->path / "files" / key;
        std::error_code ec;
        if (!fs::exists(staged, ec)) continue;  // not in this backup
        if (fs::exists(fs::symlink_status(root, ec))) {
          if (Status swapped = exchange(staged, root); !swapped) return swapped.error();
          fs::path safety = root;
          safety += ".pre-restore-" + when;
          if (Status kept = rename_path(staged, safety); !kept) return kept.error();
          outcome.safety.push_back(safety.string());
        } else if (Status placed = rename_path(staged, root); !placed) {
          return placed.error();
        }
        outcome.destinations.push_back(root.string());
      }
    }
  } else {  // config
    fs::path staged = staging.path / "config";
    if (to) {
      if (Status placed = place_new(staged, *to); !placed) return placed.error();
      outcome.destinations.push_back(to->string());
    } else {
      const Json& config = read->manifest.value("config", Json::object());
      fs::path file = staging.path / config.value("file", "config/missing");
      fs::path safety = config_file;
      safety += ".pre-restore-" + when;
      if (::link(config_file.c_str(), safety.c_str()) != 0) return io_error(safety, errno);
      outcome.safety.push_back(safety.string());
      if (Status swapped = rename_path(file, config_file); !swapped) return swapped.error();
      outcome.destinations.push_back(config_file.string());
      fs::path hooks = staged / "hooks";
      std::error_code ec;
      if (fs::exists(hooks, ec)) {
        if (fs::exists(tenant.hooks_dir, ec)) {
          if (Status swapped = exchange(hooks, tenant.hooks_dir); !swapped) return swapped.error();
          fs::path kept = tenant.hooks_dir;
          kept += ".pre-restore-" + when;
          if (Status moved = rename_path(hooks, kept); !moved) return moved.error();
          outcome.safety.push_back(kept.string());
        } else if (Status placed = rename_path(hooks, tenant.hooks_dir); !placed) {
          return placed.error();
        }
        outcome.destinations.push_back(tenant.hooks_dir.string());
      }
    }
  }
  return outcome;
}

Result<Json> restore_test(const TenantConfig& tenant, const BackupRepository& repo,
                          const BackupInfo& info, const BackupKeys& keys, const fs::path& work) {
  if (info.target != "db" && info.target != "all")
    return make_error(ExitCode::usage, "core.backup.wrong_target",
                      {{"id", info.id}, {"target", info.target}, {"wanted", "db"}});
  if (!tenant.sqlite_path()) return restore_test_postgres(tenant, repo, info, keys);
  Staging staging;
  if (Status made = make_staging(staging, work / (".dihya-restore-test-" + info.id)); !made)
    return made.error();
  EntrySink sink = [&](const ArchiveEntry& entry) -> Result<EntryAction> {
    EntryAction action;
    if (entry.name.rfind("db/", 0) == 0) action.extract_root = staging.path;
    return action;
  };
  auto read = read_backup(repo, info, keys, sink);
  if (!read) return read.error();
  auto database = database_section(read->manifest, info.id, "sqlite");
  if (!database) return database.error();
  return check_sqlite_copy(staging.path / database->value("entry", "db/missing"), *database, true);
}

}  // namespace dihya
