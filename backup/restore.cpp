// restore: put a verified backup back, through a staging copy and an atomic swap.
#include "backup/audit.hpp"
#include "backup/plugins.hpp"
#include "backup/services.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.positional("ID");
  options.flag("latest", "backup.opt.latest");
  options.value("target", "db|files|config", "backup.opt.restore_target");
  options.value("to", "PATH", "backup.opt.to");
  options.list("include", "GLOB", "backup.opt.include");
  declare_key_options(options, true);
}

const ToolSpec k_tool = {
    .module = "backup",
    .name = "restore",
    .summary_id = "backup.restore_summary_help",
    .examples = {"restore --latest --target db",
                 "restore 20261124T231500Z-db-1a2b3c4d --target db --to /tmp/check.sqlite",
                 "restore --latest --target files --to /srv/restore --include 'uploads/*.pdf'",
                 "restore --latest --target db --dry-run"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = backup::plugins::k_restore_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("backup.restore"); },
    .action = [](const Arguments&) { return std::string(backup::audit::k_action_restore); },
    .validate_arguments = validate_with(backup::parse_restore_options),
    .run = run_with(backup::parse_restore_options, backup::run_restore),
    .applies_to = BackupRepository::configured,
    .not_applicable_id = "core.backup.no_repository",
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
