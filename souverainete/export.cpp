// export: the tenant's tables as a Frictionless Data Package in a tar.zst, from one
// consistent snapshot, optionally encrypted and signed.
#include "souverainete/audit.hpp"
#include "souverainete/plugins.hpp"
#include "souverainete/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "souverainete",
    .name = "export",
    .summary_id = "souverainete.export_summary_help",
    .examples = {"export --target db -o acme.tar.zst",
                 "export --target db --tables users,events --format jsonl --sign -o out.tar.zst",
                 "export --target db --encrypt --recipient keys/dpo.pub --sign -o - | ssh vault "
                 "'cat > acme.pkg'"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = souverainete::plugins::k_export_point,
    .declare_options = souverainete::declare_export_options,
    .permission = [](const Arguments&) { return std::string("souverainete.export"); },
    .action = [](const Arguments&) { return std::string(souverainete::audit::k_action_export); },
    .validate_arguments = validate_with(souverainete::parse_export_options),
    .run = run_with(souverainete::parse_export_options, souverainete::run_export),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
