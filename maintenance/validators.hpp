#pragma once

#include "core/base/options.hpp"

namespace dihya::maintenance {

// check_config takes no positional argument and no tenant filter beyond --tenant.
Status validate_check_config_arguments(const Arguments& args);

}  // namespace dihya::maintenance
