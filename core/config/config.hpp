#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/json.hpp"

namespace dihya {

namespace fs = std::filesystem;

struct UserEntry {
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> unix_users;
  std::optional<std::string> token_hash;
};

struct AuditSettings {
  std::optional<fs::path> signing_key;  // Ed25519 secret key file (0600)
  std::optional<fs::path> verify_key;   // its public half, to verify checkpoints
};

struct TenantConfig {
  std::string name;
  std::string database;  // URL; a sqlite: path is made absolute
  std::map<std::string, fs::path> files;
  fs::path state_dir;
  fs::path hooks_dir;
  int hook_timeout_seconds = 60;
  std::string environment = "production";
  AuditSettings audit;
  // The sections of core engines, checked by core/backup, core/package and core/privacy.
  Json backup = Json::object();
  Json export_settings = Json::object();  // "export"
  Json personal_data = Json::object();
  // The sections only a module's tools read ("cleaning", "monitoring"…), as their
  // TenantSection checked them, paths made absolute.
  std::map<std::string, Json, std::less<>> sections;

  fs::path audit_dir() const { return state_dir / "audit"; }
  fs::path audit_log() const { return audit_dir() / "audit.jsonl"; }
  fs::path metrics_dir() const { return state_dir / "metrics"; }
  // Every directory or file this tenant owns; tools touch nothing outside them.
  std::vector<fs::path> roots() const;
  // The module section KEY, or an empty object when the tenant has none.
  const Json& section(std::string_view key) const;
  // The SQLite file of a sqlite: database URL, if it is one.
  std::optional<fs::path> sqlite_path() const;
};

struct Config {
  fs::path path;  // absolute path of the file
  int version = 1;
  std::optional<std::string> language;
  std::map<std::string, UserEntry> users;
  std::map<std::string, std::vector<std::string>> roles;
  std::map<std::string, TenantConfig> tenants;
  Json raw;  // the document as read
};

class ConfigChecker;

// A section of a tenant owned by a layer above this one ("backup", "export", "personal_data"):
// its key, and the check that validates it at PATH (recording every problem on CHECKER) and
// stores what it read in TENANT. core/run/config_sections.hpp lists them all.
struct TenantSection {
  std::string_view key;
  void (*check)(ConfigChecker& checker, const Json& section, const std::string& path,
                TenantConfig& tenant);
};

// Where the config is: --config, then $DIHYA_CONFIG, ./dihya.json, /etc/dihya/dihya.json.
fs::path locate_config(const std::optional<std::string>& cli);
// The "language" of the config at PATH when the file can be read, unvalidated: what --help,
// usage errors and the dispatcher speak before (or without) loading the config.
std::optional<std::string> configured_language(const fs::path& path);

// Load and validate the config at PATH, its tenants' SECTIONS checked by their owners. Every
// problem found is a cause of the returned error (exit 78), naming the JSON path.
Result<Config> load_config(const fs::path& path, std::span<const TenantSection> sections);
// Validate and build a config from TEXT as if read from PATH.
Result<Config> parse_config(const std::string& text, const fs::path& path,
                            std::span<const TenantSection> sections);

}  // namespace dihya
