#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/data/db.hpp"

// The consent register (dihya_consent), read by consent, subject_export and audit_rgpd.
namespace dihya::rgpd {

struct ConsentRecord {
  std::int64_t id = 0;
  std::string subject, purpose, event, basis, method, policy_version, recorded_at, recorded_by;
  Json json() const;
};

// The register's rows, oldest first (none when it does not exist yet), for SUBJECT and
// PURPOSE when given.
Result<std::vector<ConsentRecord>> consent_records(Database& db,
                                                   const std::optional<std::string>& subject,
                                                   const std::optional<std::string>& purpose);
// The consents in force: the last record of each subject and purpose, when it gives consent.
std::vector<ConsentRecord> current_consents(const std::vector<ConsentRecord>& records);

}  // namespace dihya::rgpd
