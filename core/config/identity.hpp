#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace dihya {

// Who acts, and how that claim was verified.
struct Identity {
  std::string user;     // the config user
  std::string os_user;  // the OS account running the tool
  std::string method;   // "unix" or "token"
};

// Name of the OS account running this process (effective uid).
std::string os_user_name();

// True when PATTERN ("*", "backup.*", "backup.create") grants PERMISSION.
bool permission_matches(const std::string& pattern, const std::string& permission);

// The permission patterns USER holds through its roles, sorted, without duplicates.
std::vector<std::string> effective_permissions(const Config& config, const std::string& user);

// Verify who acts: CLAIMED (or the user mapped to the OS account) must list the OS account
// in unix_users, or present a token ($DIHYA_TOKEN or TOKEN_FILE) matching token_hash.
// Fails with 77.
Result<Identity> authenticate(const Config& config, const std::optional<std::string>& claimed,
                              const std::optional<fs::path>& token_file);

// Check that IDENTITY holds PERMISSION; fails with 77 naming both.
Status authorize(const Config& config, const Identity& identity, const std::string& permission);

}  // namespace dihya
