// anonymize: rewrite the tenant's database in place per its personal-data map, then prove
// it: no original value left, keys intact, k-anonymity of the quasi-identifiers.
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "anonymize",
    .summary_id = "rgpd.anonymize_summary_help",
    .examples = {"anonymize --generate-key", "anonymize --target all --dry-run",
                 "anonymize --target users --min-k 5 --json",
                 "anonymize --tenant prod --target all --yes --reason \"copy for staging\""},
    .scope = Scope::tenant,
    .changes_data = true,
    .hook_point = rgpd::plugins::k_anonymize_point,
    .declare_options = rgpd::declare_anonymize_options,
    .permission = [](const Arguments&) { return std::string("rgpd.anonymize"); },
    .action = [](const Arguments&) { return std::string(rgpd::audit::k_action_anonymize); },
    .validate_arguments = validate_with(rgpd::parse_anonymize_options),
    .run = run_with(rgpd::parse_anonymize_options, rgpd::run_anonymize),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
