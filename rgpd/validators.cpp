#include "rgpd/validators.hpp"

#include <charconv>
#include <regex>

namespace dihya::rgpd {
void declare_anonymize_options(OptionSet& options) {
  options.value("target", "TABLE|all", "rgpd.opt.target");
  options.value("min-k", "K", "rgpd.opt.min_k");
  options.value("reason", "TEXT", "rgpd.opt.reason");
  options.flag("generate-key", "rgpd.opt.generate_key");
}

Result<AnonymizeOptions> parse_anonymize_options(const Arguments& args) {
  AnonymizeOptions options;
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  options.generate_key = args.flag("generate-key");
  options.yes = args.flag("yes");
  options.dry_run = args.flag("dry-run");
  auto target = args.value("target");
  if (options.generate_key) {
    if (target || args.value("min-k")) return usage_error("rgpd.generate_key_alone");
    return options;
  }
  if (!target) return usage_error("rgpd.target_required");
  static const std::regex identifier("[A-Za-z_][A-Za-z0-9_]{0,62}");
  if (*target != "all") {
    if (!std::regex_match(*target, identifier))
      return usage_error("core.usage.bad_value", {{"option", "--target"}, {"value", *target}});
    options.table = *target;
  }
  if (auto k = args.value("min-k")) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(k->data(), k->data() + k->size(), value);
    if (ec != std::errc() || end != k->data() + k->size() || value < 1 || value > 1000000)
      return usage_error("core.usage.bad_value", {{"option", "--min-k"}, {"value", *k}});
    options.min_k = value;
  }
  if (auto reason = args.value("reason")) {
    if (reason->empty())
      return usage_error("core.usage.bad_value", {{"option", "--reason"}, {"value", ""}});
    options.reason = *reason;
  }
  return options;
}

}  // namespace dihya::rgpd
