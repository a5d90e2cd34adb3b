#pragma once

#include <string>
#include <vector>

#include "core/base/i18n.hpp"
#include "core/config/config.hpp"

namespace dihya {

enum class AuditFormat { json, csv, cef, syslog };

// Parse "json", "csv", "cef" or "syslog".
std::optional<AuditFormat> parse_audit_format(const std::string& name);

// One localized line that says what a record tells (used by show, CEF msg, syslog MSG).
std::string describe_audit_record(const Json& record, const Messages& messages);

// Render RECORDS for a SIEM: JSON Lines, RFC 4180 CSV, ArcSight CEF, or RFC 5424 syslog.
std::string render_audit_records(const std::vector<Json>& records, AuditFormat format,
                                 const Messages& messages);

// Escapers, exposed for tests.
std::string csv_field(const std::string& value);
std::string cef_header_escape(const std::string& value);
std::string cef_extension_escape(const std::string& value);
std::string syslog_param_escape(const std::string& value);

}  // namespace dihya
