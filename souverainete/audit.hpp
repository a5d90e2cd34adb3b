#pragma once

// Audit actions and detail fields of the souverainete module. Details carry table names,
// counts, sizes and hashes, never data or key material.
namespace dihya::souverainete::audit {

// details: format, tables ({table, rows} each), rows, bytes, package_sha256, manifest_sha256,
// encrypted, recipients, signer, output, tenant_filter
inline constexpr const char* k_action_export = "export";
// details: package_sha256, manifest_sha256, signer, encrypted, mode, verify_only, tables
// ({table, rows} each), rows
inline constexpr const char* k_action_import = "import";

}  // namespace dihya::souverainete::audit
