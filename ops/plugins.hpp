#pragma once

// Hook points of the ops module: audit.pre runs before any audit subcommand (a pre hook
// may veto it), audit.post after it with the outcome.
namespace dihya::ops::plugins {

inline constexpr const char* k_audit_point = "audit";

}  // namespace dihya::ops::plugins
