#pragma once

#include <string>
#include <vector>

#include "core/base/i18n.hpp"
#include "monitoring/checks.hpp"

namespace dihya::monitoring {

// The outcome of one healthcheck run on one tenant.
struct HealthReport {
  std::string tenant;
  Probe probe = Probe::full;
  std::vector<CheckResult> results;
  CheckStatus status = CheckStatus::ok;  // the worst of the results
};
HealthReport make_report(std::string tenant, Probe probe, std::vector<CheckResult> results);

const char* probe_name(Probe probe);

// The Monitoring Plugins output: one status line with perfdata, then one line per result.
std::string nagios_text(const HealthReport& report, const Messages& messages);
// One perfdata item: 'label'=value[UOM];warn;crit;min;max (empty fields kept, trailing ones
// dropped).
std::string perfdata(const CheckResult& result);
// The application/health+json document (draft-inadarei-api-health-check).
Json health_json(const HealthReport& report, const Messages& messages);
// One line per result, for a person (status in words).
std::vector<std::string> human_lines(const HealthReport& report, const Messages& messages);

// pass, warn or fail, as health+json names a state (UNKNOWN is warn).
const char* health_status(CheckStatus status);

}  // namespace dihya::monitoring
