// seed's engine on one database engine: SQLite in the unit suite; compiled again with
// DIHYA_TEST_ENGINE_POSTGRESQL for the postgres suite, where it is also compared with SQLite.
#include <catch2/catch.hpp>
#include <cstdio>

#include "core/testing/scratch_db.hpp"
#include "seed/services.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

seed::SeedOptions options(std::int64_t scale, std::uint64_t seed_value = 42,
                          const char* locale = "mixed") {
  seed::SeedOptions o;
  o.scale = scale;
  o.seed = seed_value;
  o.locale = locale;
  return o;
}

void seed_into(Database& db, const seed::SeedOptions& o,
               const seed::SeedSchema& schema = seed::demo_schema()) {
  auto summary = seed::seed_database(db, schema, o, {});
  INFO((summary ? std::string() : summary.error().id + " " + summary.error().param("reason")));
  REQUIRE(summary.ok());
}

std::int64_t scalar(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt.ok());
  auto row = (*stmt)->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return (*stmt)->get_integer(0);
}

std::vector<std::string> column_values(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  REQUIRE(stmt.ok());
  std::vector<std::string> out;
  while (*(*stmt)->step()) out.push_back((*stmt)->get_text(0));
  return out;
}

const char* const k_tables[] = {"users", "templates", "projects", "files", "events"};

}  // namespace

TEST_CASE("the same options give byte-identical tables, another seed other rows",
          "[seed]" DIHYA_ENGINE_TAG) {
  ScratchDatabase a(k_test_engine), b(k_test_engine), c(k_test_engine);
  auto da = a.open(), db = b.open(), dc = c.open();
  seed_into(*da, options(300));
  seed_into(*db, options(300));
  seed_into(*dc, options(300, 43));
  for (const char* table : k_tables) {
    INFO(table);
    std::string dump = dump_table(*da, table);
    CHECK_FALSE(dump.empty());
    CHECK(dump == dump_table(*db, table));
    CHECK(dump != dump_table(*dc, table));
  }
  CHECK(scalar(*da, "SELECT COUNT(*) FROM users") == 300);
  CHECK(scalar(*da, "SELECT COUNT(*) FROM events") == 1200);
}

#ifdef DIHYA_TEST_ENGINE_POSTGRESQL
TEST_CASE("SQLite and PostgreSQL receive identical rows", "[seed][postgres]") {
  ScratchDatabase lite(Engine::sqlite), pg(Engine::postgresql);
  auto dl = lite.open(), dp = pg.open();
  seed_into(*dl, options(500, 7));
  seed_into(*dp, options(500, 7));
  for (const char* table : k_tables) {
    INFO(table);
    CHECK(dump_table(*dl, table) == dump_table(*dp, table));
  }
}

TEST_CASE("PostgreSQL holds the keys and constraints", "[seed][postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  auto db = pg.open();
  seed_into(*db, options(2000));
  auto events = db->describe_table("events");
  REQUIRE(events.ok());
  REQUIRE(events->foreign_keys.size() == 1);
  CHECK(events->foreign_keys[0].ref_table == "users");
  auto users = db->describe_table("users");
  REQUIRE(users.ok());
  CHECK(users->unique_keys.size() == 2);
  // The constraints are enforced, not just declared.
  CHECK(db->execute("INSERT INTO events (id, user_id, kind, ip, user_agent, payload, created_at) "
                    "VALUES (999999999, 999999999, 'x', 'x', 'x', '{}', now())")
            .error()
            .code == ExitCode::data_error);
}
#endif

TEST_CASE("foreign keys join and emails and usernames are unique", "[seed]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  seed_into(*db, options(100000));
  std::int64_t users = scalar(*db, "SELECT COUNT(*) FROM users");
  CHECK(scalar(*db, "SELECT COUNT(DISTINCT email) FROM users") == users);
  CHECK(scalar(*db, "SELECT COUNT(DISTINCT username) FROM users") == users);
  for (const char* sql : {"SELECT COUNT(*) FROM events e LEFT JOIN users u ON u.id = e.user_id "
                          "WHERE u.id IS NULL",
                          "SELECT COUNT(*) FROM projects p LEFT JOIN templates t ON "
                          "t.id = p.template_id WHERE p.template_id IS NOT NULL AND t.id IS NULL"})
    CHECK(scalar(*db, sql) == 0);
  if (k_test_engine == Engine::sqlite) {
    auto check = db->prepare("PRAGMA foreign_key_check");
    REQUIRE(check.ok());
    CHECK_FALSE(*(*check)->step());
  }
  // A few users are very active: the busiest has far more than the average of 4 events.
  CHECK(scalar(*db, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM events GROUP BY user_id) c") >
        40);
}

TEST_CASE("locales: Arabic script, Berber Latin letters, French names", "[seed]" DIHYA_ENGINE_TAG) {
  ScratchDatabase ar(k_test_engine), kab(k_test_engine), fr(k_test_engine);
  auto da = ar.open(), dk = kab.open(), df = fr.open();
  seed_into(*da, options(200, 1, "ar"));
  seed_into(*dk, options(200, 1, "kab"));
  seed_into(*df, options(200, 1, "fr"));
  for (const auto& name : column_values(*da, "SELECT full_name FROM users")) {
    bool arabic = false;
    for (unsigned char c : name) arabic = arabic || (c >= 0xD8 && c <= 0xDB);
    CHECK(arabic);
  }
  std::string kab_names;
  for (const auto& name : column_values(*dk, "SELECT first_name FROM users")) kab_names += name;
  std::size_t berber = 0;
  for (const char* letter : {"ɣ", "ɛ", "ḍ", "ṭ", "ẓ", "č", "ǧ"})
    for (std::size_t at = kab_names.find(letter); at != std::string::npos;
         at = kab_names.find(letter, at + 1))
      ++berber;
  CHECK(berber >= 5);
  for (const auto& phone : column_values(*dk, "SELECT phone FROM users WHERE phone IS NOT NULL"))
    CHECK(phone.rfind("+213 ", 0) == 0);
  for (const auto& phone : column_values(*df, "SELECT phone FROM users WHERE phone IS NOT NULL"))
    CHECK(phone.rfind("+33 ", 0) == 0);
  for (const auto& email : column_values(*da, "SELECT email FROM users"))
    for (unsigned char c : email) CHECK(c < 0x80);
}

TEST_CASE("a failure part-way leaves the database as it was", "[seed]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  const char* schema_text = R"({"tables": [{"name": "accounts", "rows": 10, "columns": [
        {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
        {"name": "email", "type": "text", "unique": true, "generator": "%s"}]}]})";
  auto schema_with = [&](const char* generator) {
    char text[512];
    std::snprintf(text, sizeof text, schema_text, generator);
    auto schema = seed::parse_seed_schema(Json::parse(text), "test");
    REQUIRE(schema.ok());
    return *schema;
  };
  seed_into(*db, options(10), schema_with("email"));
  std::string before = dump_table(*db, "accounts");
  // A unique column filled with one constant value fails when its index is built, after the
  // rows were loaded: everything must roll back, including the dropped table.
  seed::SeedOptions o = options(10);
  o.reset = true;
  auto failed = seed::seed_database(*db, schema_with("constant:same"), o, {});
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ExitCode::data_error);
  CHECK(dump_table(*db, "accounts") == before);
}

TEST_CASE("tables that hold rows are refused without reset", "[seed]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  seed_into(*db, options(20));
  auto again = seed::seed_database(*db, seed::demo_schema(), options(20), {});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().id == "seed.not_empty");
  seed::SeedOptions reset = options(30);
  reset.reset = true;
  seed_into(*db, reset);
  CHECK(scalar(*db, "SELECT COUNT(*) FROM users") == 30);
}
