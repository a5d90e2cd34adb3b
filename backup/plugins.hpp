#pragma once

// Hook points of the backup module: backup.pre/post around a backup, restore.pre/post around
// a restore (a pre hook may veto; post gets the outcome), verify_backup.pre/post and
// rotate_backups.pre/post.
namespace dihya::backup::plugins {

inline constexpr const char* k_backup_point = "backup";
inline constexpr const char* k_restore_point = "restore";
inline constexpr const char* k_verify_point = "verify_backup";
inline constexpr const char* k_rotate_point = "rotate_backups";

}  // namespace dihya::backup::plugins
