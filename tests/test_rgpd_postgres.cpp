// anonymize on PostgreSQL ($DIHYA_TEST_PG_URL, suite postgres): the same data and key give
// the same masked values as on SQLite, and the proof holds there too.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/testing/scratch_db.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

// A tenant "pg" on PG with MAP, holding the same rows as the demo tenant (exported from
// SQLite and imported there).
void add_postgres_tenant(RgpdWorkspace& ws, const ScratchDatabase& pg, const Json& map) {
  ws.config()["tenants"]["pg"] = {
      {"database", pg.url()}, {"environment", "demo"}, {"personal_data", map}};
  ws.save();
  fs::path package = ws.dir() / "demo.tar.zst";
  REQUIRE(ws.run("export", {"--tenant", "demo", "-o", package.string()}).code == 0);
  auto imported = ws.run("import", {package.string(), "--tenant", "pg"});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
}

}  // namespace

TEST_CASE("anonymize gives the same values on SQLite and PostgreSQL", "[rgpd_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  RgpdWorkspace ws(300);
  add_postgres_tenant(ws, pg, demo_personal_map());

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

TEST_CASE("anonymize gives the pinned masks under a fixed key on PostgreSQL", "[rgpd_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  RgpdWorkspace ws(40);
  write_pinned_rows(ws);
  add_postgres_tenant(ws, pg, demo_personal_map());
  write_fixed_key(ws, "pg");
  // A user trigger on events: that table keeps the row-by-row path, and the trigger sees
  // every row change; users goes through TRUNCATE + COPY. Both give the pinned values.
  REQUIRE(pg.open()->execute(
      "CREATE TABLE seen (n integer); "
      "CREATE FUNCTION count_seen() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN INSERT INTO seen VALUES (1); RETURN NEW; END$$; "
      "CREATE TRIGGER events_seen AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION "
      "count_seen()"));
  auto done = ws.anonymize({"--tenant", "pg", "--target", "all"});
  INFO(done.err);
  REQUIRE(done.code == 0);
  for (const auto& [sql, expected] : pinned_masks()) {
    INFO(sql);
    CHECK(query_column(pg.url(), sql) == expected);
  }
  CHECK(query_column(pg.url(), "SELECT count(*) FROM seen") ==
        query_column(pg.url(), "SELECT count(*) FROM events"));
}

namespace {

// The tables' keys, foreign keys and indexes as PostgreSQL defines them, and whether each is
// valid: what the rewrite drops and must re-create.
std::vector<std::string> pg_schema(const std::string& url) {
  auto keys = query_column(
      url, "SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' "
           "' || convalidated FROM pg_constraint WHERE connamespace = current_schema()::regnamespace "
           "AND conrelid::regclass::text NOT LIKE 'dihya_%' ORDER BY 1");
  auto indexes = query_column(
      url, "SELECT indexdef || ' ' || i.indisvalid FROM pg_indexes x JOIN pg_index i ON "
           "i.indexrelid = (quote_ident(x.schemaname) || '.' || quote_ident(x.indexname))::regclass "
           "WHERE x.schemaname = current_schema() AND x.tablename NOT LIKE 'dihya_%' ORDER BY 1");
  keys.insert(keys.end(), indexes.begin(), indexes.end());
  return keys;
}

// Make the database of SCRATCH a copy of the database named TEMPLATE.
void copy_database(const ScratchDatabase& scratch, const std::string& from) {
  std::string name = scratch.url().substr(scratch.url().rfind('/') + 1);
  auto admin = open_database(postgres_admin_url());
  REQUIRE(admin.ok());
  REQUIRE((*admin)->execute("DROP DATABASE IF EXISTS " + quote_identifier(name) + " WITH (FORCE)"));
  REQUIRE((*admin)->execute("CREATE DATABASE " + quote_identifier(name) + " TEMPLATE " +
                            quote_identifier(from)));
}

}  // namespace

TEST_CASE("anonymize killed -9 anywhere in the PostgreSQL rewrite: each table original or "
          "masked, every constraint back and valid, the next run finishing",
          "[rgpd_postgres]") {
  ScratchDatabase pg(Engine::postgresql), pristine(Engine::postgresql);
  RgpdWorkspace ws(3000);
  add_postgres_tenant(ws, pristine, demo_personal_map());
  write_fixed_key(ws, "pg");
  const std::string pristine_name = pristine.url().substr(pristine.url().rfind('/') + 1);
  ws.config()["tenants"]["pg"]["database"] = pg.url();
  ws.save();
  copy_database(pg, pristine_name);
  const MaskedColumns original = masked_columns(pg.url());
  const auto tables = pg_schema(pg.url());
  REQUIRE(ws.anonymize({"--tenant", "pg", "--target", "all"}).code == 0);
  const MaskedColumns masked = masked_columns(pg.url());
  REQUIRE(masked.users != original.users);
  CHECK(pg_schema(pg.url()) == tables);

  // Mid-COPY (the masking stopped at its 1000th value), the rows copied out, the rows back in
  // but the keys not yet re-created, during their re-creation, masked but not committed.
  const std::vector<std::pair<std::string, int>> points = {{"mask.rows", 0},
                                                           {"rewrite.copied:users", 0},
                                                           {"rewrite.updated:users", 0},
                                                           {"rewrite.updated:users", 20},
                                                           {"rewrite.updated:events", 0},
                                                           {"anonymize.masked", 0}};
  for (const auto& [point, after_ms] : points) {
    INFO(point << " +" << after_ms << " ms");
    copy_database(pg, pristine_name);
    kill_anonymize_at(ws, "pg", point, after_ms);

    CHECK(pg_schema(pg.url()) == tables);
    std::vector<std::string> done;
    if (query_column(pg.url(), "SELECT count(*) FROM pg_tables WHERE tablename = "
                               "'dihya_anonymized'")[0] == "1")
      done = query_column(pg.url(), "SELECT table_name FROM dihya_anonymized");
    auto is_done = [&](const char* t) { return std::count(done.begin(), done.end(), t) > 0; };
    MaskedColumns now = masked_columns(pg.url());
    CHECK(now.users == (is_done("users") ? masked.users : original.users));
    CHECK(now.events == (is_done("events") ? masked.events : original.events));

    auto rerun = ws.anonymize({"--tenant", "pg", "--target", "all", "--json"});
    INFO(rerun.err);
    REQUIRE(rerun.code == 0);
    now = masked_columns(pg.url());
    CHECK(now.users == masked.users);
    CHECK(now.events == masked.events);
    CHECK(pg_schema(pg.url()) == tables);
  }
}

TEST_CASE("purge, erasure, consent, export and report on PostgreSQL", "[rgpd_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  RgpdWorkspace ws(300);
  add_postgres_tenant(ws, pg, retention_personal_map());
  REQUIRE(ws.anonymize({"--tenant", "pg", "--generate-key"}).code == 0);

  // purge: the dry run's counts are what the purge does, and anonymized rows are marked.
  auto plan = ws.run("purge_rgpd", {"--tenant", "pg", "--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  Json planned = Json::parse(plan.out);
  auto purged = ws.run("purge_rgpd", {"--tenant", "pg", "--json"});
  INFO(purged.err);
  REQUIRE(purged.code == 0);
  Json done = Json::parse(purged.out);
  CHECK(done["tables"] != Json::array());
  for (std::size_t i = 0; i < planned["tables"].size(); ++i) {
    CHECK(planned["tables"][i]["rows"] == done["tables"][i]["rows"]);
    CHECK(done["tables"][i]["rows"] > 0);
  }
  auto again = ws.run("purge_rgpd", {"--tenant", "pg", "--dry-run", "--json"});
  REQUIRE(again.code == 0);
  Json again_json = Json::parse(again.out);
  for (const auto& t : again_json["tables"]) CHECK(t["rows"] == 0);

  // consent: append-only in the database too.
  REQUIRE(ws.run("consent", {"--tenant", "pg", "record", "--subject", "5", "--purpose",
                             "newsletter", "--method", "web-form", "--policy-version", "1"})
              .code == 0);
  {
    auto db = open_database(pg.url());
    REQUIRE(db.ok());
    CHECK(!(*db)->execute("UPDATE dihya_consent SET event = 'withdrawn'").ok());
    CHECK(!(*db)->execute("DELETE FROM dihya_consent").ok());
  }

  // subject_export and subject_erase.
  std::string id = query_column(pg.url(),
                                "SELECT user_id FROM events GROUP BY user_id ORDER BY "
                                "count(*) DESC, user_id LIMIT 1")[0];
  auto counts = subject_counts(pg.url(), id);
  REQUIRE(counts[1] > 0);
  fs::path out = ws.dir() / "subject.tar.zst";
  auto exported =
      ws.run("subject_export", {"--tenant", "pg", "--subject", id, "-o", out.string(), "--json"});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  Json summary = Json::parse(exported.out);
  CHECK(summary["rows"] == counts[0] + counts[1] + counts[2] + counts[3]);
  auto erased = ws.run("subject_erase", {"--tenant", "pg", "--subject", id, "--reason", "test"});
  INFO(erased.err);
  REQUIRE(erased.code == 0);
  // users are anonymized on erasure (their retention rule): the row stays, its events go.
  CHECK(subject_counts(pg.url(), id) == std::vector<std::int64_t>{1, 0, counts[2], counts[3]});

  auto report = ws.run("audit_rgpd", {"--tenant", "pg", "--format", "json"});
  INFO(report.err);
  CHECK(report.code == 0);
  CHECK(Json::parse(report.out)["overdue_rows"] == 0);
}
