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
// details: dry_run, force, logs ({name, rotated, compressed, removed, removed_bytes,
// left_uncompressed, copy_window_bytes, reopen_failed} each), rotated, files_removed,
// bytes_removed.
inline constexpr const char* k_action_clean_logs = "clean_logs";
// details: run, restored, bytes, conflicts, corrupt.
inline constexpr const char* k_action_orphans_restore = "clean_orphans.restore";

}  // namespace dihya::cleaning::audit
