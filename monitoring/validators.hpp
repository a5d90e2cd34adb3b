#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/nagios_range.hpp"
#include "core/base/options.hpp"
#include "monitoring/checks.hpp"
#include "monitoring/exporter.hpp"

namespace dihya::monitoring {

struct HealthcheckOptions {
  Probe probe = Probe::full;
  std::vector<std::string> checks;  // --check: these instead of the probe's
  bool nagios = false;
  std::optional<NagiosRange> warning, critical;  // -w/-c: for the one --check named
};

// metrics_exporter's arguments: --listen IPv4:PORT (default 127.0.0.1:9879), a positive
// --max-connections, a --live-interval duration (64 otherwise).
Result<ExporterOptions> parse_exporter_options(const Arguments& args);

struct AlertOptions {
  std::string command;  // send, resolve, test, list; "sync" for --from-healthcheck
  std::map<std::string, std::string> labels;  // alertname, severity and every --label
  std::map<std::string, std::string> annotations;
};
// alert's arguments: one command, or --from-healthcheck alone; send and resolve need --name;
// --label KEY=VALUE (64 otherwise).
Result<AlertOptions> parse_alert_options(const Arguments& args);

// healthcheck's arguments: a known probe and checks; -w/-c with exactly one --check; not
// --probe live with --check; not --nagios with --json (64).
Result<HealthcheckOptions> parse_healthcheck_options(const Arguments& args);

}  // namespace dihya::monitoring
