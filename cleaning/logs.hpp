#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/options.hpp"
#include "core/config/config.hpp"

// clean_logs: rotate the tenant's declared logs (numbered or dated), tell the writer to
// reopen, compress in process once nobody holds the rotated file, verify, then apply the
// retention (keep, max_age, max_total_bytes).
namespace dihya::cleaning {

struct LogsOptions {
  bool dry_run = false;
  bool force = false;  // rotate every non-empty log whatever its triggers
  std::vector<std::string> names;
};

void declare_logs_options(OptionSet& options);
Result<LogsOptions> parse_logs_options(const Arguments& args);

// One declared log set (cleaning.logs[i]).
struct LogRule {
  std::string name;
  fs::path dir;
  std::string glob;  // the file-name part of path
  std::optional<std::uint64_t> size;
  std::optional<std::int64_t> every_ms;
  int keep = 7;
  std::optional<std::int64_t> max_age_ms;
  std::optional<std::uint64_t> max_total_bytes;
  std::string compress = "zstd";  // zstd, gzip, none
  int level = 0;                  // 0: the codec's default
  bool delay_compress = false, dateext = false, copytruncate = false;
  bool accept_shared_dir = false;
  std::string signal;  // HUP, USR1, USR2 (with pid_file)
  fs::path pid_file;
  std::vector<std::string> command;
};

Result<std::vector<LogRule>> select_log_rules(const TenantConfig& tenant,
                                              const LogsOptions& options);

}  // namespace dihya::cleaning
