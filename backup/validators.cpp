#include "backup/validators.hpp"

#include <charconv>

namespace dihya::backup {
namespace {

Result<BackupTarget> target_of(const std::string& text, bool allow_all) {
  auto target = parse_backup_target(text);
  if (!target || (!allow_all && *target == BackupTarget::all))
    return usage_error(
        "backup.bad_target",
        {{"value", text}, {"choices", allow_all ? "db, files, config, all" : "db, files, config"}});
  return *target;
}

}  // namespace

Result<BackupOptions> parse_backup_options(const Arguments& args) {
  BackupOptions options;
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  if (auto text = args.value("target")) {
    auto target = target_of(*text, true);
    if (!target) return target.error();
    options.target = *target;
  }
  options.encrypt = args.flag("encrypt");
  options.tag = args.value("tag").value_or("");
  if (options.tag.size() > 64 || options.tag.find_first_of("\n\r\t\"\\") != std::string::npos)
    return usage_error("backup.bad_tag", {{"value", options.tag.substr(0, 64)}});
  if (auto text = args.value("compression-level")) {
    int level = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), level);
    if (ec != std::errc() || end != text->data() + text->size() || level < 1 || level > 19)
      return usage_error("backup.bad_level", {{"value", *text}});
    options.compression_level = level;
  }
  options.keys = parse_key_options(args);
  if (options.keys.passphrase_file && !options.encrypt)
    return usage_error("backup.passphrase_needs_encrypt");
  return options;
}

Result<RestoreOptions> parse_restore_options(const Arguments& args) {
  RestoreOptions options;
  const auto& positional = args.positional();
  bool latest = args.flag("latest");
  if (positional.size() > 1)
    return usage_error("core.usage.unexpected_argument", {{"argument", positional[1]}});
  if (positional.empty() == !latest) return usage_error("backup.id_or_latest");
  if (!positional.empty()) options.id = positional.front();
  auto text = args.value("target");
  if (!text) return usage_error("backup.target_required");
  auto target = target_of(*text, false);
  if (!target) return target.error();
  options.request.target = *target;
  if (auto to = args.value("to")) options.request.to = *to;
  options.request.include = args.values("include");
  if (!options.request.include.empty() && !options.request.to)
    return usage_error("core.backup.include_needs_to");
  options.keys = parse_key_options(args);
  return options;
}

Result<VerifyOptions> parse_verify_options(const Arguments& args) {
  VerifyOptions options;
  const auto& positional = args.positional();
  int chosen =
      (positional.empty() ? 0 : 1) + (args.flag("latest") ? 1 : 0) + (args.flag("all") ? 1 : 0);
  if (positional.size() > 1)
    return usage_error("core.usage.unexpected_argument", {{"argument", positional[1]}});
  if (chosen > 1) return usage_error("backup.id_latest_or_all");
  if (!positional.empty()) {
    options.which = VerifyOptions::Which::one;
    options.id = positional.front();
  } else if (args.flag("all")) {
    options.which = VerifyOptions::Which::all;
  }
  options.restore_test = args.flag("restore-test");
  options.keys = parse_key_options(args);
  return options;
}

Result<ListOptions> parse_list_options(const Arguments& args) {
  ListOptions options;
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  if (auto text = args.value("target")) {
    auto target = target_of(*text, true);
    if (!target) return target.error();
    options.target = *text;
  }
  return options;
}

}  // namespace dihya::backup
