#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/config/config.hpp"

namespace dihya {

// What a run reports to the audit trail; the trail adds seq, ts, host, pid, prev, hash.
struct AuditEvent {
  std::string tenant;
  std::string user;
  std::string os_user;
  std::string tool;
  std::string action;
  std::string target;
  std::string outcome;  // success | failure | denied
  int exit_code = 0;
  std::int64_t duration_ms = 0;
  Json details = Json::object();  // never a secret, never personal data in clear
};

inline const std::string k_genesis_hash(64, '0');

// BLAKE2b-256 over PREV followed by the canonical JSON (sorted keys, no spaces) of RECORD
// without its "hash" member.
std::string audit_record_hash(const Json& record);
std::string canonical_json(const Json& value);
// The bytes a checkpoint's Ed25519 signature covers.
std::string audit_checkpoint_message(const Json& checkpoint);

// A tenant's append-only, hash-chained audit log (JSON Lines) and its signed checkpoints.
class AuditTrail {
 public:
  explicit AuditTrail(const TenantConfig& tenant);

  const fs::path& log_path() const { return m_log; }
  const fs::path& checkpoint_path() const { return m_checkpoints; }

  // Append EVENT under an exclusive flock, chained to the last record; return the record.
  Result<Json> append(const AuditEvent& event);
  // When the tenant has a signing key, append an Ed25519-signed checkpoint of RECORD.
  Status sign_checkpoint(const Json& record) const;

  // Every record that parses, in file order (for show and export).
  Result<std::vector<Json>> read_records() const;

 private:
  fs::path m_log;
  fs::path m_checkpoints;
  std::string m_tenant;
  AuditSettings m_settings;
};

// The result of checking a trail: intact, or the first broken record and why.
struct AuditVerification {
  bool intact = true;
  std::int64_t records = 0;
  std::int64_t checkpoints = 0;
  std::int64_t unsigned_tail = 0;  // records after the last signed checkpoint
  std::optional<std::int64_t> broken_seq;
  Error reason;  // message id and parameters naming what is wrong
};

// Check every link of the chain and, with VERIFY_KEY, every checkpoint's signature and
// position. SIGNED says the tenant signs checkpoints, so their absence is an error.
AuditVerification verify_audit_trail(const fs::path& log, const fs::path& checkpoints,
                                     const std::optional<VerifyKey>& verify_key, bool signed_trail);
// The same for TENANT's trail, with its configured verify key (an unreadable key: its error).
Result<AuditVerification> verify_tenant_trail(const TenantConfig& tenant);

}  // namespace dihya
