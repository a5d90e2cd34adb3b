// clean_tmp: remove what is old in the tenant's declared temporary directories, safely.
#include "cleaning/audit.hpp"
#include "cleaning/plugins.hpp"
#include "cleaning/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "cleaning",
    .name = "clean_tmp",
    .summary_id = "cleaning.tmp.summary_help",
    .examples = {"clean_tmp --all --dry-run", "clean_tmp --path scratch --older-than 2d",
                 "clean_tmp --all --max-runtime 10m --json", "clean_tmp --all --user admin"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = cleaning::plugins::k_clean_tmp_point,
    .declare_options = cleaning::declare_tmp_options,
    .permission = [](const Arguments&) { return std::string("cleaning.tmp"); },
    .action = [](const Arguments&) { return std::string(cleaning::audit::k_action_clean_tmp); },
    .validate_arguments = validate_with(cleaning::parse_tmp_options),
    .run = run_with(cleaning::parse_tmp_options, cleaning::run_clean_tmp),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
