#pragma once

// Audit actions and detail fields of the cleaning module: counts and bytes, never contents.
namespace dihya::cleaning::audit {

// details: dry_run, older_than, paths ({name, planned, removed, bytes, kept, vanished,
// failed, skipped, stopped} each), files_removed, bytes_removed.
inline constexpr const char* k_action_clean_tmp = "clean_tmp";
// details: dry_run, action (quarantine|delete), purged (runs), roots ({root, table, column,
// references, files, bytes, young, candidates, candidate_bytes, missing, moved, moved_bytes,
// kept_referenced, kept_changed, quarantine} each), files_removed, bytes_removed.
inline constexpr const char* k_action_clean_orphans = "clean_orphans";
// details: run, restored, bytes, conflicts, corrupt.
inline constexpr const char* k_action_orphans_restore = "clean_orphans.restore";

}  // namespace dihya::cleaning::audit
