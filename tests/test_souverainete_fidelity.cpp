// An application's schema moved by export and import on SQLite (issue 19): the declared types,
// each value's storage class and text, the defaults and the row numbering survive, and so do
// the answers of a fixed set of queries.
#include <catch2/catch.hpp>
#include <set>

#include "core/data/db.hpp"
#include "tests/fidelity_support.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("SQLite → SQLite: declared types, storage classes, defaults and answers kept",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  std::string source = "sqlite:" + ws.source_db().string();
  std::string dest = "sqlite:" + ws.dest_db().string();
  create_app_schema(source);
  auto exported = ws.run("export", {"--tenant", "demo", "-o", ws.package("app.tar.zst").string()});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  auto imported = ws.run("import", {ws.package("app.tar.zst").string(), "--tenant", "dest"});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
  CHECK(app_declared_types(dest, false) == app_declared_types(source, false));
  CHECK(app_stored_values(dest) == app_stored_values(source));
  CHECK(app_answers(dest) == app_answers(source));
  CHECK(insert_without_id(dest).empty());
  // The view and the CHECK are named by the export and made again on the same engine.
  CHECK(exported.err.find("big_invoices") != std::string::npos);
  CHECK(exported.err.find("customers_check") != std::string::npos);
  auto entries = read_package_entries(ws.package("app.tar.zst"));
  auto manifest = nlohmann::json::parse(entry_named(entries, "datapackage.json").data);
  std::set<std::string> kinds;
  for (const auto& o : manifest["dihya:objects"]) kinds.insert(o["kind"].get<std::string>());
  CHECK(kinds == std::set<std::string>{"check", "view"});
  CHECK(app_view_and_check(dest) == "view 6, check refused");
  // The numeric column compares as a number: 6 invoices above 5, as on the source.
  CHECK(app_answers(dest)[1] == "6");
}

TEST_CASE("append into an existing schema: a value that does not fit is refused with 65, the "
          "target unchanged",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  std::string source = "sqlite:" + ws.source_db().string();
  std::string dest = "sqlite:" + ws.dest_db().string();
  create_app_schema(source);
  {
    // The target's own schema: a shorter name and a narrower balance than the source's.
    auto db = open_database(dest);
    REQUIRE(db.ok());
    REQUIRE((*db)->execute(
                     "CREATE TABLE customers (id integer PRIMARY KEY, email varchar(254), "
                     "name varchar(2), is_active bool, created_at datetime, seen_at TIMESTAMPTZ, "
                     "referrer_id integer, birth date, balance numeric(4,2), score real, "
                     "level smallint)")
                .ok());
  }
  auto state = [&] {
    auto db = open_database(dest);
    std::string out = database_dump(dest);
    auto schema = (*db)->prepare("SELECT sql FROM sqlite_schema ORDER BY name");
    while (*(*schema)->step()) out += (*schema)->get_text(0) + "\n";
    return out;
  };
  std::string before = state();
  REQUIRE(ws.run("export", {"--tenant", "demo", "--tables", "customers", "-o",
                            ws.package("c.tar.zst").string()})
              .code == 0);
  auto refused = ws.run("import", {ws.package("c.tar.zst").string(), "--tenant", "dest", "--mode",
                                   "append"});
  CHECK(refused.code == 65);
  CHECK(refused.err.find("customers.name, row 1") != std::string::npos);
  CHECK(refused.err.find("varchar(2)") != std::string::npos);
  CHECK(state() == before);
  // Once the names fit, the balance of 100.10 is outside numeric(4,2).
  {
    auto db = open_database(source);
    REQUIRE((*db)->execute("UPDATE customers SET name = substr(name, 1, 2)").ok());
  }
  REQUIRE(ws.run("export", {"--tenant", "demo", "--tables", "customers", "-o",
                            ws.package("d.tar.zst").string()})
              .code == 0);
  refused = ws.run("import", {ws.package("d.tar.zst").string(), "--tenant", "dest", "--mode",
                              "append"});
  CHECK(refused.code == 65);
  CHECK(refused.err.find("customers.balance, row 3") != std::string::npos);
  CHECK(state() == before);
}
