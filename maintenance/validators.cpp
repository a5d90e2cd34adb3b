#include "maintenance/validators.hpp"

namespace dihya::maintenance {

Status validate_check_config_arguments(const Arguments& args) {
  if (args.flag("all-tenants") && args.value("tenant"))
    return make_error(ExitCode::usage, "core.usage.tenant_and_all");
  return {};
}

}  // namespace dihya::maintenance
