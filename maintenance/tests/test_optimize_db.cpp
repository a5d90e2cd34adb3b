// End-to-end tests of optimize_db on each engine (scratch_db.hpp): the plan from measurements,
// dry-run equal to the real run, refusals, the maintenance window, and a live writer.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <thread>

#include "core/testing/scratch_db.hpp"
#include "maintenance/tests/maintenance_support.hpp"

using namespace dihya;
using namespace dihya::test;
using Json = nlohmann::json;

namespace {

struct EngineWorkspace {
  ScratchDatabase scratch{k_test_engine};
  MaintenanceWorkspace ws{20, k_test_engine == Engine::sqlite ? "" : scratch.url()};

  // A table with many rows deleted: free pages on SQLite, dead rows and a bloated index on
  // PostgreSQL (autovacuum kept off it so the figures stay as measured).
  void make_bloat() {
    bool pg = k_test_engine == Engine::postgresql;
    ws.sql("CREATE TABLE junk (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    if (pg) ws.sql("ALTER TABLE junk SET (autovacuum_enabled = false)");
    ws.sql("CREATE INDEX junk_body ON junk (body)");
    std::string series = pg ? "SELECT g, repeat(md5(g::text), 12) FROM generate_series(1, 20000) g"
                            : "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s "
                              "WHERE g < 20000) SELECT g, printf('%.384d', g) FROM s";
    ws.sql("INSERT INTO junk (id, body) " + series);
    if (pg) ws.sql("ANALYZE junk");
    ws.sql("DELETE FROM junk WHERE id % 10 <> 0");
  }
};

Json run_json(const Workspace& ws, std::vector<std::string> args, int expected) {
  args.push_back("--json");
  auto result = ws.run("optimize_db", args);
  INFO(result.out << result.err);
  REQUIRE(result.code == expected);
  return Json::parse(result.out);
}

std::vector<std::string> actions(const Json& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s["action"].get<std::string>() + " " + s["object"].get<std::string>());
  return out;
}

bool has_action(const Json& steps, const std::string& action) {
  for (const auto& s : steps)
    if (s["action"] == action) return true;
  return false;
}

std::string clock_at(int hours_from_now) {
  std::time_t t = std::time(nullptr) + hours_from_now * 3600;
  std::tm local{};
  localtime_r(&t, &local);
  char text[8];
  std::snprintf(text, sizeof text, "%02d:00", local.tm_hour);
  return text;
}

}  // namespace

TEST_CASE("optimize_db: the dry-run plan is what the real run does, each step with its reason",
          "[optimize]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  e.make_bloat();
  Json plan = run_json(e.ws, {"--dry-run", "--reindex"}, 0);
  CHECK(plan["dry_run"] == true);
  CHECK_FALSE(plan.contains("steps"));
  bool pg = k_test_engine == Engine::postgresql;
  CHECK(has_action(plan["plan"], "vacuum"));
  if (pg) CHECK(has_action(plan["plan"], "reindex"));
  for (const auto& step : plan["plan"]) CHECK(!step["reason"]["id"].get<std::string>().empty());
  if (!pg) CHECK(plan["measurements"]["free_percent"].get<double>() > 10);
  Json real = run_json(e.ws, {"--reindex"}, 0);
  CHECK(actions(real["plan"]) == actions(plan["plan"]));
  CHECK(actions(real["steps"]) == actions(plan["plan"]));
  for (const auto& step : real["steps"]) {
    INFO(step.dump());
    CHECK(step["outcome"] == "done");
    CHECK(step.contains("before_bytes"));
    CHECK(step.contains("duration_ms"));
  }
  // Once applied, nothing is over its threshold any more.
  Json again = run_json(e.ws, {"--dry-run"}, 0);
  CHECK_FALSE(has_action(again["plan"], "vacuum"));
  // The human output says why.
  auto text = e.ws.run("optimize_db", {"--dry-run", "--vacuum", "full"});
  CHECK(text.code == 0);
  CHECK(text.out.find("asked for (--vacuum full)") != std::string::npos);
}

TEST_CASE("optimize_db: the maintenance window refuses a run unless --force --reason",
          "[optimize]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  e.ws.config()["tenants"]["demo"]["maintenance"] = {
      {"window", {{"start", clock_at(2)}, {"end", clock_at(3)}}}};
  e.ws.save();
  CHECK(e.ws.run("optimize_db", {}).code == 75);
  CHECK(e.ws.run("optimize_db", {"--dry-run"}).code == 0);
  CHECK(e.ws.run("optimize_db", {"--force"}).code == 64);
  CHECK(e.ws.run("optimize_db", {"--vacuum", "sometimes"}).code == 64);
  auto forced = e.ws.run("optimize_db", {"--force", "--reason", "after the bulk purge"});
  INFO(forced.err);
  CHECK(forced.code == 0);
  Json last = Json::parse(read_lines(e.ws.audit_log()).back());
  CHECK(last["details"]["reason"] == "after the bulk purge");
  CHECK(e.ws.run("optimize_db", {"--user", "reader"}).code == 77);
}

TEST_CASE("optimize_db: a live writer keeps writing, never waiting past the lock timeout",
          "[optimize]" DIHYA_ENGINE_TAG) {
  EngineWorkspace e;
  e.make_bloat();
  const int lock_timeout_ms = 2000;
  e.ws.config()["tenants"]["demo"]["maintenance"] = {{"optimize", {{"lock_timeout", "2s"}}}};
  e.ws.save();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0}, failed{0};
  std::atomic<long long> longest_ms{0};
  std::thread writer([&] {
    auto db = e.ws.open();
    // The writer's own wait is bounded by the same timeout: any longer wait fails its insert.
    if (db->engine() == Engine::sqlite)
      REQUIRE(db->execute("PRAGMA busy_timeout = " + std::to_string(lock_timeout_ms)).ok());
    else
      REQUIRE(db->execute("SET lock_timeout = " + std::to_string(lock_timeout_ms)).ok());
    for (int i = 0; !stop; ++i) {
      auto started = std::chrono::steady_clock::now();
      bool ok = db->execute("INSERT INTO junk (id, body) VALUES (" + std::to_string(100000 + i) +
                            ", 'live')").ok();
      long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started).count();
      if (ms > longest_ms) longest_ms = ms;
      (ok ? written : failed)++;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  while (written < 10) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int before = written;
  std::vector<std::string> args = {"--reindex", "--analyze"};
  if (k_test_engine == Engine::sqlite) args.insert(args.end(), {"--vacuum", "full"});
  Json real = run_json(e.ws, args, 0);
  int during = written - before;
  stop = true;
  writer.join();
  WARN("writer: " << written << " rows, longest wait " << longest_ms << " ms");
  CHECK(failed == 0);
  CHECK(during > 0);
  CHECK(has_action(real["steps"], k_test_engine == Engine::sqlite ? "vacuum" : "reindex"));
}

#ifndef DIHYA_TEST_ENGINE_POSTGRESQL

TEST_CASE("optimize_db: VACUUM refused when the disk cannot hold a copy and the margin",
          "[optimize][sqlite]") {
  EngineWorkspace e;
  e.make_bloat();
  e.ws.config()["tenants"]["demo"]["maintenance"] = {{"optimize", {{"disk_margin", "1000T"}}}};
  e.ws.save();
  auto size = fs::file_size(e.ws.sqlite_file());
  Json plan = run_json(e.ws, {"--dry-run"}, 0);
  REQUIRE(has_action(plan["plan"], "vacuum"));
  Json vacuum;
  for (const auto& s : plan["plan"])
    if (s["action"] == "vacuum") vacuum = s;
  CHECK(vacuum["refused"]["id"] == "maintenance.optimize.disk_too_small");
  auto real = e.ws.run("optimize_db", {});
  CHECK(real.code == 1);
  CHECK(real.out.find("REFUSED") != std::string::npos);
  CHECK(fs::file_size(e.ws.sqlite_file()) == size);
}

#else

TEST_CASE("optimize_db: maintenance runs as the owner of each table", "[optimize][postgres]") {
  EngineWorkspace e;
  e.make_bloat();
  e.ws.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
           "'maintenance_owner') THEN CREATE ROLE maintenance_owner NOLOGIN; END IF; END $$");
  e.ws.sql("ALTER TABLE junk OWNER TO maintenance_owner");
  Json plan = run_json(e.ws, {"--dry-run"}, 0);
  bool found = false;
  for (const auto& s : plan["plan"])
    if (s["object"] == "public.junk" && s["action"] == "vacuum") {
      found = true;
      CHECK(s["owner"] == "maintenance_owner");
    }
  CHECK(found);
  Json real = run_json(e.ws, {}, 0);
  for (const auto& s : real["steps"])
    CHECK(s["outcome"] == (s["action"] == "reindex" ? "skipped" : "done"));
}

#endif
