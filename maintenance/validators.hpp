#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/backup/backup.hpp"
#include "core/base/options.hpp"
#include "core/run/integrity.hpp"
#include "maintenance/optimize.hpp"

namespace dihya::maintenance {

// check_config takes no positional argument and no tenant filter beyond --tenant.
Status validate_check_config_arguments(const Arguments& args);

struct IntegrityOptions {
  std::vector<std::string> checks;  // db, files, backups, audit in that order
  bool all = true;                  // --target all (the default)
  integrity::Depth depth = integrity::Depth::normal;
  KeyOptions keys;
};
// --target db|files|backups|audit|all (64 for anything else), --quick or --deep.
Result<IntegrityOptions> parse_integrity_options(const Arguments& args);

struct OptimizeOptions {
  OptimizeRequest request;
  bool force = false;
  std::optional<std::string> reason;
};
// --vacuum auto|full|incremental|none, --analyze, --reindex; --force needs --reason.
Result<OptimizeOptions> parse_optimize_options(const Arguments& args);

}  // namespace dihya::maintenance
