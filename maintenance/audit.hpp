#pragma once

// Audit actions and detail fields of the maintenance module.
namespace dihya::maintenance::audit {

inline constexpr const char* k_action_check = "check";
// details: "tenants" (count), "users" (count), "roles" (count)

inline constexpr const char* k_action_integrity = "integrity";
// details: "checks" ({check: "ok" | "corrupt" | "failed" | "skipped"}), "findings" (count),
// "depth" (quick | normal | deep)

inline constexpr const char* k_action_optimize = "optimize";
// details: "steps" (count planned), "dry_run", "reason" (with --force)

}  // namespace dihya::maintenance::audit
