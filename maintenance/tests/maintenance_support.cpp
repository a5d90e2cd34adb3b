#include "maintenance/tests/maintenance_support.hpp"

#include <catch2/catch.hpp>

#include "core/backup/backup.hpp"
#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/run/config_sections.hpp"

namespace dihya::test {

MaintenanceWorkspace::MaintenanceWorkspace(int files, const std::string& database_url)
    : m_url(database_url.empty() ? "sqlite:" + sqlite_file().string() : database_url) {
  config()["tenants"]["demo"]["database"] =
      database_url.empty() ? std::string("sqlite:data/demo/app.db") : database_url;
  config()["tenants"]["demo"]["backup"] = {{"repository", "backups"}};
  save();
  fs::create_directories(uploads());
  auto db = open();
  auto run = [&](const std::string& s) { REQUIRE((db->execute(s)).ok()); };
  if (db->engine() == Engine::postgresql) run("CREATE EXTENSION IF NOT EXISTS amcheck");
  run("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  run("CREATE TABLE files (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES "
      "users(id), path TEXT NOT NULL, size INTEGER, sha256 TEXT)");
  run("BEGIN");
  for (int i = 1; i <= 50; ++i)
    run("INSERT INTO users VALUES (" + std::to_string(i) + ", 'user" + std::to_string(i) +
        "@example.org')");
  for (int i = 1; i <= files; ++i) {
    std::string rel = "uploads/2026/" + std::to_string(i % 3) + "/f" + std::to_string(i) + ".bin";
    std::string content(100 + i * 37, static_cast<char>('a' + i % 26));
    fs::path path = uploads() / rel.substr(8);
    fs::create_directories(path.parent_path());
    write_text(path, content);
    run("INSERT INTO files VALUES (" + std::to_string(i) + ", " + std::to_string(1 + i % 50) +
        ", '" + rel + "', " + std::to_string(content.size()) + ", '" + sha256_hex(content) + "')");
  }
  run("COMMIT");
}

std::unique_ptr<Database> MaintenanceWorkspace::open() const {
  auto db = open_database(m_url);
  REQUIRE(db.ok());
  return std::move(*db);
}

fs::path MaintenanceWorkspace::file_of(int id) const {
  return uploads() / ("2026/" + std::to_string(id % 3) + "/f" + std::to_string(id) + ".bin");
}

void MaintenanceWorkspace::sql(const std::string& statement) const {
  auto db = open();
  auto done = db->execute(statement);
  INFO((done.ok() ? "" : done.error().param("reason")));
  REQUIRE(done.ok());
}

Config MaintenanceWorkspace::load() const {
  auto config = load_config(config_path());
  REQUIRE(config.ok());
  return *config;
}

std::string MaintenanceWorkspace::make_backup() const {
  Config config = load();
  const TenantConfig& tenant = config.tenants.at("demo");
  auto repo = BackupRepository::open(tenant, true);
  REQUIRE(repo.ok());
  BackupRequest request;
  request.target = BackupTarget::db;
  auto made = create_backup(tenant, config.path, *repo, request);
  INFO((made.ok() ? "" : made.error().id + " " + made.error().param("reason")));
  REQUIRE(made.ok());
  return made->info.id;
}

std::optional<double> metric_value(const std::string& text, const std::string& metric,
                                   const std::string& label) {
  std::size_t pos = 0;
  while ((pos = text.find(metric + "{", pos)) != std::string::npos) {
    std::size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end;
    if (line.find(label) == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nullopt;
}

}  // namespace dihya::test
