// clean_orphans end to end, on SQLite (suite integration) and, compiled with
// DIHYA_TEST_ENGINE_POSTGRESQL, on PostgreSQL (suite postgres): both directions, the grace
// period, every fail-closed stop, quarantine and byte-identical restore, direct deletion.
#include <catch2/catch.hpp>

#include "cleaning/tests/cleaning_support.hpp"
#include "core/base/crypto.hpp"
#include "core/testing/scratch_db.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

// A tenant whose uploads root holds FILES files, all named by rows of "files" except the
// last ORPHANS; two more rows name files that are missing.
struct OrphansWorkspace : CleaningWorkspace {
  ScratchDatabase db{k_test_engine};
  fs::path uploads() const { return dir() / "data" / "demo" / "uploads"; }

  OrphansWorkspace(int files = 40, int orphans = 2) {
    auto& tenant = config()["tenants"]["demo"];
    tenant["database"] = db.url();
    // Aged by mtime: a test can date a file back, not its ctime.
    tenant["cleaning"]["orphans"] = {
        {{"root", "uploads"}, {"grace", "24h"}, {"age_by", {"mtime"}}}};
    save();
    auto conn = db.open();
    REQUIRE(conn->execute("CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT)"));
    for (int i = 0; i < files; ++i) {
      std::string rel = "2024/" + std::to_string(i % 4) + "/file" + std::to_string(i) + ".bin";
      old_file(uploads() / rel, "content of " + rel, 10);
      if (i < files - orphans) add_row(*conn, i + 1, "uploads/" + rel);
    }
    add_row(*conn, 1001, "uploads/2024/gone-a.bin");
    add_row(*conn, 1002, "uploads/2024/gone-b.bin");
  }
  static void add_row(Database& conn, int id, const std::string& path) {
    auto stmt = take(conn.prepare("INSERT INTO files (id, path) VALUES (?, ?)"));
    REQUIRE(stmt->bind(1, Field::of(std::int64_t{id})));
    REQUIRE(stmt->bind(2, Field::of(std::string_view(path))));
    REQUIRE(stmt->step());
  }
  RunResult orphans(std::vector<std::string> args) const { return run("clean_orphans", args); }
};

Json parsed(const RunResult& r) {
  INFO(r.err);
  return Json::parse(r.out);
}

}  // namespace

TEST_CASE("clean_orphans reports both directions and quarantines, then restores byte-identical",
          "[clean_orphans]" DIHYA_ENGINE_TAG) {
  OrphansWorkspace ws;
  old_file(ws.uploads() / "fresh.bin", "just uploaded", 0);  // a minute old, no row yet
  auto before = tree_listing(ws.uploads());
  auto plan = ws.orphans({"--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  Json root = parsed(plan)["roots"][0];
  CHECK(root["files"] == 41);
  CHECK(root["references"] == 40);
  CHECK(root["candidates"] == 2);
  CHECK(root["young"] == 1);
  CHECK(root["missing"] == 2);
  std::set<std::string> missing;
  for (const auto& m : root["missing_list"])
    missing.insert(m["key"].get<std::string>() + " " + m["path"].get<std::string>());
  CHECK(missing == std::set<std::string>{"1001 2024/gone-a.bin", "1002 2024/gone-b.bin"});
  CHECK(tree_listing(ws.uploads()) == before);
  auto human = ws.orphans({"--dry-run"});
  CHECK(human.out.find("orphaned: uploads/2024/") != std::string::npos);
  CHECK(human.out.find("row 1001 of files names 2024/gone-a.bin, which is missing") !=
        std::string::npos);

  std::string content38 = read_text(ws.uploads() / "2024/2/file38.bin");
  auto done = ws.orphans({"--json"});
  INFO(done.err);
  REQUIRE(done.code == 0);
  Json result = parsed(done)["roots"][0];
  CHECK(result["moved"] == 2);
  std::string run = result["quarantine"];
  CHECK_FALSE(fs::exists(ws.uploads() / "2024/2/file38.bin"));
  CHECK(fs::exists(ws.uploads() / "fresh.bin"));
  fs::path qdir = ws.state_dir() / "quarantine" / run;
  auto manifest = read_lines(qdir / "manifest.jsonl");
  REQUIRE(manifest.size() == 2);
  for (const auto& line : manifest) {
    Json entry = Json::parse(line);
    CHECK(entry["sha256"] ==
          sha256_hex(read_text(qdir / "files" / entry["path"].get<std::string>())));
  }
  auto audit = Json::parse(read_lines(ws.audit_log()).back());
  CHECK(audit["details"]["files_removed"] == 2);
  CHECK_FALSE(audit["details"]["roots"][0].contains("candidate_list"));

  auto restored = ws.orphans({"--restore", run, "--json"});
  INFO(restored.err);
  REQUIRE(restored.code == 0);
  CHECK(parsed(restored)["restored"] == 2);
  CHECK(read_text(ws.uploads() / "2024/2/file38.bin") == content38);
  CHECK(tree_listing(ws.uploads()) == before);
  CHECK_FALSE(fs::exists(qdir));
  CHECK(ws.orphans({"--restore", run}).code == 66);
}

TEST_CASE("clean_orphans fails closed", "[clean_orphans]" DIHYA_ENGINE_TAG) {
  SECTION("half the files orphaned: over the cap, nothing moved") {
    OrphansWorkspace ws(40, 20);
    auto before = tree_listing(ws.uploads());
    auto r = ws.orphans({});
    CHECK(r.code == 1);
    CHECK(r.err.find("--max-delete") != std::string::npos);
    CHECK(tree_listing(ws.uploads()) == before);
    CHECK_FALSE(fs::exists(ws.state_dir() / "quarantine"));
    auto raised = ws.orphans({"--max-delete", "20", "--json"});
    INFO(raised.err);
    CHECK(raised.code == 0);
    CHECK(parsed(raised)["files_removed"] == 20);
  }
  SECTION("an empty reference query while the root holds files") {
    OrphansWorkspace ws;
    REQUIRE(ws.db.open()->execute("DELETE FROM files"));
    auto before = tree_listing(ws.uploads());
    auto r = ws.orphans({"--max-delete", "1000000", "--max-delete-bytes", "1T"});
    CHECK(r.code == 1);
    CHECK(r.err.find("no reference") != std::string::npos);
    CHECK(tree_listing(ws.uploads()) == before);
  }
  SECTION("the reference table is gone") {
    OrphansWorkspace ws;
    REQUIRE(ws.db.open()->execute("DROP TABLE files"));
    auto before = tree_listing(ws.uploads());
    auto r = ws.orphans({});
    CHECK(r.code != 0);
    CHECK(tree_listing(ws.uploads()) == before);
  }
  SECTION("the database is unreachable") {
    OrphansWorkspace ws;
    ws.config()["tenants"]["demo"]["database"] = k_test_engine == Engine::postgresql
                                                     ? "postgresql://dihya@127.0.0.1:18149/nowhere"
                                                     : "sqlite:data/demo/missing.db";
    ws.save();
    auto before = tree_listing(ws.uploads());
    auto r = ws.orphans({});
    CHECK((r.code == 69 || r.code == 66));
    CHECK(tree_listing(ws.uploads()) == before);
  }
}

TEST_CASE("clean_orphans --delete, bad input and refusals", "[clean_orphans]" DIHYA_ENGINE_TAG) {
  OrphansWorkspace ws;
  CHECK(ws.orphans({"--delete", "--quarantine"}).code == 64);
  CHECK(ws.orphans({"--root", "elsewhere"}).code == 64);
  CHECK(ws.orphans({"--max-delete", "many"}).code == 64);
  CHECK(ws.orphans({"--restore", "../etc"}).code == 64);
  CHECK(ws.orphans({"--restore", "20200101T000000Z"}).code == 66);
  CHECK(ws.run("clean_orphans", {"--user", "reader"}).code == 77);
  CHECK(Json::parse(read_lines(ws.audit_log()).back())["outcome"] == "denied");
  auto r = ws.orphans({"--delete", "--json"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(parsed(r)["files_removed"] == 2);
  CHECK_FALSE(fs::exists(ws.state_dir() / "quarantine"));
  CHECK(tree_listing(ws.uploads()).size() == 5 + 38);  // 2024 and its four, 38 named files

  CleaningWorkspace bad;
  bad.config()["tenants"]["demo"]["cleaning"]["orphans"] = {{{"root", "nope"}, {"grace", "1 day"}}};
  bad.save();
  auto check = bad.run("check_config", {});
  CHECK(check.code == 78);
  CHECK(check.err.find("tenants.demo.cleaning.orphans[0].root") != std::string::npos);
  CHECK(check.err.find("tenants.demo.cleaning.orphans[0].grace") != std::string::npos);
}
