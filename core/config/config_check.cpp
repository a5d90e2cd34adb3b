#include "core/config/config_check.hpp"

#include <algorithm>
#include <limits>
#include <regex>
#include <set>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"

namespace dihya {
namespace {

const std::regex k_name_re("[a-z0-9][a-z0-9_-]{0,62}");
const std::regex k_user_re("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
const std::regex k_permission_re(R"(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)");
const std::regex k_postgres_re(
    R"(postgres(ql)?://([^:@/]+)@([^:/?]+|\[[0-9a-fA-F:]+\])(:(\d{1,5}))?/([A-Za-z0-9_.-]+)(\?.*)?)");

// Keys whose value would be a secret: the config holds only paths or hashes.
const std::set<std::string> k_secret_keys = {"password",   "passwd",    "pass",   "secret",
                                             "token",      "api_key",   "apikey", "private_key",
                                             "passphrase", "secret_key"};

const std::set<std::string> k_environments = {"production", "staging", "development", "demo",
                                              "test"};

bool looks_like_secret_value(const std::string& value) {
  return value.find("PRIVATE KEY") != std::string::npos || value.rfind("dihya-sign-sk-", 0) == 0 ||
         value.rfind("dihya-sec-", 0) == 0 || value.rfind("AGE-SECRET-KEY-", 0) == 0;
}

}  // namespace

bool ConfigChecker::reported_elsewhere(const std::string& key) const {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return k_secret_keys.count(lower) > 0;
}

fs::path ConfigChecker::resolve(const std::string& value) const {
  fs::path p(value);
  if (p.is_relative()) p = m_file.parent_path() / p;
  return p.lexically_normal();
}

void ConfigChecker::check_secrets(const Json& value, const std::string& path) {
  // The keys of these objects are names chosen by the user (a column may be called
  // "password"), not settings: only their values are looked at.
  static const std::regex name_maps(R"((users|roles|tenants|.*\.files|.*\.tables|.*\.columns))");
  bool keys_are_names = std::regex_match(path, name_maps);
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      std::string lower = key;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (!keys_are_names && k_secret_keys.count(lower))
        issue(join(path, key), "core.config.secret_in_clear");
      else
        check_secrets(item, join(path, key));
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) check_secrets(value[i], index_path(path, i));
  } else if (value.is_string() && looks_like_secret_value(value.get<std::string>())) {
    issue(path, "core.config.secret_in_clear");
  }
}

Config ConfigChecker::check(const std::string& text) {
  Config config;
  config.path = m_file;
  if (!parse(text, config.raw)) return config;
  const Json& doc = config.raw;
  check_secrets(doc, "");
  if (!expect_object(doc, "", {"version", "language", "users", "roles", "tenants"})) return config;
  if (!doc.contains("version"))
    issue("version", "core.json.missing_key");
  else if (!doc["version"].is_number_integer() || doc["version"] != 1)
    issue("version", "core.config.bad_version");
  if (auto lang = get_string(doc, "language", "", false)) {
    if (*lang != "fr" && *lang != "en" && *lang != "ar" && *lang != "kab")
      issue("language", "core.config.bad_language", {{"value", *lang}});
    config.language = lang;
  }
  check_roles(doc.value("roles", Json::object()), config);
  check_users(doc.value("users", Json::object()), config);
  check_tenants(doc.contains("tenants") ? doc["tenants"] : Json(), config);
  if (issues().empty()) check_overlaps(config);
  return config;
}

void ConfigChecker::check_roles(const Json& roles, Config& config) {
  if (!expect_object(roles, "roles", {})) return;
  for (const auto& [name, perms] : roles.items()) {
    std::string path = join("roles", name);
    if (!std::regex_match(name, k_name_re)) issue(path, "core.config.bad_name");
    if (!perms.is_array()) {
      issue(path, "core.json.expected_array");
      continue;
    }
    std::vector<std::string> list;
    for (std::size_t i = 0; i < perms.size(); ++i) {
      if (!perms[i].is_string() || !std::regex_match(perms[i].get<std::string>(), k_permission_re))
        issue(index_path(path, i), "core.config.bad_permission");
      else
        list.push_back(perms[i].get<std::string>());
    }
    config.roles[name] = list;
  }
}

void ConfigChecker::check_users(const Json& users, Config& config) {
  if (!expect_object(users, "users", {})) return;
  for (const auto& [name, entry] : users.items()) {
    std::string path = join("users", name);
    if (!std::regex_match(name, k_user_re)) issue(path, "core.config.bad_user_name");
    if (!expect_object(entry, path, {"roles", "unix_users", "token_hash"})) continue;
    UserEntry user{name, get_strings(entry, "roles", path), get_strings(entry, "unix_users", path),
                   get_string(entry, "token_hash", path, false)};
    for (std::size_t i = 0; i < user.roles.size(); ++i)
      if (!config.roles.count(user.roles[i]))
        issue(index_path(join(path, "roles"), i), "core.config.unknown_role",
              {{"role", user.roles[i]}});
    if (user.token_hash && user.token_hash->rfind("$argon2id$", 0) != 0)
      issue(join(path, "token_hash"), "core.config.bad_token_hash");
    if (user.unix_users.empty() && !user.token_hash && !entry.contains("token_hash"))
      issue(path, "core.config.user_cannot_authenticate");
    config.users[name] = std::move(user);
  }
}

void ConfigChecker::check_tenants(const Json& tenants, Config& config) {
  if (tenants.is_null()) {
    issue("tenants", "core.json.missing_key");
    return;
  }
  if (!expect_object(tenants, "tenants", {})) return;
  if (tenants.empty()) issue("tenants", "core.config.no_tenants");
  for (const auto& [name, tenant] : tenants.items()) {
    if (!std::regex_match(name, k_name_re)) {
      issue(join("tenants", name), "core.config.bad_name");
      continue;
    }
    config.tenants[name] = check_tenant(name, tenant);
  }
}

TenantConfig ConfigChecker::check_tenant(const std::string& name, const Json& tenant) {
  std::string path = join("tenants", name);
  TenantConfig out;
  out.name = name;
  out.state_dir = resolve("state/" + name);
  out.hooks_dir = out.state_dir / "hooks";
  std::vector<std::string_view> keys = {
      "database",    "files", "state_dir", "hooks_dir", "hook_timeout_seconds",
      "environment", "audit"};
  for (const TenantSection& section : m_sections) keys.push_back(section.key);
  if (!expect_object(tenant, path, keys)) return out;
  if (auto state = get_string(tenant, "state_dir", path, false)) {
    out.state_dir = resolve(*state);
    out.hooks_dir = out.state_dir / "hooks";
  }
  if (auto hooks = get_string(tenant, "hooks_dir", path, false)) out.hooks_dir = resolve(*hooks);
  if (auto timeout = get_integer(tenant, "hook_timeout_seconds", path, 1, 86400))
    out.hook_timeout_seconds = static_cast<int>(*timeout);
  if (auto env = get_string(tenant, "environment", path, false)) {
    if (!k_environments.count(*env))
      issue(join(path, "environment"), "core.config.bad_environment", {{"value", *env}});
    out.environment = *env;
  }
  if (auto db = get_string(tenant, "database", path, false))
    check_database(*db, join(path, "database"), out);
  else
    out.database = "sqlite:" + (out.state_dir / "app.db").string();
  if (tenant.contains("files") && expect_object(tenant["files"], join(path, "files"), {})) {
    for (const auto& [key, value] : tenant["files"].items()) {
      if (auto dir = get_string(tenant["files"], key, join(path, "files"), true))
        out.files[key] = resolve(*dir);
    }
  }
  if (tenant.contains("audit")) check_audit(tenant["audit"], join(path, "audit"), out);
  for (const TenantSection& section : m_sections) {
    std::string key(section.key);
    if (tenant.contains(key)) section.check(*this, tenant[key], join(path, key), out);
  }
  return out;
}

void ConfigChecker::check_database(const std::string& url, const std::string& path,
                                   TenantConfig& tenant) {
  if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) {
    tenant.database = "sqlite:" + resolve(url.substr(7)).string();
    return;
  }
  std::smatch match;
  if (url.rfind("postgres", 0) == 0) {
    auto at = url.find('@');
    auto scheme_end = url.find("://");
    if (at != std::string::npos && scheme_end != std::string::npos &&
        url.substr(scheme_end + 3, at - scheme_end - 3).find(':') != std::string::npos) {
      issue(path, "core.config.password_in_url");
      return;
    }
    if (url.find("password=") != std::string::npos) {
      issue(path, "core.config.password_in_url");
      return;
    }
    if (std::regex_match(url, match, k_postgres_re)) {
      tenant.database = url;
      return;
    }
  }
  issue(path, "core.config.bad_database_url");
}

void ConfigChecker::check_audit(const Json& audit, const std::string& path, TenantConfig& tenant) {
  if (!expect_object(audit, path, {"signing_key", "verify_key"})) return;
  if (auto key = get_string(audit, "signing_key", path, false))
    tenant.audit.signing_key = resolve(*key);
  if (auto key = get_string(audit, "verify_key", path, false))
    tenant.audit.verify_key = resolve(*key);
  if (tenant.audit.signing_key && !tenant.audit.verify_key)
    issue(join(path, "verify_key"), "core.json.missing_key");
}

void ConfigChecker::check_overlaps(const Config& config) {
  struct Root {
    std::string owner, where;
    fs::path path;
  };
  std::vector<Root> roots;
  for (const auto& [name, tenant] : config.tenants) {
    std::string base = join("tenants", name);
    roots.push_back({name, join(base, "state_dir"), tenant.state_dir});
    for (const auto& [key, dir] : tenant.files)
      roots.push_back({name, join(join(base, "files"), key), dir});
    if (auto db = tenant.sqlite_path()) roots.push_back({name, join(base, "database"), *db});
    if (tenant.backup.contains("repository"))
      roots.push_back({name, join(join(base, "backup"), "repository"),
                       fs::path(tenant.backup["repository"].get<std::string>())});
  }
  for (std::size_t i = 0; i < roots.size(); ++i)
    for (std::size_t j = i + 1; j < roots.size(); ++j) {
      if (roots[i].owner == roots[j].owner) continue;
      if (path_within(roots[i].path, roots[j].path) || path_within(roots[j].path, roots[i].path))
        issue(roots[j].where, "core.config.paths_overlap",
              {{"other", roots[i].where}, {"dir", roots[j].path.string()}});
    }
}

}  // namespace dihya
