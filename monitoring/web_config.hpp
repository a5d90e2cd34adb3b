#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/base/error.hpp"

namespace dihya::monitoring {

// metrics_exporter's --web-config file: the keys of Prometheus' exporter-toolkit, in JSON.
//   {"tls_server_config": {"cert_file": "...", "key_file": "..."},
//    "basic_auth_users": {"prometheus": "$argon2id$v=19$..."}}
// Paths are relative to the file; the key file must be 0600 and the user's (65/77 else).
struct WebConfig {
  std::optional<std::string> tls_cert_pem, tls_key_pem;
  std::map<std::string, std::string> users;  // name → Argon2id hash
};
Result<WebConfig> load_web_config(const std::filesystem::path& path);

}  // namespace dihya::monitoring
