#pragma once

#include <optional>
#include <string>

#include "core/run/runner.hpp"
#include "maintenance/validators.hpp"

namespace dihya::maintenance {

struct CheckConfigOptions {
  std::optional<std::string> tenant;  // show only this tenant
};

// Describe the validated configuration as a JSON document: tenants, users with their
// roles and effective permissions, roles. Secret files it names are checked (0600, owner).
Result<Json> describe_config(const Config& config, const CheckConfigOptions& options);

// check_config: the runner has already validated the file (else 78); report on it.
int run_check_config(const CheckConfigOptions& options, Context& ctx);

// check_integrity: run the checks OPTIONS names; 0 when all hold, 65 when anything is corrupt,
// else the code of the first check that could not run (69 for an unreachable database).
int run_check_integrity(const IntegrityOptions& options, Context& ctx);

// optimize_db: measure, plan, and (without --dry-run) apply the plan step by step.
int run_optimize_db(const OptimizeOptions& options, Context& ctx);

}  // namespace dihya::maintenance
