#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace dihya {

// The configured tenant names, comma-separated (for messages that list them).
std::string tenant_names(const Config& config);

// The tenants a run acts on: NAME, or every one with ALL, or the only one when the config
// has a single tenant. An unknown name, or a missing one among several, is a usage error.
Result<std::vector<const TenantConfig*>> select_tenants(const Config& config,
                                                        const std::optional<std::string>& name,
                                                        bool all);
Result<std::vector<const TenantConfig*>> all_tenants(const Config& config);

}  // namespace dihya
