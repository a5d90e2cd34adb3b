// audit: verify, show and export a tenant's tamper-evident audit trail.
#include "ops/plugins.hpp"
#include "ops/services.hpp"
#include "ops/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.positional("verify|show|export|keygen");
  options.value("since", "TIME", "ops.audit.opt.since");
  options.value("until", "TIME", "ops.audit.opt.until");
  options.value("actor", "USER", "ops.audit.opt.actor");
  options.value("outcome", "OUTCOME", "ops.audit.opt.outcome");
  options.value("tool", "TOOL", "ops.audit.opt.tool");
  options.value("format", "FORMAT", "ops.audit.opt.format");
  options.value("output", "FILE", "ops.audit.opt.output", 'o');
}

const ToolSpec k_tool = {
    .module = "ops",
    .name = "audit",
    .summary_id = "ops.audit.summary_help",
    .examples = {"audit verify --tenant acme",
                 "audit show --since 2026-11-01 --actor dpo --outcome denied --lang ar",
                 "audit export --format cef -o /var/log/dihya/acme.cef",
                 "audit keygen --tenant acme"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = ops::plugins::k_audit_point,
    .declare_options = declare_options,
    .permission = ops::audit_permission,
    .action = ops::audit_action,
    .validate_arguments = validate_with(ops::parse_audit_command),
    .run = run_with(ops::parse_audit_command, ops::run_audit),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
