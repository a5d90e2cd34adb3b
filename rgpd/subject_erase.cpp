// subject_erase: delete or anonymize one subject's rows per the map, and journal the erasure
// so no restore brings the subject back.
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "subject_erase",
    .summary_id = "rgpd.subject_erase_summary_help",
    .examples = {"subject_erase --subject 42 --dry-run",
                 "subject_erase --subject 42 --reason \"request 2026-118\""},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = rgpd::plugins::k_subject_erase_point,
    .declare_options = rgpd::declare_subject_erase_options,
    .permission = [](const Arguments&) { return std::string("rgpd.erase"); },
    .action = [](const Arguments&) { return std::string(rgpd::audit::k_action_subject_erase); },
    .validate_arguments = validate_with(rgpd::parse_subject_erase_options),
    .run = run_with(rgpd::parse_subject_erase_options, rgpd::run_subject_erase),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
