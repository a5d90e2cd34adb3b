// The backup suite on a PostgreSQL tenant ($DIHYA_TEST_PG_URL, suite postgres): pg_dump streamed
// into the backup, pg_restore into a scratch database, databases swapped by renaming.
#include <catch2/catch.hpp>

#include "core/data/db.hpp"
#include "core/testing/scratch_db.hpp"
#include "tests/backup_support.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

std::string url_of(const std::string& name) {
  std::string admin = postgres_admin_url();
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

void drop(const std::string& name) {
  auto db = open_database(postgres_admin_url());
  if (db)
    (void)(*db)->execute("DROP DATABASE IF EXISTS " + quote_identifier(name) + " WITH (FORCE)");
}

}  // namespace

TEST_CASE("PostgreSQL: backup, restore test, restore elsewhere and in place", "[backup_postgres]") {
  ScratchDatabase scratch(Engine::postgresql);
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["database"] = scratch.url();
  ws.save();
  REQUIRE(ws.run("seed", {"--scale", "300"}).code == 0);
  std::string before = database_dump(scratch.url());

  auto backup = ws.run("backup", {"--target", "db", "--encrypt", "--json"});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  std::string id = Json::parse(backup.out)["id"];

  auto verify = ws.run("verify_backup", {id, "--restore-test", "--json"});
  INFO(verify.err);
  REQUIRE(verify.code == 0);
  CHECK(Json::parse(verify.out)["backups"][0]["tables"]["users"] == 300);

  std::string copy = scratch.url().substr(scratch.url().rfind('/') + 1) + "_copy";
  drop(copy);
  auto restore = ws.run("restore", {id, "--target", "db", "--to", copy});
  INFO(restore.err);
  REQUIRE(restore.code == 0);
  CHECK(database_dump(url_of(copy)) == before);
  // The destination given with --to must be new.
  CHECK(ws.run("restore", {id, "--target", "db", "--to", copy}).code == 73);
  drop(copy);

  // In place: the current database is renamed aside and the restored one takes its name.
  {
    auto db = open_database(scratch.url());
    REQUIRE(db.ok());
    REQUIRE((*db)->execute("DELETE FROM events").ok());
  }
  auto in_place = ws.run("restore", {"--latest", "--target", "db", "--json"});
  INFO(in_place.err);
  REQUIRE(in_place.code == 0);
  Json result = Json::parse(in_place.out);
  CHECK(database_dump(scratch.url()) == before);
  REQUIRE(result["safety"].size() == 1);
  std::string safety = result["safety"][0];
  {
    auto db = open_database(url_of(safety));
    REQUIRE(db.ok());
    CHECK(*(*db)->count_rows("events") == 0);
  }
  drop(safety);

  // A tampered dump is refused before anything is swapped in.
  Json sidecar = Json::parse(ws.run("list_backups", {"--json"}).out)["backups"][0];
  fs::path file = ws.repository() / sidecar["file"].get<std::string>();
  std::string bytes = read_text(file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
  write_text(file, bytes, 0600);
  CHECK(ws.run("restore", {"--latest", "--target", "db"}).code == 65);
  CHECK(database_dump(scratch.url()) == before);
}

TEST_CASE("PostgreSQL: an unreachable server is 69", "[backup_postgres]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["database"] = "postgresql://dihya@127.0.0.1:1/nowhere";
  ws.save();
  CHECK(ws.run("backup", {"--target", "db"}).code == 69);
}

TEST_CASE("PostgreSQL: an erased subject stays gone after an older backup is restored",
          "[backup_postgres]") {
  ScratchDatabase scratch(Engine::postgresql);
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["database"] = scratch.url();
  ws.save();
  REQUIRE(ws.run("seed", {"--scale", "100"}).code == 0);
  std::string id = backup_then_erase(ws, scratch.url());

  auto restored = ws.run("restore", {"--latest", "--target", "db", "--json"});
  INFO(restored.err);
  REQUIRE(restored.code == 0);
  Json result = Json::parse(restored.out);
  CHECK(result["erasures_replayed"] == 1);
  CHECK(subject_counts(scratch.url(), id) == std::vector<std::int64_t>{0, 0, 0, 0});
  CHECK(query_column(scratch.url(), "SELECT count(*) FROM users")[0] == "99");
  for (const auto& safety : result["safety"]) drop(safety.get<std::string>());
}
