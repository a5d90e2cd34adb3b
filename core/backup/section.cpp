// The tenant's "backup" section (docs/configuration.md), checked for check_config and every run.
#include "core/backup/backup.hpp"
#include "core/base/crypto.hpp"
#include "core/config/config_check.hpp"

namespace dihya {

void check_backup_section(ConfigChecker& c, const Json& backup, const std::string& path,
                          TenantConfig& tenant) {
  if (!c.expect_object(backup, path,
                       {"repository", "recipients", "keep", "encryption", "compression_level",
                        "passphrase_file", "identity"}))
    return;
  tenant.backup = backup;
  if (auto repo = c.get_string(backup, "repository", path, false))
    tenant.backup["repository"] = c.resolve(*repo).string();
  // A recipient is a public key in clear ("dihya-pub:…") or the path of a file holding one.
  std::vector<std::string> recipients = c.get_strings(backup, "recipients", path);
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (recipients[i].rfind("dihya-pub:", 0) == 0) {
      if (!parse_recipient(recipients[i]))
        c.issue(c.index_path(c.join(path, "recipients"), i), "core.config.bad_recipient",
                {{"value", recipients[i].substr(0, 24)}});
    } else {
      tenant.backup["recipients"][i] = c.resolve(recipients[i]).string();
    }
  }
  if (auto file = c.get_string(backup, "passphrase_file", path, false))
    tenant.backup["passphrase_file"] = c.resolve(*file).string();
  if (auto file = c.get_string(backup, "identity", path, false))
    tenant.backup["identity"] = c.resolve(*file).string();
  if (auto mode = c.get_string(backup, "encryption", path, false))
    if (*mode != "required" && *mode != "optional")
      c.issue(c.join(path, "encryption"), "core.config.bad_choice",
              {{"value", *mode}, {"choices", "required, optional"}});
  c.get_integer(backup, "compression_level", path, 1, 19);
  if (backup.contains("keep")) {
    std::string keep_path = c.join(path, "keep");
    const Json& keep = backup["keep"];
    if (c.expect_object(keep, keep_path,
                        {"last", "hourly", "daily", "weekly", "monthly", "yearly"}))
      for (const auto& [rule, value] : keep.items())
        c.get_integer(keep, rule, keep_path, 0, c.k_no_limit);
  }
}

}  // namespace dihya
