#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/json.hpp"
#include "core/base/nagios_range.hpp"
#include "core/config/config.hpp"

// The health checks of a tenant (monitoring/README.md): what each measures, from the health
// facts of core/run/health, and how thresholds turn measurements into a status.
namespace dihya::monitoring {

// Kubernetes-style probes; `full` is every enabled check (the Nagios use).
enum class Probe { full, live, ready, startup };

// The Monitoring Plugins states, which are also healthcheck's exit codes.
enum class CheckStatus { ok = 0, warning = 1, critical = 2, unknown = 3 };

// VALUE as perfdata and messages print it: plain decimal, no exponent, no trailing zeros.
std::string fmt_number(double value);

// The worse of A and B: critical, then warning, then unknown, then ok.
CheckStatus worse(CheckStatus a, CheckStatus b);
const char* status_word(CheckStatus status);  // OK, WARNING, CRITICAL, UNKNOWN

// One measured value of a check: one per root, per backup part, per endpoint…
struct Observation {
  std::string check;      // "disk"
  std::string component;  // "state_dir", "db", "site"; empty when the check has one value
  std::optional<double> value;
  std::string unit;  // perfdata UOM: "s", "%", "" (a count), "d" is not one: days are ""
  std::optional<double> min, max;
  // A state that thresholds do not decide (an unreachable database, a broken audit chain).
  std::optional<CheckStatus> fixed;
  std::string message_id;  // what to say about it, with PARAMS
  MessageParams params;
  std::int64_t time_ms = 0;
  // Which thresholds apply: "" the check's, "certificate" its certificate_* ones.
  std::string threshold_kind;
};
Json to_json(const Observation& observation);
Observation observation_from_json(const Json& json);

// The warning and critical ranges of one check.
struct Thresholds {
  std::optional<NagiosRange> warning, critical;
};

// An observation with the status its thresholds give it.
struct CheckResult {
  Observation observation;
  Thresholds thresholds;
  CheckStatus status = CheckStatus::ok;
};

// The settings of one check, from the tenant's monitoring section with defaults.
struct CheckSettings {
  std::string name;
  bool enabled = true;
  std::chrono::milliseconds timeout{5000};
  Thresholds thresholds;
  Thresholds certificate;            // endpoints only
  std::vector<std::string> targets;  // backup_age only
  bool from_command_line = false;    // -w/-c given: they win over per-endpoint ranges
};
// The settings of check NAME for TENANT.
CheckSettings check_settings(const TenantConfig& tenant, const std::string& name);

// The checks a probe runs, in report order.
std::vector<std::string> probe_checks(const TenantConfig& tenant, Probe probe);

// Measure check SETTINGS.name now, within its timeout (a check that overruns is UNKNOWN).
std::vector<Observation> observe(const TenantConfig& tenant, const CheckSettings& settings);
// Measure several checks side by side, each within its own timeout.
std::map<std::string, std::vector<Observation>> observe_all(
    const TenantConfig& tenant, const std::vector<CheckSettings>& settings);

// The status of OBSERVATION under THRESHOLDS.
CheckResult evaluate(const Observation& observation, const CheckSettings& settings);

}  // namespace dihya::monitoring
