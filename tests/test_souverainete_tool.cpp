// export and import end to end on SQLite: round trips, every type's edge values, encryption,
// signatures, tampering, crafted packages, refusals and an interrupted import.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/base/crypto.hpp"
#include "core/data/db.hpp"
#include "core/testing/scratch_db.hpp"
#include "tests/package_support.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

std::string sqlite_url(const fs::path& file) {
  return "sqlite:" + file.string();
}

RunResult export_to(const PackageWorkspace& ws, const std::string& name,
                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--tenant", "demo", "--target",
                                   "db",       "-o",   ws.package(name).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return ws.run("export", args);
}

RunResult import_into_dest(const PackageWorkspace& ws, const std::string& name,
                           std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {ws.package(name).string(), "--tenant", "dest"};
  args.insert(args.end(), extra.begin(), extra.end());
  return ws.run("import", args);
}

// Every table but "edge", whose timestamps the package holds in their canonical UTC form.
std::string dump_but_edge(const fs::path& file) {
  auto db = open_database(sqlite_url(file), {true});
  REQUIRE(db.ok());
  auto names = *(*db)->table_names();
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& name : names)
    if (name != "edge" && name != "edge_binary") out += "# " + name + "\n" + dump_table(**db, name);
  return out;
}

// Runs SQL on the SQLite database FILE (the tables a case needs beside the seeded ones).
void execute_on(const fs::path& file, const std::string& sql) {
  auto db = open_database(sqlite_url(file));
  REQUIRE(db.ok());
  REQUIRE((*db)->execute(sql).ok());
}

bool dest_has_tables(const PackageWorkspace& ws) {
  if (!fs::exists(ws.dest_db())) return false;
  auto db = open_database(sqlite_url(ws.dest_db()), {true});
  REQUIRE(db.ok());
  return !(*db)->table_names()->empty();
}

}  // namespace

TEST_CASE("export then import: the seeded database and every edge value round trip",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "300"}).code == 0);
  create_edge_table(sqlite_url(ws.source_db()));
  std::string before = database_dump(sqlite_url(ws.source_db()));

  auto exported = export_to(ws, "a.tar.zst", {"--sign", "--json"});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  Json result = Json::parse(exported.out);
  CHECK(result["signer"].is_string());
  CHECK(result["package_sha256"] == sha256_hex(read_text(ws.package("a.tar.zst"))));
  CHECK((fs::status(ws.package("a.tar.zst")).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));

  auto imported = import_into_dest(ws, "a.tar.zst", {"--json"});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
  CHECK(Json::parse(imported.out)["signer"] == result["signer"]);
  CHECK(dump_but_edge(ws.dest_db()) == dump_but_edge(ws.source_db()));
  CHECK_FALSE(dump_but_edge(ws.dest_db()).empty());

  // Exported again from the copy, every resource has the same content hash.
  auto again = ws.run("export", {"--tenant", "dest", "-o", ws.package("b.tar.zst").string()});
  REQUIRE(again.code == 0);
  CHECK(resource_hashes(ws.package("a.tar.zst")) == resource_hashes(ws.package("b.tar.zst")));
  CHECK(database_dump(sqlite_url(ws.source_db())) == before);  // the source is untouched

  // NULL and the empty string stay apart; binary with NUL bytes, Unicode and JSON intact.
  auto db = open_database(sqlite_url(ws.dest_db()), {true});
  REQUIRE(db.ok());
  auto row = (*db)->prepare("SELECT t IS NULL, t, length(b), hex(b), j, ts FROM edge WHERE id = 2");
  REQUIRE(row.ok());
  REQUIRE(*(*row)->step());
  CHECK((*row)->get_integer(0) == 1);
  auto first = (*db)->prepare("SELECT t IS NULL, t, hex(b), j, ts, n, i FROM edge WHERE id = 1");
  REQUIRE(*(*first)->step());
  CHECK((*first)->get_integer(0) == 0);
  CHECK((*first)->get_text(1).empty());
  CHECK((*first)->get_text(2) == "0001FF220A2C");
  CHECK((*first)->get_text(3) == R"({"b":1,"a":[1,2,{"x":null}]})");
  CHECK((*first)->get_text(4) == "2024-03-10T11:00:00Z");
  CHECK((*first)->get_text(5) == "123456789012345678901234567890.123456789");
  CHECK((*first)->get_integer(6) == INT64_MAX);
}

TEST_CASE("export as JSON Lines, encrypted, to standard output; import from standard input",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "100"}).code == 0);
  create_edge_table(sqlite_url(ws.source_db()));
  auto exported = ws.run("export", {"--tenant", "demo", "--format", "jsonl", "--encrypt",
                                    "--recipient", ws.recipient().string(), "--sign", "-o", "-"});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  CHECK(exported.out.rfind("DIHYAENV", 0) == 0);
  write_text(ws.package("e.pkg"), exported.out, 0600);

  // Without the private key it cannot be opened; nothing is created.
  auto no_key = import_into_dest(ws, "e.pkg");
  CHECK(no_key.code == 77);
  CHECK_FALSE(dest_has_tables(ws));

  auto imported = import_into_dest(ws, "e.pkg", {"--identity", ws.identity().string()});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
  CHECK(dump_but_edge(ws.dest_db()) == dump_but_edge(ws.source_db()));
  CHECK(*open_database(sqlite_url(ws.dest_db()), {true}).value()->count_rows("edge") == 6);
  CHECK(*open_database(sqlite_url(ws.dest_db()), {true}).value()->count_rows("edge_text") == 4);

  // --tables: a subset; a foreign key to a table left out is dropped with a warning.
  auto subset = export_to(ws, "s.tar.zst", {"--tables", "events"});
  REQUIRE(subset.code == 0);
  CHECK(subset.err.find("users") != std::string::npos);
  auto entries = read_package_entries(ws.package("s.tar.zst"));
  Json manifest = Json::parse(entry_named(entries, "datapackage.json").data);
  REQUIRE(manifest["resources"].size() == 1);
  CHECK_FALSE(manifest["resources"][0]["schema"].contains("foreignKeys"));
  CHECK(export_to(ws, "x.tar.zst", {"--tables", "nope"}).code == 66);
}

TEST_CASE("import modes, verify-only, dry-run and refusals", "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "100"}).code == 0);
  REQUIRE(export_to(ws, "a.tar.zst").code == 0);

  auto verify = import_into_dest(ws, "a.tar.zst", {"--verify-only", "--json"});
  REQUIRE(verify.code == 0);
  CHECK(Json::parse(verify.out)["rows"].get<int>() > 100);
  auto dry = import_into_dest(ws, "a.tar.zst", {"--dry-run"});
  REQUIRE(dry.code == 0);
  CHECK_FALSE(dest_has_tables(ws));

  REQUIRE(import_into_dest(ws, "a.tar.zst").code == 0);
  std::string loaded = database_dump(sqlite_url(ws.dest_db()));
  CHECK(import_into_dest(ws, "a.tar.zst").code == 73);  // create: the tables exist
  CHECK(import_into_dest(ws, "a.tar.zst", {"--mode", "append"}).code == 65);  // duplicate keys
  CHECK(database_dump(sqlite_url(ws.dest_db())) == loaded);
  REQUIRE(import_into_dest(ws, "a.tar.zst", {"--mode", "replace"}).code == 0);
  CHECK(database_dump(sqlite_url(ws.dest_db())) == loaded);

  // Output never overwritten; usage, missing and corrupt files; a denied user; a bad config.
  CHECK(export_to(ws, "a.tar.zst").code == 73);
  CHECK(ws.run("export", {"--tenant", "demo", "--format", "xml", "-o", "x"}).code == 64);
  CHECK(ws.run("import", {}).code == 64);
  CHECK(ws.run("import", {(ws.dir() / "missing.tar.zst").string(), "--tenant", "dest"}).code == 66);
  write_text(ws.package("junk.tar.zst"), "this is not a package at all");
  auto junk = import_into_dest(ws, "junk.tar.zst");
  CHECK(junk.code == 65);
  CHECK(junk.err.find("not an export package") != std::string::npos);
  CHECK(ws.run("export",
               {"--tenant", "demo", "--user", "reader", "-o", ws.package("r.tar.zst").string()})
            .code == 77);
  CHECK_FALSE(fs::exists(ws.package("r.tar.zst")));
  ws.config()["tenants"]["dest"]["export"]["require_signed"] = "yes";
  ws.save();
  auto bad_config = import_into_dest(ws, "a.tar.zst");
  CHECK(bad_config.code == 78);
  CHECK(bad_config.err.find("tenants.dest.export.require_signed") != std::string::npos);

  // The audit records name the tables, row counts and the package hash.
  auto lines = read_lines(ws.audit_log());
  Json record = Json::parse(lines.back());
  CHECK(record["action"] == "export");
  CHECK(record["outcome"] != "success");
}

TEST_CASE(
    "the suite's own tables stay out of a package unless asked; an append the database "
    "refuses names the table and changes nothing",
    "[souverainete_tool]") {
  PackageWorkspace ws;
  ws.config()["tenants"]["demo"]["personal_data"] = demo_personal_map();
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["erase"] = "delete";
  ws.save();
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "50", "--quiet"}).code == 0);
  REQUIRE(ws.run("anonymize", {"--tenant", "demo", "--generate-key", "--quiet"}).code == 0);
  auto masked = ws.run("anonymize", {"--tenant", "demo", "--target", "all"});
  INFO(masked.err);
  REQUIRE(masked.code == 0);
  std::string subject =
      query_column(sqlite_url(ws.source_db()), "SELECT id FROM users ORDER BY id LIMIT 1")[0];
  auto erased =
      ws.run("subject_erase", {"--tenant", "demo", "--subject", subject, "--reason", "art. 17"});
  INFO(erased.err);
  REQUIRE(erased.code == 0);
  auto source = open_database(sqlite_url(ws.source_db()), {true});
  REQUIRE(source.ok());
  REQUIRE(*(*source)->table_exists("dihya_anonymized"));
  REQUIRE(*(*source)->table_exists("dihya_erasures"));
  auto internal_in = [&](const std::string& name) {
    auto entries = read_package_entries(ws.package(name));
    Json manifest = Json::parse(entry_named(entries, "datapackage.json").data);
    std::vector<std::string> found;
    for (const auto& r : manifest["resources"]) {
      std::string table = r["name"];
      if (table.rfind("dihya_", 0) == 0) found.push_back(table);
    }
    std::sort(found.begin(), found.end());
    return found;
  };
  const std::vector<std::string> internal = {"dihya_anonymized", "dihya_erasures"};

  // By default: left out, and the report says which.
  auto plain = export_to(ws, "plain.tar.zst", {"--json"});
  INFO(plain.err);
  REQUIRE(plain.code == 0);
  CHECK(internal_in("plain.tar.zst").empty());
  CHECK(Json::parse(plain.out)["internal_left_out"] == Json(internal));
  CHECK(Json::parse(read_lines(ws.audit_log()).back())["details"]["internal_left_out"] ==
        Json(internal));
  auto human = export_to(ws, "human.tar.zst");
  REQUIRE(human.code == 0);
  CHECK(human.out.find("dihya_anonymized, dihya_erasures") != std::string::npos);

  // Asked for: shipped, and nothing is said left out.
  auto full = export_to(ws, "full.tar.zst", {"--include-internal", "--json"});
  INFO(full.err);
  REQUIRE(full.code == 0);
  CHECK(internal_in("full.tar.zst") == internal);
  CHECK(Json::parse(full.out)["internal_left_out"].empty());
  // The personal-data map does not cover them: no anonymized copy carries them.
  auto masked_copy = export_to(ws, "m.tar.zst", {"--anonymize", "--include-internal"});
  CHECK(masked_copy.code == 64);
  CHECK(masked_copy.err.find("[souverainete.internal_not_anonymized]") != std::string::npos);
  CHECK_FALSE(fs::exists(ws.package("m.tar.zst")));

  // Appended where the same rows are: the table named in our words, the engine's as the
  // cause, 65, and the target as it was.
  auto made = import_into_dest(ws, "full.tar.zst");
  INFO(made.err);
  REQUIRE(made.code == 0);
  std::string loaded = database_dump(sqlite_url(ws.dest_db()));
  auto again = import_into_dest(ws, "plain.tar.zst", {"--mode", "append"});
  CHECK(again.code == 65);
  CHECK(again.err.find("[souverainete.load_failed]") != std::string::npos);
  CHECK(again.err.find("UNIQUE") != std::string::npos);
  CHECK(database_dump(sqlite_url(ws.dest_db())) == loaded);
  REQUIRE(export_to(ws, "journals.tar.zst", {"--tables", "dihya_anonymized,dihya_erasures"}).code ==
          0);
  CHECK(internal_in("journals.tar.zst") == internal);
  auto journals = import_into_dest(ws, "journals.tar.zst", {"--mode", "append"});
  CHECK(journals.code == 65);
  CHECK(journals.err.find("[souverainete.load_failed_internal]") != std::string::npos);
  CHECK(journals.err.find("dihya_anonymized") != std::string::npos);
  CHECK(journals.err.find("UNIQUE") != std::string::npos);
  CHECK(journals.err.find("[core.db.query_failed]") != std::string::npos);
  CHECK(journals.err.find("error: SQLite") == std::string::npos);  // never bare
  CHECK(database_dump(sqlite_url(ws.dest_db())) == loaded);
}

TEST_CASE("a tampered package is refused before the database is touched", "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "100"}).code == 0);
  REQUIRE(export_to(ws, "a.tar.zst", {"--sign"}).code == 0);
  auto original = read_package_entries(ws.package("a.tar.zst"));

  SECTION("a flipped byte in the compressed file") {
    // zstd ignores a few bits (in a table's padding, say): a flip there changes nothing the
    // file holds, and is not a change of the package. Every other flip must be refused.
    std::string bytes = read_text(ws.package("a.tar.zst"));
    auto plain = package_plain_bytes(ws.package("a.tar.zst"));
    REQUIRE(plain);
    int refused = 0;
    for (std::size_t i = 1; i < 12; ++i) {
      std::size_t at = i == 1 ? 20 : i == 11 ? bytes.size() - 5 : bytes.size() * i / 12;
      std::string flipped = bytes;
      flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
      write_text(ws.package("f.tar.zst"), flipped);
      INFO(at);
      if (package_plain_bytes(ws.package("f.tar.zst")) == plain) continue;
      CHECK(import_into_dest(ws, "f.tar.zst").code == 65);
      ++refused;
    }
    CHECK(refused >= 8);
  }
  SECTION("a flipped byte in every resource") {
    for (const auto& entry : original) {
      if (entry.name.rfind("data/", 0) != 0) continue;
      auto entries = original;
      std::string& data = entry_named(entries, entry.name).data;
      data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x01);
      write_package_entries(ws.package("f.tar.zst"), entries);
      auto run = import_into_dest(ws, "f.tar.zst");
      INFO(entry.name);
      CHECK(run.code == 65);
      CHECK(run.err.find(entry.name) != std::string::npos);
    }
  }
  SECTION("data and manifest changed together: the signature fails") {
    auto entries = original;
    std::string& data = entry_named(entries, "data/users.csv").data;
    data.replace(data.find('\n') + 1, 1, "9");
    Json manifest = Json::parse(entry_named(entries, "datapackage.json").data);
    for (auto& r : manifest["resources"])
      if (r["name"] == "users") r["hash"] = "sha256:" + sha256_hex(data);
    entry_named(entries, "datapackage.json").data = manifest.dump(2) + "\n";
    write_package_entries(ws.package("f.tar.zst"), entries);
    auto run = import_into_dest(ws, "f.tar.zst");
    CHECK(run.code == 65);
    CHECK(run.err.find("signature") != std::string::npos);
    // Unsigned, the same package passes the hashes; a tenant that requires signatures
    // refuses it.
    entries.pop_back();  // the signature
    write_package_entries(ws.package("u.tar.zst"), entries);
    ws.config()["tenants"]["dest"]["export"]["require_signed"] = true;
    ws.save();
    auto unsigned_run = import_into_dest(ws, "u.tar.zst");
    CHECK(unsigned_run.code == 77);
    CHECK(unsigned_run.err.find("not signed") != std::string::npos);
  }
  SECTION("a package signed by a key the tenant does not trust") {
    SigningKey other = generate_signing_key();
    auto entries = original;
    std::string manifest = entry_named(entries, "datapackage.json").data;
    Json signature = {
        {"algorithm", "ed25519"},
        {"public_key", base64_encode(std::string_view(
                           reinterpret_cast<const char*>(other.public_key.data()), 32))},
        {"signature", sign_detached(other, manifest)}};
    entry_named(entries, "datapackage.json.sig").data = signature.dump();
    write_package_entries(ws.package("f.tar.zst"), entries);
    auto run = import_into_dest(ws, "f.tar.zst");
    CHECK(run.code == 65);
    CHECK(run.err.find("verify_keys") != std::string::npos);
  }
  CHECK_FALSE(dest_has_tables(ws));
}

TEST_CASE("crafted packages: unsafe paths, links, unlisted files, wrong counts, unknown types",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "50"}).code == 0);
  REQUIRE(export_to(ws, "a.tar.zst", {"--tables", "templates"}).code == 0);
  auto original = read_package_entries(ws.package("a.tar.zst"));
  Json manifest = Json::parse(entry_named(original, "datapackage.json").data);
  std::string data = entry_named(original, "data/templates.csv").data;

  auto craft = [&](std::vector<CraftedEntry> entries, const Json& m) {
    entries.push_back({"datapackage.json", m.dump(2), {}});
    write_package_entries(ws.package("c.tar.zst"), entries);
    return import_into_dest(ws, "c.tar.zst");
  };
  auto with_path = [&](const std::string& path) {
    Json m = manifest;
    m["resources"][0]["path"] = path;
    return m;
  };
  struct Case {
    const char* what;
    std::vector<CraftedEntry> entries;
    Json manifest;
    const char* message;
  };
  Json wrong_rows = manifest;
  wrong_rows["resources"][0]["rows"] = 13;
  Json unknown_type = manifest;
  unknown_type["resources"][0]["schema"]["fields"][1]["type"] = "geopoint";
  unknown_type["resources"][0]["schema"]["fields"][1].erase("dihya:type");
  std::vector<Case> cases = {
      {"../", {{"../templates.csv", data, {}}}, with_path("../templates.csv"), ".."},
      {"absolute", {{"/tmp/templates.csv", data, {}}}, with_path("/tmp/templates.csv"), "/tmp"},
      {"link", {{"data/templates.csv", "", "/etc/passwd"}}, manifest, "link"},
      {"unlisted",
       {{"data/templates.csv", data, {}}, {"data/extra.csv", "a\n1\n", {}}},
       manifest,
       "data/extra.csv"},
      {"rows", {{"data/templates.csv", data, {}}}, wrong_rows, "13 rows"},
      {"type", {{"data/templates.csv", data, {}}}, unknown_type, "geopoint"},
      {"missing", {}, manifest, "data/templates.csv"},
  };
  for (const auto& c : cases) {
    auto run = craft(c.entries, c.manifest);
    INFO(c.what);
    INFO(run.err);
    CHECK(run.code == 65);
    CHECK(run.err.find(c.message) != std::string::npos);
  }
  CHECK_FALSE(dest_has_tables(ws));
}

TEST_CASE("shared tables keep to the tenant's rows; hooks can veto; metrics and audit",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  execute_on(ws.source_db(),
             "CREATE TABLE notes (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, body TEXT); "
             "INSERT INTO notes VALUES (1, 'demo', 'mine'), (2, 'other', 'theirs'), "
             "(3, 'demo', NULL)");
  ws.config()["tenants"]["demo"]["export"]["tenant_column"] = "tenant";
  ws.save();
  auto exported = export_to(ws, "n.tar.zst", {"--sign"});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  auto entries = read_package_entries(ws.package("n.tar.zst"));
  CHECK(entry_named(entries, "data/notes.csv").data == "id,tenant,body\n1,demo,mine\n3,demo,\n");

  auto record = Json::parse(read_lines(ws.audit_log()).back());
  CHECK(record["details"]["rows"] == 2);
  CHECK(record["details"]["tenant_filter"] == "tenant");
  CHECK(record["details"]["package_sha256"] == sha256_hex(read_text(ws.package("n.tar.zst"))));
  std::string metrics = read_text(ws.state_dir() / "metrics" / "export.prom");
  auto line = metrics.find("\ndihya_export_rows");
  REQUIRE(line != std::string::npos);
  CHECK(metrics.substr(line + 1, metrics.find('\n', line + 1) - line - 1).ends_with(" 2"));
  for (const char* name : {"dihya_export_bytes", "dihya_export_duration_seconds",
                           "dihya_export_last_success_timestamp_seconds"})
    CHECK(metrics.find(name) != std::string::npos);

  fs::path hooks = ws.state_dir("dest") / "hooks" / "import.pre.d";
  write_text(hooks / "10-no", "#!/bin/sh\nexit 1\n", 0755);
  fs::permissions(hooks, static_cast<fs::perms>(0755), fs::perm_options::replace);
  CHECK(import_into_dest(ws, "n.tar.zst").code == 1);
  CHECK_FALSE(dest_has_tables(ws));
  fs::remove(hooks / "10-no");
  REQUIRE(import_into_dest(ws, "n.tar.zst").code == 0);
  auto imported = Json::parse(read_lines(ws.audit_log("dest")).back());
  CHECK(imported["action"] == "import");
  CHECK(imported["details"]["tables"][0]["rows"] == 2);
}

TEST_CASE("partial and expression indexes are left out with a warning, never made keys",
          "[souverainete_tool]") {
  PackageWorkspace ws;
  // The address is unique among live accounts only: two removed ones share it.
  execute_on(ws.source_db(),
             "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, gone INTEGER NOT NULL); "
             "CREATE UNIQUE INDEX accounts_live ON accounts (email) WHERE gone = 0; "
             "CREATE INDEX accounts_lower ON accounts (lower(email)); "
             "CREATE INDEX accounts_gone ON accounts (gone); "
             "INSERT INTO accounts VALUES (1, 'a@x', 1), (2, 'a@x', 1), (3, 'a@x', 0)");
  auto exported = export_to(ws, "i.tar.zst");
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  CHECK(exported.err.find("accounts_live") != std::string::npos);
  CHECK(exported.err.find("accounts_lower") != std::string::npos);
  CHECK(exported.err.find("souverainete.index_left_out") != std::string::npos);
  auto entries = read_package_entries(ws.package("i.tar.zst"));
  auto manifest = Json::parse(entry_named(entries, "datapackage.json").data);
  const Json& schema = manifest["resources"][0]["schema"];
  CHECK_FALSE(schema.contains("uniqueKeys"));
  REQUIRE(schema["dihya:indexes"].size() == 1);
  CHECK(schema["dihya:indexes"][0]["name"] == "accounts_gone");

  auto imported = import_into_dest(ws, "i.tar.zst");
  INFO(imported.err);
  REQUIRE(imported.code == 0);
  CHECK(database_dump(sqlite_url(ws.dest_db())) == database_dump(sqlite_url(ws.source_db())));
}

TEST_CASE("an import killed while it loads leaves the target as it was", "[souverainete_tool]") {
  PackageWorkspace ws;
  REQUIRE(ws.run("seed", {"--tenant", "demo", "--scale", "30000"}).code == 0);
  REQUIRE(export_to(ws, "big.tar.zst").code == 0);
  REQUIRE(ws.run("seed", {"--tenant", "dest", "--scale", "50"}).code == 0);
  std::string before = database_dump(sqlite_url(ws.dest_db()));

  pid_t pid = spawn_tool(
      ws, "import", {"--tenant", "dest", "--mode", "replace", ws.package("big.tar.zst").string()});
  // Once the load has begun writing, the rollback journal exists.
  fs::path journal = ws.dest_db().string() + "-journal";
  bool loading = false;
  for (int i = 0; i < 20000 && !loading; ++i) {
    loading = fs::exists(journal);
    if (!loading) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(loading);
  REQUIRE(WIFSIGNALED(status));
  CHECK(database_dump(sqlite_url(ws.dest_db())) == before);
}
