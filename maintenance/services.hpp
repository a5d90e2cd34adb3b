#pragma once

#include <optional>
#include <string>

#include "core/run/runner.hpp"

namespace dihya::maintenance {

struct CheckConfigOptions {
  std::optional<std::string> tenant;  // show only this tenant
};

// Describe the validated configuration as a JSON document: tenants, users with their
// roles and effective permissions, roles. Secret files it names are checked (0600, owner).
Result<Json> describe_config(const Config& config, const CheckConfigOptions& options);

// check_config: the runner has already validated the file (else 78); report on it.
int run_check_config(const CheckConfigOptions& options, Context& ctx);

}  // namespace dihya::maintenance
