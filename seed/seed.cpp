// seed: fill a tenant's database with deterministic, locale-aware demo data.
#include "seed/audit.hpp"
#include "seed/plugins.hpp"
#include "seed/services.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("target", "db", "seed.opt.target");
  options.value("scale", "N", "seed.opt.scale");
  options.value("seed", "S", "seed.opt.seed");
  options.value("locale", "LOCALE", "seed.opt.locale");
  options.value("schema", "FILE", "seed.opt.schema");
  options.flag("reset", "seed.opt.reset");
  options.flag("force", "seed.opt.force");
  options.value("reason", "TEXT", "seed.opt.reason");
}

const ToolSpec k_tool = {
    .module = "seed",
    .name = "seed",
    .summary_id = "seed.summary_help",
    .examples = {"seed --target db --scale 10000",
                 "seed --scale 1000000 --seed 7 --locale kab --reset",
                 "seed --schema shop.json --dry-run",
                 "seed --tenant staging --force --reason \"load test\""},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = seed::plugins::k_seed_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("seed.run"); },
    .action = [](const Arguments&) { return std::string(seed::audit::k_action_seed); },
    .validate_arguments = validate_with(seed::parse_seed_options),
    .run = run_with(seed::parse_seed_options, seed::run_seed),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
