#pragma once

// Hook points of the maintenance module. check_config runs no action hooks of its own: the
// core "validate" point (<hooks_dir>/validate.d/) lets a plugin reject the configuration.
namespace dihya::maintenance::plugins {

inline constexpr const char* k_check_config_point = "";

}  // namespace dihya::maintenance::plugins
