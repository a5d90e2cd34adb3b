// backup: write one encrypted, compressed, verifiable backup into the tenant's repository.
#include "backup/audit.hpp"
#include "backup/plugins.hpp"
#include "backup/services.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("target", "db|files|config|all", "backup.opt.target");
  options.flag("encrypt", "backup.opt.encrypt");
  options.value("tag", "TAG", "backup.opt.tag");
  options.value("compression-level", "N", "backup.opt.compression_level");
  declare_key_options(options, false);
}

const ToolSpec k_tool = {
    .module = "backup",
    .name = "backup",
    .summary_id = "backup.summary_help",
    .examples = {"backup --target db --encrypt", "backup --target all --encrypt --tag nightly",
                 "backup --target files --tenant acme --compression-level 9",
                 "backup --target db --dry-run"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = backup::plugins::k_backup_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("backup.run"); },
    .action = [](const Arguments&) { return std::string(backup::audit::k_action_backup); },
    .validate_arguments = validate_with(backup::parse_backup_options),
    .run = run_with(backup::parse_backup_options, backup::run_backup),
    .applies_to = BackupRepository::configured,
    .not_applicable_id = "core.backup.no_repository",
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
