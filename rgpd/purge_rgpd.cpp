// purge_rgpd: apply the retention rules of the personal-data map (delete or anonymize rows
// past their time).
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "purge_rgpd",
    .summary_id = "rgpd.purge_summary_help",
    .examples = {"purge_rgpd --dry-run", "purge_rgpd --table events", "purge_rgpd --json"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = rgpd::plugins::k_purge_point,
    .declare_options = rgpd::declare_purge_options,
    .permission = [](const Arguments&) { return std::string("rgpd.purge"); },
    .action = [](const Arguments&) { return std::string(rgpd::audit::k_action_purge); },
    .validate_arguments = validate_with(rgpd::parse_purge_options),
    .run = run_with(rgpd::parse_purge_options, rgpd::run_purge),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
