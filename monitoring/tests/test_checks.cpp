#include <catch2/catch.hpp>

#include "core/base/clock.hpp"
#include "core/run/config_sections.hpp"
#include "core/testing/workspace.hpp"
#include "monitoring/checks.hpp"
#include "monitoring/health_cache.hpp"

using namespace dihya;
using namespace dihya::monitoring;
using namespace dihya::test;

namespace {

// The config of a workspace whose demo tenant has MONITORING as its section.
Result<Config> config_with(Workspace& ws, const nlohmann::json& monitoring) {
  auto doc = nlohmann::json(ws.config());
  doc["tenants"]["demo"]["monitoring"] = monitoring;
  return parse_config(doc.dump(), ws.config_path());
}

Observation measured(const std::string& check, double value) {
  Observation o;
  o.check = check;
  o.value = value;
  return o;
}

}  // namespace

TEST_CASE("check_config reports every bad monitoring key with its JSON path", "[monitoring]") {
  Workspace ws;
  auto bad =
      config_with(ws, {{"cache", "5 s"},
                       {"checks",
                        {{"disk", {{"warning", "20:10"}, {"timeout", "0s"}}},
                         {"backup_age", {{"targets", {"db", "logs"}}}},
                         {"telepathy", nlohmann::json::object()}}},
                       {"endpoints", {{"site", {{"url", "ftp://x"}, {"expect_status", {99}}}}}}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ExitCode::config_error);
  std::vector<std::string> paths;
  for (const auto& cause : bad.error().causes) paths.push_back(cause.param("path"));
  for (const char* path :
       {"tenants.demo.monitoring.cache", "tenants.demo.monitoring.checks.disk.warning",
        "tenants.demo.monitoring.checks.disk.timeout",
        "tenants.demo.monitoring.checks.backup_age.targets",
        "tenants.demo.monitoring.checks.telepathy", "tenants.demo.monitoring.endpoints.site.url",
        "tenants.demo.monitoring.endpoints.site.expect_status"}) {
    INFO(path);
    CHECK(std::find(paths.begin(), paths.end(), path) != paths.end());
  }
  auto good = config_with(
      ws, {{"cache", "2s"}, {"checks", {{"disk", {{"warning", "20:"}, {"critical", "@0:5"}}}}}});
  REQUIRE(good);
  CheckSettings disk = check_settings(good->tenants.at("demo"), "disk");
  CHECK(disk.thresholds.warning->text == "20:");
  CHECK(disk.thresholds.critical->inside);
  CHECK(cache_window(good->tenants.at("demo")) == std::chrono::milliseconds(2000));
}

TEST_CASE("thresholds turn a measurement into OK, WARNING or CRITICAL", "[monitoring]") {
  CheckSettings s;
  s.thresholds = {take(parse_nagios_range("10:")), take(parse_nagios_range("5:"))};
  CHECK(evaluate(measured("disk", 50), s).status == CheckStatus::ok);
  CHECK(evaluate(measured("disk", 7), s).status == CheckStatus::warning);
  CHECK(evaluate(measured("disk", 4.9), s).status == CheckStatus::critical);
  Observation none;
  none.check = "disk";
  CHECK(evaluate(none, s).status == CheckStatus::unknown);
  Observation broken = measured("audit", 0);
  broken.fixed = CheckStatus::critical;
  CHECK(evaluate(broken, CheckSettings{}).status == CheckStatus::critical);
  CHECK(worse(CheckStatus::unknown, CheckStatus::warning) == CheckStatus::warning);
  CHECK(worse(CheckStatus::ok, CheckStatus::unknown) == CheckStatus::unknown);
  CHECK(worse(CheckStatus::critical, CheckStatus::warning) == CheckStatus::critical);
}

TEST_CASE("the probes: live touches nothing, ready the dependencies", "[monitoring]") {
  Workspace ws;
  auto config = config_with(ws, {{"checks", {{"inodes", {{"enabled", false}}}}}});
  REQUIRE(config);
  const TenantConfig& tenant = config->tenants.at("demo");
  CHECK(probe_checks(tenant, Probe::live).empty());
  CHECK(probe_checks(tenant, Probe::startup) == std::vector<std::string>{"database"});
  CHECK(probe_checks(tenant, Probe::ready) ==
        std::vector<std::string>{"database", "disk", "maintenance", "endpoints"});
  CHECK(probe_checks(tenant, Probe::full).size() == 8);
}

TEST_CASE("observations measured once per cache window, across calls", "[monitoring]") {
  Workspace ws;
  auto config = config_with(ws, {{"cache", "1h"}});
  REQUIRE(config);
  const TenantConfig& tenant = config->tenants.at("demo");
  std::vector<CheckSettings> settings = {check_settings(tenant, "metrics_stale")};
  write_text(ws.state_dir() / "metrics" / "backup.prom", "dihya_x 1\n");
  auto first = cached_observations(tenant, settings, std::chrono::hours(1));
  REQUIRE(first["metrics_stale"].size() == 1);
  // A second file appears; the cached answer does not see it until the window passes.
  write_text(ws.state_dir() / "metrics" / "clean_tmp.prom", "dihya_x 1\n");
  auto second = cached_observations(tenant, settings, std::chrono::hours(1));
  CHECK(second["metrics_stale"].size() == 1);
  CHECK(second["metrics_stale"][0].time_ms == first["metrics_stale"][0].time_ms);
  auto uncached = cached_observations(tenant, settings, std::chrono::milliseconds(0));
  CHECK(uncached["metrics_stale"].size() == 2);
}

TEST_CASE("maintenance mode reads the state ops/maintenance_mode leaves", "[monitoring]") {
  Workspace ws;
  auto config = parse_config(nlohmann::json(ws.config()).dump(), ws.config_path());
  REQUIRE(config);
  const TenantConfig& tenant = config->tenants.at("demo");
  CheckSettings s = check_settings(tenant, "maintenance");
  CHECK(evaluate(observe(tenant, s).at(0), s).status == CheckStatus::ok);
  write_text(ws.state_dir() / "maintenance" / "state.json",
             R"({"on": true, "reason": "upgrade", "by": "admin"})");
  auto on = observe(tenant, s).at(0);
  CHECK(evaluate(on, s).status == CheckStatus::warning);
  CHECK(on.value == 1);
  write_text(ws.state_dir() / "maintenance" / "state.json",
             R"({"on": true, "until": "2000-01-01T00:00:00Z"})");
  CHECK(observe(tenant, s).at(0).value == 0);
  write_text(ws.state_dir() / "maintenance" / "state.json", "{not json");
  CHECK(evaluate(observe(tenant, s).at(0), s).status == CheckStatus::unknown);
}
