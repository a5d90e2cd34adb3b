#pragma once

#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/crypto.hpp"

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

}  // namespace dihya::souverainete
