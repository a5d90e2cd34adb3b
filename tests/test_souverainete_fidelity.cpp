// An application's schema moved by export and import on SQLite (issue 19): the declared types,
// each value's storage class and text, the defaults and the row numbering survive, and so do
// the answers of a fixed set of queries.
#include <catch2/catch.hpp>
#include <set>

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
