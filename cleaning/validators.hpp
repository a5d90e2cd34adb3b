#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/options.hpp"
#include "core/config/config.hpp"

namespace dihya::cleaning {

// clean_tmp's arguments.
struct TmpOptions {
  bool all = false;
  std::vector<std::string> names;           // --path NAME (declared names)
  std::optional<std::int64_t> older_than;   // --older-than, ms: replaces each path's age
  std::optional<std::int64_t> max_runtime;  // --max-runtime, ms
  bool wait = false;                        // wait for a concurrent run instead of 75
  bool dry_run = false;
};

void declare_tmp_options(OptionSet& options);
Result<TmpOptions> parse_tmp_options(const Arguments& args);

// One declared temporary directory (cleaning.tmp[i]), as check_config accepted it.
struct TmpRule {
  std::string name;
  fs::path path;
  std::int64_t age_ms = 0;
  std::vector<std::string> exclude;
  bool by_mtime = true, by_ctime = true, by_atime = false;
  std::optional<std::uint64_t> max_bytes;
  bool keep_open = false;
};

// The rules OPTIONS select from TENANT's cleaning.tmp; a name not declared is refused (64).
Result<std::vector<TmpRule>> select_tmp_rules(const TenantConfig& tenant,
                                              const TmpOptions& options);

}  // namespace dihya::cleaning
