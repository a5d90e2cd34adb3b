#include <catch2/catch.hpp>

#include "core/backup/backup.hpp"
#include "core/base/clock.hpp"
#include "core/run/health.hpp"
#include "core/testing/scratch_db.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

TenantConfig tenant_in(const TempDir& dir) {
  TenantConfig tenant;
  tenant.name = "demo";
  tenant.state_dir = dir.path() / "state";
  tenant.files["uploads"] = dir.path() / "uploads";
  tenant.database = "sqlite:" + (dir.path() / "app.db").string();
  tenant.backup = {{"repository", (dir.path() / "backups").string()}};
  return tenant;
}

BackupInfo sidecar(const std::string& id, const std::string& target, std::int64_t created_ms) {
  BackupInfo info;
  info.id = id;
  info.tenant = "demo";
  info.target = target;
  info.created_ms = created_ms;
  info.file = id + ".tar.zst";
  info.file_sha256 = std::string(64, 'a');
  info.manifest_sha256 = std::string(64, 'b');
  return info;
}

}  // namespace

TEST_CASE("the newest backup of each part comes from the sidecars", "[health]") {
  TempDir dir;
  TenantConfig tenant = tenant_in(dir);
  CHECK(health::newest_backups(tenant)->empty());  // no repository yet: nothing, no error
  auto repo = BackupRepository::open(tenant, true);
  REQUIRE(repo.ok());
  REQUIRE(repo->save_sidecar(sidecar("b1", "db", 1'000)).ok());
  BackupInfo all = sidecar("b2", "all", 2'000);
  all.verified_at = "1970-01-01T00:00:03.000Z";
  REQUIRE(repo->save_sidecar(all).ok());
  REQUIRE(repo->save_sidecar(sidecar("b3", "db", 4'000)).ok());
  auto facts = health::newest_backups(tenant);
  REQUIRE(facts.ok());
  REQUIRE(facts->size() == 3);
  CHECK((*facts)[0].target == "db");
  CHECK((*facts)[0].id == "b3");
  CHECK_FALSE((*facts)[0].verified_ms);
  CHECK((*facts)[1].target == "files");
  CHECK((*facts)[1].id == "b2");
  CHECK((*facts)[1].verified_ms == 3'000);
  CHECK((*facts)[2].target == "config");
  write_text(repo->sidecar_path("broken"), "{not json");
  CHECK(health::newest_backups(tenant).error().code == ExitCode::data_error);
}

TEST_CASE("free space is measured for every root, existing or not", "[health]") {
  TempDir dir;
  TenantConfig tenant = tenant_in(dir);
  auto roots = health::root_space(tenant);
  REQUIRE(roots.size() == 4);
  CHECK(roots[0].name == "state_dir");
  CHECK(roots[1].name == "files.uploads");
  CHECK(roots[3].name == "backup.repository");
  for (const auto& root : roots) {
    CHECK(root.total_bytes > 0);
    CHECK(root.free_bytes <= root.total_bytes);
  }
}

TEST_CASE("metrics files are listed by tool with their time", "[health]") {
  TempDir dir;
  TenantConfig tenant = tenant_in(dir);
  CHECK(health::metrics_files(tenant).empty());
  write_text(tenant.metrics_dir() / "backup.prom", "x 1\n");
  write_text(tenant.metrics_dir() / "audit.prom", "x 1\n");
  write_text(tenant.metrics_dir() / "notes.txt", "not metrics\n");
  auto files = health::metrics_files(tenant);
  REQUIRE(files.size() == 2);
  CHECK(files[0].tool == "audit");
  CHECK(files[1].tool == "backup");
  CHECK(std::abs(files[1].modified_ms - now_ms()) < 60'000);
}

TEST_CASE("the audit state is the trail verified now", "[health]") {
  TempDir dir;
  TenantConfig tenant = tenant_in(dir);
  AuditTrail trail(tenant);
  for (int i = 0; i < 3; ++i)
    REQUIRE(trail.append({"demo", "u", "root", "t", "a", "x", "success", 0, 1, {}}).ok());
  auto state = health::audit_state(tenant);
  REQUIRE(state.ok());
  CHECK(state->intact);
  CHECK(state->records == 3);
  std::string text = read_text(tenant.audit_log());
  text[text.find("\"success\"") + 1] = 'S';
  write_text(tenant.audit_log(), text, 0640);
  state = health::audit_state(tenant);
  REQUIRE(state.ok());
  CHECK_FALSE(state->intact);
  CHECK(state->broken_seq == 1);
}

TEST_CASE("rows past retention are counted per rule of the map", "[health]") {
  TempDir dir;
  TenantConfig tenant = tenant_in(dir);
  auto db = open_database(tenant.database, {});
  REQUIRE(db.ok());
  REQUIRE(
      (*db)->execute("CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TIMESTAMP)").ok());
  REQUIRE((*db)
              ->execute("INSERT INTO events (created_at) VALUES ('2020-01-01T00:00:00Z'), "
                        "('2020-06-01T00:00:00Z'), ('2099-01-01T00:00:00Z')")
              .ok());
  auto none = health::rows_past_retention(tenant, **db, now_ms());
  REQUIRE(none.ok());
  CHECK(none->empty());
  tenant.personal_data = {
      {"tables",
       {{"events",
         {{"retention", {{"column", "created_at"}, {"days", 365}, {"then", "delete"}}}}}}}};
  auto overdue = health::rows_past_retention(tenant, **db, now_ms());
  REQUIRE(overdue.ok());
  REQUIRE(overdue->size() == 1);
  CHECK((*overdue)[0].table == "events");
  CHECK((*overdue)[0].rows == 2);
  CHECK((*overdue)[0].days == 365);
}
