// healthcheck: a tenant's health as a probe, a Nagios plugin or application/health+json.
#include "monitoring/audit_events.hpp"
#include "monitoring/plugins.hpp"
#include "monitoring/services.hpp"
#include "monitoring/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("probe", "live|ready|startup", "monitoring.healthcheck.opt.probe");
  options.list("check", "NAME", "monitoring.healthcheck.opt.check");
  options.flag("nagios", "monitoring.healthcheck.opt.nagios");
  options.value("warning", "RANGE", "monitoring.healthcheck.opt.warning", 'w');
  options.value("critical", "RANGE", "monitoring.healthcheck.opt.critical", 'c');
}

const ToolSpec k_tool = {
    .module = "monitoring",
    .name = "healthcheck",
    .summary_id = "monitoring.healthcheck.summary_help",
    .examples = {"healthcheck", "healthcheck --probe live", "healthcheck --probe ready --json",
                 "healthcheck --nagios --check disk -w 20: -c 10:",
                 "healthcheck --nagios --check backup_age -w 93600 -c 180000 --tenant acme"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = monitoring::plugins::k_healthcheck_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("monitoring.healthcheck"); },
    .action = [](const Arguments&) { return std::string(monitoring::audit_events::k_healthcheck); },
    .validate_arguments = validate_with(monitoring::parse_healthcheck_options),
    .run = run_with(monitoring::parse_healthcheck_options, monitoring::run_healthcheck),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
