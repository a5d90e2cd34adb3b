// check_config: validate the configuration and show what it grants.
#include "maintenance/audit.hpp"
#include "maintenance/plugins.hpp"
#include "maintenance/services.hpp"
#include "maintenance/validators.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "maintenance",
    .name = "check_config",
    .summary_id = "maintenance.check_config.summary_help",
    .examples = {"check_config --config /etc/dihya/dihya.json", "check_config --json | jq .users",
                 "check_config --tenant demo --lang en"},
    .scope = Scope::config,
    .hook_point = maintenance::plugins::k_check_config_point,
    .permission = [](const Arguments&) { return std::string("maintenance.check_config"); },
    .action = [](const Arguments&) { return std::string(maintenance::audit::k_action_check); },
    .validate_arguments = maintenance::validate_check_config_arguments,
    .run =
        [](Context& ctx) {
          maintenance::CheckConfigOptions options{ctx.args().value("tenant")};
          return maintenance::run_check_config(options, ctx);
        },
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
