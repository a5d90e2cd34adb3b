// rotate_keys: create a tenant's backup key pair, or replace it and re-wrap every backup.
#include "ops/audit_events.hpp"
#include "ops/plugins.hpp"
#include "ops/services.hpp"
#include "ops/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.flag("generate", "ops.keys.opt.generate");
  options.flag("rotate", "ops.keys.opt.rotate");
  options.flag("protect", "ops.keys.opt.protect");
  options.value("identity", "FILE", "ops.keys.opt.identity");
  options.value("key-passphrase-file", "FILE", "ops.keys.opt.key_passphrase_file");
}

const ToolSpec k_tool = {
    .module = "ops",
    .name = "rotate_keys",
    .summary_id = "ops.keys.summary_help",
    .examples = {"rotate_keys --generate", "rotate_keys --generate --protect",
                 "rotate_keys --rotate --tenant acme",
                 "rotate_keys --rotate --key-passphrase-file /root/acme-key.pass --dry-run"},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = ops::plugins::k_rotate_keys_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("ops.rotate_keys"); },
    .action =
        [](const Arguments& args) {
          return std::string(args.flag("generate") ? ops::audit_events::k_keys_generate
                                                   : ops::audit_events::k_keys_rotate);
        },
    .validate_arguments = validate_with(ops::parse_rotate_keys_command),
    .run = run_with(ops::parse_rotate_keys_command, ops::run_rotate_keys),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
