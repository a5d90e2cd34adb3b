#include <catch2/catch.hpp>

#include "core/base/clock.hpp"
#include "ops/services.hpp"
#include "ops/validators.hpp"

using namespace dihya;
using namespace dihya::ops;

namespace {

Arguments args_of(std::vector<std::string> positional,
                  std::vector<std::pair<std::string, std::string>> values = {}) {
  Arguments args;
  for (auto& word : positional) args.add_positional(word);
  for (auto& [name, value] : values) args.add_value(name, value);
  return args;
}

Json record(int seq, const std::string& user, const std::string& outcome, const std::string& ts) {
  return {{"seq", seq}, {"user", user}, {"outcome", outcome}, {"ts", ts}, {"tool", "audit"}};
}

}  // namespace

TEST_CASE("audit subcommands and their permissions", "[ops]") {
  CHECK(parse_audit_command(args_of({"verify"}))->subcommand == AuditSubcommand::verify);
  CHECK(parse_audit_command(args_of({"export"}, {{"format", "cef"}}))->format == AuditFormat::cef);
  CHECK(audit_permission(args_of({"show"})) == "audit.read");
  CHECK(audit_permission(args_of({"keygen"})) == "audit.manage");
  CHECK(audit_action(args_of({"export"})) == "export");
}

TEST_CASE("bad audit arguments are usage errors", "[ops]") {
  CHECK(parse_audit_command(args_of({})).error().code == ExitCode::usage);
  CHECK(parse_audit_command(args_of({"delete"})).error().id == "ops.audit.unknown_command");
  CHECK(parse_audit_command(args_of({"show", "extra"})).error().code == ExitCode::usage);
  CHECK(parse_audit_command(args_of({"show"}, {{"outcome", "maybe"}})).error().code ==
        ExitCode::usage);
  CHECK(parse_audit_command(args_of({"show"}, {{"since", "soon"}})).error().code ==
        ExitCode::usage);
  CHECK(parse_audit_command(args_of({"verify"}, {{"output", "x"}})).error().id ==
        "ops.audit.export_only");
  CHECK(parse_audit_command(args_of({"export"}, {{"format", "xml"}})).error().code ==
        ExitCode::usage);
}

TEST_CASE("records are selected by time, actor and outcome", "[ops]") {
  std::vector<Json> records = {record(1, "admin", "success", "2026-01-01T00:00:00.000Z"),
                               record(2, "dpo", "denied", "2026-02-01T00:00:00.000Z"),
                               record(3, "admin", "failure", "2026-03-01T00:00:00.000Z")};
  AuditQuery by_admin;
  by_admin.actor = "admin";
  CHECK(select_records(records, by_admin).size() == 2);
  AuditQuery window;
  window.since_ms = parse_rfc3339_ms("2026-01-15");
  window.until_ms = parse_rfc3339_ms("2026-02-15");
  auto selected = select_records(records, window);
  REQUIRE(selected.size() == 1);
  CHECK(selected[0]["seq"] == 2);
  AuditQuery failures;
  failures.outcome = "failure";
  CHECK(select_records(records, failures).at(0)["seq"] == 3);
}
