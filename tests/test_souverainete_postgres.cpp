// export and import across engines ($DIHYA_TEST_PG_URL, suite postgres): SQLite → package →
// PostgreSQL → package → SQLite gives the same content hash for every table.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/data/db.hpp"
#include "core/package/datapackage.hpp"
#include "core/testing/scratch_db.hpp"
#include "tests/package_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

void add_tenant(PackageWorkspace& ws, const std::string& name, const std::string& url) {
  ws.config()["tenants"][name] = {{"database", url},
                                  {"environment", "demo"},
                                  {"export", ws.config()["tenants"]["demo"]["export"]}};
  ws.save();
}

// Tenant pg in PG beside tenant demo, seeded at SCALE.
void seed_beside(PackageWorkspace& ws, const ScratchDatabase& pg, const char* scale) {
  add_tenant(ws, "pg", pg.url());
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", scale}).code == 0);
}

RunResult move(const PackageWorkspace& ws, const std::string& from, const std::string& to,
               const std::string& file, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--tenant", from, "--sign", "-o", ws.package(file).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  auto exported = ws.run("export", args);
  if (exported.code != 0) return exported;
  return ws.run("import", {ws.package(file).string(), "--tenant", to, "--mode", "replace"});
}

}  // namespace

TEST_CASE("SQLite → PostgreSQL → SQLite: identical content hashes, every type",
          "[souverainete_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  PackageWorkspace ws;
  add_tenant(ws, "pg", pg.url());
  add_tenant(ws, "back", "sqlite:" + (ws.dir() / "data/back.db").string());
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "500"}).code == 0);
  create_edge_table("sqlite:" + ws.source_db().string());

  for (const char* format : {"csv", "jsonl"}) {
    INFO(format);
    auto there = move(ws, "demo", "pg", std::string("a.") + format, {"--format", format});
    INFO(there.err);
    REQUIRE(there.code == 0);
    auto back = move(ws, "pg", "back", std::string("b.") + format, {"--format", format});
    INFO(back.err);
    REQUIRE(back.code == 0);
    REQUIRE(ws.run("export", {"--tenant", "back", "--format", format, "-o",
                              ws.package(std::string("c.") + format).string()})
                .code == 0);
    auto a = resource_hashes(ws.package(std::string("a.") + format));
    CHECK(a.size() == 8);
    CHECK(a == resource_hashes(ws.package(std::string("b.") + format)));
    CHECK(a == resource_hashes(ws.package(std::string("c.") + format)));
    fs::remove(ws.dir() / "data/back.db");
  }
  auto db = pg.open();
  CHECK(*db->count_rows("users") == 500);
  auto row = db->prepare("SELECT b, ts, n::text, j::text FROM edge WHERE id = 1");
  REQUIRE(row.ok());
  REQUIRE(*(*row)->step());
  CHECK((*row)->get_text(0) == std::string("\0\x01\xff\"\n,", 6));
  CHECK((*row)->get_text(1) == "2024-03-10T11:00:00Z");
  CHECK((*row)->get_text(2) == "123456789012345678901234567890.123456789");
  CHECK((*row)->get_text(3) == R"({"b":1,"a":[1,2,{"x":null}]})");
  (void)(*row)->reset();  // its result is not read to the end
  // Loaded in binary: the same values as the CSV path gave the table beside it.
  auto same = db->prepare(
      "SELECT count(*) FROM edge e JOIN edge_binary b USING (id) WHERE (e.i, e.r, e.t, e.b, "
      "e.flag, e.d, e.ts, e.j::text) IS NOT DISTINCT FROM (b.i, b.r, b.t, b.b, b.flag, b.d, "
      "b.ts, b.j::text)");
  REQUIRE(*(*same)->step());
  CHECK((*same)->get_integer(0) == 6);  // and the content hashes above say there are no others
}

TEST_CASE("PostgreSQL: a package in many parts loads on both connections, content intact",
          "[souverainete_postgres]") {
  ScratchDatabase pg(Engine::postgresql);
  PackageWorkspace ws;
  seed_beside(ws, pg, "2000");
  std::string source = "sqlite:" + ws.source_db().string();
  create_edge_table(source);
  // CSV: COPY takes any part on either connection; JSON Lines: decoded, one loader per table.
  for (auto format : {package::DataFormat::csv, package::DataFormat::jsonl}) {
    INFO(package::format_name(format));
    fs::path file = ws.package(std::string("parts.") + package::format_name(format));
    {
      auto db = take(open_database(source));
      package::ExportRequest request;
      request.name = "parts";
      request.format = format;
      request.part_bytes = 8192;
      for (const char* table :
           {"users", "templates", "projects", "files", "events", "edge", "edge_binary"})
        request.tables.push_back({take(db->describe_table(table)), {}, {}, {}});
      Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
      auto outcome = take(package::write_package(*db, request, fd.get()));
      for (const auto& r : outcome.manifest.resources)
        if (r.name == "events") CHECK(r.parts.size() > 20);
    }
    auto loaded = ws.run("import", {file.string(), "--tenant", "pg", "--mode", "replace"});
    INFO(loaded.err);
    REQUIRE(loaded.code == 0);
    fs::path again = ws.package(std::string("again.") + package::format_name(format));
    REQUIRE(ws.run("export", {"--tenant", "pg", "--format", package::format_name(format), "-o",
                              again.string()})
                .code == 0);
    CHECK(resource_hashes(file) == resource_hashes(again));
    CHECK(*pg.open()->count_rows("events") == *take(open_database(source))->count_rows("events"));
  }
}

TEST_CASE("PostgreSQL → PostgreSQL keeps NaN; a failed load leaves the target as it was",
          "[souverainete_postgres]") {
  ScratchDatabase source(Engine::postgresql), target(Engine::postgresql);
  PackageWorkspace ws;
  add_tenant(ws, "src", source.url());
  add_tenant(ws, "dst", target.url());
  create_edge_table(source.url());
  auto moved = move(ws, "src", "dst", "p.tar.zst");
  INFO(moved.err);
  REQUIRE(moved.code == 0);
  REQUIRE(ws.run("export", {"--tenant", "dst", "-o", ws.package("q.tar.zst").string()}).code == 0);
  CHECK(resource_hashes(ws.package("p.tar.zst")) == resource_hashes(ws.package("q.tar.zst")));
  {
    auto db = target.open();
    for (const char* table : {"edge", "edge_binary"}) {
      auto nan = db->prepare(std::string("SELECT count(*) FROM ") + table +
                             " WHERE r = 'NaN'::float8 OR ts = 'infinity'");
      REQUIRE(*(*nan)->step());
      CHECK((*nan)->get_integer(0) == 2);
    }
  }
  // Appending the same rows again breaks the primary key: the whole load is rolled back.
  std::string before = dump_table(*target.open(), "edge");
  auto again =
      ws.run("import", {ws.package("p.tar.zst").string(), "--tenant", "dst", "--mode", "append"});
  CHECK(again.code == 65);
  CHECK(again.err.find("[souverainete.load_failed]") != std::string::npos);  // never bare
  CHECK(again.err.find("[core.db.query_failed]") != std::string::npos);
  CHECK(dump_table(*target.open(), "edge") == before);
}

TEST_CASE("PostgreSQL: an import killed while it loads leaves the target as it was",
          "[souverainete_postgres]") {
  ScratchDatabase target(Engine::postgresql);
  PackageWorkspace ws;
  seed_beside(ws, target, "40000");
  REQUIRE(ws.run("export", {"--tenant", "demo", "-o", ws.package("big.tar.zst").string()}).code ==
          0);
  REQUIRE(ws.run("seed", {"--tenant", "pg", "--scale", "50"}).code == 0);
  std::string before = database_dump(target.url());

  pid_t pid = spawn_tool(
      ws, "import", {"--tenant", "pg", "--mode", "replace", ws.package("big.tar.zst").string()});
  // Once the staging schema holds a table, the load has begun.
  auto watcher = target.open();
  bool loading = false;
  for (int i = 0; i < 6000 && !loading; ++i) {
    auto found = watcher->prepare(
        "SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'dihya\\_import\\_%'");
    REQUIRE(found.ok());
    REQUIRE(*(*found)->step());
    loading = (*found)->get_integer(0) > 0;
    if (!loading) ::usleep(10000);
  }
  ::usleep(100000);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(loading);
  REQUIRE(WIFSIGNALED(status));
  CHECK(database_dump(target.url()) == before);

  // The next import removes what the killed one left, and succeeds.
  auto again =
      ws.run("import", {ws.package("big.tar.zst").string(), "--tenant", "pg", "--mode", "replace"});
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(again.err.find("staging schema") != std::string::npos);
  CHECK(*target.open()->count_rows("users") == 40000);
}

TEST_CASE("PostgreSQL: rows that break a foreign key are refused, the target as it was",
          "[souverainete_postgres]") {
  ScratchDatabase target(Engine::postgresql);
  PackageWorkspace ws;
  seed_beside(ws, target, "300");
  REQUIRE(move(ws, "demo", "pg", "good.tar.zst").code == 0);
  std::string before = database_dump(target.url());
  // projects loads after users on the same connection, events on the other one: both ways
  // a foreign key is checked (as soon as its tables are in, or after every load).
  for (const char* broken : {"projects SET owner_id = 999999 WHERE id = 7",
                             "events SET user_id = 999999 WHERE id = 11"}) {
    INFO(broken);
    fs::path source = ws.dir() / "data/broken.db";
    fs::remove(source);
    fs::copy_file(ws.source_db(), source);
    {
      auto db = take(open_database("sqlite:" + source.string()));
      REQUIRE(db->execute("PRAGMA foreign_keys = OFF").ok());
      REQUIRE(db->execute(std::string("UPDATE ") + broken).ok());
    }
    add_tenant(ws, "broken", "sqlite:" + source.string());
    fs::path file = ws.package("broken.tar.zst");
    fs::remove(file);
    REQUIRE(ws.run("export", {"--tenant", "broken", "-o", file.string()}).code == 0);
    auto refused = ws.run("import", {file.string(), "--tenant", "pg", "--mode", "replace"});
    INFO(refused.err);
    CHECK(refused.code == 65);
    CHECK(refused.err.find("_fkey") != std::string::npos);
    std::string table(broken, std::string_view(broken).find(' '));
    CHECK(refused.err.find("table " + table + ": ") != std::string::npos);
    CHECK(refused.err.find("[souverainete.load_failed]") != std::string::npos);
    CHECK(database_dump(target.url()) == before);
  }
}
