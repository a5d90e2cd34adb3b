#include "core/config/tenants.hpp"

namespace dihya {

Result<std::vector<const TenantConfig*>> all_tenants(const Config& config) {
  std::vector<const TenantConfig*> out;
  for (const auto& [name, tenant] : config.tenants) out.push_back(&tenant);
  return out;
}

std::string tenant_names(const Config& config) {
  std::string names;
  for (const auto& [tenant_name, tenant] : config.tenants)
    names += (names.empty() ? "" : ", ") + tenant_name;
  return names;
}

Result<std::vector<const TenantConfig*>> select_tenants(const Config& config,
                                                        const std::optional<std::string>& name,
                                                        bool all) {
  if (all && name) return make_error(ExitCode::usage, "core.usage.tenant_and_all");
  if (all) return all_tenants(config);
  if (name) {
    auto it = config.tenants.find(*name);
    if (it == config.tenants.end())
      return make_error(ExitCode::usage, "core.usage.unknown_tenant",
                        {{"tenant", *name}, {"tenants", tenant_names(config)}});
    return std::vector<const TenantConfig*>{&it->second};
  }
  if (config.tenants.size() == 1) return all_tenants(config);
  return make_error(ExitCode::usage, "core.usage.tenant_required",
                    {{"tenants", tenant_names(config)}});
}

}  // namespace dihya
