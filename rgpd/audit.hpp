#pragma once

// Audit actions and detail fields of the rgpd module. Details carry table and column names,
// counts, key ids and pseudonyms, never personal values; options that name a person
// (--subject, --email) are recorded as "(withheld)".
namespace dihya::rgpd::audit {

// details: tables ({table, rows, columns} each), rows, key_id, leaks ({table, column, count}
// each), k_anonymity ({table, columns, k} each), dry_run, generated_key, and for a
// production tenant the operator's "reason".
inline constexpr const char* k_action_anonymize = "anonymize";
// details: dry_run, tables ({table, then, column, days, before, rows} each), rows.
inline constexpr const char* k_action_purge = "purge_rgpd";
// details: tables ({table, rows, via} each), rows, output, undeclared (a count).
inline constexpr const char* k_action_subject_export = "subject_export";
// details: dry_run, reason, subject (the keyed pseudonym), tables ({table, action, rows, via}).
inline constexpr const char* k_action_subject_erase = "subject_erase";
// "consent.record|withdraw|list|show"; details: command, purpose, event, basis,
// policy_version, records (a count).
inline constexpr const char* k_action_consent = "consent";
// details: overdue_rows, undeclared_columns, declared_columns, output.
inline constexpr const char* k_action_audit_rgpd = "audit_rgpd";

}  // namespace dihya::rgpd::audit
