#pragma once

// Audit actions and detail fields of the rgpd module. Details carry table and column names,
// counts and key ids, never personal values.
namespace dihya::rgpd::audit {

// details: tables ({table, rows, columns} each), rows, key_id, leaks ({table, column, count}
// each), k_anonymity ({table, columns, k} each), dry_run, generated_key, and for a
// production tenant the operator's "reason".
inline constexpr const char* k_action_anonymize = "anonymize";

}  // namespace dihya::rgpd::audit
