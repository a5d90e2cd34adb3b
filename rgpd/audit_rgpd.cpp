// audit_rgpd: the compliance report of the tenant (inventory, retention, consent, art. 30
// record); exit 1 on overdue or undeclared personal data.
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "audit_rgpd",
    .summary_id = "rgpd.audit_rgpd_summary_help",
    .examples = {"audit_rgpd", "audit_rgpd --format html -o rgpd-report.html",
                 "audit_rgpd --format json"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = rgpd::plugins::k_audit_rgpd_point,
    .declare_options = rgpd::declare_audit_rgpd_options,
    .permission = [](const Arguments&) { return std::string("rgpd.audit"); },
    .action = [](const Arguments&) { return std::string(rgpd::audit::k_action_audit_rgpd); },
    .validate_arguments = validate_with(rgpd::parse_audit_rgpd_options),
    .run = run_with(rgpd::parse_audit_rgpd_options, rgpd::run_audit_rgpd),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
