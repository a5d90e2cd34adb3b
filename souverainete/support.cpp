#include "souverainete/support.hpp"

namespace dihya::souverainete {

std::string tenant_value(const TenantConfig& tenant) {
  return tenant.export_settings.value("tenant_value", tenant.name);
}

fs::path signing_key_path(const TenantConfig& tenant) {
  if (tenant.export_settings.contains("signing_key"))
    return tenant.export_settings["signing_key"].get<std::string>();
  if (tenant.audit.signing_key) return *tenant.audit.signing_key;
  fail(ExitCode::config_error, "souverainete.no_signing_key", {{"tenant", tenant.name}});
}

std::vector<VerifyKey> trusted_keys(const TenantConfig& tenant) {
  std::vector<VerifyKey> keys;
  if (tenant.export_settings.contains("verify_keys"))
    for (const auto& path : tenant.export_settings["verify_keys"])
      keys.push_back(take(load_verify_key(path.get<std::string>())));
  return keys;
}

}  // namespace dihya::souverainete
