#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("check_config accepts a valid config and lists what it grants", "[check_config]") {
  Workspace ws;
  auto run = ws.run("check_config", {"--lang", "en"});
  CHECK(run.code == 0);
  CHECK(run.out.find("Configuration valid") != std::string::npos);
  CHECK(run.out.find("demo") != std::string::npos);
  CHECK(run.out.find("admin") != std::string::npos);
  CHECK(run.out.find("audit.read") != std::string::npos);

  auto json = ws.run("check_config", {"--json"});
  REQUIRE(json.code == 0);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["valid"] == true);
  CHECK(doc["tenants"]["demo"]["state_dir"] == (ws.dir() / "state" / "demo").string());
  CHECK(doc["users"]["reader"]["permissions"] == nlohmann::json::array({"audit.read"}));
  CHECK(doc["users"]["admin"]["permissions"] == nlohmann::json::array({"*"}));
}

TEST_CASE("check_config exits 78 naming the file and the JSON path", "[check_config]") {
  struct Case {
    const char* path;
    std::function<void(nlohmann::json&)> edit;
  };
  const std::vector<Case> cases = {
      {"tenants.demo.backup.keep.daily",
       [](auto& c) {
         c["tenants"]["demo"]["backup"] = {{"keep", {{"daily", "seven"}}}};
       }},
      {"tenants.demo.database",
       [](auto& c) { c["tenants"]["demo"]["database"] = "postgresql://u:p@h:5432/db"; }},
      {"users.admin.roles[0]", [](auto& c) { c["users"]["admin"]["roles"] = {"ghost"}; }},
      {"tenants.demo.colour", [](auto& c) { c["tenants"]["demo"]["colour"] = "blue"; }},
      {"tenants.b.files.uploads",
       [](auto& c) {
         c["tenants"]["b"] = {{"files", {{"uploads", "data/demo/uploads/b"}}}};
       }},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.path) {
      Workspace ws;
      c.edit(ws.config());
      ws.save();
      auto run = ws.run("check_config", {"--lang", "en"});
      CHECK(run.code == 78);
      CHECK(run.err.find(c.path) != std::string::npos);
      CHECK(run.err.find(ws.config_path().string()) != std::string::npos);
      CHECK(run.out.empty());
    }
  }
}

TEST_CASE("check_config reports malformed JSON with its line", "[check_config]") {
  Workspace ws;
  write_text(ws.config_path(), "{\n  \"version\": 1,\n  \"tenants\": {,}\n}\n");
  auto run = ws.run("check_config", {"--lang", "en"});
  CHECK(run.code == 78);
  CHECK(run.err.find("line 3") != std::string::npos);
}

TEST_CASE("check_config refuses an audit signing key readable by others", "[check_config]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["audit"] = {{"signing_key", "keys/audit.sk"},
                                             {"verify_key", "keys/audit.pk"}};
  ws.save();
  write_text(ws.dir() / "keys" / "audit.sk", "dihya-sign-sk-1:AAAA\n", 0644);
  auto run = ws.run("check_config", {"--lang", "en"});
  CHECK(run.code == 78);
  CHECK(run.err.find("0644") != std::string::npos);
}

TEST_CASE("check_config opens every backup key file and says how to create a missing one",
          "[check_config]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["backup"] = {{"repository", "backups"},
                                              {"recipients", {"keys/backup.pub"}},
                                              {"identity", "secret/backup.key"}};
  ws.save();
  auto missing = ws.run("check_config", {"--lang", "en"});
  CHECK(missing.code == 78);
  CHECK(missing.err.find("keys/backup.pub") != std::string::npos);
  CHECK(missing.err.find("rotate_keys --generate") != std::string::npos);

  write_text(ws.dir() / "keys" / "backup.pub", "not a key\n", 0644);
  CHECK(ws.run("check_config", {"--lang", "en"}).code == 78);

  fs::remove(ws.dir() / "keys" / "backup.pub");
  auto generated = ws.run("rotate_keys", {"--generate"});
  INFO(generated.err);
  REQUIRE(generated.code == 0);
  CHECK(ws.run("check_config", {"--lang", "en"}).code == 0);

  ::chmod((ws.dir() / "secret" / "backup.key").c_str(), 0644);  // an identity others can read
  CHECK(ws.run("check_config", {"--lang", "en"}).code == 78);
}

TEST_CASE("check_config is audited in every tenant's trail", "[check_config]") {
  Workspace ws;
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  REQUIRE(ws.run("check_config", {}).code == 0);
  for (const char* tenant : {"demo", "acme"}) {
    auto lines = read_lines(ws.audit_log(tenant));
    REQUIRE(lines.size() == 1);
    auto record = nlohmann::json::parse(lines[0]);
    CHECK(record["tool"] == "check_config");
    CHECK(record["tenant"] == tenant);
    CHECK(record["details"]["tenants"] == 2);
  }
}
