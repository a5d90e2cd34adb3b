#include <catch2/catch.hpp>

#include "core/base/clock.hpp"
#include "core/config/section_maintenance.hpp"
#include "core/run/config_sections.hpp"
#include "core/testing/workspace.hpp"
#include "maintenance/services.hpp"
#include "maintenance/validators.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

Config load(const Workspace& ws) {
  auto config = load_config(ws.config_path());
  REQUIRE(config.ok());
  return *config;
}

}  // namespace

TEST_CASE("describe_config lists tenants, users with effective permissions, roles",
          "[maintenance]") {
  Workspace ws;
  auto report = maintenance::describe_config(load(ws), {});
  REQUIRE(report.ok());
  CHECK((*report)["tenants"]["demo"]["environment"] == "demo");
  CHECK((*report)["tenants"]["demo"]["signed_audit"] == false);
  CHECK((*report)["users"]["reader"]["permissions"] == Json::array({"audit.read"}));
  CHECK((*report)["users"]["reader"]["token"] == false);
  CHECK((*report)["roles"]["auditor"] == Json::array({"audit.read"}));
}

TEST_CASE("describe_config can show a single tenant and rejects an unknown one", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  auto one = maintenance::describe_config(load(ws), {std::string("acme")});
  REQUIRE(one.ok());
  CHECK((*one)["tenants"].size() == 1);
  auto unknown = maintenance::describe_config(load(ws), {std::string("nope")});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ExitCode::usage);
}

TEST_CASE("describe_config refuses a signing key file that is not private", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["audit"] = {{"signing_key", "k/sk"}, {"verify_key", "k/pk"}};
  ws.save();
  write_text(ws.dir() / "k" / "sk", "x", 0640);
  auto report = maintenance::describe_config(load(ws), {});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == ExitCode::config_error);
  CHECK(report.error().causes.at(0).id == "core.secret.too_open");
}

TEST_CASE("check_config arguments: --tenant and --all-tenants exclude each other",
          "[maintenance]") {
  Arguments args;
  CHECK(maintenance::validate_check_config_arguments(args).ok());
  args.set_flag("all-tenants");
  args.add_value("tenant", "demo");
  CHECK(maintenance::validate_check_config_arguments(args).error().code == ExitCode::usage);
}

TEST_CASE("the maintenance section: every problem with its JSON path", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["maintenance"] = {
      {"files", {{"root", "nowhere"}, {"sample", 0}}},
      {"backups", {{"max_age", "soon"}}},
      {"optimize", {{"free_percent", 120}, {"lock_timeout", "0"}, {"bogus", 1}}},
      {"window", {{"start", "25:00"}, {"end", "05:00"}, {"days", {"mon", "someday"}}}}};
  ws.save();
  auto config = load_config(ws.config_path());
  REQUIRE_FALSE(config.ok());
  std::set<std::string> paths;
  for (const auto& cause : config.error().causes) paths.insert(cause.param("path"));
  const std::string base = "tenants.demo.maintenance.";
  for (const char* path : {"files.root", "files.sample", "backups.max_age", "optimize.free_percent",
                           "optimize.lock_timeout", "optimize.bogus", "window.start",
                           "window.days[1]"}) {
    INFO(path);
    CHECK(paths.count(base + path) == 1);
  }
}

TEST_CASE("the maintenance section: settings with defaults, and the window", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["maintenance"] = {
      {"optimize", {{"lock_timeout", "500ms"}, {"disk_margin", "1G"}}},
      {"window", {{"start", "22:00"}, {"end", "04:00"}, {"days", {"sat"}}}}};
  ws.save();
  Config config = load(ws);
  MaintenanceSettings s = maintenance_settings(config.tenants.at("demo"));
  CHECK(s.optimize.lock_timeout_ms == 500);
  CHECK(s.optimize.disk_margin == (1ull << 30));
  CHECK(s.optimize.free_percent == 10);
  CHECK(s.files.root == "uploads");
  REQUIRE(s.window);
  // Saturday 2026-12-05 23:30 and Sunday 02:00 (the window that began on Saturday) are in;
  // Saturday noon and Sunday 23:30 are out. Local time is UTC in the test (TZ below).
  setenv("TZ", "UTC", 1);
  tzset();
  auto at = [](const char* ts) { return *parse_rfc3339_ms(ts); };
  CHECK(s.window->contains(at("2026-12-05T23:30:00Z")));
  CHECK(s.window->contains(at("2026-12-06T02:00:00Z")));
  CHECK_FALSE(s.window->contains(at("2026-12-05T12:00:00Z")));
  CHECK_FALSE(s.window->contains(at("2026-12-06T23:30:00Z")));
}
