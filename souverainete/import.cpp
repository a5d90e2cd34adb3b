// import: check an export package completely (signature, hashes, sizes, row counts), then
// load it into the tenant's database in one transaction.
#include "souverainete/audit.hpp"
#include "souverainete/plugins.hpp"
#include "souverainete/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "souverainete",
    .name = "import",
    .summary_id = "souverainete.import_summary_help",
    .examples = {"import acme.tar.zst --target db", "import acme.tar.zst --verify-only",
                 "import acme.tar.zst --mode replace --identity keys/acme.key",
                 "import - --mode append < acme.tar.zst"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = souverainete::plugins::k_import_point,
    .declare_options = souverainete::declare_import_options,
    .permission = [](const Arguments&) { return std::string("souverainete.import"); },
    .action = [](const Arguments&) { return std::string(souverainete::audit::k_action_import); },
    .validate_arguments = validate_with(souverainete::parse_import_options),
    .run = run_with(souverainete::parse_import_options, souverainete::run_import),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
