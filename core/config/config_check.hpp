#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json_check.hpp"
#include "core/config/config.hpp"

namespace dihya {

// Validates a config document and builds the Config, recording every problem with the
// JSON path where it stands ("tenants.acme.backup.keep.daily").
class ConfigChecker : public JsonChecker {
 public:
  ConfigChecker(fs::path file, std::span<const TenantSection> sections)
      : JsonChecker(ExitCode::config_error), m_file(std::move(file)), m_sections(sections) {}

  Config check(const std::string& text);
  // VALUE, a path as the config gives it, made absolute against the config file's folder.
  fs::path resolve(const std::string& value) const;

 protected:
  bool reported_elsewhere(const std::string& key) const override;

 private:
  void check_secrets(const Json& value, const std::string& path);
  void check_users(const Json& users, Config& config);
  void check_roles(const Json& roles, Config& config);
  void check_tenants(const Json& tenants, Config& config);
  TenantConfig check_tenant(const std::string& name, const Json& tenant);
  void check_database(const std::string& url, const std::string& path, TenantConfig& tenant);
  void check_audit(const Json& audit, const std::string& path, TenantConfig& tenant);
  void check_overlaps(const Config& config);

  fs::path m_file;
  std::span<const TenantSection> m_sections;
};

}  // namespace dihya
