// subject_export: every row of one data subject, with the art. 15(1) information, as JSON and
// CSV in a tar.zst.
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "subject_export",
    .summary_id = "rgpd.subject_export_summary_help",
    .examples = {"subject_export --subject 42 -o subject-42.tar.zst",
                 "subject_export --email ada@example.org -o ada.tar.zst"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = rgpd::plugins::k_subject_export_point,
    .declare_options = rgpd::declare_subject_export_options,
    .permission = [](const Arguments&) { return std::string("rgpd.subject_export"); },
    .action = [](const Arguments&) { return std::string(rgpd::audit::k_action_subject_export); },
    .validate_arguments = validate_with(rgpd::parse_subject_export_options),
    .run = run_with(rgpd::parse_subject_export_options, rgpd::run_subject_export),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
