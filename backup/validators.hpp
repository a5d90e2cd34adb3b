#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/backup/backup.hpp"
#include "core/base/options.hpp"

// Argument rules of the backup module's tools.
namespace dihya::backup {

struct BackupOptions {
  BackupTarget target = BackupTarget::all;
  bool encrypt = false;
  std::string tag;
  std::optional<int> compression_level;
  KeyOptions keys;
};
Result<BackupOptions> parse_backup_options(const Arguments& args);

struct RestoreOptions {
  std::string id = "latest";
  RestoreRequest request;
  KeyOptions keys;
};
Result<RestoreOptions> parse_restore_options(const Arguments& args);

struct VerifyOptions {
  enum class Which { one, latest, all } which = Which::latest;
  std::string id;
  bool restore_test = false;
  KeyOptions keys;
};
Result<VerifyOptions> parse_verify_options(const Arguments& args);

struct ListOptions {
  std::optional<std::string> target;
};
Result<ListOptions> parse_list_options(const Arguments& args);

}  // namespace dihya::backup
