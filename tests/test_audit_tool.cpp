#include <catch2/catch.hpp>

#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;
using nlohmann::json;

namespace {

// A workspace with a few audited runs: two successes, one denial.
void add_history(const Workspace& ws) {
  REQUIRE(ws.run("check_config", {}).code == 0);
  REQUIRE(ws.run("audit", {"verify", "--user", "reader"}).code == 77);
  REQUIRE(ws.run("audit", {"verify"}).code == 0);
}

}  // namespace

TEST_CASE("audit verify names the first broken record and exits 65", "[audit_tool]") {
  Workspace ws;
  add_history(ws);
  auto lines = read_lines(ws.audit_log());
  json record = json::parse(lines[1]);
  record["outcome"] = "success";  // hide the denial
  lines[1] = record.dump();
  write_lines(ws.audit_log(), lines);
  auto run = ws.run("audit", {"verify", "--lang", "en"});
  CHECK(run.code == 65);
  CHECK(run.out.find("first broken record: 2") != std::string::npos);
  auto doc = json::parse(ws.run("audit", {"verify", "--json"}).out);
  CHECK(doc["intact"] == false);
  CHECK(doc["broken_seq"] == 2);
  CHECK(doc["reason"]["id"] == "core.audit.bad_hash");
}

TEST_CASE("audit show filters by actor, outcome and time, localized", "[audit_tool]") {
  Workspace ws;
  add_history(ws);
  auto denied = ws.run("audit", {"show", "--outcome", "denied", "--json"});
  REQUIRE(denied.code == 0);
  auto doc = json::parse(denied.out);
  REQUIRE(doc["records"].size() == 1);
  CHECK(doc["records"][0]["user"] == "reader");
  auto by_reader = json::parse(ws.run("audit", {"show", "--actor", "reader", "--json"}).out);
  CHECK(by_reader["records"].size() == 1);
  auto future = json::parse(ws.run("audit", {"show", "--since", "2999-01-01", "--json"}).out);
  CHECK(future["records"].empty());
  auto ar = ws.run("audit", {"show", "--lang", "ar"});
  CHECK(ar.code == 0);
  CHECK(ar.out.find("#1 ") != std::string::npos);
  CHECK(ar.out.find("\xD8") != std::string::npos);
}

TEST_CASE("audit export writes JSON Lines, CSV, CEF and syslog", "[audit_tool]") {
  Workspace ws;
  add_history(ws);
  auto jsonl = ws.run("audit", {"export", "--format", "json"});
  CHECK(jsonl.code == 0);
  CHECK(std::count(jsonl.out.begin(), jsonl.out.end(), '\n') == 3);
  auto csv = ws.run("audit", {"export", "--format", "csv"});
  CHECK(csv.out.rfind("seq,ts,tenant,user", 0) == 0);
  auto cef = ws.run("audit", {"export", "--format", "cef", "--outcome", "denied"});
  CHECK(cef.out.rfind("CEF:0|Dihya|Dihya Ops|", 0) == 0);
  CHECK(cef.out.find("suser=reader") != std::string::npos);
  fs::path out = ws.dir() / "siem" / "audit.log";
  fs::create_directories(out.parent_path());
  auto syslog = ws.run("audit", {"export", "--format", "syslog", "-o", out.string()});
  CHECK(syslog.code == 0);
  CHECK(syslog.out.empty());
  CHECK(read_text(out).rfind("<110>1 ", 0) == 0);
  CHECK(ws.run("audit", {"export", "--format", "xml"}).code == 64);
}

TEST_CASE("reading the trail needs audit.read", "[audit_tool]") {
  Workspace ws;
  ws.config()["users"]["admin"]["roles"] = json::array();
  ws.config()["roles"]["none"] = json::array();
  ws.save();
  auto run = ws.run("audit", {"show"});
  CHECK(run.code == 77);
  CHECK(run.out.empty());
}

TEST_CASE("audit keygen creates a private signing key and checkpoints follow", "[audit_tool]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["audit"] = {{"signing_key", "keys/audit.sk"},
                                             {"verify_key", "keys/audit.pk"}};
  ws.save();
  REQUIRE(ws.run("audit", {"keygen"}).code == 0);
  CHECK((fs::status(ws.dir() / "keys" / "audit.sk").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(ws.run("audit", {"keygen"}).code == 73);  // never overwrites a key
  REQUIRE(ws.run("check_config", {}).code == 0);
  auto doc = json::parse(ws.run("audit", {"verify", "--json"}).out);
  CHECK(doc["intact"] == true);
  CHECK(doc["checkpoints"] == 3);
  // Rewriting the trail from scratch with valid hashes is caught by the checkpoints.
  auto lines = read_lines(ws.audit_log());
  write_lines(ws.audit_log(), {lines[0]});
  auto broken = ws.run("audit", {"verify", "--json"});
  CHECK(broken.code == 65);
  CHECK(json::parse(broken.out)["reason"]["id"] == "core.audit.records_removed");
}
