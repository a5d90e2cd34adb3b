// End-to-end tests of check_integrity: the real binary on a tenant whose database, files,
// backups and audit trail are corrupted on purpose. Compiled once per engine (scratch_db.hpp).
#include <catch2/catch.hpp>
#include <fstream>

#include "core/base/fs.hpp"
#include "core/testing/scratch_db.hpp"
#include "maintenance/tests/maintenance_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

// A workspace on the engine of this test binary.
struct EngineWorkspace {
  ScratchDatabase scratch{k_test_engine};
  MaintenanceWorkspace ws{20, k_test_engine == Engine::sqlite ? "" : scratch.url()};
};

Json run_json(const Workspace& ws, std::vector<std::string> args, int expected) {
  args.push_back("--json");
  auto result = ws.run("check_integrity", args);
  INFO(result.out << result.err);
  REQUIRE(result.code == expected);
  return Json::parse(result.out);
}

const Json& check_of(const Json& report, const std::string& name) {
  for (const auto& check : report["checks"])
    if (check["check"] == name) return check;
  FAIL("no check " << name);
  throw std::logic_error("unreachable");
}

bool has_finding(const Json& check, const std::string& kind, const std::string& subject) {
  for (const auto& f : check["findings"])
    if (f["kind"] == kind && f["subject"].get<std::string>().find(subject) != std::string::npos)
      return true;
  return false;
}

}  // namespace

TEST_CASE("check_integrity: an intact tenant holds everywhere, exit 0, metric 1 per check",
          "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  e.ws.make_backup();
  Json report = run_json(e.ws, {}, 0);
  CHECK(report["ok"] == true);
  for (const char* name : {"db", "files", "backups", "audit"}) {
    INFO(name);
    CHECK(check_of(report, name)["ok"] == true);
  }
  CHECK(check_of(report, "files")["facts"]["rows"] == 20);
  CHECK(check_of(report, "files")["facts"]["hashed"] == 20);  // the first check hashes all
  std::string metrics = read_text(e.ws.state_dir() / "metrics" / "check_integrity.prom");
  CHECK(metric_value(metrics, "dihya_integrity_ok", "check=\"db\"") == 1.0);
  CHECK(metric_value(metrics, "dihya_integrity_ok", "check=\"files\"") == 1.0);
  // Human output names each check.
  auto text = e.ws.run("check_integrity", {"--target", "db"});
  CHECK(text.code == 0);
  CHECK(text.out.find("database: intact") != std::string::npos);
}

TEST_CASE("check_integrity --target files: changed, missing, resized files by row key",
          "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  run_json(e.ws, {"--target", "files"}, 0);
  // Same size, other bytes; then one deleted; then one grown.
  std::string changed = read_text(e.ws.file_of(4));
  changed[0] = changed[0] == 'x' ? 'y' : 'x';
  write_text(e.ws.file_of(4), changed);
  fs::remove(e.ws.file_of(7));
  write_text(e.ws.file_of(9), read_text(e.ws.file_of(9)) + "more");
  Json report = run_json(e.ws, {"--target", "files"}, 65);
  const Json& files = check_of(report, "files");
  CHECK(files["findings"].size() == 3);
  CHECK(has_finding(files, "wrong_hash", "4"));
  CHECK(has_finding(files, "missing_file", "7"));
  CHECK(has_finding(files, "wrong_size", "9"));
  std::string metrics = read_text(e.ws.state_dir() / "metrics" / "check_integrity.prom");
  CHECK(metric_value(metrics, "dihya_integrity_ok", "check=\"files\"") == 0.0);
  // --quick checks sizes of all, so the missing and resized files are still found.
  Json quick = run_json(e.ws, {"--target", "files", "--quick"}, 65);
  CHECK(has_finding(check_of(quick, "files"), "missing_file", "7"));
  CHECK(has_finding(check_of(quick, "files"), "wrong_size", "9"));
  // A catalog path that climbs out of the root is a finding, never opened.
  e.ws.sql("UPDATE files SET path = '../../../etc/passwd' WHERE id = 2");
  Json outside = run_json(e.ws, {"--target", "files", "--deep"}, 65);
  CHECK(has_finding(check_of(outside, "files"), "outside_root", "2"));
}

TEST_CASE("check_integrity --target files: a link inside the root is not followed",
          "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  write_text(e.ws.dir() / "secret.txt", "outside");
  fs::remove(e.ws.file_of(5));
  fs::create_symlink(e.ws.dir() / "secret.txt", e.ws.file_of(5));
  Json report = run_json(e.ws, {"--target", "files", "--deep"}, 65);
  CHECK(has_finding(check_of(report, "files"), "link", "5"));
}

TEST_CASE("check_integrity --target backups: stale, corrupt and missing backups",
          "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  std::string id = e.ws.make_backup();
  run_json(e.ws, {"--target", "backups"}, 0);
  // Stale: the newest backup older than the configured age.
  e.ws.config()["tenants"]["demo"]["maintenance"] = {{"backups", {{"max_age", "1h"}}}};
  e.ws.save();
  fs::path sidecar = e.ws.repository() / (id + ".json");
  Json info = Json::parse(read_text(sidecar));
  info["created"] = "2020-01-01T00:00:00.000Z";
  write_text(sidecar, info.dump());
  Json stale = run_json(e.ws, {"--target", "backups"}, 65);
  CHECK(has_finding(check_of(stale, "backups"), "stale_backup", "db"));
  // Corrupt: one byte of the backup file changed.
  fs::path file = e.ws.repository() / info["file"].get<std::string>();
  std::string bytes = read_text(file);
  bytes[bytes.size() / 2] ^= 0x20;
  write_text(file, bytes);
  Json corrupt = run_json(e.ws, {"--target", "backups", "--quick"}, 65);
  CHECK(has_finding(check_of(corrupt, "backups"), "corrupt_backup", id));
  // Missing: the file gone, the sidecar left.
  fs::remove(file);
  Json missing = run_json(e.ws, {"--target", "backups"}, 65);
  CHECK(has_finding(check_of(missing, "backups"), "corrupt_backup", id));
}

TEST_CASE("check_integrity --target audit: a tampered record is found by its seq",
          "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  run_json(e.ws, {"--target", "audit"}, 0);
  run_json(e.ws, {"--target", "audit"}, 0);
  auto lines = read_lines(e.ws.audit_log());
  REQUIRE(lines.size() >= 2);
  Json first = Json::parse(lines[0]);
  first["user"] = "mallory";
  lines[0] = first.dump();
  write_lines(e.ws.audit_log(), lines);
  Json report = run_json(e.ws, {"--target", "audit"}, 65);
  CHECK(has_finding(check_of(report, "audit"), "audit_chain", "seq=1"));
}

TEST_CASE("check_integrity: bad input", "[integrity]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  CHECK(e.ws.run("check_integrity", {"--target", "everything"}).code == 64);
  CHECK(e.ws.run("check_integrity", {"--quick", "--deep"}).code == 64);
  // A user without the permission is refused (77) and the refusal is audited.
  auto denied = e.ws.run("check_integrity", {"--user", "reader"});
  CHECK(denied.code == 77);
  Json last = Json::parse(read_lines(e.ws.audit_log()).back());
  CHECK(last["outcome"] == "denied");
  CHECK(last["tool"] == "check_integrity");
  // No backup at all is a finding.
  Json none = run_json(e.ws, {"--target", "backups"}, 65);
  CHECK(has_finding(check_of(none, "backups"), "no_backup", "db"));
  // No files catalog: skipped with --target all, a failure (1) when asked for.
  e.ws.make_backup();
  e.ws.sql("DROP TABLE files");
  Json all = run_json(e.ws, {"--target", "all"}, 0);
  CHECK(check_of(all, "files")["skipped"] == true);
  CHECK(e.ws.run("check_integrity", {"--target", "files"}).code == 1);
}

#ifndef DIHYA_TEST_ENGINE_POSTGRESQL

TEST_CASE("check_integrity --target db: a dangling foreign key (SQLite foreign_key_check)",
          "[integrity][sqlite]") {
  MaintenanceWorkspace ws;
  {
    auto db = ws.open();
    REQUIRE(db->execute("PRAGMA foreign_keys = OFF").ok());
    REQUIRE(db->execute("INSERT INTO files VALUES (999, 4242, 'uploads/x', 1, NULL)").ok());
  }
  Json report = run_json(ws, {"--target", "db"}, 65);
  const Json& db = check_of(report, "db");
  REQUIRE(db["findings"].size() == 1);
  CHECK(db["findings"][0]["kind"] == "foreign_key");
  CHECK(db["findings"][0]["subject"] == "files rowid=999");
  CHECK(db["findings"][0]["message"]["params"]["parent"] == "users");
}

TEST_CASE("check_integrity --target db: a page overwritten is found by integrity_check",
          "[integrity][sqlite]") {
  MaintenanceWorkspace ws(2000);
  // The last page of the file holds rows of files or its indexes: scribble over its cells.
  auto size = fs::file_size(ws.sqlite_file());
  REQUIRE(size > 16 * 4096);
  {
    std::fstream f(ws.sqlite_file(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096 + 8));
    std::string junk(4000, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  Json report = run_json(ws, {"--target", "db"}, 65);
  const Json& db = check_of(report, "db");
  CHECK(!db["findings"].empty());
  CHECK(db["facts"]["pragma"] == "integrity_check");
  // Every message is reported, not only the first.
  auto text = ws.run("check_integrity", {"--target", "db"});
  CHECK(text.code == 65);
  CHECK(text.out.find("CORRUPT") != std::string::npos);
}

TEST_CASE("check_integrity --target db: a missing database file cannot be checked (1)",
          "[integrity][sqlite]") {
  MaintenanceWorkspace ws;
  fs::remove(ws.sqlite_file());
  auto result = ws.run("check_integrity", {"--target", "db"});
  CHECK(result.code == 1);
  CHECK_FALSE(fs::exists(ws.sqlite_file()));
}

#else

TEST_CASE("check_integrity --target db: a corrupted B-tree index is found by pg_amcheck",
          "[integrity][postgres]") {
  EngineWorkspace e;
  e.ws.sql("CREATE EXTENSION IF NOT EXISTS amcheck");
  Json intact = run_json(e.ws, {"--target", "db"}, 0);
  CHECK(check_of(intact, "db")["facts"]["amcheck"] == "btree+heap");
  // The index's entries are ascending; the catalog now says it is descending.
  e.ws.sql("CREATE INDEX files_by_size ON files (size)");
  e.ws.sql("UPDATE pg_index SET indoption = '1'::int2vector "
           "WHERE indexrelid = 'files_by_size'::regclass");
  Json report = run_json(e.ws, {"--target", "db"}, 65);
  const Json& db = check_of(report, "db");
  CHECK(has_finding(db, "amcheck", "files_by_size"));
  CHECK(db["findings"][0]["message"]["params"]["message"].get<std::string>().find(
            "item order invariant violated") != std::string::npos);
}

TEST_CASE("check_integrity --target db --deep: rows behind a NOT VALID foreign key",
          "[integrity][postgres]") {
  EngineWorkspace e;
  e.ws.sql("CREATE EXTENSION IF NOT EXISTS amcheck");
  e.ws.sql("ALTER TABLE files DROP CONSTRAINT files_owner_id_fkey");
  e.ws.sql("INSERT INTO files VALUES (999, 4242, 'uploads/x', 1, NULL)");
  e.ws.sql("ALTER TABLE files ADD CONSTRAINT files_owner_id_fkey FOREIGN KEY (owner_id) "
           "REFERENCES users(id) NOT VALID");
  Json normal = run_json(e.ws, {"--target", "db"}, 0);
  CHECK(check_of(normal, "db")["notes"].size() == 1);
  Json deep = run_json(e.ws, {"--target", "db", "--deep"}, 65);
  const Json& db = check_of(deep, "db");
  CHECK(has_finding(db, "foreign_key", "files"));
  CHECK(db["findings"][0]["message"]["params"]["count"] == "1");
}

TEST_CASE("check_integrity --target db: an unreachable server is 69", "[integrity][postgres]") {
  MaintenanceWorkspace ws(0, "");
  ws.config()["tenants"]["demo"]["database"] = "postgresql://dihya@127.0.0.1:18199/nothing";
  ws.save();
  CHECK(ws.run("check_integrity", {"--target", "db"}).code == 69);
}

#endif
