// anonymize on PostgreSQL ($DIHYA_TEST_PG_URL, suite postgres): the same data and key give
// the same masked values as on SQLite, and the proof holds there too.
#include <catch2/catch.hpp>

#include "core/tests/support/scratch_db.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

TEST_CASE("anonymize gives the same values on SQLite and PostgreSQL", "[rgpd_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  RgpdWorkspace ws(300);
  // The same rows in PostgreSQL: exported from SQLite and imported there.
  ws.config()["tenants"]["pg"] = {
      {"database", pg.url()}, {"environment", "demo"}, {"personal_data", demo_personal_map()}};
  ws.save();
  fs::path package = ws.dir() / "demo.tar.zst";
  REQUIRE(ws.run("export", {"--tenant", "demo", "-o", package.string()}).code == 0);
  auto imported = ws.run("import", {package.string(), "--tenant", "pg"});
  INFO(imported.err);
  REQUIRE(imported.code == 0);

  REQUIRE(ws.anonymize({"--tenant", "demo", "--generate-key"}).code == 0);
  fs::path key = ws.state_dir("pg") / "rgpd" / "masking.key";
  fs::create_directories(key.parent_path());
  fs::copy_file(ws.state_dir() / "rgpd" / "masking.key", key);
  auto sqlite_run = ws.anonymize({"--tenant", "demo", "--target", "all", "--json"});
  INFO(sqlite_run.err);
  REQUIRE(sqlite_run.code == 0);
  auto pg_run = ws.anonymize({"--tenant", "pg", "--target", "all", "--json"});
  INFO(pg_run.err);
  REQUIRE(pg_run.code == 0);
  Json report = Json::parse(pg_run.out);
  CHECK(report["verified"] == true);
  CHECK(report["rows"] == 300 + 1200);

  for (const char* sql :
       {"SELECT email || '|' || username || '|' || full_name || '|' || coalesce(phone, '') || "
        "'|' || city || '|' || ip || '|' || coalesce(address, '') FROM users ORDER BY id",
        "SELECT coalesce(CAST(birth_date AS TEXT), 'none') FROM users ORDER BY id",
        "SELECT ip || user_agent FROM events ORDER BY id"}) {
    INFO(sql);
    auto here = ws.column(sql);
    CHECK(here.size() > 0);
    CHECK(here == query_column(pg.url(), sql));
  }
  // The shifted timestamps agree as instants.
  CHECK(ws.column("SELECT count(*) FROM users WHERE last_login_at IS NOT NULL")[0] ==
        query_column(pg.url(), "SELECT count(*) FROM users WHERE last_login_at IS NOT NULL")[0]);
  auto pg_times = query_column(
      pg.url(),
      "SELECT to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "FROM users WHERE last_login_at IS NOT NULL ORDER BY id");
  CHECK(ws.column("SELECT last_login_at FROM users WHERE last_login_at IS NOT NULL ORDER BY id") ==
        pg_times);
}
