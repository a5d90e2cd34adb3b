#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/config/config_check.hpp"

namespace dihya {

// The checks healthcheck knows, in the order it reports them (monitoring/README.md).
std::span<const std::string_view> monitoring_check_names();

// The tenant's "monitoring" section (monitoring/README.md): the health checks' timeouts and
// thresholds (Monitoring Plugins ranges), the HTTP endpoints to probe, the cache window.
void check_monitoring_section(ConfigChecker& checker, const Json& section, const std::string& path,
                              TenantConfig& tenant);

}  // namespace dihya
