// list_backups: the backups of a tenant's repository, from their sidecars (no key needed).
#include "backup/audit.hpp"
#include "backup/services.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("target", "db|files|config|all", "backup.opt.list_target");
}

const ToolSpec k_tool = {
    .module = "backup",
    .name = "list_backups",
    .summary_id = "backup.list_summary_help",
    .examples = {"list_backups", "list_backups --target db --json", "list_backups --tenant acme"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = "",
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("backup.list"); },
    .action = [](const Arguments&) { return std::string(backup::audit::k_action_list); },
    .validate_arguments = validate_with(backup::parse_list_options),
    .run = run_with(backup::parse_list_options, backup::run_list),
    .applies_to = BackupRepository::configured,
    .not_applicable_id = "core.backup.no_repository",
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
