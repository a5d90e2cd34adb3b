#include "core/config/config.hpp"

#include <cstdlib>

#include "core/base/fs.hpp"
#include "core/config/config_check.hpp"

namespace dihya {

std::vector<fs::path> TenantConfig::roots() const {
  std::vector<fs::path> roots{state_dir};
  for (const auto& [name, path] : files) roots.push_back(path);
  if (auto db = sqlite_path()) roots.push_back(*db);
  if (backup.contains("repository")) roots.emplace_back(backup["repository"].get<std::string>());
  return roots;
}

const Json& TenantConfig::section(std::string_view key) const {
  static const Json k_empty = Json::object();
  auto it = sections.find(key);
  return it == sections.end() ? k_empty : it->second;
}

std::optional<fs::path> TenantConfig::sqlite_path() const {
  constexpr std::string_view prefix = "sqlite:";
  if (database.rfind(prefix, 0) != 0) return std::nullopt;
  return fs::path(database.substr(prefix.size()));
}

std::optional<std::string> configured_language(const fs::path& path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  Json config = Json::parse(*text, nullptr, false);
  if (!config.is_object() || !config.contains("language") || !config["language"].is_string())
    return std::nullopt;
  return config["language"].get<std::string>();
}

fs::path locate_config(const std::optional<std::string>& cli) {
  if (cli) return *cli;
  if (const char* env = std::getenv("DIHYA_CONFIG"); env && *env) return env;
  std::error_code ec;
  if (fs::exists("dihya.json", ec)) return "dihya.json";
  return "/etc/dihya/dihya.json";
}

Result<Config> load_config(const fs::path& path, std::span<const TenantSection> sections) {
  auto text = read_file(path);
  if (!text) {
    Error error =
        make_error(ExitCode::config_error, "core.config.unreadable", {{"file", path.string()}});
    error.causes.push_back(text.error());
    return error;
  }
  return parse_config(*text, path, sections);
}

Result<Config> parse_config(const std::string& text, const fs::path& path,
                            std::span<const TenantSection> sections) {
  fs::path absolute = normalize_path(path);
  ConfigChecker checker(absolute, sections);
  Config config = checker.check(text);
  if (!checker.issues().empty()) {
    Error error = make_error(
        ExitCode::config_error, "core.config.invalid",
        {{"file", absolute.string()}, {"count", std::to_string(checker.issues().size())}});
    error.causes = checker.issues();
    return error;
  }
  return config;
}

}  // namespace dihya
