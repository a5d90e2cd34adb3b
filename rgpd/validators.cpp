#include "rgpd/validators.hpp"

#include <charconv>
#include <regex>

#include "core/base/units.hpp"

namespace dihya::rgpd {

namespace {

const std::regex k_identifier("[A-Za-z_][A-Za-z0-9_]{0,62}");

Status no_positional(const Arguments& args) {
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  return {};
}

// A non-empty value of at most MAX bytes without control characters, when given.
Result<std::optional<std::string>> text_value(const Arguments& args, const std::string& name,
                                              std::size_t max = 1000) {
  auto value = args.value(name);
  if (!value) return std::optional<std::string>();
  bool control = false;
  for (unsigned char c : *value) control = control || c < 0x20 || c == 0x7f;
  if (value->empty() || value->size() > max || control)
    return usage_error("core.usage.bad_value", {{"option", "--" + name}, {"value", *value}});
  return value;
}

// An integer from MIN to MAX, when given.
Result<std::optional<std::int64_t>> integer_value(const Arguments& args, const std::string& name,
                                                  std::int64_t min, std::int64_t max) {
  auto text = args.value(name);
  if (!text) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max)
    return usage_error("core.usage.bad_value", {{"option", "--" + name}, {"value", *text}});
  return std::optional<std::int64_t>(value);
}

}  // namespace

void declare_anonymize_options(OptionSet& options) {
  options.value("target", "TABLE|all", "rgpd.opt.target");
  options.value("min-k", "K", "rgpd.opt.min_k");
  options.value("reason", "TEXT", "rgpd.opt.reason");
  options.flag("generate-key", "rgpd.opt.generate_key");
}

Result<AnonymizeOptions> parse_anonymize_options(const Arguments& args) {
  AnonymizeOptions options;
  if (Status ok = no_positional(args); !ok) return ok.error();
  options.generate_key = args.flag("generate-key");
  options.yes = args.flag("yes");
  options.dry_run = args.flag("dry-run");
  auto target = args.value("target");
  if (options.generate_key) {
    if (target || args.value("min-k")) return usage_error("rgpd.generate_key_alone");
    return options;
  }
  if (!target) return usage_error("rgpd.target_required");
  if (*target != "all") {
    if (!std::regex_match(*target, k_identifier))
      return usage_error("core.usage.bad_value", {{"option", "--target"}, {"value", *target}});
    options.table = *target;
  }
  auto min_k = integer_value(args, "min-k", 1, 1000000);
  if (!min_k) return min_k.error();
  options.min_k = *min_k;
  if (auto reason = args.value("reason")) {
    if (reason->empty())
      return usage_error("core.usage.bad_value", {{"option", "--reason"}, {"value", ""}});
    options.reason = *reason;
  }
  return options;
}

void declare_purge_options(OptionSet& options) {
  options.value("table", "TABLE", "rgpd.opt.purge_table");
}

Result<PurgeOptions> parse_purge_options(const Arguments& args) {
  PurgeOptions options;
  if (Status ok = no_positional(args); !ok) return ok.error();
  options.dry_run = args.flag("dry-run");
  if (auto table = args.value("table")) {
    if (!std::regex_match(*table, k_identifier))
      return usage_error("core.usage.bad_value", {{"option", "--table"}, {"value", *table}});
    options.table = *table;
  }
  return options;
}

namespace {

Result<SubjectOptions> parse_subject(const Arguments& args, bool email_allowed) {
  SubjectOptions options;
  if (Status ok = no_positional(args); !ok) return ok.error();
  auto subject = text_value(args, "subject", 200);
  if (!subject) return subject.error();
  options.subject = *subject;
  if (email_allowed) {
    auto email = text_value(args, "email", 320);
    if (!email) return email.error();
    if (*email && (*email)->find('@') == std::string::npos)
      return usage_error("core.usage.bad_value", {{"option", "--email"}, {"value", **email}});
    options.email = *email;
  }
  if (options.subject && options.email) return usage_error("rgpd.subject_or_email");
  if (!options.subject && !options.email)
    return usage_error(email_allowed ? "rgpd.subject_or_email" : "rgpd.subject_required");
  options.dry_run = args.flag("dry-run");
  return options;
}

}  // namespace

void declare_subject_export_options(OptionSet& options) {
  options.personal_value("subject", "ID", "rgpd.opt.subject");
  options.personal_value("email", "ADDRESS", "rgpd.opt.email");
  options.value("output", "FILE", "rgpd.opt.output", 'o');
}

Result<SubjectOptions> parse_subject_export_options(const Arguments& args) {
  auto options = parse_subject(args, true);
  if (!options) return options.error();
  if (auto output = args.value("output")) {
    if (output->empty())
      return usage_error("core.usage.bad_value", {{"option", "--output"}, {"value", ""}});
    options->output = *output;
  }
  return options;
}

void declare_subject_erase_options(OptionSet& options) {
  options.personal_value("subject", "ID", "rgpd.opt.subject");
  options.value("reason", "TEXT", "rgpd.opt.erase_reason");
}

Result<SubjectOptions> parse_subject_erase_options(const Arguments& args) {
  auto options = parse_subject(args, false);
  if (!options) return options.error();
  auto reason = text_value(args, "reason");
  if (!reason) return reason.error();
  options->reason = *reason;
  if (!options->reason && !options->dry_run) return usage_error("rgpd.reason_required");
  return options;
}

const char* consent_command_name(ConsentCommand command) {
  switch (command) {
    case ConsentCommand::record:
      return "record";
    case ConsentCommand::withdraw:
      return "withdraw";
    case ConsentCommand::show:
      return "show";
    default:
      return "list";
  }
}

void declare_consent_options(OptionSet& options) {
  options.positional("record|withdraw|list|show");
  options.personal_value("subject", "ID", "rgpd.opt.subject");
  options.value("purpose", "NAME", "rgpd.opt.purpose");
  options.value("basis", "BASIS", "rgpd.opt.basis");
  options.value("method", "TEXT", "rgpd.opt.method");
  options.value("policy-version", "VERSION", "rgpd.opt.policy_version");
  options.flag("active", "rgpd.opt.active");
}

Result<ConsentOptions> parse_consent_options(const Arguments& args) {
  ConsentOptions options;
  const auto& positional = args.positional();
  if (positional.empty()) return usage_error("rgpd.consent_command");
  if (positional.size() > 1)
    return usage_error("core.usage.unexpected_argument", {{"argument", positional[1]}});
  const std::string& command = positional[0];
  if (command == "record")
    options.command = ConsentCommand::record;
  else if (command == "withdraw")
    options.command = ConsentCommand::withdraw;
  else if (command == "list")
    options.command = ConsentCommand::list;
  else if (command == "show")
    options.command = ConsentCommand::show;
  else
    return usage_error("rgpd.consent_command");
  for (const char* name : {"subject", "purpose", "basis", "method", "policy-version"}) {
    auto value = text_value(args, name, 200);
    if (!value) return value.error();
    if (!*value) continue;
    std::string n = name;
    if (n == "subject") options.subject = *value;
    if (n == "purpose") options.purpose = *value;
    if (n == "basis") options.basis = *value;
    if (n == "method") options.method = *value;
    if (n == "policy-version") options.policy_version = *value;
  }
  options.active_only = args.flag("active");
  bool writes =
      options.command == ConsentCommand::record || options.command == ConsentCommand::withdraw;
  if ((writes || options.command == ConsentCommand::show) && !options.subject)
    return usage_error("rgpd.consent_needs", {{"command", command}, {"option", "--subject"}});
  if (writes && !options.purpose)
    return usage_error("rgpd.consent_needs", {{"command", command}, {"option", "--purpose"}});
  if (options.command == ConsentCommand::record && !options.method)
    return usage_error("rgpd.consent_needs", {{"command", command}, {"option", "--method"}});
  if (options.command == ConsentCommand::record && !options.policy_version)
    return usage_error("rgpd.consent_needs",
                       {{"command", command}, {"option", "--policy-version"}});
  if (!writes && (options.basis || options.method || options.policy_version))
    return usage_error("rgpd.consent_read_only", {{"command", command}});
  if (options.command == ConsentCommand::withdraw && (options.basis || options.policy_version))
    return usage_error("rgpd.consent_read_only", {{"command", command}});
  return options;
}

void declare_audit_rgpd_options(OptionSet& options) {
  options.value("format", "md|html|json", "rgpd.opt.format");
  options.value("output", "FILE", "rgpd.opt.report_output", 'o');
  options.value("sample", "N", "rgpd.opt.sample");
  options.value("sample-time", "DURATION", "rgpd.opt.sample_time");
  options.flag("suggest-map", "rgpd.opt.suggest_map");
}

Result<AuditRgpdOptions> parse_audit_rgpd_options(const Arguments& args) {
  AuditRgpdOptions options;
  if (Status ok = no_positional(args); !ok) return ok.error();
  if (auto format = args.value("format")) {
    if (*format == "md")
      options.format = ReportFormat::md;
    else if (*format == "html")
      options.format = ReportFormat::html;
    else if (*format == "json")
      options.format = ReportFormat::json;
    else
      return usage_error("core.usage.bad_value", {{"option", "--format"}, {"value", *format}});
  }
  if (auto output = args.value("output")) {
    if (output->empty())
      return usage_error("core.usage.bad_value", {{"option", "--output"}, {"value", ""}});
    options.output = *output;
  }
  auto sample = integer_value(args, "sample", 1, 10000000);
  if (!sample) return sample.error();
  options.sample = sample->value_or(options.sample);
  if (auto time = args.value("sample-time")) {
    auto ms = parse_duration_ms(*time);
    if (!ms || *ms < 1)
      return usage_error("core.usage.bad_value", {{"option", "--sample-time"}, {"value", *time}});
    options.sample_ms = *ms;
  }
  options.suggest_map = args.flag("suggest-map");
  if (options.suggest_map && (args.value("format") || options.output))
    return usage_error("rgpd.suggest_map_alone");
  return options;
}

}  // namespace dihya::rgpd
