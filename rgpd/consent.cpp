// consent: the append-only consent register: record, withdraw, list, show.
#include "rgpd/audit.hpp"
#include "rgpd/plugins.hpp"
#include "rgpd/services.hpp"

namespace {

using namespace dihya;

bool writes(const Arguments& args) {
  const auto& p = args.positional();
  return !p.empty() && (p[0] == "record" || p[0] == "withdraw");
}

const ToolSpec k_tool = {
    .module = "rgpd",
    .name = "consent",
    .summary_id = "rgpd.consent_summary_help",
    .examples = {"consent record --subject 42 --purpose newsletter --method web-form "
                 "--policy-version 2026-03",
                 "consent withdraw --subject 42 --purpose newsletter", "consent show --subject 42",
                 "consent list --purpose newsletter --active"},
    .scope = Scope::tenant,
    .changes_data = false,
    .hook_point = rgpd::plugins::k_consent_point,
    .declare_options = rgpd::declare_consent_options,
    .permission =
        [](const Arguments& args) {
          return std::string(writes(args) ? "rgpd.consent.write" : "rgpd.consent.read");
        },
    .action =
        [](const Arguments& args) {
          const auto& p = args.positional();
          return std::string(rgpd::audit::k_action_consent) + "." +
                 (p.empty() ? std::string("list") : p[0]);
        },
    .validate_arguments = validate_with(rgpd::parse_consent_options),
    .run = run_with(rgpd::parse_consent_options, rgpd::run_consent),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
