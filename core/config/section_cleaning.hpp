#pragma once

#include <string>

#include "core/config/config.hpp"

namespace dihya {

class ConfigChecker;

// The tenant's "cleaning" section (cleaning/README.md): temporary directories (`tmp`), logs to
// rotate (`logs`) and file roots to compare with the database (`orphans`). Paths are made
// absolute; each must lie within the tenant's roots and hold none of its state, database or
// backups. Stored in TenantConfig::sections["cleaning"].
void check_cleaning_section(ConfigChecker& checker, const Json& section, const std::string& path,
                            TenantConfig& tenant);

// True when PATH is "/" or the home directory of an account of this machine (or $HOME).
bool is_home_or_root(const fs::path& path);

}  // namespace dihya
