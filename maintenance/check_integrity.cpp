// check_integrity: check the tenant's database, stored files, backups and audit trail.
#include "maintenance/audit.hpp"
#include "maintenance/plugins.hpp"
#include "maintenance/services.hpp"
#include "maintenance/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("target", "db|files|backups|audit|all", "maintenance.integrity.opt.target");
  options.flag("quick", "maintenance.integrity.opt.quick");
  options.flag("deep", "maintenance.integrity.opt.deep");
  declare_key_options(options, true);
}

const ToolSpec k_tool = {
    .module = "maintenance",
    .name = "check_integrity",
    .summary_id = "maintenance.integrity.summary_help",
    .examples = {"check_integrity", "check_integrity --target db --deep",
                 "check_integrity --target files --quick --json",
                 "check_integrity --target backups --identity /root/demo.key"},
    .scope = Scope::tenant,
    .hook_point = maintenance::plugins::k_check_integrity_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("maintenance.check_integrity"); },
    .action = [](const Arguments&) { return std::string(maintenance::audit::k_action_integrity); },
    .validate_arguments = validate_with(maintenance::parse_integrity_options),
    .run = run_with(maintenance::parse_integrity_options, maintenance::run_check_integrity),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
