#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/fs.hpp"
#include "core/base/options.hpp"
#include "core/run/audit_export.hpp"

namespace dihya::ops {

// Which records show and export select.
struct AuditQuery {
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
  std::optional<std::string> actor;
  std::optional<std::string> outcome;
  std::optional<std::string> tool;
};

enum class AuditSubcommand { verify, show, export_records, keygen };

struct AuditCommand {
  AuditSubcommand subcommand = AuditSubcommand::verify;
  AuditQuery query;
  AuditFormat format = AuditFormat::json;
  std::optional<std::string> output;
};

// Parse `audit COMMAND [options]`; a bad subcommand, date, outcome or format is 64.
Result<AuditCommand> parse_audit_command(const Arguments& args);

// The permission a subcommand needs: audit.read, or audit.manage for keygen.
std::string audit_permission(const Arguments& args);
std::string audit_action(const Arguments& args);

// rotate_keys: --generate or --rotate, the private key's path and its protection.
struct RotateKeysCommand {
  bool generate = false;  // else rotate
  bool protect = false;
  std::optional<fs::path> identity;
  std::optional<fs::path> key_passphrase_file;
};
Result<RotateKeysCommand> parse_rotate_keys_command(const Arguments& args);

}  // namespace dihya::ops
