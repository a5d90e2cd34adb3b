// The parts of a backup: the database (SQLite snapshot or streamed pg_dump) and the config.
#include "core/backup/parts.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "core/base/process.hpp"
#include "core/data/db.hpp"

namespace dihya {
namespace {

constexpr std::size_t k_dump_chunk = std::size_t{16} << 20;

// True when the file at PATH holds a private key (of any of ours): never put in a backup.
bool holds_private_key(const fs::path& path) {
  auto content = read_file(path);
  if (!content) return false;
  std::string_view head = std::string_view(*content).substr(0, 32);
  while (!head.empty() && (head.front() == ' ' || head.front() == '\n')) head.remove_prefix(1);
  return head.rfind("dihya-sec", 0) == 0 || head.rfind("dihya-sign-sk", 0) == 0;
}

Result<Json> sqlite_part(const fs::path& source, const fs::path& work, const std::string& id,
                         BackupWriter& writer) {
  if (!fs::exists(source))
    return make_error(ExitCode::no_input, "core.db.missing_file", {{"path", source.string()}});
  std::string entry = "db/" + source.filename().string();
  Json tables;
  // The database file itself, read while a transaction keeps it stable: no copy on disk.
  auto streamed = with_stable_sqlite_file(source, [&](Database& db) -> Status {
    auto counts = count_table_rows(db);
    if (!counts) return counts.error();
    tables = *counts;
    return writer.file(source, entry);
  });
  if (!streamed) return streamed.error();
  if (!*streamed) {
    // Writers kept the log busy: copy a snapshot through the online backup API instead.
    fs::path snapshot = work / (id + ".snapshot.sqlite");
    struct Remove {
      fs::path path;
      ~Remove() { ::unlink(path.c_str()); }
    } remove{snapshot};
    if (Status copied = snapshot_sqlite(source, snapshot); !copied) return copied.error();
    {
      auto db = open_database("sqlite:" + snapshot.string(), {.must_exist = true});
      if (!db) return db.error();
      auto counts = count_table_rows(**db);
      if (!counts) return counts.error();
      tables = *counts;
    }
    if (Status added = writer.file(snapshot, entry); !added) return added.error();
  }
  return Json{{"engine", "sqlite"}, {"entry", entry}, {"tables", tables}};
}

Result<Json> postgres_part(const std::string& url, BackupWriter& writer) {
  auto parsed = parse_database_url(url);
  if (!parsed) return parsed.error();
  auto db = open_database(url);
  if (!db) return db.error();
  // Our own read-only snapshot, exported to pg_dump: the row counts in the manifest are
  // those of exactly the data in the dump.
  if (Status began = (*db)->execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !began)
    return began.error();
  std::string snapshot_id;
  {
    auto stmt = (*db)->prepare("SELECT pg_export_snapshot()");
    if (!stmt) return stmt.error();
    auto row = (*stmt)->step();
    if (!row) return row.error();
    snapshot_id = (*stmt)->get_text(0);
  }  // the statement is finished (drained) here
  auto counts = count_table_rows(**db);
  if (!counts) return counts.error();
  ProcessRequest request;
  request.argv = {"pg_dump",       "--format=custom",           "--compress=0",
                  "--no-password", "--snapshot=" + snapshot_id, "--dbname=" + url};
  request.unset_env = {"DIHYA_TOKEN"};
  auto dump = StreamingProcess::start(request, StreamingProcess::Direction::read_stdout);
  if (!dump) return dump.error();
  std::string base = "db/" + parsed->database + ".pgdump";
  std::string chunk;
  chunk.reserve(k_dump_chunk);
  int chunks = 0;
  std::int64_t bytes = 0;
  Sha256 whole;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return {};
    whole.update(chunk);
    bytes += static_cast<std::int64_t>(chunk.size());
    Status added = writer.bytes(fmt::format("{}/{:06d}", base, chunks++), chunk);
    chunk.clear();
    return added;
  };
  std::vector<char> buffer(1 << 20);
  for (;;) {
    auto got = dump->read(buffer.data(), buffer.size());
    if (!got) return got.error();
    if (*got == 0) break;
    std::size_t offset = 0;
    while (offset < *got) {
      std::size_t take = std::min(*got - offset, k_dump_chunk - chunk.size());
      chunk.append(buffer.data() + offset, take);
      offset += take;
      if (chunk.size() == k_dump_chunk)
        if (Status added = flush(); !added) return added.error();
    }
  }
  if (Status added = flush(); !added) return added.error();
  auto outcome = dump->finish();
  if (!outcome) return outcome.error();
  if (outcome->exit_code != 0)
    return make_error(ExitCode::unavailable, "core.backup.pg_dump_failed",
                      {{"status", std::to_string(outcome->exit_code)}, {"reason", outcome->err}});
  (*db)->execute("COMMIT");
  Json part = {{"engine", "postgresql"}, {"entry", base}, {"format", "custom"}};
  part["chunks"] = chunks;
  part["bytes"] = bytes;
  part["sha256"] = whole.hex();
  part["database"] = parsed->database;
  part["tables"] = *counts;
  return part;
}

}  // namespace

Json manifest_entry(const ArchiveEntry& entry, const std::string& sha256) {
  Json out = {{"name", entry.name}, {"mode", entry.mode}, {"mtime", entry.mtime}};
  if (entry.mtime_nsec) out["mtime_nsec"] = entry.mtime_nsec;
  switch (entry.type) {
    case EntryType::file:
      out["type"] = "file";
      out["size"] = entry.size;
      out["sha256"] = sha256;
      break;
    case EntryType::directory:
      out["type"] = "dir";
      break;
    case EntryType::symlink:
      out["type"] = "symlink";
      out["target"] = entry.link_target;
      break;
  }
  return out;
}

std::string safe_dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string index_line(const ArchiveEntry& entry, const std::string& sha256) {
  return safe_dump(manifest_entry(entry, sha256)) + "\n";
}

Result<Json> count_table_rows(Database& db) {
  auto names = db.table_names();
  if (!names) return names.error();
  Json tables = Json::object();
  for (const auto& name : *names) {
    auto rows = db.count_rows(name);
    if (!rows) return rows.error();
    tables[name] = *rows;
  }
  return tables;
}

Result<Json> database_section(const Json& manifest, const std::string& id, const char* engine) {
  Json database = manifest.value("database", Json::object());
  if (database.value("engine", "") != engine)
    return make_error(ExitCode::data_error, "core.backup.engine_differs",
                      {{"id", id}, {"engine", database.value("engine", "?")}});
  return database;
}

Result<Json> check_row_counts(Database& db, const Json& database) {
  auto counts = count_table_rows(db);
  if (!counts) return counts.error();
  Json expected = database.value("tables", Json::object());
  if (*counts != expected)
    return make_error(ExitCode::data_error, "core.backup.row_counts_differ",
                      {{"expected", expected.dump()}, {"found", counts->dump()}});
  return counts;
}

Result<Json> write_database_part(const TenantConfig& tenant, const fs::path& work,
                                 const std::string& id, BackupWriter& writer) {
  if (auto path = tenant.sqlite_path()) return sqlite_part(*path, work, id, writer);
  return postgres_part(tenant.database, writer);
}

Result<Json> write_config_part(const TenantConfig& tenant, const fs::path& config_file,
                               BackupWriter& writer) {
  Json part = {{"file", "config/" + config_file.filename().string()}, {"keys", Json::array()}};
  if (Status added = writer.file(config_file, part["file"].get<std::string>()); !added)
    return added.error();
  if (fs::is_directory(tenant.hooks_dir)) {
    // Hooks are scripts; a key file dropped among them is left out, never archived.
    if (Status added = writer.part_tree(tenant.hooks_dir, "config/hooks", holds_private_key);
        !added)
      return added.error();
    part["hooks"] = "config/hooks";
  }
  std::vector<fs::path> public_keys;
  for (const auto& recipient : tenant.backup.value("recipients", Json::array()))
    if (recipient.get<std::string>().rfind("dihya-pub:", 0) != 0)
      public_keys.emplace_back(recipient.get<std::string>());
  if (tenant.audit.verify_key) public_keys.push_back(*tenant.audit.verify_key);
  int index = 0;
  for (const auto& key : public_keys) {
    if (!fs::exists(key) || holds_private_key(key)) continue;
    std::string name = fmt::format("config/keys/{}-{}", index++, key.filename().string());
    if (Status added = writer.file(key, name); !added) return added.error();
    part["keys"].push_back({{"entry", name}, {"path", key.string()}});
  }
  return part;
}

}  // namespace dihya
