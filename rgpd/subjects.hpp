#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/personal_map.hpp"
#include "core/privacy/subject.hpp"
#include "core/run/runner.hpp"

// What the subject tools (subject_export, subject_erase, consent) share: the tenant's map and
// database, and the subject a request names.
namespace dihya::rgpd {

struct SubjectScope {
  personal::PersonalMap map;
  std::unique_ptr<Database> db;
  std::map<std::string, TableDef> defs;  // every table
  std::vector<personal::SubjectTable> tables;
};

// Open the tenant's database and check its map (78 naming the JSON path; no subject: 78).
SubjectScope open_subject_scope(Context& ctx);

// The subject key of ID, or of the subject whose email is EMAIL (the subject table's `email`
// column, or the one masked as fake:email; compared without case). nullopt when no row of the
// subject table has it.
std::optional<OwnedField> find_subject(SubjectScope& scope, const std::optional<std::string>& id,
                                       const std::optional<std::string>& email);

// The masking key of the tenant, loaded (66 when missing: anonymize --generate-key).
masking::MaskingKey load_masking_key(const TenantConfig& tenant, const personal::PersonalMap& map);

}  // namespace dihya::rgpd
