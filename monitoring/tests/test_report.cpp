#include <catch2/catch.hpp>

#include "monitoring/report.hpp"

using namespace dihya;
using namespace dihya::monitoring;

namespace {

CheckResult result(std::string check, std::string component, std::optional<double> value,
                   std::string unit, const char* warning, const char* critical,
                   CheckStatus status) {
  CheckResult r;
  r.observation.check = std::move(check);
  r.observation.component = std::move(component);
  r.observation.value = value;
  r.observation.unit = std::move(unit);
  r.observation.time_ms = 1'700'000'000'000;
  r.observation.message_id = "monitoring.check.timed_out";
  r.observation.params = {{"timeout", "5s"}};
  if (warning) r.thresholds.warning = take(parse_nagios_range(warning));
  if (critical) r.thresholds.critical = take(parse_nagios_range(critical));
  r.status = status;
  return r;
}

}  // namespace

TEST_CASE("perfdata is 'label'=value[UOM];warn;crit;min;max", "[monitoring]") {
  auto disk = result("disk", "state_dir", 42.5, "%", "10:", "5:", CheckStatus::ok);
  disk.observation.min = 0;
  disk.observation.max = 100;
  CHECK(perfdata(disk) == "'disk:state_dir'=42.5%;10:;5:;0;100");
  auto age = result("backup_age", "db", 3600, "s", nullptr, "180000", CheckStatus::ok);
  CHECK(perfdata(age) == "'backup_age:db'=3600s;;180000");
  auto count = result("retention", "it's", 0, "", "0", nullptr, CheckStatus::ok);
  CHECK(perfdata(count) == "'retention:it''s'=0;0");
  auto unknown = result("database", "", std::nullopt, "s", "1", "5", CheckStatus::critical);
  CHECK(perfdata(unknown) == "'database'=U;1;5");
  CHECK(fmt_number(0.000123) == "0.000123");
  CHECK(fmt_number(1e9) == "1000000000");
}

TEST_CASE("the Nagios status line names the worst state and each problem", "[monitoring]") {
  Messages en(Language::en);
  auto report =
      make_report("demo", Probe::ready,
                  {result("disk", "state_dir", 42.5, "%", "10:", "5:", CheckStatus::ok),
                   result("database", "", std::nullopt, "s", "1", "5", CheckStatus::critical)});
  CHECK(report.status == CheckStatus::critical);
  std::string text = nagios_text(report, en);
  std::string first = text.substr(0, text.find('\n'));
  CHECK(first ==
        "DIHYA ready CRITICAL - database: no answer within 5s | "
        "'disk:state_dir'=42.5%;10:;5: 'database'=U;1;5");
  CHECK(text.find("\nOK: disk state_dir") != std::string::npos);
  auto live = make_report("demo", Probe::live, {});
  CHECK(nagios_text(live, en) == "DIHYA live OK - alive\n");
}

TEST_CASE("--json is application/health+json", "[monitoring]") {
  Messages en(Language::en);
  auto report = make_report(
      "demo", Probe::full,
      {result("disk", "state_dir", 42.5, "%", "10:", "5:", CheckStatus::ok),
       result("backup_age", "db", 200000, "s", "93600", "180000", CheckStatus::critical),
       result("maintenance", "", 1, "", nullptr, nullptr, CheckStatus::warning)});
  Json doc = health_json(report, en);
  CHECK(doc["status"] == "fail");
  auto& disk = doc["checks"]["disk:freeSpace"][0];
  CHECK(disk["status"] == "pass");
  CHECK(disk["observedValue"] == 42.5);
  CHECK(disk["observedUnit"] == "percent");
  CHECK(disk["componentId"] == "state_dir");
  CHECK(disk["time"] == "2023-11-14T22:13:20.000Z");
  CHECK_FALSE(disk.contains("output"));
  CHECK(doc["checks"]["backup:age"][0]["status"] == "fail");
  CHECK(doc["checks"]["backup:age"][0]["observedUnit"] == "s");
  CHECK(doc["checks"]["maintenance:mode"][0]["status"] == "warn");
  CHECK(doc["checks"]["maintenance:mode"][0].contains("output"));
  CHECK(health_status(CheckStatus::unknown) == std::string("warn"));
}
