// anonymize end to end on SQLite: every strategy of a map over the seeded demo database,
// the proof that follows (leak check, keys, k-anonymity), bad maps, refusals, interruption.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "core/data/db.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("anonymize masks every mapped column in place and proves it", "[rgpd_tool]") {
  RgpdWorkspace ws;
  // One IP shared by a user and an event: masked alike in both tables.
  REQUIRE(ws.open()->execute(
      "UPDATE events SET ip = (SELECT ip FROM users WHERE id = 1) WHERE id = 1"));
  auto emails = ws.column("SELECT email FROM users ORDER BY id");
  auto cities = sorted(ws.column("SELECT city FROM users"));
  std::string before = database_dump(ws.url());

  auto missing = ws.anonymize({"--target", "all"});
  CHECK(missing.code == 66);
  CHECK(missing.err.find("anonymize --generate-key") != std::string::npos);

  auto generated = ws.anonymize({"--generate-key", "--json"});
  INFO(generated.err);
  REQUIRE(generated.code == 0);
  fs::path key = ws.state_dir() / "rgpd" / "masking.key";
  struct stat st {};
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(ws.anonymize({"--generate-key"}).code == 73);

  auto plan = ws.run("anonymize", {"--target", "all", "--dry-run", "--json"});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  Json planned = Json::parse(plan.out)["tables"];
  REQUIRE(planned.size() == 2);
  for (const auto& t : planned) CHECK(t["rows"] == (t["table"] == "users" ? 300 : 1200));
  CHECK(database_dump(ws.url()) == before);

  auto done = ws.anonymize({"--target", "all", "--json"});
  INFO(done.err);
  REQUIRE(done.code == 0);
  Json report = Json::parse(done.out);
  CHECK(report["verified"] == true);
  CHECK(report["leaks"].empty());
  CHECK(report["rows"] == 300 + 1200);

  auto masked = ws.column("SELECT email FROM users ORDER BY id");
  REQUIRE(masked.size() == emails.size());
  for (std::size_t i = 0; i < masked.size(); ++i) CHECK(masked[i] != emails[i]);
  CHECK(ws.column("SELECT count(*) FROM users WHERE email IN (SELECT email FROM users GROUP BY "
                  "email HAVING count(*) > 1)")[0] == "0");
  CHECK(ws.column("SELECT count(*) FROM users WHERE birth_date IS NOT NULL AND "
                  "substr(birth_date, 5) != '-01-01'")[0] == "0");
  CHECK(ws.column("SELECT DISTINCT address FROM users WHERE address IS NOT NULL") ==
        std::vector<std::string>{"[redacted]"});
  CHECK(sorted(ws.column("SELECT city FROM users")) == cities);
  CHECK(ws.column("SELECT count(*) FROM events e JOIN users u ON u.id = e.user_id")[0] == "1200");
  CHECK(ws.column("SELECT (SELECT ip FROM users WHERE id = 1) = (SELECT ip FROM events WHERE id "
                  "= 1)")[0] == "1");

  // Audit: counts and the key id, never a value.
  auto lines = read_lines(ws.audit_log());
  Json record = Json::parse(lines.back());
  CHECK(record["tool"] == "anonymize");
  CHECK(record["details"]["rows"] == 1500);
  CHECK(record["details"]["key_id"] == report["key_id"]);
  CHECK(lines.back().find(emails[0]) == std::string::npos);

  // Run again: every table is in the journal, nothing is masked twice.
  std::string after = database_dump(ws.url());
  auto again = ws.anonymize({"--target", "all", "--json"});
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(Json::parse(again.out)["skipped"].size() == 2);
  CHECK(database_dump(ws.url()) == after);
}

TEST_CASE("anonymize is deterministic: the same key gives the same database", "[rgpd_tool]") {
  RgpdWorkspace a(100), b(100);
  REQUIRE(a.anonymize({"--generate-key"}).code == 0);
  fs::path key = b.state_dir() / "rgpd" / "masking.key";
  fs::create_directories(key.parent_path());
  fs::copy_file(a.state_dir() / "rgpd" / "masking.key", key);
  REQUIRE(a.anonymize({"--target", "all"}).code == 0);
  REQUIRE(b.anonymize({"--target", "users"}).code == 0);
  REQUIRE(b.anonymize({"--target", "events"}).code == 0);
  CHECK(a.column("SELECT email || phone || ip || full_name || city FROM users ORDER BY id") ==
        b.column("SELECT email || phone || ip || full_name || city FROM users ORDER BY id"));
  CHECK(a.column("SELECT ip FROM events ORDER BY id") ==
        b.column("SELECT ip FROM events ORDER BY id"));
}

TEST_CASE("the leak check catches a column left unmasked; k-anonymity is computed", "[rgpd_tool]") {
  RgpdWorkspace ws(50);
  REQUIRE(ws.anonymize({"--generate-key"}).code == 0);
  {
    auto db = ws.open();
    REQUIRE(db->execute("CREATE TABLE newsletter (id INTEGER PRIMARY KEY, email TEXT)"));
    REQUIRE(db->execute("INSERT INTO newsletter SELECT id, email FROM users WHERE id <= 7"));
    // Groups of 3, 2 and 4 rows over (zip, band): 2-anonymous.
    REQUIRE(db->execute(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, zip TEXT, band TEXT)"));
    REQUIRE(
        db->execute("INSERT INTO people VALUES (1,'a','15000','20-29'), (2,'b','15000','20-29'), "
                    "(3,'c','15000','20-29'), (4,'d','16000','20-29'), (5,'e','16000','20-29'), "
                    "(6,'f','15000','30-39'), (7,'g','15000','30-39'), (8,'h','15000','30-39'), "
                    "(9,'i','15000','30-39')"));
  }
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["people"] = {
      {"columns", {{"name", {{"category", "identity"}, {"mask", "fake:name"}}}}}};
  ws.config()["tenants"]["demo"]["personal_data"]["quasi_identifiers"] = {"people.zip",
                                                                          "people.band"};
  ws.save();
  auto run = ws.anonymize({"--target", "all", "--json", "--min-k", "2"});
  CHECK(run.code == 1);
  Json report = Json::parse(run.out);
  REQUIRE(report["leaks"].size() == 1);
  CHECK(report["leaks"][0]["table"] == "newsletter");
  CHECK(report["leaks"][0]["column"] == "email");
  CHECK(report["leaks"][0]["count"] == 7);
  CHECK(run.err.find("newsletter.email") != std::string::npos);
  REQUIRE(report["k_anonymity"].size() == 1);
  CHECK(report["k_anonymity"][0]["k"] == 2);
  CHECK(report["verified"] == false);

  // The masked tables are in the journal; k-anonymity below --min-k 3 fails on its own.
  REQUIRE(ws.open()->execute("DROP TABLE newsletter"));
  auto strict = ws.anonymize({"--target", "all", "--min-k", "3"});
  CHECK(strict.code == 1);
  CHECK(strict.err.find("only 2-anonymous") != std::string::npos);
  CHECK(ws.anonymize({"--target", "all", "--min-k", "2"}).code == 0);
}

TEST_CASE("anonymize refuses bad maps, bad options, denied users and production", "[rgpd_tool]") {
  RgpdWorkspace ws(20);
  REQUIRE(ws.anonymize({"--generate-key"}).code == 0);
  std::string before = database_dump(ws.url());
  Json& map = ws.config()["tenants"]["demo"]["personal_data"];
  struct Case {
    const char* name;
    std::function<void(Json&)> change;
    const char* path;
  };
  std::vector<Case> cases = {
      {"unknown table",
       [](Json& m) {
         m["tables"]["nope"] = {{"columns", Json::object()}};
       },
       "tenants.demo.personal_data.tables.nope"},
      {"unknown column",
       [](Json& m) {
         m["tables"]["users"]["columns"]["nope"] = {{"category", "x"}, {"mask", "hash"}};
       },
       "tenants.demo.personal_data.tables.users.columns.nope"},
      {"unknown strategy",
       [](Json& m) { m["tables"]["users"]["columns"]["email"]["mask"] = "fake:emial"; },
       "tenants.demo.personal_data.tables.users.columns.email.mask"},
      {"strategy not fitting the type",
       [](Json& m) { m["tables"]["users"]["columns"]["city"]["mask"] = "generalize:year"; },
       "tenants.demo.personal_data.tables.users.columns.city.mask"},
      {"null on a NOT NULL column",
       [](Json& m) { m["tables"]["events"]["columns"]["user_agent"]["mask"] = "null"; },
       "tenants.demo.personal_data.tables.events.columns.user_agent.mask"},
      {"a key column",
       [](Json& m) {
         m["tables"]["events"]["columns"]["user_id"] = {{"category", "x"}, {"mask", "hash"}};
       },
       "tenants.demo.personal_data.tables.events.columns.user_id.mask"},
  };
  Json original = map;
  for (const auto& c : cases) {
    INFO(c.name);
    map = original;
    c.change(map);
    ws.save();
    auto run = ws.anonymize({"--target", "all"});
    CHECK(run.code == 78);
    CHECK(run.err.find(c.path) != std::string::npos);
  }
  map = original;
  ws.save();
  CHECK(ws.anonymize({}).code == 64);
  CHECK(ws.anonymize({"--target", "all", "--min-k", "0"}).code == 64);
  CHECK(ws.anonymize({"--target", "nope"}).code == 64);
  CHECK(ws.anonymize({"--target", "all", "--generate-key"}).code == 64);
  CHECK(ws.anonymize({"--target", "all", "--user", "reader"}).code == 77);
  ws.config()["tenants"]["demo"]["environment"] = "production";
  ws.save();
  auto refused = ws.anonymize({"--target", "all"});
  CHECK(refused.code == 77);
  CHECK(refused.err.find("--reason") != std::string::npos);
  CHECK(ws.anonymize({"--target", "all", "--yes"}).code == 77);
  CHECK(database_dump(ws.url()) == before);
  auto forced = ws.anonymize({"--target", "all", "--yes", "--reason", "copy for staging"});
  INFO(forced.err);
  CHECK(forced.code == 0);
}

TEST_CASE("anonymize killed mid-run: each table is all original or all masked; a rerun ends it",
          "[rgpd_tool]") {
  RgpdWorkspace ws(100000);
  REQUIRE(ws.anonymize({"--generate-key"}).code == 0);
  auto users = ws.column("SELECT email FROM users ORDER BY id");
  auto events = ws.column("SELECT ip FROM events ORDER BY id");
  pid_t pid = spawn_tool(ws, "anonymize", {"--target", "all"});
  // The journal is created just before the first table is masked.
  for (int i = 0; i < 6000; ++i) {
    if (ws.column("SELECT count(*) FROM sqlite_schema WHERE name = 'dihya_anonymized'")[0] == "1")
      break;
    ::usleep(10000);
  }
  ::usleep(300000);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  std::vector<std::string> done;
  if (ws.column("SELECT count(*) FROM sqlite_schema WHERE name = 'dihya_anonymized'")[0] == "1")
    done = ws.column("SELECT table_name FROM dihya_anonymized");
  auto now_users = ws.column("SELECT email FROM users ORDER BY id");
  auto now_events = ws.column("SELECT ip FROM events ORDER BY id");
  bool users_done = std::find(done.begin(), done.end(), "users") != done.end();
  bool events_done = std::find(done.begin(), done.end(), "events") != done.end();
  // A table is masked exactly when the journal says so.
  CHECK((now_users == users) == !users_done);
  CHECK((now_events == events) == !events_done);
  for (std::size_t i = 0; i < now_users.size(); ++i)
    if (users_done) CHECK(now_users[i] != users[i]);
  auto rerun = ws.anonymize({"--target", "all", "--json"});
  INFO(rerun.err);
  REQUIRE(rerun.code == 0);
  CHECK(ws.column("SELECT count(*) FROM dihya_anonymized")[0] == "2");
  auto final_users = ws.column("SELECT email FROM users ORDER BY id");
  for (std::size_t i = 0; i < final_users.size(); ++i) CHECK(final_users[i] != users[i]);
}

TEST_CASE("export --anonymize masks the copy alike, and keys follow their references",
          "[rgpd_tool]") {
  RgpdWorkspace ws(200);
  ws.config()["tenants"]["dest"] = {{"database", "sqlite:data/dest/app.db"},
                                    {"environment", "demo"}};
  ws.save();
  REQUIRE(ws.anonymize({"--tenant", "demo", "--generate-key"}).code == 0);
  std::string before = database_dump(ws.url());
  auto emails = ws.column("SELECT email FROM users ORDER BY id");
  fs::path masked = ws.dir() / "masked.tar.zst";
  auto exported =
      ws.run("export", {"--tenant", "demo", "--anonymize", "--json", "-o", masked.string()});
  INFO(exported.err);
  REQUIRE(exported.code == 0);
  CHECK(Json::parse(exported.out)["anonymized"] == true);
  CHECK(database_dump(ws.url()) == before);  // the source is untouched
  auto imported = ws.run("import", {masked.string(), "--tenant", "dest"});
  INFO(imported.err);
  REQUIRE(imported.code == 0);
  std::string dest = "sqlite:" + (ws.dir() / "data/dest/app.db").string();
  auto copied = query_column(dest, "SELECT email FROM users ORDER BY id");
  REQUIRE(copied.size() == emails.size());
  for (std::size_t i = 0; i < copied.size(); ++i) CHECK(copied[i] != emails[i]);

  // The same engine as anonymize in place: the same values, row for row.
  REQUIRE(ws.anonymize({"--tenant", "demo", "--target", "all"}).code == 0);
  for (const char* sql :
       {"SELECT email || full_name || coalesce(phone, '') || city || ip || coalesce(address, '') "
        "|| coalesce(birth_date, '') || coalesce(last_login_at, '') FROM users ORDER BY id",
        "SELECT ip || user_agent FROM events ORDER BY id"}) {
    INFO(sql);
    CHECK(ws.column(sql) == query_column(dest, sql));
  }

  // A hashed key: every foreign key to it takes the same pseudonym, and the package joins.
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["users"]["columns"]["id"] = {
      {"category", "identifier"}, {"mask", "hash"}};
  ws.save();
  fs::remove(ws.dir() / "data/dest/app.db");
  fs::path keyed = ws.dir() / "keyed.tar.zst";
  auto again = ws.run("export", {"--tenant", "demo", "--anonymize", "-o", keyed.string()});
  INFO(again.err);
  REQUIRE(again.code == 0);
  auto loaded = ws.run("import", {keyed.string(), "--tenant", "dest"});
  INFO(loaded.err);
  REQUIRE(loaded.code == 0);
  CHECK(query_column(dest, "SELECT count(*) FROM events e JOIN users u ON u.id = e.user_id")[0] ==
        "800");
  CHECK(query_column(dest, "SELECT count(*) FROM users WHERE id <= 200")[0] == "0");
  // A foreign key masked unlike its key is refused.
  ws.config()["tenants"]["demo"]["personal_data"]["tables"]["events"]["columns"]["user_id"] = {
      {"category", "identifier"}, {"mask", "noise:pct=5"}};
  ws.save();
  auto broken = ws.run(
      "export", {"--tenant", "demo", "--anonymize", "-o", (ws.dir() / "no.tar.zst").string()});
  CHECK(broken.code == 78);
  CHECK(broken.err.find("events.user_id") != std::string::npos);
  CHECK_FALSE(fs::exists(ws.dir() / "no.tar.zst"));
}
