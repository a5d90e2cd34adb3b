// End-to-end tests of the backup suite: backup, list_backups, verify_backup, restore,
// rotate_backups and rotate_keys, run as binaries on a SQLite tenant.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/data/db.hpp"
#include "tests/backup_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

TEST_CASE("backup and restore round trip: database content and file tree identical",
          "[backup_tool]") {
  BackupWorkspace ws;
  std::string db_before = ws.database_dump();
  std::string tree_before = tree_listing(ws.uploads());

  auto backup = ws.run("backup", {"--target", "all", "--encrypt", "--tag", "nightly", "--json"});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  Json sidecar = Json::parse(backup.out);
  CHECK(sidecar["encrypted"] == true);
  CHECK(sidecar["tag"] == "nightly");
  CHECK(sidecar["file_sha256"].get<std::string>().size() == 64);
  std::string id = sidecar["id"];
  CHECK(fs::exists(ws.repository() / (id + ".json")));
  CHECK(fs::exists(ws.repository() / (id + ".tar.zst.enc")));
  // The link that leads out of its root is left out, with a warning.
  CHECK(backup.err.find("backup.skipped") != std::string::npos);

  auto db = ws.run("restore", {id, "--target", "db", "--to", (ws.dir() / "copy.db").string()});
  INFO(db.err);
  REQUIRE(db.code == 0);
  CHECK(database_dump("sqlite:" + (ws.dir() / "copy.db").string()) == db_before);

  auto files = ws.run("restore", {id, "--target", "files", "--to", (ws.dir() / "copy").string()});
  INFO(files.err);
  REQUIRE(files.code == 0);
  std::string tree_after = tree_listing(ws.dir() / "copy" / "uploads");
  // Everything but the escaping link comes back with its modes and mtimes.
  CHECK(tree_after == tree_listing(ws.uploads(), {"escape"}));

  // In place: the current state is kept beside it as a safety copy, then replaced.
  write_text(ws.uploads() / "a.txt", "changed after the backup\n");
  ws.write_after_backup();
  auto in_place = ws.run("restore", {"--latest", "--target", "files", "--json"});
  INFO(in_place.err);
  REQUIRE(in_place.code == 0);
  Json result = Json::parse(in_place.out);
  REQUIRE(result["safety"].size() == 1);
  CHECK(read_text(fs::path(result["safety"][0].get<std::string>()) / "a.txt") ==
        "changed after the backup\n");
  CHECK(read_text(ws.uploads() / "a.txt") == "alpha\n");
  auto db_in_place = ws.run("restore", {"--latest", "--target", "db"});
  INFO(db_in_place.err);
  REQUIRE(db_in_place.code == 0);
  CHECK(ws.database_dump() == db_before);

  Json record = Json::parse(read_lines(ws.audit_log()).back());
  CHECK(record["tool"] == "restore");
  CHECK(record["details"]["id"] == id);
}

TEST_CASE("a repository inside a file root is never backed up into itself", "[backup_tool]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["backup"]["repository"] = "data/demo/uploads/backups";
  ws.save();
  REQUIRE(ws.run("backup", {"--target", "files"}).code == 0);
  auto second = ws.run("backup", {"--target", "files", "--json"});
  INFO(second.err);
  REQUIRE(second.code == 0);
  CHECK(second.err.find("backups") != std::string::npos);  // left out, with a warning
  fs::path to = ws.dir() / "copy";
  REQUIRE(ws.run("restore", {"--latest", "--target", "files", "--to", to.string()}).code == 0);
  CHECK(fs::exists(to / "uploads" / "a.txt"));
  CHECK_FALSE(fs::exists(to / "uploads" / "backups"));
}

TEST_CASE("list_backups needs no key and verify_backup checks every backup", "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  REQUIRE(ws.run("backup", {"--target", "files"}).code == 0);
  // No private key anywhere: listing works from the sidecars alone.
  fs::remove(ws.identity());
  auto list = ws.run("list_backups", {"--json"});
  INFO(list.err);
  REQUIRE(list.code == 0);
  Json listed = Json::parse(list.out)["backups"];
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["target"] == "db");
  CHECK(ws.run("list_backups", {"--target", "files", "--json"}).out.find("\"db\"") ==
        std::string::npos);
  // The text listing has column headers, then one line per backup, oldest first.
  auto text = ws.run("list_backups", {"--lang", "en"});
  REQUIRE(text.code == 0);
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; start < text.out.size(); start = end + 1) {
    end = text.out.find('\n', start);
    if (end == std::string::npos) end = text.out.size();
    lines.push_back(text.out.substr(start, end - start));
  }
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("ID", 0) == 0);
  CHECK(lines[0].find("Created (UTC)") != std::string::npos);
  CHECK(lines[1].rfind(listed[0]["id"].get<std::string>(), 0) == 0);
  CHECK(lines[2].rfind(listed[1]["id"].get<std::string>(), 0) == 0);
  CHECK(lines[1].find("Created") == std::string::npos);
  // Without the key the encrypted one cannot be checked: 77.
  CHECK(ws.run("verify_backup", {"--all"}).code == 77);
}

TEST_CASE("verify_backup --restore-test checks integrity and row counts", "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  auto verify = ws.run("verify_backup", {"--latest", "--restore-test", "--json"});
  INFO(verify.err);
  REQUIRE(verify.code == 0);
  Json result = Json::parse(verify.out);
  CHECK(result["ok"] == true);
  CHECK(result["backups"][0]["tables"]["users"] == 200);
  // Verified backups say so in their sidecar, which rotation reads.
  Json list = Json::parse(ws.run("list_backups", {"--json"}).out);
  CHECK(list["backups"][0]["verified_at"].is_string());
}

TEST_CASE("a flipped byte anywhere in a backup file: verify 65 and restore refuses",
          "[backup_tool]") {
  BackupWorkspace ws;
  for (bool encrypted : {true, false}) {
    std::vector<std::string> args = {"--target", "all", "--json"};
    if (encrypted) args.push_back("--encrypt");
    auto backup = ws.run("backup", args);
    REQUIRE(backup.code == 0);
    Json sidecar = Json::parse(backup.out);
    fs::path file = ws.repository() / sidecar["file"].get<std::string>();
    std::string original = read_text(file);
    std::size_t size = original.size();
    // One backup for all the offsets (a section would make it again for each).
    for (std::size_t offset : {std::size_t{3}, std::size_t{40}, std::size_t{200}, size / 3,
                               size / 2, size - 40, size - 1}) {
      INFO((encrypted ? "encrypted" : "plain") << " byte " << offset);
      std::string bad = original;
      bad[offset] = static_cast<char>(bad[offset] ^ 0x01);
      write_text(file, bad, 0600);
      auto verify = ws.run("verify_backup", {sidecar["id"].get<std::string>()});
      INFO(verify.err);
      CHECK(verify.code == 65);
      fs::path to = ws.dir() / "must-not-exist";
      auto restore = ws.run(
          "restore", {sidecar["id"].get<std::string>(), "--target", "files", "--to", to.string()});
      CHECK(restore.code == 65);
      CHECK_FALSE(fs::exists(to));
      write_text(file, original, 0600);
    }
    REQUIRE(ws.run("verify_backup", {sidecar["id"].get<std::string>()}).code == 0);
  }
}

TEST_CASE("a truncated backup or one with bytes appended is refused", "[backup_tool]") {
  BackupWorkspace ws;
  for (bool encrypted : {true, false}) {
    std::vector<std::string> args = {"--target", "db", "--json"};
    if (encrypted) args.push_back("--encrypt");
    Json sidecar = Json::parse(ws.run("backup", args).out);
    std::string id = sidecar["id"];
    fs::path file = ws.repository() / sidecar["file"].get<std::string>();
    std::string original = read_text(file);
    write_text(file, original.substr(0, original.size() - 100), 0600);
    CHECK(ws.run("verify_backup", {id}).code == 65);
    write_text(file, original.substr(0, original.size() / 2), 0600);
    CHECK(ws.run("verify_backup", {id}).code == 65);
    write_text(file, original + "x", 0600);
    CHECK(ws.run("verify_backup", {id}).code == 65);
    fs::remove(file);
    CHECK(ws.run("verify_backup", {id}).code == 66);
    write_text(file, original, 0600);
    CHECK(ws.run("verify_backup", {id}).code == 0);
    // A tampered sidecar is refused too.
    fs::path side = ws.repository() / (id + ".json");
    std::string text = read_text(side);
    write_text(side, text.substr(0, text.size() / 2), 0600);
    CHECK(ws.run("verify_backup", {id}).code == 65);
    write_text(side, text, 0600);
  }
}

TEST_CASE("the wrong key is 77, a passphrase and a protected key work", "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  // Another tenant's key does not open it.
  fs::path other = ws.dir() / "other.key";
  write_text(other, encode_identity(generate_identity()), 0600);
  fs::remove(ws.identity());
  auto wrong = ws.run("verify_backup", {"--latest", "--identity", other.string()});
  CHECK(wrong.code == 77);
  CHECK(wrong.err.find("core.envelope.no_key") != std::string::npos);
  CHECK(ws.run("restore", {"--latest", "--target", "db", "--identity", other.string(), "--to",
                           (ws.dir() / "x.db").string()})
            .code == 77);
  CHECK_FALSE(fs::exists(ws.dir() / "x.db"));

  // A passphrase only: from a 0600 file.
  fs::path pass = ws.dir() / "backup.pass";
  write_text(pass, "correct horse battery staple\n", 0600);
  ws.config()["tenants"]["demo"]["backup"].erase("recipients");
  ws.config()["tenants"]["demo"]["backup"]["passphrase_file"] = pass.string();
  ws.save();
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  CHECK(ws.run("verify_backup", {"--latest"}).code == 0);
  fs::path bad = ws.dir() / "bad.pass";
  write_text(bad, "not it\n", 0600);
  CHECK(ws.run("verify_backup", {"--latest", "--passphrase-file", bad.string()}).code == 77);
  // A passphrase file others can read is refused.
  ::chmod(pass.c_str(), 0644);
  CHECK(ws.run("verify_backup", {"--latest"}).code == 77);
}

TEST_CASE("encryption required by the tenant refuses a plain backup", "[backup_tool]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["backup"]["encryption"] = "required";
  ws.save();
  auto plain = ws.run("backup", {"--target", "db"});
  CHECK(plain.code == 77);
  CHECK(plain.err.find("backup.encryption_required") != std::string::npos);
  // Refused before anything was written: there is not even a repository to list.
  CHECK(ws.run("list_backups", {"--json"}).code == 66);
  CHECK(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
}

TEST_CASE("the config backup holds the config, hooks and public keys, never a private key",
          "[backup_tool]") {
  BackupWorkspace ws;
  fs::path hooks = ws.dir() / "hooks";
  fs::create_directories(hooks);
  write_text(hooks / "backup.post", "#!/bin/sh\nexit 0\n", 0700);
  write_text(hooks / "stray.key", encode_identity(generate_identity()), 0600);
  ws.config()["tenants"]["demo"]["hooks_dir"] = hooks.string();
  ws.save();
  auto backup = ws.run("backup", {"--target", "config", "--encrypt", "--json"});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  fs::path to = ws.dir() / "config-copy";
  REQUIRE(ws.run("restore", {"--latest", "--target", "config", "--to", to.string()}).code == 0);
  CHECK(fs::exists(to / "dihya.json"));
  CHECK(fs::exists(to / "hooks" / "backup.post"));
  CHECK_FALSE(fs::exists(to / "hooks" / "stray.key"));
  CHECK(read_text(to / "keys" / "0-backup.pub").rfind("dihya-pub:", 0) == 0);
  for (const auto& entry : fs::recursive_directory_iterator(to))
    if (entry.is_regular_file())
      CHECK(read_text(entry.path()).find("dihya-sec") == std::string::npos);
}

TEST_CASE("the config restored in place, the previous one kept beside it", "[backup_tool]") {
  BackupWorkspace ws;
  fs::path hooks = ws.dir() / "hooks";
  fs::create_directories(hooks);
  write_text(hooks / "backup.post", "#!/bin/sh\nexit 0\n", 0700);
  ws.config()["tenants"]["demo"]["hooks_dir"] = hooks.string();
  ws.save();
  std::string saved = read_text(ws.config_path());
  REQUIRE(ws.run("backup", {"--target", "config"}).code == 0);
  // The config changes (a stricter policy) and a hook is replaced.
  ws.config()["tenants"]["demo"]["backup"]["keep"] = {{"last", 1}};
  ws.save();
  write_text(hooks / "backup.post", "#!/bin/sh\nexit 1\n", 0700);
  auto restore = ws.run("restore", {"--latest", "--target", "config", "--json"});
  INFO(restore.err);
  REQUIRE(restore.code == 0);
  CHECK(read_text(ws.config_path()) == saved);
  CHECK(read_text(hooks / "backup.post") == "#!/bin/sh\nexit 0\n");
  Json result = Json::parse(restore.out);
  REQUIRE(result["safety"].size() == 2);
  CHECK(read_text(result["safety"][0].get<std::string>()).find("\"last\": 1") != std::string::npos);
}

TEST_CASE("a backup taken while writers run is consistent", "[backup_tool]") {
  BackupWorkspace ws;
  std::string url = "sqlite:" + ws.database().string();
  {
    auto db = open_database(url);
    REQUIRE(db.ok());
    REQUIRE((*db)->execute("PRAGMA journal_mode=WAL").ok());
    REQUIRE(
        (*db)->execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)").ok());
  }
  // Each transaction moves 1 from a to b in a new row pair: a consistent copy has
  // sum(a) + sum(b) == 0 and an even row count.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto db = open_database(url);
    if (!db) return;
    while (!stop) {
      (*db)->execute("BEGIN IMMEDIATE");
      (*db)->execute("INSERT INTO ledger (a, b) VALUES (-1, 0)");
      (*db)->execute("INSERT INTO ledger (a, b) VALUES (0, 1)");
      (*db)->execute("COMMIT");
      ++written;
      // A breath between transactions, as an application leaves: a writer that retakes the
      // lock at once could starve the backup's own lock requests on a loaded machine.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  while (written < 200) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<RunResult> backups;
  for (int i = 0; i < 3; ++i) backups.push_back(ws.run("backup", {"--target", "db", "--json"}));
  // The writer stops before any check: a failed REQUIRE must not leave a thread running.
  stop = true;
  writer.join();
  std::vector<std::string> ids;
  for (const auto& backup : backups) {
    INFO(backup.err);
    REQUIRE(backup.code == 0);
    ids.push_back(Json::parse(backup.out)["id"]);
  }
  for (const auto& id : ids) {
    fs::path copy = ws.dir() / (id + ".db");
    REQUIRE(ws.run("restore", {id, "--target", "db", "--to", copy.string()}).code == 0);
    auto db = open_database("sqlite:" + copy.string(), {true});
    REQUIRE(db.ok());
    auto stmt = (*db)->prepare("SELECT count(*), coalesce(sum(a) + sum(b), 0) FROM ledger");
    REQUIRE(stmt.ok());
    REQUIRE(*(*stmt)->step());
    CHECK((*stmt)->get_integer(0) % 2 == 0);
    CHECK((*stmt)->get_integer(1) == 0);
    CHECK((*stmt)->get_integer(0) > 0);
  }
}

TEST_CASE("list_backups on a missing repository exits 66 and names it", "[backup_tool]") {
  BackupWorkspace ws;
  auto list = ws.run("list_backups", {"--json"});
  CHECK(list.code == 66);
  CHECK(list.err.find("core.backup.no_repository_dir") != std::string::npos);
  // --json on an error still prints one document that says what went wrong.
  Json error = Json::parse(list.out)["error"];
  CHECK(error["id"] == "core.backup.no_repository_dir");
  CHECK(error["exit_code"] == 66);
  CHECK_FALSE(error["text"].get<std::string>().empty());
  REQUIRE(ws.run("backup", {"--target", "db"}).code == 0);
  CHECK(ws.run("list_backups", {"--json"}).code == 0);
}

TEST_CASE("--all-tenants skips a tenant without backups and heads each tenant's output",
          "[backup_tool]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  auto backup = ws.run("backup", {"--target", "db", "--all-tenants", "--lang", "en"});
  INFO(backup.err);
  CHECK(backup.code == 0);
  CHECK(backup.err.find("acme skipped") != std::string::npos);
  CHECK(backup.err.find("[core.run.tenant_skipped]") != std::string::npos);
  CHECK(backup.out.find("Tenant demo:") != std::string::npos);
  CHECK(backup.out.find("Tenant acme:") == std::string::npos);
  auto list = ws.run("list_backups", {"--all-tenants", "--json"});
  CHECK(list.code == 0);
  Json doc = Json::parse(list.out);
  CHECK(doc["tenants"]["acme"]["skipped"] == true);
  CHECK(doc["tenants"]["acme"]["reason"]["id"] == "core.backup.no_repository");
  CHECK(doc["tenants"]["demo"]["backups"].size() == 1);
  // A tenant that is skipped gets no audit record: nothing ran for it.
  CHECK_FALSE(fs::exists(ws.audit_log("acme")));
  // Named with --tenant, the tenant without a repository is still the error it was.
  CHECK(ws.run("list_backups", {"--tenant", "acme"}).code == 78);
  // When every tenant is skipped there is nothing to do: 78, not a silent success.
  ws.config()["tenants"]["demo"].erase("backup");
  ws.save();
  auto none = ws.run("rotate_backups", {"--all-tenants", "--yes"});
  CHECK(none.code == 78);
  CHECK(none.err.find("[core.run.no_tenant_applies]") != std::string::npos);
}

TEST_CASE("kill -9 during a backup: nothing listed, the next run cleans up", "[backup_tool]") {
  BackupWorkspace ws;
  ws.add_big_files(96);  // enough to still be running when killed
  pid_t pid = ws.spawn("backup", {"--target", "files", "--encrypt", "--compression-level", "19"});
  fs::path work = ws.repository() / ".tmp";
  REQUIRE(ws.wait_for_partial_backup());
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK(Json::parse(ws.run("list_backups", {"--json"}).out)["backups"].empty());
  auto next = ws.run("backup", {"--target", "db"});
  INFO(next.err);
  REQUIRE(next.code == 0);
  CHECK(next.err.find("backup.leftover_removed") != std::string::npos);
  CHECK(fs::is_empty(work));
  CHECK(Json::parse(ws.run("list_backups", {"--json"}).out)["backups"].size() == 1);
}

TEST_CASE("Ctrl-C during a backup: exit 130, nothing listed, nothing left behind",
          "[backup_tool]") {
  BackupWorkspace ws;
  ws.add_big_files(96);
  pid_t pid = ws.spawn("backup", {"--target", "files", "--encrypt", "--compression-level", "19"});
  fs::path work = ws.repository() / ".tmp";
  REQUIRE(ws.wait_for_partial_backup());
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(Json::parse(ws.run("list_backups", {"--json"}).out)["backups"].empty());
  CHECK(fs::is_empty(work));
  Json record;
  for (const auto& line : read_lines(ws.audit_log())) {
    Json r = Json::parse(line);
    if (r["tool"] == "backup") record = r;
  }
  CHECK(record["exit_code"] == 130);
  CHECK(record["outcome"] == "failure");
}

TEST_CASE("an interrupted restore leaves the original intact", "[backup_tool]") {
  BackupWorkspace ws;
  ws.add_big_files(48);
  REQUIRE(ws.run("backup", {"--target", "files", "--encrypt"}).code == 0);
  write_text(ws.uploads() / "a.txt", "current\n");
  std::string before = tree_listing(ws.uploads());
  pid_t pid = ws.spawn("restore", {"--latest", "--target", "files"});
  // Kill it once its staging copy is being written.
  fs::path staging;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && staging.empty()) {
    for (const auto& entry : fs::directory_iterator(ws.uploads().parent_path()))
      if (entry.path().filename().string().rfind(".dihya-restore-", 0) == 0) staging = entry.path();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE_FALSE(staging.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(tree_listing(ws.uploads()) == before);
  // The next restore of that backup starts over and completes.
  auto again = ws.run("restore", {"--latest", "--target", "files"});
  INFO(again.err);
  CHECK(again.code == 0);
  CHECK(read_text(ws.uploads() / "a.txt") == "alpha\n");
}

TEST_CASE("crafted archives with unsafe names or links are refused", "[backup_tool]") {
  BackupWorkspace ws;
  {
    // The same crafting with safe names restores: the refusals below are the names' doing.
    std::string id =
        craft_backup(ws, {{"files/uploads/ok.txt", "fine", ""}, {"files/uploads/l", "", "ok.txt"}});
    fs::path to = ws.dir() / "safe-restore";
    auto restore = ws.run("restore", {id, "--target", "files", "--to", to.string()});
    INFO(restore.err);
    REQUIRE(restore.code == 0);
    CHECK(read_text(to / "uploads" / "l") == "fine");
  }
  struct Crafted {
    const char* what;
    std::vector<CraftedEntry> entries;
  };
  std::vector<Crafted> cases = {
      {"dot-dot", {{"files/uploads/../../../escaped.txt", "x", ""}}},
      {"absolute", {{"/tmp/dihya-absolute-escape.txt", "x", ""}}},
      {"escaping link", {{"files/uploads/l", "", "../../../../etc"}}},
      {"link then write through it",
       {{"files/uploads/l", "", "../../.."}, {"files/uploads/l/escaped.txt", "x", ""}}},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.what) {
      std::string id = craft_backup(ws, c.entries);
      fs::path to = ws.dir() / "restore-here";
      auto restore = ws.run("restore", {id, "--target", "files", "--to", to.string()});
      INFO(restore.err);
      CHECK(restore.code == 65);
      CHECK_FALSE(fs::exists(to));
      CHECK_FALSE(fs::exists(ws.dir().parent_path() / "escaped.txt"));
      CHECK_FALSE(fs::exists("/tmp/dihya-absolute-escape.txt"));
    }
  }
}

TEST_CASE("rotate_backups keeps what the policy says and never the newest verified one",
          "[backup_tool]") {
  BackupWorkspace ws;
  ws.config()["tenants"]["demo"]["backup"]["keep"] = {{"last", 2}};
  ws.save();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto backup = ws.run("backup", {"--target", "db", "--json"});
    REQUIRE(backup.code == 0);
    ids.push_back(Json::parse(backup.out)["id"]);
  }
  // The oldest is the only verified one: it is protected.
  REQUIRE(ws.run("verify_backup", {ids[0]}).code == 0);
  auto plan = ws.run("rotate_backups", {"--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  Json decisions = Json::parse(plan.out)["backups"];
  std::map<std::string, bool> keep;
  for (const auto& d : decisions) keep[d["id"]] = d["keep"];
  CHECK(keep[ids[3]]);
  CHECK(keep[ids[2]]);
  CHECK_FALSE(keep[ids[1]]);
  CHECK(keep[ids[0]]);
  CHECK(Json::parse(ws.run("list_backups", {"--json"}).out)["backups"].size() == 4);
  auto rotate = ws.run("rotate_backups", {});
  INFO(rotate.err);
  REQUIRE(rotate.code == 0);
  Json left = Json::parse(ws.run("list_backups", {"--json"}).out)["backups"];
  CHECK(left.size() == 3);
  CHECK_FALSE(fs::exists(ws.repository() / (ids[1] + ".tar.zst")));
  Json record;
  for (const auto& line : read_lines(ws.audit_log())) {
    Json r = Json::parse(line);
    if (r["tool"] == "rotate_backups" && !r["details"].contains("dry_run")) record = r;
  }
  REQUIRE(record["details"]["removed"].size() == 1);
  CHECK(record["details"]["removed"][0]["id"] == ids[1]);
}

TEST_CASE("a held repository lock is 75", "[backup_tool]") {
  BackupWorkspace ws;
  fs::create_directories(ws.repository());
  auto lock = LockFile::acquire(ws.repository() / ".lock", false);
  REQUIRE(lock.ok());
  CHECK(ws.run("backup", {"--target", "db"}).code == 75);
  CHECK(ws.run("rotate_backups", {}).code == 75);
  CHECK(ws.run("restore", {"--latest", "--target", "db"}).code == 75);
}

TEST_CASE("rotate_keys: generate, then rotate re-wraps every backup for the new key",
          "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  REQUIRE(ws.run("backup", {"--target", "files", "--encrypt"}).code == 0);
  REQUIRE(ws.run("backup", {"--target", "files"}).code == 0);
  // --generate refuses to overwrite a key.
  CHECK(ws.run("rotate_keys", {"--generate"}).code == 73);
  fs::path old_key = ws.dir() / "old.key";
  fs::copy_file(ws.identity(), old_key);
  std::string old_pub = read_text(ws.dir() / "keys" / "backup.pub");
  auto rotate = ws.run("rotate_keys", {"--rotate", "--json"});
  INFO(rotate.err);
  REQUIRE(rotate.code == 0);
  Json result = Json::parse(rotate.out);
  CHECK(result["rewrapped"].size() == 2);
  CHECK(fs::exists(result["retired"].get<std::string>()));
  CHECK(read_text(ws.dir() / "keys" / "backup.pub") != old_pub);
  // The new key opens every backup; the old one none.
  CHECK(ws.run("verify_backup", {"--all"}).code == 0);
  fs::remove(ws.identity());
  CHECK(ws.run("verify_backup", {"--all", "--identity", old_key.string()}).code == 77);
  Json record = Json::parse(read_lines(ws.audit_log()).back());
  CHECK(record["action"] == "verify");
}

TEST_CASE("a passphrase-protected private key", "[backup_tool]") {
  BackupWorkspace ws(false);
  fs::path pass = ws.dir() / "key.pass";
  write_text(pass, "s3cret key passphrase\n", 0600);
  REQUIRE(ws.run("rotate_keys", {"--generate", "--protect", "--key-passphrase-file", pass.string()})
              .code == 0);
  CHECK(read_text(ws.identity()).rfind("dihya-sec-enc-1:", 0) == 0);
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  // Without its passphrase (and no terminal) the key cannot be used.
  CHECK(ws.run("verify_backup", {"--latest"}).code == 77);
  CHECK(ws.run("verify_backup", {"--latest", "--key-passphrase-file", pass.string()}).code == 0);
}

TEST_CASE("restore --include that matches no file exits 66 and creates nothing", "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "files"}).code == 0);
  fs::path to = ws.dir() / "picked";
  auto none = ws.run("restore",
                     {"--latest", "--target", "files", "--to", to.string(), "--include", "*.docx"});
  CHECK(none.code == 66);
  CHECK(none.err.find("core.backup.include_matched_nothing") != std::string::npos);
  CHECK_FALSE(fs::exists(to));
  // `*` does not cross a '/': every file is under the root's own name ("uploads/").
  CHECK(ws.run("restore",
               {"--latest", "--target", "files", "--to", to.string(), "--include", "*.txt"})
            .code == 66);
  auto some = ws.run("restore", {"--latest", "--target", "files", "--to", to.string(), "--include",
                                 "uploads/*.txt"});
  INFO(some.err);
  REQUIRE(some.code == 0);
  CHECK(fs::exists(to / "uploads" / "a.txt"));
  CHECK_FALSE(fs::exists(to / "uploads" / "sub" / "b.txt"));
  // `**` spans directories; a directory's name takes what is under it.
  fs::path deep = ws.dir() / "deep";
  REQUIRE(ws.run("restore",
                 {"--latest", "--target", "files", "--to", deep.string(), "--include", "**/*.txt"})
              .code == 0);
  CHECK(fs::exists(deep / "uploads" / "a.txt"));
  CHECK(fs::exists(deep / "uploads" / "sub" / "b.txt"));
  CHECK_FALSE(fs::exists(deep / "uploads" / "empty"));
  fs::path sub = ws.dir() / "sub";
  REQUIRE(ws.run("restore", {"--latest", "--target", "files", "--to", sub.string(), "--include",
                             "uploads/sub"})
              .code == 0);
  CHECK(fs::exists(sub / "uploads" / "sub" / "deeper" / "c.bin"));
  CHECK_FALSE(fs::exists(sub / "uploads" / "a.txt"));
}

TEST_CASE("backup tools: usage errors, bad config, denied users", "[backup_tool]") {
  BackupWorkspace ws;
  CHECK(ws.run("backup", {"--target", "everything"}).code == 64);
  CHECK(ws.run("backup", {"--compression-level", "42"}).code == 64);
  CHECK(ws.run("restore", {"--target", "db"}).code == 64);
  CHECK(ws.run("restore", {"--latest", "--target", "all"}).code == 64);
  CHECK(ws.run("restore", {"--latest", "--target", "files", "--include", "*.txt"}).code == 64);
  CHECK(ws.run("verify_backup", {"x", "--all"}).code == 64);
  CHECK(ws.run("restore", {"nope", "--target", "db"}).code == 66);
  CHECK(ws.run("verify_backup", {"--latest"}).code == 66);
  // A verified user whose role lacks backup.run.
  ws.config()["users"]["dpo"] = {{"roles", {"auditor"}}, {"token_hash", hash_token("t0ken")}};
  ws.save();
  write_text(ws.dir() / "dpo.token", "t0ken\n", 0600);
  auto denied = ws.run("backup", {"--target", "db", "--user", "dpo", "--token-file",
                                  (ws.dir() / "dpo.token").string()});
  CHECK(denied.code == 77);
  CHECK(denied.err.find("backup.run") != std::string::npos);
  CHECK(Json::parse(read_lines(ws.audit_log()).back())["outcome"] == "denied");
  ws.config()["tenants"]["demo"]["backup"]["keep"] = {{"daily", -1}};
  ws.save();
  auto bad = ws.run("rotate_backups", {});
  CHECK(bad.code == 78);
  CHECK(bad.err.find("tenants.demo.backup.keep.daily") != std::string::npos);
}

TEST_CASE("backup writes its metrics and a restore's dry run writes nothing", "[backup_tool]") {
  BackupWorkspace ws;
  REQUIRE(ws.run("backup", {"--target", "db", "--encrypt"}).code == 0);
  std::string metrics = read_text(ws.state_dir() / "metrics" / "backup.prom");
  for (const char* name : {"dihya_backup_last_success_timestamp_seconds", "dihya_backup_bytes",
                           "dihya_backup_duration_seconds"})
    CHECK(metrics.find(name) != std::string::npos);
  fs::path to = ws.dir() / "dry.db";
  auto dry = ws.run("restore", {"--latest", "--target", "db", "--to", to.string(), "--dry-run"});
  INFO(dry.err);
  CHECK(dry.code == 0);
  CHECK_FALSE(fs::exists(to));
}
