#pragma once

// Hook points of the ops module: audit.pre runs before any audit subcommand (a pre hook
// may veto it), audit.post after it with the outcome.
namespace dihya::ops::plugins {

inline constexpr const char* k_audit_point = "audit";
// rotate_keys.pre/post around key generation and rotation.
inline constexpr const char* k_rotate_keys_point = "rotate_keys";

}  // namespace dihya::ops::plugins
