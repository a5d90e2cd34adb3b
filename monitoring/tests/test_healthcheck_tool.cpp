#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>

#include "core/base/clock.hpp"
#include "core/data/db.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;
using nlohmann::json;

namespace {

// A workspace whose disk thresholds never fire (the test machine's disk may be nearly full),
// with its SQLite database created unless MISSING_DATABASE.
struct HealthWorkspace : Workspace {
  explicit HealthWorkspace(bool missing_database = false) {
    config()["tenants"]["demo"]["monitoring"] = {
        {"cache", "0s"},
        {"checks",
         {{"disk", {{"warning", "0:"}, {"critical", "0:"}}},
          {"inodes", {{"warning", "0:"}, {"critical", "0:"}}}}}};
    save();
    if (missing_database) return;
    fs::create_directories(dir() / "data/demo");
    auto db = open_database("sqlite:" + (dir() / "data/demo/app.db").string());
    REQUIRE(db);
    REQUIRE((*db)->execute("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
  }
};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("healthcheck: with the database gone, live stays OK and ready is CRITICAL",
          "[monitoring_tool]") {
  HealthWorkspace ws(true);
  auto live = ws.run("healthcheck", {"--probe", "live", "--nagios"});
  CHECK(live.code == 0);
  CHECK(first_line(live.out) == "DIHYA live OK - alive");
  auto ready = ws.run("healthcheck", {"--probe", "ready", "--nagios"});
  CHECK(ready.code == 2);
  CHECK(first_line(ready.out).rfind("DIHYA ready CRITICAL - database: ", 0) == 0);
  CHECK(ready.out.find("'database'=U;1;5") != std::string::npos);
  auto doc = json::parse(ws.run("healthcheck", {"--probe", "ready", "--json"}).out);
  CHECK(doc["status"] == "fail");
  CHECK(doc["checks"]["database:responseTime"][0]["status"] == "fail");
  CHECK(doc["checks"]["disk:freeSpace"][0]["status"] == "pass");
  auto startup = ws.run("healthcheck", {"--probe", "startup"});
  CHECK(startup.code == 2);
  CHECK(startup.out.find("CRITICAL") != std::string::npos);
}

TEST_CASE("healthcheck: a healthy tenant passes every probe, with perfdata", "[monitoring_tool]") {
  HealthWorkspace ws;
  auto ready = ws.run("healthcheck", {"--probe", "ready", "--nagios"});
  INFO(ready.out << ready.err);
  CHECK(ready.code == 0);
  CHECK(first_line(ready.out).rfind("DIHYA ready OK - ", 0) == 0);
  CHECK(ready.out.find("'database'=") != std::string::npos);
  CHECK(ready.out.find("'disk:state_dir'=") != std::string::npos);
  CHECK(ready.out.find("'inodes:database'=") != std::string::npos);
  CHECK(ready.out.find("'maintenance'=0;;;0;1") != std::string::npos);
  auto full = ws.run("healthcheck", {"--json"});
  CHECK(full.code == 0);
  auto doc = json::parse(full.out);
  CHECK(doc["status"] == "pass");
  CHECK(doc["checks"]["audit:chainIntact"][0]["observedValue"] == 1);
  CHECK(doc["checks"]["database:responseTime"][0]["observedUnit"] == "s");
  auto human = ws.run("healthcheck", {"--lang", "fr"});
  CHECK(human.out.find("Santé du tenant demo (full) : OK") != std::string::npos);
}

TEST_CASE("healthcheck: -w and -c override one check's thresholds", "[monitoring_tool]") {
  HealthWorkspace ws;
  auto warn = ws.run("healthcheck", {"--nagios", "--check", "disk", "-w", "101:", "-c", "0:"});
  CHECK(warn.code == 1);
  CHECK(first_line(warn.out).rfind("DIHYA full WARNING - disk", 0) == 0);
  CHECK(warn.out.find(";101:;0:;0;100") != std::string::npos);
  auto crit = ws.run("healthcheck", {"--nagios", "--check", "disk", "-c", "@0:100"});
  CHECK(crit.code == 2);
  auto ok = ws.run("healthcheck", {"--nagios", "--check", "database", "-w", "~:60"});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("'database'=") != std::string::npos);
  CHECK(ok.out.find(";~:60;5") != std::string::npos);
}

TEST_CASE("healthcheck: bad options are usage errors, and --help says the codes differ",
          "[monitoring_tool]") {
  HealthWorkspace ws;
  CHECK(ws.run("healthcheck", {"-w", "10"}).code == 64);
  CHECK(ws.run("healthcheck", {"--check", "disk", "--check", "database", "-c", "5"}).code == 64);
  CHECK(ws.run("healthcheck", {"--check", "disk", "-w", "10:5"}).code == 64);
  CHECK(ws.run("healthcheck", {"--probe", "sideways"}).code == 64);
  CHECK(ws.run("healthcheck", {"--check", "telepathy"}).code == 64);
  CHECK(ws.run("healthcheck", {"--probe", "live", "--check", "disk"}).code == 64);
  CHECK(ws.run("healthcheck", {"--nagios", "--json"}).code == 64);
  auto help = ws.run("healthcheck", {"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN") != std::string::npos);
  ws.config()["tenants"]["demo"]["monitoring"]["checks"]["backup_age"] = {{"warning", "1h"}};
  ws.save();
  auto bad = ws.run("check_config", {});
  CHECK(bad.code == 78);
  CHECK(bad.err.find("tenants.demo.monitoring.checks.backup_age.warning") != std::string::npos);
}

TEST_CASE("healthcheck: backup age, audit chain, maintenance and stale metrics",
          "[monitoring_tool]") {
  HealthWorkspace ws;
  ws.config()["tenants"]["demo"]["backup"] = {{"repository", "backups"}};
  ws.save();
  auto never = ws.run("healthcheck", {"--nagios", "--check", "backup_age"});
  CHECK(never.code == 2);
  CHECK(never.out.find("no db backup yet") != std::string::npos);
  auto made = ws.run("backup", {"--target", "db"});
  REQUIRE(made.code == 0);
  auto fresh = ws.run("healthcheck", {"--nagios", "--check", "backup_age"});
  CHECK(fresh.code == 0);
  CHECK(fresh.out.find("'backup_age:db'=") != std::string::npos);
  // The sidecar says the backup is three days old: past the default 50 h critical age.
  for (const auto& entry : fs::directory_iterator(ws.dir() / "backups")) {
    if (entry.path().extension() != ".json") continue;
    json sidecar = json::parse(read_text(entry.path()));
    sidecar["created"] = format_rfc3339_ms(now_ms() - 3 * 86'400'000LL);
    write_text(entry.path(), sidecar.dump(2), 0600);
  }
  auto old = ws.run("healthcheck", {"--nagios", "--check", "backup_age"});
  CHECK(old.code == 2);
  INFO(old.out);
  CHECK(old.out.find("is 3d") != std::string::npos);

  write_text(ws.state_dir() / "maintenance" / "state.json",
             R"({"on": true, "reason": "upgrade", "by": "admin"})");
  auto ready = ws.run("healthcheck", {"--probe", "ready", "--nagios"});
  CHECK(ready.code == 1);
  CHECK(ready.out.find("maintenance mode on (upgrade, by admin)") != std::string::npos);
  CHECK(ws.run("healthcheck", {"--probe", "live"}).code == 0);

  auto lines = read_lines(ws.audit_log());
  REQUIRE(lines.size() > 2);
  json record = json::parse(lines[1]);
  record["outcome"] = "denied";
  lines[1] = record.dump();
  write_lines(ws.audit_log(), lines);
  auto audit = ws.run("healthcheck", {"--nagios", "--check", "audit"});
  CHECK(audit.code == 2);
  CHECK(audit.out.find("audit chain broken at record 2") != std::string::npos);

  auto stale = ws.run("healthcheck",
                      {"--nagios", "--check", "metrics_stale", "-w", "~:-1", "--user", "admin"});
  CHECK(stale.code == 1);
  CHECK(stale.out.find("'metrics_stale:backup'=") != std::string::npos);
}

TEST_CASE("healthcheck: concurrent calls share one measurement per cache window",
          "[monitoring_tool]") {
  HealthWorkspace ws;
  ws.config()["tenants"]["demo"]["monitoring"]["cache"] = "1h";
  ws.save();
  constexpr int k_calls = 24;
  std::vector<pid_t> children;
  std::vector<fs::path> outputs;
  for (int i = 0; i < k_calls; ++i) {
    fs::path out = ws.dir() / ("out" + std::to_string(i) + ".json");
    outputs.push_back(out);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto run = ws.run("healthcheck", {"--probe", "ready", "--json"});
      write_text(out, run.out);
      ::_exit(run.code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::set<std::string> measured;
  for (const auto& out : outputs) {
    auto doc = json::parse(read_text(out));
    measured.insert(doc["checks"]["database:responseTime"][0]["time"].get<std::string>());
  }
  // Every caller reports the one measurement the first made.
  CHECK(measured.size() == 1);
}
