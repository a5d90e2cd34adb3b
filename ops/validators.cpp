#include "ops/validators.hpp"

#include "core/base/clock.hpp"
#include "ops/audit_events.hpp"

namespace dihya::ops {
namespace {

Error bad_value(const std::string& option, const std::string& value) {
  return make_error(ExitCode::usage, "core.usage.bad_value",
                    {{"option", option}, {"value", value}});
}

Result<std::optional<std::int64_t>> parse_time(const Arguments& args, const std::string& name) {
  auto text = args.value(name);
  if (!text) return std::optional<std::int64_t>{};
  auto ms = parse_rfc3339_ms(*text);
  if (!ms) return bad_value("--" + name, *text);
  // A bare date given to --until includes that whole day.
  if (name == "until" && text->size() == 10) *ms += 86'400'000 - 1;
  return std::optional<std::int64_t>{*ms};
}

}  // namespace

Result<AuditCommand> parse_audit_command(const Arguments& args) {
  AuditCommand command;
  const auto& words = args.positional();
  if (words.empty())
    return make_error(ExitCode::usage, "core.usage.missing_argument",
                      {{"argument", "verify|show|export|keygen"}});
  if (words.size() > 1)
    return make_error(ExitCode::usage, "core.usage.unexpected_argument", {{"argument", words[1]}});
  const std::string& word = words.front();
  if (word == "verify")
    command.subcommand = AuditSubcommand::verify;
  else if (word == "show")
    command.subcommand = AuditSubcommand::show;
  else if (word == "export")
    command.subcommand = AuditSubcommand::export_records;
  else if (word == "keygen")
    command.subcommand = AuditSubcommand::keygen;
  else
    return make_error(ExitCode::usage, "ops.audit.unknown_command", {{"command", word}});

  auto since = parse_time(args, "since");
  if (!since) return since.error();
  auto until = parse_time(args, "until");
  if (!until) return until.error();
  command.query = {*since, *until, args.value("actor"), args.value("outcome"), args.value("tool")};
  if (auto o = command.query.outcome; o && *o != "success" && *o != "failure" && *o != "denied")
    return bad_value("--outcome", *o);
  if (auto name = args.value("format")) {
    auto format = parse_audit_format(*name);
    if (!format) return bad_value("--format", *name);
    command.format = *format;
  }
  command.output = args.value("output");
  bool exporting = command.subcommand == AuditSubcommand::export_records;
  if (!exporting && (args.value("format") || command.output))
    return make_error(ExitCode::usage, "ops.audit.export_only", {{"command", word}});
  return command;
}

std::string audit_permission(const Arguments& args) {
  auto command = parse_audit_command(args);
  if (command && command->subcommand == AuditSubcommand::keygen) return "audit.manage";
  return "audit.read";
}

std::string audit_action(const Arguments& args) {
  auto command = parse_audit_command(args);
  if (!command) return "usage";
  switch (command->subcommand) {
    case AuditSubcommand::verify:
      return audit_events::k_verify;
    case AuditSubcommand::show:
      return audit_events::k_show;
    case AuditSubcommand::export_records:
      return audit_events::k_export;
    case AuditSubcommand::keygen:
      return audit_events::k_keygen;
  }
  return "usage";
}

Result<RotateKeysCommand> parse_rotate_keys_command(const Arguments& args) {
  RotateKeysCommand command;
  if (!args.positional().empty())
    return make_error(ExitCode::usage, "core.usage.unexpected_argument",
                      {{"argument", args.positional().front()}});
  if (args.flag("generate") == args.flag("rotate"))
    return make_error(ExitCode::usage, "ops.keys.generate_or_rotate");
  command.generate = args.flag("generate");
  command.protect = args.flag("protect");
  if (auto file = args.value("identity")) command.identity = *file;
  if (auto file = args.value("key-passphrase-file")) command.key_passphrase_file = *file;
  return command;
}

}  // namespace dihya::ops
