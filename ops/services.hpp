#pragma once

#include <vector>

#include "core/run/runner.hpp"
#include "ops/validators.hpp"

namespace dihya::ops {

// The records of RECORDS that QUERY selects, in order.
std::vector<Json> select_records(const std::vector<Json>& records, const AuditQuery& query);

// audit verify: exit 0 when the chain (and its signed checkpoints) is intact, 65 naming the
// first broken record otherwise.
int run_audit_verify(Context& ctx);
// audit show: the selected records, one localized line each.
int run_audit_show(const AuditQuery& query, Context& ctx);
// audit export: the selected records as JSON Lines, CSV, CEF or RFC 5424 syslog.
int run_audit_export(const AuditCommand& command, Context& ctx);
// audit keygen: create the tenant's Ed25519 checkpoint key pair where the config points.
int run_audit_keygen(Context& ctx);

int run_audit(const AuditCommand& command, Context& ctx);

// rotate_keys --generate: a tenant's backup key pair, the public half where
// backup.recipients points, the private half (0600, optionally passphrase-protected) at
// backup.identity. --rotate: a new pair, every encrypted backup's data key wrapped for it
// and unwrapped for the old one, which is then retired (kept as <identity>.retired-<time>).
int run_rotate_keys(const RotateKeysCommand& command, Context& ctx);

}  // namespace dihya::ops
