#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "monitoring/checks.hpp"

namespace dihya::monitoring {

// The observations of the checks SETTINGS names, measured at most once per WINDOW across
// every process of the host: the first caller takes <state_dir>/monitoring/health.lock,
// measures what is stale and writes health-cache.json; the callers queued behind it read
// that. A zero window, or a state directory that cannot hold the cache, measures directly.
std::map<std::string, std::vector<Observation>> cached_observations(
    const TenantConfig& tenant, const std::vector<CheckSettings>& settings,
    std::chrono::milliseconds window);

// The cache window of TENANT (monitoring.cache, default 5 s).
std::chrono::milliseconds cache_window(const TenantConfig& tenant);

}  // namespace dihya::monitoring
