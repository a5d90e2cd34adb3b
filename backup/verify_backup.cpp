// verify_backup: decrypt and check backups without writing anything (or restore-test them).
#include "backup/audit.hpp"
#include "backup/plugins.hpp"
#include "backup/services.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.positional("[ID]");
  options.flag("latest", "backup.opt.latest");
  options.flag("all", "backup.opt.all");
  options.flag("restore-test", "backup.opt.restore_test");
  declare_key_options(options, true);
}

const ToolSpec k_tool = {
    .module = "backup",
    .name = "verify_backup",
    .summary_id = "backup.verify_summary_help",
    .examples = {"verify_backup --latest", "verify_backup --all",
                 "verify_backup 20261124T231500Z-db-1a2b3c4d --restore-test",
                 "verify_backup --latest --identity /etc/dihya/keys/acme.key"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = backup::plugins::k_verify_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("backup.verify"); },
    .action = [](const Arguments&) { return std::string(backup::audit::k_action_verify); },
    .validate_arguments = validate_with(backup::parse_verify_options),
    .run = run_with(backup::parse_verify_options, backup::run_verify),
    .applies_to = BackupRepository::configured,
    .not_applicable_id = "core.backup.no_repository",
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
