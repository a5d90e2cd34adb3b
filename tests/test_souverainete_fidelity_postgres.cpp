// An application's schema moved by export and import across engines ($DIHYA_TEST_PG_URL,
// suite postgres): PostgreSQL → PostgreSQL keeps format_type() of every column, and every
// move (there and back across engines too) keeps the answers of a fixed set of queries, the
// defaults, and an INSERT without an id working.
#include <catch2/catch.hpp>

#include "core/testing/scratch_db.hpp"
#include "tests/fidelity_support.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

void add_tenant(PackageWorkspace& ws, const std::string& name, const std::string& url) {
  ws.config()["tenants"][name] = {{"database", url},
                                  {"environment", "demo"},
                                  {"export", ws.config()["tenants"]["demo"]["export"]}};
  ws.save();
}

// Export tenant FROM and import the package into tenant TO (a new schema there).
void move(const PackageWorkspace& ws, const std::string& from, const std::string& to) {
  std::string file = ws.package(from + "-" + to + ".tar.zst").string();
  auto exported = ws.run("export", {"--tenant", from, "-o", file});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  auto imported = ws.run("import", {file, "--tenant", to});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
}

}  // namespace

TEST_CASE("PostgreSQL → PostgreSQL: format_type, defaults, identities and answers kept",
          "[souverainete_postgres]") {
  ScratchDatabase source(Engine::postgresql), target(Engine::postgresql);
  PackageWorkspace ws;
  add_tenant(ws, "src", source.url());
  add_tenant(ws, "dst", target.url());
  create_app_schema(source.url());
  move(ws, "src", "dst");
  CHECK(app_declared_types(target.url(), false) == app_declared_types(source.url(), false));
  CHECK(app_stored_values(target.url()) == app_stored_values(source.url()));
  CHECK(app_answers(target.url()) == app_answers(source.url()));
  CHECK(insert_without_id(target.url()).empty());
  CHECK(app_view_and_check(target.url()) == "view 6, check refused");
}

TEST_CASE("SQLite → PostgreSQL → SQLite: answers, types and stored values kept",
          "[souverainete_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  PackageWorkspace ws;
  std::string source = "sqlite:" + ws.source_db().string();
  std::string back = "sqlite:" + (ws.dir() / "data/back.db").string();
  add_tenant(ws, "pg", pg.url());
  add_tenant(ws, "back", back);
  create_app_schema(source);
  auto expected = app_answers(source);
  move(ws, "demo", "pg");
  CHECK(app_answers(pg.url()) == expected);
  move(ws, "pg", "back");
  CHECK(app_answers(back) == expected);
  CHECK(app_declared_types(back, true) == app_declared_types(source, true));
  CHECK(app_stored_values(back) == app_stored_values(source));
  CHECK(insert_without_id(pg.url()).empty());
  CHECK(insert_without_id(back).empty());
}

TEST_CASE("PostgreSQL → SQLite → PostgreSQL: answers, types and stored values kept",
          "[souverainete_postgres]") {
  ScratchDatabase source(Engine::postgresql), back(Engine::postgresql);
  PackageWorkspace ws;
  std::string middle = "sqlite:" + (ws.dir() / "data/middle.db").string();
  add_tenant(ws, "src", source.url());
  add_tenant(ws, "middle", middle);
  add_tenant(ws, "back", back.url());
  create_app_schema(source.url());
  auto expected = app_answers(source.url());
  move(ws, "src", "middle");
  CHECK(app_answers(middle) == expected);
  move(ws, "middle", "back");
  CHECK(app_answers(back.url()) == expected);
  CHECK(app_declared_types(back.url(), true) == app_declared_types(source.url(), true));
  CHECK(app_stored_values(back.url()) == app_stored_values(source.url()));
  CHECK(insert_without_id(middle).empty());
  CHECK(insert_without_id(back.url()).empty());
}
