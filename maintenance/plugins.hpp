#pragma once

// Hook points of the maintenance module. check_config runs no action hooks of its own: the
// core "validate" point (<hooks_dir>/validate.d/) lets a plugin reject the configuration.
namespace dihya::maintenance::plugins {

inline constexpr const char* k_check_config_point = "";
// check_integrity.pre / .post: the post context's "result" holds every check's findings.
inline constexpr const char* k_check_integrity_point = "check_integrity";

// optimize_db.pre / .post: the post context's "result" holds the plan and each step's outcome.
inline constexpr const char* k_optimize_db_point = "optimize_db";

}  // namespace dihya::maintenance::plugins
