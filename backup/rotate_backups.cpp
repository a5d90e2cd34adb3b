// rotate_backups: apply the tenant's retention policy (restic forget semantics).
#include "backup/audit.hpp"
#include "backup/plugins.hpp"
#include "backup/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "backup",
    .name = "rotate_backups",
    .summary_id = "backup.rotate_summary_help",
    .examples = {"rotate_backups --dry-run", "rotate_backups",
                 "rotate_backups --all-tenants --json"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = backup::plugins::k_rotate_point,
    .declare_options = [](OptionSet&) {},
    .permission = [](const Arguments&) { return std::string("backup.rotate"); },
    .action = [](const Arguments&) { return std::string(backup::audit::k_action_rotate); },
    .validate_arguments = [](const Arguments& args) -> Status {
      if (!args.positional().empty())
        return make_error(ExitCode::usage, "core.usage.unexpected_argument",
                          {{"argument", args.positional().front()}});
      return {};
    },
    .run = [](Context& ctx) { return backup::run_rotate(ctx); },
    .applies_to = BackupRepository::configured,
    .not_applicable_id = "core.backup.no_repository",
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
