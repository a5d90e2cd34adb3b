#pragma once

// Audit actions and detail fields of the ops module. (Named audit_events.hpp rather than
// audit.hpp because ops/audit.cpp is the `audit` tool itself.)
namespace dihya::ops::audit_events {

inline constexpr const char* k_verify =
    "verify";                                  // details: records, checkpoints, intact, broken_seq
inline constexpr const char* k_show = "show";  // details: records (shown)
inline constexpr const char* k_export = "export";  // details: records, format, output
inline constexpr const char* k_keygen = "keygen";  // details: key_id
// rotate_keys: details key_id, public_key, identity, protected; rotate adds old_key_id,
// rewrapped (backup ids) and retired (where the old private key is kept).
inline constexpr const char* k_keys_generate = "keys.generate";
inline constexpr const char* k_keys_rotate = "keys.rotate";

}  // namespace dihya::ops::audit_events
