#pragma once

// Audit actions and detail fields of the backup module. Details carry ids, sizes and counts,
// never data or key material.
namespace dihya::backup::audit {

// details: id, target, tag, encrypted, recipients, file_bytes, data_bytes, entries,
// file_sha256, skipped, leftovers_removed
inline constexpr const char* k_action_backup = "backup";
// details: id, target, to, entries, bytes, destinations, safety, tables
inline constexpr const char* k_action_restore = "restore";
// details: checked (ids), failed (id → message id), restore_test
inline constexpr const char* k_action_verify = "verify";
// details: removed (id, created, file_sha256 each), kept (ids)
inline constexpr const char* k_action_rotate = "rotate";
// details: count
inline constexpr const char* k_action_list = "list";

}  // namespace dihya::backup::audit
