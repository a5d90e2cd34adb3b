#pragma once

#include <vector>

#include "monitoring/checks.hpp"

namespace dihya::monitoring {

// Probe every endpoint of the tenant's monitoring.endpoints: its latency in seconds (an
// unexpected status or no answer is CRITICAL) and, over https, its certificate's days left.
std::vector<Observation> observe_endpoints(const TenantConfig& tenant,
                                           const CheckSettings& settings);

}  // namespace dihya::monitoring
