#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/options.hpp"

namespace dihya::rgpd {

struct AnonymizeOptions {
  std::optional<std::string> table;  // one table of the map; nullopt: all of them
  std::optional<std::int64_t> min_k;
  std::optional<std::string> reason;
  bool generate_key = false;
  bool yes = false;
  bool dry_run = false;
};

void declare_anonymize_options(OptionSet& options);
// Parse and check anonymize's arguments (64 on a bad value).
Result<AnonymizeOptions> parse_anonymize_options(const Arguments& args);

struct PurgeOptions {
  std::optional<std::string> table;  // one table of the map; nullopt: every table with a rule
  bool dry_run = false;
};
void declare_purge_options(OptionSet& options);
Result<PurgeOptions> parse_purge_options(const Arguments& args);

// Who a subject request is about: the subject key, or an email address.
struct SubjectOptions {
  std::optional<std::string> subject, email;
  std::optional<std::string> output;  // subject_export -o
  std::optional<std::string> reason;  // subject_erase
  bool dry_run = false;
};
void declare_subject_export_options(OptionSet& options);
Result<SubjectOptions> parse_subject_export_options(const Arguments& args);
void declare_subject_erase_options(OptionSet& options);
Result<SubjectOptions> parse_subject_erase_options(const Arguments& args);

enum class ConsentCommand { record, withdraw, list, show };
struct ConsentOptions {
  ConsentCommand command = ConsentCommand::list;
  std::optional<std::string> subject, purpose, basis, method, policy_version;
  bool active_only = false;
};
void declare_consent_options(OptionSet& options);
Result<ConsentOptions> parse_consent_options(const Arguments& args);
const char* consent_command_name(ConsentCommand command);

enum class ReportFormat { md, html, json };
struct AuditRgpdOptions {
  ReportFormat format = ReportFormat::md;
  std::optional<std::string> output;
  std::int64_t sample = 1000;  // rows sampled per table when looking for personal content
  std::int64_t sample_ms = 5000;  // time spent sampling each table, at most
  bool suggest_map = false;       // print the map entries of the undeclared columns instead
};
void declare_audit_rgpd_options(OptionSet& options);
Result<AuditRgpdOptions> parse_audit_rgpd_options(const Arguments& args);

}  // namespace dihya::rgpd
