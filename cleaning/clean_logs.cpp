// clean_logs: rotate, compress (verified) and expire the tenant's declared logs.
#include "cleaning/audit.hpp"
#include "cleaning/logs.hpp"
#include "cleaning/plugins.hpp"
#include "cleaning/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "cleaning",
    .name = "clean_logs",
    .summary_id = "cleaning.logs.summary_help",
    .examples = {"clean_logs --dry-run", "clean_logs", "clean_logs --force --log app",
                 "clean_logs --all-tenants --quiet"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = cleaning::plugins::k_clean_logs_point,
    .declare_options = cleaning::declare_logs_options,
    .permission = [](const Arguments&) { return std::string("cleaning.logs"); },
    .action = [](const Arguments&) { return std::string(cleaning::audit::k_action_clean_logs); },
    .validate_arguments = validate_with(cleaning::parse_logs_options),
    .run = run_with(cleaning::parse_logs_options, cleaning::run_clean_logs),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
