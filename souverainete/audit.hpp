#pragma once

// Audit actions and detail fields of the souverainete module. Details carry table names,
// counts, sizes and hashes, never data or key material.
namespace dihya::souverainete::audit {

// details: format, tables ({table, resource, rows, bytes, sha256} each), rows, bytes,
// package_sha256, manifest_sha256, encrypted, recipients, signer, output, tenant_filter,
// internal_left_out (the suite's own dihya_* tables not exported)
inline constexpr const char* k_action_export = "export";
// details: package, package_sha256, manifest_sha256, signer, encrypted, mode, verify_only,
// dry_run, tables ({table, rows} each), rows
inline constexpr const char* k_action_import = "import";

}  // namespace dihya::souverainete::audit
