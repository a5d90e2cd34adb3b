#include "monitoring/web_config.hpp"

#include "core/base/fs.hpp"
#include "core/base/json_check.hpp"

namespace dihya::monitoring {
namespace {

class WebConfigChecker : public JsonChecker {
 public:
  WebConfigChecker() : JsonChecker(ExitCode::config_error) {}
};

}  // namespace

Result<WebConfig> load_web_config(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  WebConfigChecker c;
  Json doc;
  if (c.parse(*text, doc) && c.expect_object(doc, "", {"tls_server_config", "basic_auth_users"})) {
    if (doc.contains("tls_server_config") &&
        c.expect_object(doc["tls_server_config"], "tls_server_config", {"cert_file", "key_file"})) {
      c.get_string(doc["tls_server_config"], "cert_file", "tls_server_config", true);
      c.get_string(doc["tls_server_config"], "key_file", "tls_server_config", true);
    }
    if (doc.contains("basic_auth_users") &&
        c.expect_object(doc["basic_auth_users"], "basic_auth_users", {}))
      for (const auto& [user, hash] : doc["basic_auth_users"].items())
        if (!hash.is_string() || hash.get<std::string>().rfind("$argon2id$", 0) != 0)
          c.issue(JsonChecker::join("basic_auth_users", user),
                  "monitoring.web_config.not_argon2id");
  }
  if (!c.issues().empty()) {
    Error error = make_error(ExitCode::config_error, "monitoring.web_config.invalid",
                             {{"file", path.string()}});
    error.causes = c.issues();
    return error;
  }
  WebConfig config;
  auto base = path.parent_path();
  if (doc.contains("tls_server_config")) {
    fs::path cert = base / doc["tls_server_config"]["cert_file"].get<std::string>();
    fs::path key = base / doc["tls_server_config"]["key_file"].get<std::string>();
    if (Status secret = check_secret_file(key); !secret) return secret.error();
    auto cert_pem = read_file(cert);
    if (!cert_pem) return cert_pem.error();
    auto key_pem = read_file(key);
    if (!key_pem) return key_pem.error();
    config.tls_cert_pem = *cert_pem;
    config.tls_key_pem = *key_pem;
  }
  if (doc.contains("basic_auth_users"))
    for (const auto& [user, hash] : doc["basic_auth_users"].items()) config.users[user] = hash;
  return config;
}

}  // namespace dihya::monitoring
