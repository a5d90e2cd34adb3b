#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/base/process.hpp"
#include "core/data/db.hpp"
#include "core/testing/scratch_db.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

Json last_record(const Workspace& ws) {
  auto lines = read_lines(ws.audit_log());
  REQUIRE_FALSE(lines.empty());
  return Json::parse(lines.back());
}

std::string database_path(const Workspace& ws) {
  return (ws.dir() / "data/demo/app.db").string();
}

std::int64_t users_in(const Workspace& ws) {
  auto db = open_database("sqlite:" + database_path(ws), {true});
  REQUIRE(db.ok());
  return *(*db)->count_rows("users");
}

}  // namespace

TEST_CASE("seed fills the demo tenant, reports, audits and writes metrics", "[seed_tool]") {
  Workspace ws;
  auto run = ws.run("seed", {"--scale", "500", "--json"});
  INFO(run.err);
  REQUIRE(run.code == 0);
  Json summary = Json::parse(run.out);
  CHECK(summary["rows"] == 500 + 12 + 500 + 500 + 2000);
  CHECK(summary["tables"]["events"]["rows"] == 2000);
  CHECK(summary["rows_per_second"].get<double>() > 0);
  Json record = last_record(ws);
  CHECK(record["tool"] == "seed");
  CHECK(record["outcome"] == "success");
  CHECK(record["details"]["rows"]["users"] == 500);
  CHECK(users_in(ws) == 500);
  std::string metrics = read_text(ws.state_dir() / "metrics" / "seed.prom");
  CHECK(
      metrics.find("dihya_seed_rows_total{tenant=\"demo\",tool=\"seed\",table=\"events\"} 2000") !=
      std::string::npos);
  ProcessRequest check;
  check.argv = {std::getenv("DIHYA_PROMTOOL") ? std::getenv("DIHYA_PROMTOOL") : "promtool", "check",
                "metrics"};
  check.stdin_data = metrics;
  auto checked = run_process(check);
  REQUIRE(checked.ok());
  CHECK(checked->exit_code == 0);
  // A second run refuses to pile rows on top; --reset recreates.
  CHECK(ws.run("seed", {"--scale", "100"}).code == 1);
  CHECK(ws.run("seed", {"--scale", "100", "--reset"}).code == 0);
  CHECK(users_in(ws) == 100);
}

TEST_CASE("seed --dry-run shows the plan and writes nothing", "[seed_tool]") {
  Workspace ws;
  auto run = ws.run("seed", {"--scale", "1000", "--dry-run", "--lang", "en"});
  CHECK(run.code == 0);
  CHECK(run.out.find("events: 4000 rows") != std::string::npos);
  CHECK_FALSE(fs::exists(database_path(ws)));
}

TEST_CASE("seed refuses bad input with the right exit codes", "[seed_tool]") {
  Workspace ws;
  CHECK(ws.run("seed", {"--locale", "tlh"}).code == 64);
  CHECK(ws.run("seed", {"--scale", "-3"}).code == 64);
  write_text(ws.dir() / "shop.json",
             R"({"tables": [{"name": "orders", "rows": 10, "columns": [
                 {"name": "id", "type": "integer", "primary_key": true, "generator": "sequence"},
                 {"name": "total", "type": "numeric", "generator": "decimal:1:100"}]}]})");
  auto schema = ws.run("seed", {"--schema", (ws.dir() / "shop.json").string(), "--lang", "en"});
  CHECK(schema.code == 65);
  CHECK(schema.err.find("tables[0].columns[1].generator") != std::string::npos);
  CHECK(ws.run("seed", {"--schema", (ws.dir() / "missing.json").string()}).code == 66);
  ws.config()["tenants"]["demo"]["database"] = "postgresql://dihya@127.0.0.1:1/nowhere";
  ws.save();
  auto unreachable = ws.run("seed", {"--lang", "en"});
  CHECK(unreachable.code == 69);
  CHECK(unreachable.err.find("unreachable") != std::string::npos);
}

TEST_CASE("a production tenant is refused without --force --reason, and audited", "[seed_tool]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["environment"] = "production";
  ws.save();
  auto refused = ws.run("seed", {"--scale", "10", "--lang", "en"});
  CHECK(refused.code == 77);
  CHECK(refused.err.find("production") != std::string::npos);
  CHECK_FALSE(fs::exists(database_path(ws)));
  Json record = last_record(ws);
  CHECK(record["outcome"] == "failure");
  CHECK(record["details"]["message"]["id"] == "seed.production_refused");
  CHECK(ws.run("seed", {"--scale", "10", "--force"}).code == 64);
  CHECK(ws.run("seed", {"--scale", "10", "--force", "--reason", "load test TICKET-42"}).code == 0);
  CHECK(last_record(ws)["details"]["reason"] == "load test TICKET-42");
}

TEST_CASE("a seed.pre hook can veto seeding", "[seed_tool]") {
  Workspace ws;
  fs::path dir = ws.state_dir() / "hooks" / "seed.pre.d";
  write_text(dir / "10-no", "#!/bin/sh\nexit 1\n", 0755);
  fs::permissions(dir, static_cast<fs::perms>(0755), fs::perm_options::replace);
  CHECK(ws.run("seed", {"--scale", "10"}).code == 1);
  CHECK_FALSE(fs::exists(database_path(ws)));
}

TEST_CASE("seed killed with SIGKILL leaves the previous database intact", "[seed_tool]") {
  Workspace ws;
  REQUIRE(ws.run("seed", {"--scale", "2000"}).code == 0);
  std::string before;
  {
    auto db = open_database("sqlite:" + database_path(ws), {true});
    REQUIRE(db.ok());
    before = dump_table(**db, "users");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(tool_path("seed").c_str(), "seed", "--config", ws.config_path().c_str(), "--scale",
            "2000000", "--reset", "-q", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::usleep(1500 * 1000);  // well into the load
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  auto db = open_database("sqlite:" + database_path(ws), {true});
  REQUIRE(db.ok());
  CHECK(dump_table(**db, "users") == before);
  auto integrity = (*db)->prepare("PRAGMA integrity_check");
  REQUIRE(integrity.ok());
  REQUIRE(*(*integrity)->step());
  CHECK((*integrity)->get_text(0) == "ok");
}

TEST_CASE("seed on a database file that is not a database is 65 and leaves it alone",
          "[seed_tool]") {
  Workspace ws;
  std::string garbage(8192, 'z');
  write_text(database_path(ws), garbage);
  auto run = ws.run("seed", {"--scale", "10", "--lang", "en"});
  CHECK(run.code == 65);
  CHECK(run.err.find("SQLite") != std::string::npos);
  CHECK(read_text(database_path(ws)) == garbage);
}

TEST_CASE("seed by a user without seed.run is denied and audited", "[seed_tool]") {
  Workspace ws;
  ws.config()["users"]["admin"]["roles"] = {"auditor"};
  ws.save();
  CHECK(ws.run("seed", {"--scale", "10"}).code == 77);
  CHECK_FALSE(fs::exists(database_path(ws)));
  CHECK(last_record(ws)["outcome"] == "denied");
}

TEST_CASE("seed interrupted with SIGINT exits 130 and changes nothing", "[seed_tool]") {
  Workspace ws;
  REQUIRE(ws.run("seed", {"--scale", "1000"}).code == 0);
  std::int64_t before = users_in(ws);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(tool_path("seed").c_str(), "seed", "--config", ws.config_path().c_str(), "--scale",
            "3000000", "--reset", "-q", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::usleep(1500 * 1000);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(users_in(ws) == before);
  CHECK(last_record(ws)["exit_code"] == 130);
}
