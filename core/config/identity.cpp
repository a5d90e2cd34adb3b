#include "core/config/identity.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"

namespace dihya {
namespace {

Error denied(std::string id, MessageParams params) {
  return make_error(ExitCode::no_permission, std::move(id), std::move(params));
}

Result<std::string> read_token(const std::optional<fs::path>& token_file) {
  if (token_file) {
    if (Status safe = check_secret_file(*token_file); !safe) return safe.error();
    auto text = read_file(*token_file);
    if (!text) return text.error();
    std::string token = *text;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
  }
  if (const char* env = std::getenv("DIHYA_TOKEN"); env && *env) return std::string(env);
  return std::string();
}

}  // namespace

std::string os_user_name() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid-" + std::to_string(::geteuid());
}

bool permission_matches(const std::string& pattern, const std::string& permission) {
  if (pattern == "*" || pattern == permission) return true;
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0)
    return permission.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return false;
}

std::vector<std::string> effective_permissions(const Config& config, const std::string& user) {
  std::set<std::string> patterns;
  auto it = config.users.find(user);
  if (it == config.users.end()) return {};
  for (const auto& role : it->second.roles)
    if (auto r = config.roles.find(role); r != config.roles.end())
      patterns.insert(r->second.begin(), r->second.end());
  return {patterns.begin(), patterns.end()};
}

Result<Identity> authenticate(const Config& config, const std::optional<std::string>& claimed,
                              const std::optional<fs::path>& token_file) {
  Identity identity{"", os_user_name(), ""};
  if (claimed) {
    identity.user = *claimed;
  } else {
    for (const auto& [name, user] : config.users)
      if (std::count(user.unix_users.begin(), user.unix_users.end(), identity.os_user)) {
        identity.user = name;
        break;
      }
    if (identity.user.empty())
      return denied("core.access.no_mapped_user", {{"os_user", identity.os_user}});
  }
  auto entry = config.users.find(identity.user);
  if (entry == config.users.end())
    return denied("core.access.unknown_user", {{"user", identity.user}});
  const UserEntry& user = entry->second;
  if (std::count(user.unix_users.begin(), user.unix_users.end(), identity.os_user)) {
    identity.method = "unix";
    return identity;
  }
  auto token = read_token(token_file);
  if (!token) return token.error();
  if (token->empty())
    return denied("core.access.not_verified",
                  {{"user", identity.user}, {"os_user", identity.os_user}});
  if (!user.token_hash || !verify_token(*token, *user.token_hash))
    return denied("core.access.bad_token", {{"user", identity.user}});
  identity.method = "token";
  return identity;
}

Status authorize(const Config& config, const Identity& identity, const std::string& permission) {
  for (const auto& pattern : effective_permissions(config, identity.user))
    if (permission_matches(pattern, permission)) return {};
  return denied("core.access.denied", {{"user", identity.user}, {"permission", permission}});
}

}  // namespace dihya
