#pragma once

// Audit action and detail fields of the seed module.
namespace dihya::seed::audit {

inline constexpr const char* k_action_seed = "seed";
// details: "rows" (per table), "seed", "scale", "locale", "schema", "dry_run", and for a
// production tenant "forced" with the operator's "reason".
inline constexpr const char* k_detail_rows = "rows";

}  // namespace dihya::seed::audit
