// clean_orphans: files of a root that no database row names, quarantined fail-closed.
#include "cleaning/audit.hpp"
#include "cleaning/orphans.hpp"
#include "cleaning/plugins.hpp"
#include "cleaning/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "cleaning",
    .name = "clean_orphans",
    .summary_id = "cleaning.orphans.summary_help",
    .examples = {"clean_orphans --dry-run", "clean_orphans",
                 "clean_orphans --delete --root uploads", "clean_orphans --max-delete 5000",
                 "clean_orphans --restore 20261207T031500Z"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = cleaning::plugins::k_clean_orphans_point,
    .declare_options = cleaning::declare_orphans_options,
    .permission = [](const Arguments&) { return std::string("cleaning.orphans"); },
    .action =
        [](const Arguments& args) {
          return std::string(args.value("restore") ? cleaning::audit::k_action_orphans_restore
                                                   : cleaning::audit::k_action_clean_orphans);
        },
    .validate_arguments = validate_with(cleaning::parse_orphans_options),
    .run = run_with(cleaning::parse_orphans_options, cleaning::run_clean_orphans),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
