#include "souverainete/validators.hpp"

#include <charconv>

#include "core/data/db.hpp"

namespace dihya::souverainete {
namespace {

Status check_target(const Arguments& args) {
  if (auto target = args.value("target"); target && *target != "db")
    return usage_error("souverainete.bad_target", {{"value", *target}});
  return {};
}

}  // namespace

void declare_export_options(OptionSet& options) {
  options.value("target", "db", "souverainete.opt.target");
  options.value("tables", "A,B", "souverainete.opt.tables");
  options.value("format", "csv|jsonl", "souverainete.opt.format");
  options.flag("encrypt", "souverainete.opt.encrypt");
  options.list("recipient", "KEY", "souverainete.opt.recipient");
  options.value("passphrase-file", "FILE", "souverainete.opt.passphrase_file");
  options.flag("sign", "souverainete.opt.sign");
  options.value("output", "FILE|-", "souverainete.opt.output", 'o');
  options.value("compression-level", "N", "souverainete.opt.compression_level");
  options.flag("anonymize", "souverainete.opt.anonymize");
  options.flag("include-internal", "souverainete.opt.include_internal");
}

Result<ExportOptions> parse_export_options(const Arguments& args) {
  ExportOptions options;
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  if (Status target = check_target(args); !target) return target.error();
  if (auto tables = args.value("tables")) {
    std::string_view rest = *tables;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string name(rest.substr(0, comma));
      if (name.empty()) return usage_error("souverainete.bad_tables", {{"value", *tables}});
      options.tables.push_back(name);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (comma != std::string_view::npos && rest.empty())
        return usage_error("souverainete.bad_tables", {{"value", *tables}});
    }
    if (options.tables.empty()) return usage_error("souverainete.bad_tables", {{"value", *tables}});
  }
  if (auto format = args.value("format")) {
    auto parsed = package::parse_format(*format);
    if (!parsed) return usage_error("souverainete.bad_format", {{"value", *format}});
    options.format = *parsed;
  }
  options.encrypt = args.flag("encrypt");
  options.anonymize = args.flag("anonymize");
  options.include_internal = args.flag("include-internal");
  // The personal-data map does not cover the suite's own tables (the consent register names
  // its subjects): an anonymized copy would carry them in clear.
  if (options.anonymize) {
    if (options.include_internal)
      return usage_error("souverainete.internal_not_anonymized", {{"table", "dihya_*"}});
    for (const auto& name : options.tables)
      if (is_internal_table(name))
        return usage_error("souverainete.internal_not_anonymized", {{"table", name}});
  }
  options.recipients = args.values("recipient");
  if (auto file = args.value("passphrase-file")) options.passphrase_file = *file;
  if (!options.encrypt && (!options.recipients.empty() || options.passphrase_file))
    return usage_error("souverainete.keys_need_encrypt");
  if (options.encrypt && options.recipients.empty() && !options.passphrase_file)
    return usage_error("souverainete.encrypt_needs_keys");
  options.sign = args.flag("sign");
  options.output = args.value("output").value_or("");
  // Standard output carries the package when -o is - or absent.
  if ((options.output == "-" || options.output.empty()) && args.flag("json"))
    return usage_error("souverainete.json_and_stdout");
  if (auto level = args.value("compression-level")) {
    int value = 0;
    auto [end, ec] = std::from_chars(level->data(), level->data() + level->size(), value);
    if (ec != std::errc() || end != level->data() + level->size() || value < 1 || value > 19)
      return usage_error("souverainete.bad_level", {{"value", *level}});
    options.compression_level = value;
  }
  return options;
}

const char* import_mode_name(ImportMode mode) {
  switch (mode) {
    case ImportMode::create:
      return "create";
    case ImportMode::append:
      return "append";
    case ImportMode::replace:
      return "replace";
  }
  return "create";
}

void declare_import_options(OptionSet& options) {
  options.positional("FILE|-");
  options.value("target", "db", "souverainete.opt.target");
  options.value("mode", "create|append|replace", "souverainete.opt.mode");
  options.flag("verify-only", "souverainete.opt.verify_only");
  declare_key_options(options, true);
}

Result<ImportOptions> parse_import_options(const Arguments& args) {
  ImportOptions options;
  const auto& positional = args.positional();
  if (positional.empty()) return usage_error("souverainete.file_needed");
  if (positional.size() > 1)
    return usage_error("core.usage.unexpected_argument", {{"argument", positional[1]}});
  options.file = positional.front();
  if (Status target = check_target(args); !target) return target.error();
  if (auto mode = args.value("mode")) {
    if (*mode == "create")
      options.mode = ImportMode::create;
    else if (*mode == "append")
      options.mode = ImportMode::append;
    else if (*mode == "replace")
      options.mode = ImportMode::replace;
    else
      return usage_error("souverainete.bad_mode", {{"value", *mode}});
  }
  options.verify_only = args.flag("verify-only");
  options.keys = parse_key_options(args);
  return options;
}

}  // namespace dihya::souverainete
