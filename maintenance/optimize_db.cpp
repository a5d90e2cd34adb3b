// optimize_db: keep the tenant's database compact and its statistics current.
#include "maintenance/audit.hpp"
#include "maintenance/plugins.hpp"
#include "maintenance/services.hpp"
#include "maintenance/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.flag("analyze", "maintenance.optimize.opt.analyze");
  options.value("vacuum", "auto|full|incremental|none", "maintenance.optimize.opt.vacuum");
  options.flag("reindex", "maintenance.optimize.opt.reindex");
  options.flag("force", "maintenance.optimize.opt.force");
  options.value("reason", "TEXT", "maintenance.optimize.opt.reason");
}

const ToolSpec k_tool = {
    .module = "maintenance",
    .name = "optimize_db",
    .summary_id = "maintenance.optimize.summary_help",
    .examples = {"optimize_db --dry-run", "optimize_db --analyze",
                 "optimize_db --reindex --vacuum auto",
                 "optimize_db --vacuum full --force --reason 'after the bulk purge'"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = maintenance::plugins::k_optimize_db_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("maintenance.optimize_db"); },
    .action = [](const Arguments&) { return std::string(maintenance::audit::k_action_optimize); },
    .validate_arguments = validate_with(maintenance::parse_optimize_options),
    .run = run_with(maintenance::parse_optimize_options, maintenance::run_optimize_db),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
