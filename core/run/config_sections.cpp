#include "core/run/config_sections.hpp"

#include "core/backup/backup.hpp"
#include "core/config/section_cleaning.hpp"
#include "core/config/section_maintenance.hpp"
#include "core/config/section_monitoring.hpp"
#include "core/package/datapackage.hpp"
#include "core/privacy/personal_map.hpp"

namespace dihya {

std::span<const TenantSection> tenant_sections() {
  static constexpr TenantSection k_sections[] = {
      {"backup", check_backup_section},
      {"export", check_export_section},
      {"personal_data", check_personal_data_section},
      {"cleaning", check_cleaning_section},
      {"maintenance", check_maintenance_section},
      {"monitoring", check_monitoring_section},
  };
  return k_sections;
}

Result<Config> load_config(const fs::path& path) {
  return load_config(path, tenant_sections());
}

Result<Config> parse_config(const std::string& text, const fs::path& path) {
  return parse_config(text, path, tenant_sections());
}

}  // namespace dihya
