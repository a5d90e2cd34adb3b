#pragma once

#include <span>
#include <string>

#include "core/config/config.hpp"

namespace dihya {

// Every section a tenant may hold beyond the config layer's own, each checked by the layer
// that owns it (backup, export, personal_data). A new section is added here.
std::span<const TenantSection> tenant_sections();

// Load and validate the config at PATH with every section (exit 78 naming each problem).
Result<Config> load_config(const fs::path& path);
// Validate and build a config from TEXT as if read from PATH, with every section.
Result<Config> parse_config(const std::string& text, const fs::path& path);

}  // namespace dihya
