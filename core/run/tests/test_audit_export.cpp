#include <catch2/catch.hpp>
#include <regex>

#include "core/run/audit_export.hpp"

using namespace dihya;

namespace {

Json tricky_record() {
  return {{"seq", 7},
          {"ts", "2026-11-24T10:00:00.123Z"},
          {"tenant", "acme"},
          {"user", "o\"brien"},
          {"os_user", "root"},
          {"host", "web 1"},
          {"pid", 42},
          {"tool", "audit"},
          {"action", "export"},
          {"target", "a|b=c\\d\nline2, \"q\"]"},
          {"outcome", "denied"},
          {"exit_code", 77},
          {"duration_ms", 3},
          {"details",
           {{"message",
             {{"id", "core.access.denied"},
              {"params", {{"user", "o\"brien"}, {"permission", "audit.read"}}}}}}},
          {"prev", std::string(64, '0')},
          {"hash", std::string(64, 'f')}};
}

}  // namespace

TEST_CASE("CSV follows RFC 4180 quoting", "[audit][export]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  std::string csv =
      render_audit_records({tricky_record()}, AuditFormat::csv, Messages(Language::en));
  CHECK(csv.rfind("seq,ts,tenant,user,os_user,host,pid,tool,action,target,outcome,exit_code,"
                  "duration_ms,details,prev,hash\r\n",
                  0) == 0);
  CHECK(csv.find("\"o\"\"brien\"") != std::string::npos);
  // A value a spreadsheet would run as a formula is neutralized.
  Json formula = tricky_record();
  formula["target"] = "=HYPERLINK(\"http://x\")";
  formula["user"] = "@admin";
  std::string exported = render_audit_records({formula}, AuditFormat::csv, Messages(Language::en));
  CHECK(exported.find(",\"'=HYPERLINK(\"\"http://x\"\")\",") != std::string::npos);
  CHECK(exported.find(",'@admin,") != std::string::npos);
  CHECK(csv.find("\"a|b=c\\d\nline2, \"\"q\"\"]\"") != std::string::npos);
}

TEST_CASE("CEF escapes pipes in the header and equals, backslashes, newlines in extensions",
          "[audit][export]") {
  CHECK(cef_header_escape("a|b\\c") == "a\\|b\\\\c");
  CHECK(cef_extension_escape("a=b\\c\nd\re|f") == "a\\=b\\\\c\\nd\\re|f");
  std::string cef =
      render_audit_records({tricky_record()}, AuditFormat::cef, Messages(Language::en));
  CHECK(cef.rfind("CEF:0|Dihya|Dihya Ops|", 0) == 0);
  CHECK(cef.find("|audit.export|audit export|8|") != std::string::npos);
  CHECK(cef.find("cs2=a|b\\=c\\\\d\\nline2, \"q\"]") != std::string::npos);
  CHECK(cef.find("rt=1795514400123") != std::string::npos);
  CHECK(std::count(cef.begin(), cef.end(), '\n') == 1);
}

TEST_CASE("syslog lines follow RFC 5424 with escaped structured data", "[audit][export]") {
  CHECK(syslog_param_escape("a\"b\\c]d") == "a\\\"b\\\\c\\]d");
  std::string line =
      render_audit_records({tricky_record()}, AuditFormat::syslog, Messages(Language::en));
  // <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG
  const std::regex header(
      R"(^<108>1 2026-11-24T10:00:00\.123Z web_1 dihya-audit 42 export \[dihya@32473 seq="7" tenant="acme" user="o\\"brien" .*\] \xEF\xBB\xBF.*\n$)");
  INFO(line);
  CHECK(std::regex_match(line, header));
  CHECK(line.find("target=\"a|b=c\\\\d line2, \\\"q\\\"\\]\"") != std::string::npos);
}

TEST_CASE("JSON export is one record per line", "[audit][export]") {
  std::string json = render_audit_records({tricky_record(), tricky_record()}, AuditFormat::json,
                                          Messages(Language::en));
  CHECK(std::count(json.begin(), json.end(), '\n') == 2);
  CHECK(Json::parse(json.substr(0, json.find('\n')))["user"] == "o\"brien");
}

TEST_CASE("records are described in the reader's language", "[audit][export]") {
  std::string en = describe_audit_record(tricky_record(), Messages(Language::en));
  std::string fr = describe_audit_record(tricky_record(), Messages(Language::fr));
  CHECK(en.find("denied") != std::string::npos);
  CHECK(en.find("lacks the permission audit.read") != std::string::npos);
  CHECK(fr.find("refusé") != std::string::npos);
}
