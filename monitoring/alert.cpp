// alert: send alerts to Alertmanager and a signed webhook, resolve them, or raise them from
// the failing health checks.
#include "monitoring/audit_events.hpp"
#include "monitoring/plugins.hpp"
#include "monitoring/services.hpp"
#include "monitoring/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.positional("send|resolve|test|list");
  options.value("name", "ALERTNAME", "monitoring.alert.opt.name");
  options.list("label", "KEY=VALUE", "monitoring.alert.opt.label");
  options.value("severity", "LEVEL", "monitoring.alert.opt.severity");
  options.value("summary", "TEXT", "monitoring.alert.opt.summary");
  options.flag("from-healthcheck", "monitoring.alert.opt.from_healthcheck");
}

const ToolSpec k_tool = {
    .module = "monitoring",
    .name = "alert",
    .summary_id = "monitoring.alert.summary_help",
    .examples = {"alert test",
                 "alert send --name BackupLate --severity critical --summary 'no backup'",
                 "alert resolve --name BackupLate", "alert list --json",
                 "alert --from-healthcheck --all-tenants"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = monitoring::plugins::k_alert_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("monitoring.alert"); },
    .action = [](const Arguments&) { return std::string(monitoring::audit_events::k_alert); },
    .validate_arguments = validate_with(monitoring::parse_alert_options),
    .run = run_with(monitoring::parse_alert_options, monitoring::run_alert),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
