#include "core/run/audit_export.hpp"

#include <fmt/format.h>

#include "core/base/clock.hpp"
#include "core/run/audit.hpp"
#include "dihya_build_config.h"

namespace dihya {
namespace {

const char* const k_csv_columns[] = {
    "seq",    "ts",     "tenant",  "user",      "os_user",     "host",    "pid",  "tool",
    "action", "target", "outcome", "exit_code", "duration_ms", "details", "prev", "hash"};

std::string text_of(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string field(const Json& record, const char* name) {
  auto it = record.find(name);
  return it == record.end() ? std::string() : text_of(*it);
}

// Printable US-ASCII only, as RFC 5424 header fields require; "-" when empty.
std::string syslog_header_field(const std::string& value, std::size_t max) {
  std::string out;
  for (char c : value)
    if (out.size() < max) out += (c >= 33 && c <= 126) ? c : '_';
  return out.empty() ? "-" : out;
}

// Control characters would break line-framed syslog transports: they become spaces.
char one_line(char c) {
  return (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
}

std::string single_line(std::string text) {
  for (char& c : text) c = one_line(c);
  return text;
}

int syslog_severity(const std::string& outcome) {
  if (outcome == "success") return 6;  // informational
  if (outcome == "denied") return 4;   // warning
  return 3;                            // error
}

int cef_severity(const std::string& outcome) {
  if (outcome == "success") return 3;
  if (outcome == "denied") return 8;
  return 6;
}

// A cell a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe.
std::string neutralize_formula(std::string cell) {
  if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos)
    cell.insert(0, 1, '\'');
  return cell;
}

std::string render_csv(const std::vector<Json>& records) {
  std::string out;
  auto row = [&out](auto cell_of) {
    bool first = true;
    for (const char* column : k_csv_columns) {
      out += (first ? "" : ",") + csv_field(cell_of(column));
      first = false;
    }
    out += "\r\n";
  };
  row([](const char* column) { return std::string(column); });
  for (const auto& record : records)
    row([&record](const char* column) { return neutralize_formula(field(record, column)); });
  return out;
}

std::string render_cef(const std::vector<Json>& records, const Messages& messages) {
  std::string out;
  for (const auto& r : records) {
    auto ms = parse_rfc3339_ms(field(r, "ts")).value_or(0);
    std::string outcome = field(r, "outcome");
    out += fmt::format("CEF:0|Dihya|Dihya Ops|{}|{}|{}|{}|", cef_header_escape(DIHYA_VERSION),
                       cef_header_escape(field(r, "tool") + "." + field(r, "action")),
                       cef_header_escape(field(r, "tool") + " " + field(r, "action")),
                       cef_severity(outcome));
    std::vector<std::pair<std::string, std::string>> ext = {
        {"rt", std::to_string(ms)},
        {"suser", field(r, "user")},
        {"cs4Label", "osUser"},
        {"cs4", field(r, "os_user")},
        {"shost", field(r, "host")},
        {"dvcpid", field(r, "pid")},
        {"act", field(r, "action")},
        {"outcome", outcome},
        {"cs1Label", "tenant"},
        {"cs1", field(r, "tenant")},
        {"cs2Label", "target"},
        {"cs2", field(r, "target")},
        {"cs3Label", "hash"},
        {"cs3", field(r, "hash")},
        {"cn1Label", "seq"},
        {"cn1", field(r, "seq")},
        {"cn2Label", "exitCode"},
        {"cn2", field(r, "exit_code")},
        {"cn3Label", "durationMs"},
        {"cn3", field(r, "duration_ms")},
        {"msg", describe_audit_record(r, messages)}};
    std::string extension;
    for (const auto& [key, value] : ext)
      extension += (extension.empty() ? "" : " ") + key + "=" + cef_extension_escape(value);
    out += extension + "\n";
  }
  return out;
}

std::string render_syslog(const std::vector<Json>& records, const Messages& messages) {
  std::string out;
  for (const auto& r : records) {
    int pri = 13 * 8 + syslog_severity(field(r, "outcome"));  // facility 13: log audit
    std::string data = "[dihya@32473";
    for (const char* name : {"seq", "tenant", "user", "os_user", "target", "outcome", "exit_code",
                             "duration_ms", "hash"})
      data += fmt::format(" {}=\"{}\"", name, syslog_param_escape(field(r, name)));
    data += "]";
    out += fmt::format(
        "<{}>1 {} {} {} {} {} {} \xEF\xBB\xBF{}\n", pri, syslog_header_field(field(r, "ts"), 64),
        syslog_header_field(field(r, "host"), 255),
        syslog_header_field("dihya-" + field(r, "tool"), 48),
        syslog_header_field(field(r, "pid"), 128), syslog_header_field(field(r, "action"), 32),
        data, single_line(describe_audit_record(r, messages)));
  }
  return out;
}

}  // namespace

std::optional<AuditFormat> parse_audit_format(const std::string& name) {
  if (name == "json") return AuditFormat::json;
  if (name == "csv") return AuditFormat::csv;
  if (name == "cef") return AuditFormat::cef;
  if (name == "syslog") return AuditFormat::syslog;
  return std::nullopt;
}

std::string describe_audit_record(const Json& record, const Messages& messages) {
  std::string outcome = field(record, "outcome");
  std::string text =
      messages.text("core.audit.outcome." + outcome, {{"tool", field(record, "tool")},
                                                      {"action", field(record, "action")},
                                                      {"user", field(record, "user")},
                                                      {"code", field(record, "exit_code")}});
  const Json details = record.value("details", Json::object());
  if (details.contains("message") && details["message"].is_object()) {
    MessageParams params;
    const Json stored = details["message"].value("params", Json::object());
    for (const auto& [key, value] : stored.items()) params.emplace_back(key, text_of(value));
    text += " — " + messages.text(details["message"].value("id", ""), params);
  }
  return text;
}

std::string render_audit_records(const std::vector<Json>& records, AuditFormat format,
                                 const Messages& messages) {
  switch (format) {
    case AuditFormat::csv:
      return render_csv(records);
    case AuditFormat::cef:
      return render_cef(records, messages);
    case AuditFormat::syslog:
      return render_syslog(records, messages);
    case AuditFormat::json:
      break;
  }
  std::string out;
  for (const auto& record : records) out += canonical_json(record) + "\n";
  return out;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string cef_header_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string cef_extension_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '=') out += '\\';
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

std::string syslog_param_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += one_line(c);
  }
  return out;
}

}  // namespace dihya
