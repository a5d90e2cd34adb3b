#pragma once

#include "core/run/runner.hpp"
#include "monitoring/report.hpp"
#include "monitoring/validators.hpp"

namespace dihya::monitoring {

// The checks OPTIONS select for TENANT, measured (through the cache) and evaluated.
HealthReport check_health(const TenantConfig& tenant, const HealthcheckOptions& options);

// metrics_exporter: serve until SIGINT or SIGTERM, then drain and end with 0.
int run_metrics_exporter(const ExporterOptions& options, Context& ctx);

// alert: send, resolve, test or list the tenant's alerts, or (--from-healthcheck) turn the
// failing checks into alerts and resolve those that pass again. Exit 69 when a channel
// refused or could not be reached.
int run_alert(const AlertOptions& options, Context& ctx);

// healthcheck: report the tenant's health; the exit code is the Monitoring Plugins state.
int run_healthcheck(const HealthcheckOptions& options, Context& ctx);

}  // namespace dihya::monitoring
