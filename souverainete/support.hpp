#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/crypto.hpp"
#include "core/config/config.hpp"
#include "core/package/datapackage.hpp"
#include "core/privacy/masking.hpp"

// Settings of the tenant's "export" section shared by export and import.
namespace dihya::souverainete {

// The value of export.tenant_column that marks the tenant's rows (export.tenant_value, else
// the tenant's name).
std::string tenant_value(const TenantConfig& tenant);
// The Ed25519 key that signs packages: export.signing_key, else audit.signing_key (78 when
// there is neither).
fs::path signing_key_path(const TenantConfig& tenant);
// The public keys whose signatures an import accepts (export.verify_keys).
std::vector<VerifyKey> trusted_keys(const TenantConfig& tenant);

// export --anonymize: the masking key and the masker that the tables' masks use.
struct ExportMasking {
  std::optional<masking::MaskingKey> key;
  std::optional<masking::Masker> masker;
  std::string key_id() const;
};
// Put the tenant's personal-data map on TABLES (checked against DB: 78 naming the JSON path;
// 66 without a masking key). A foreign key takes the strategy of the key it references, so
// the package still joins; a masked key needs a strategy that keeps values distinct, and a
// foreign key masked unlike its key is refused (78).
void apply_personal_map(Database& db, const TenantConfig& tenant,
                        std::vector<package::ExportTable>& tables, ExportMasking& out);

}  // namespace dihya::souverainete
