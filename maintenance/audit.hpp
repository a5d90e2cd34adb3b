#pragma once

// Audit actions and detail fields of the maintenance module.
namespace dihya::maintenance::audit {

inline constexpr const char* k_action_check = "check";
// details: "tenants" (count), "users" (count), "roles" (count)

}  // namespace dihya::maintenance::audit
