// The tenant's "export" section (docs/configuration.md): signing, trusted keys and policy.
#include "core/config/config_check.hpp"
#include "core/package/datapackage.hpp"

namespace dihya {

void check_export_section(ConfigChecker& c, const Json& settings, const std::string& path,
                          TenantConfig& tenant) {
  if (!c.expect_object(settings, path,
                       {"signing_key", "verify_keys", "require_signed", "tenant_column",
                        "tenant_value", "compression_level"}))
    return;
  tenant.export_settings = settings;
  if (auto key = c.get_string(settings, "signing_key", path, false))
    tenant.export_settings["signing_key"] = c.resolve(*key).string();
  std::vector<std::string> keys = c.get_strings(settings, "verify_keys", path);
  for (std::size_t i = 0; i < keys.size(); ++i)
    tenant.export_settings["verify_keys"][i] = c.resolve(keys[i]).string();
  if (settings.contains("require_signed") && !settings["require_signed"].is_boolean())
    c.issue(c.join(path, "require_signed"), "core.config.expected_boolean");
  if (settings.contains("require_signed") && settings["require_signed"] == true && keys.empty())
    c.issue(c.join(path, "verify_keys"), "core.json.missing_key");
  c.get_string(settings, "tenant_column", path, false);
  c.get_string(settings, "tenant_value", path, false);
  c.get_integer(settings, "compression_level", path, 1, 19);
}

}  // namespace dihya
