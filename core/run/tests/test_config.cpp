#include <catch2/catch.hpp>

#include "core/base/crypto.hpp"
#include "core/base/i18n.hpp"
#include "core/run/config_sections.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using dihya::test::default_config;

namespace {

// Parse DOC as a config file at /srv/dihya/dihya.json.
Result<Config> parse(const Json& doc) {
  return parse_config(doc.dump(), "/srv/dihya/dihya.json");
}

// True when ERROR has a cause with message ID at JSON path PATH.
bool has_issue(const Error& error, const std::string& path, const std::string& id) {
  for (const auto& cause : error.causes)
    if (cause.param("path") == path && cause.id == id) return true;
  return false;
}

std::string describe(const Error& error) {
  std::string out;
  Messages en(Language::en);
  for (const auto& cause : error.causes) out += en.text(cause) + " [" + cause.id + "]\n";
  return out;
}

struct InvalidCase {
  const char* name;
  std::function<void(Json&)> edit;
  const char* path;
  const char* id;
};

}  // namespace

TEST_CASE("a valid config loads, with paths relative to the file", "[config]") {
  auto config = parse(default_config());
  REQUIRE(config.ok());
  const TenantConfig& demo = config->tenants.at("demo");
  CHECK(demo.state_dir == "/srv/dihya/state/demo");
  CHECK(demo.hooks_dir == "/srv/dihya/state/demo/hooks");
  CHECK(demo.database == "sqlite:/srv/dihya/data/demo/app.db");
  CHECK(demo.files.at("uploads") == "/srv/dihya/data/demo/uploads");
  CHECK(demo.audit_log() == "/srv/dihya/state/demo/audit/audit.jsonl");
  CHECK(config->users.at("admin").roles == std::vector<std::string>{"admin"});
}

TEST_CASE("invalid configs are rejected with 78 and the JSON path of the problem", "[config]") {
  const std::vector<InvalidCase> cases = {
      {"version missing", [](Json& c) { c.erase("version"); }, "version", "core.json.missing_key"},
      {"version 2", [](Json& c) { c["version"] = 2; }, "version", "core.config.bad_version"},
      {"unknown top-level key", [](Json& c) { c["tenant"] = "x"; }, "tenant",
       "core.json.unknown_key"},
      {"unknown tenant key", [](Json& c) { c["tenants"]["demo"]["databse"] = "x"; },
       "tenants.demo.databse", "core.json.unknown_key"},
      {"unknown language", [](Json& c) { c["language"] = "de"; }, "language",
       "core.config.bad_language"},
      {"undefined role", [](Json& c) { c["users"]["admin"]["roles"] = {"root"}; },
       "users.admin.roles[0]", "core.config.unknown_role"},
      {"bad permission", [](Json& c) { c["roles"]["auditor"] = {"audit"}; }, "roles.auditor[0]",
       "core.config.bad_permission"},
      {"tenants missing", [](Json& c) { c.erase("tenants"); }, "tenants", "core.json.missing_key"},
      {"no tenant", [](Json& c) { c["tenants"] = Json::object(); }, "tenants",
       "core.config.no_tenants"},
      {"password in PostgreSQL URL",
       [](Json& c) { c["tenants"]["demo"]["database"] = "postgresql://app:hunter2@db:5432/app"; },
       "tenants.demo.database", "core.config.password_in_url"},
      {"password parameter in URL",
       [](Json& c) {
         c["tenants"]["demo"]["database"] = "postgresql://app@db:5432/app?password=x";
       },
       "tenants.demo.database", "core.config.password_in_url"},
      {"unsupported database URL",
       [](Json& c) { c["tenants"]["demo"]["database"] = "mysql://app@db/app"; },
       "tenants.demo.database", "core.config.bad_database_url"},
      {"negative retention count",
       [](Json& c) {
         c["tenants"]["demo"]["backup"] = {{"keep", {{"daily", -1}}}};
       },
       "tenants.demo.backup.keep.daily", "core.json.expected_nonneg_integer"},
      {"retention count as text",
       [](Json& c) {
         c["tenants"]["demo"]["backup"] = {{"keep", {{"weekly", "4"}}}};
       },
       "tenants.demo.backup.keep.weekly", "core.json.expected_nonneg_integer"},
      {"secret key in clear", [](Json& c) { c["tenants"]["demo"]["password"] = "hunter2"; },
       "tenants.demo.password", "core.config.secret_in_clear"},
      {"private key as a value",
       [](Json& c) {
         c["tenants"]["demo"]["audit"] = {{"signing_key", "dihya-sign-sk-1:AAAA"},
                                          {"verify_key", "k.pub"}};
       },
       "tenants.demo.audit.signing_key", "core.config.secret_in_clear"},
      {"token hash that is not Argon2id",
       [](Json& c) { c["users"]["admin"]["token_hash"] = "5f4dcc3b5aa765d61d8327deb882cf99"; },
       "users.admin.token_hash", "core.config.bad_token_hash"},
      {"overlapping tenants",
       [](Json& c) {
         c["tenants"]["other"] = {{"state_dir", "state/demo/nested"}};
       },
       "tenants.other.state_dir", "core.config.paths_overlap"},
      {"unknown environment", [](Json& c) { c["tenants"]["demo"]["environment"] = "prod"; },
       "tenants.demo.environment", "core.config.bad_environment"},
      {"hook timeout out of range",
       [](Json& c) { c["tenants"]["demo"]["hook_timeout_seconds"] = 0; },
       "tenants.demo.hook_timeout_seconds", "core.json.expected_integer_range"},
      {"unknown masking strategy",
       [](Json& c) {
         c["tenants"]["demo"]["personal_data"] = {
             {"tables",
              {{"users",
                {{"columns", {{"email", {{"category", "contact"}, {"mask", "fake:emial"}}}}}}}}}};
       },
       "tenants.demo.personal_data.tables.users.columns.email.mask", "core.config.bad_mask"},
      {"unique column with a mask that can collide",
       [](Json& c) {
         c["tenants"]["demo"]["personal_data"] = {{"tables",
                                                   {{"users",
                                                     {{"columns",
                                                       {{"email",
                                                         {{"category", "contact"},
                                                          {"mask", "mask:keep_first=1,keep_last=0"},
                                                          {"unique", true}}}}}}}}}};
       },
       "tenants.demo.personal_data.tables.users.columns.email.mask",
       "core.config.mask_not_distinct"},
      {"noise percentage out of range",
       [](Json& c) {
         c["tenants"]["demo"]["personal_data"] = {
             {"tables",
              {{"users",
                {{"columns", {{"score", {{"category", "x"}, {"mask", "noise:pct=100"}}}}}}}}}};
       },
       "tenants.demo.personal_data.tables.users.columns.score.mask", "core.config.bad_mask"},
      {"bad retention action",
       [](Json& c) {
         c["tenants"]["demo"]["personal_data"] = {
             {"tables",
              {{"events",
                {{"retention", {{"column", "created_at"}, {"days", 30}, {"then", "archive"}}}}}}}};
       },
       "tenants.demo.personal_data.tables.events.retention.then", "core.config.bad_choice"},
      {"user who can never authenticate",
       [](Json& c) {
         c["users"]["ghost"] = {{"roles", {"admin"}}};
       },
       "users.ghost", "core.config.user_cannot_authenticate"},
      {"invalid tenant name", [](Json& c) { c["tenants"]["Bad Name"] = Json::object(); },
       "tenants.Bad Name", "core.config.bad_name"},
      {"files not an object", [](Json& c) { c["tenants"]["demo"]["files"] = "uploads"; },
       "tenants.demo.files", "core.json.expected_object"},
      {"compression level out of range",
       [](Json& c) {
         c["tenants"]["demo"]["backup"] = {{"compression_level", 99}};
       },
       "tenants.demo.backup.compression_level", "core.json.expected_integer_range"},
      {"lawful basis unknown",
       [](Json& c) {
         c["tenants"]["demo"]["personal_data"] = {
             {"purposes", {{{"name", "account"}, {"basis", "because"}}}}};
       },
       "tenants.demo.personal_data.purposes[0].basis", "core.config.bad_choice"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Json doc = default_config();
      c.edit(doc);
      auto config = parse(doc);
      REQUIRE_FALSE(config.ok());
      CHECK(config.error().code == ExitCode::config_error);
      INFO(describe(config.error()));
      CHECK(has_issue(config.error(), c.path, c.id));
      // The localized message names the JSON path.
      CHECK(describe(config.error()).find(c.path) != std::string::npos);
    }
  }
}

TEST_CASE("malformed JSON and duplicate keys are reported with their place", "[config]") {
  auto broken = parse_config("{\n  \"version\": 1,\n  \"tenants\": {\n}", "/srv/dihya.json");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ExitCode::config_error);
  REQUIRE(broken.error().causes.size() == 1);
  CHECK(broken.error().causes[0].id == "core.json.not_json");
  CHECK(broken.error().causes[0].param("line") == "4");

  auto duplicate = parse_config(
      R"({"version": 1, "tenants": {"demo": {"environment": "demo", "environment": "production"}}})",
      "/srv/dihya.json");
  REQUIRE_FALSE(duplicate.ok());
  CHECK(has_issue(duplicate.error(), "tenants.demo.environment", "core.json.duplicate_key"));
}

TEST_CASE("every problem of a config is reported, not just the first", "[config]") {
  Json doc = default_config();
  doc["version"] = 3;
  doc["language"] = "xx";
  doc["tenants"]["demo"]["environment"] = "moon";
  auto config = parse(doc);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().causes.size() == 3);
  CHECK(config.error().param("count") == "3");
}

TEST_CASE("a missing config file is a configuration error", "[config]") {
  auto config = load_config("/nonexistent/dihya.json");
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().code == ExitCode::config_error);
  CHECK(config.error().causes.at(0).code == ExitCode::no_input);
}

TEST_CASE("names chosen by the user may look like secret keys", "[config]") {
  Json doc = default_config();
  doc["tenants"]["demo"]["personal_data"] = {
      {"tables",
       {{"users",
         {{"columns", {{"password", {{"category", "credential"}, {"mask", "redact"}}}}}}}}}};
  doc["users"]["token"] = {{"roles", {"admin"}}, {"unix_users", {"tok"}}};
  auto config = parse(doc);
  INFO((config ? "" : describe(config.error())));
  CHECK(config.ok());
  doc["version"] = 1.0;
  CHECK(has_issue(parse(doc).error(), "version", "core.config.bad_version"));
}

TEST_CASE("backup recipients are public keys or paths beside the config", "[config]") {
  Json doc = default_config();
  doc["tenants"]["demo"]["backup"] = {
      {"recipients", {"keys/ops.pub", encode_recipient(generate_identity().public_key)}}};
  auto config = parse(doc);
  REQUIRE(config.ok());
  CHECK(config->tenants.at("demo").backup["recipients"][0] == "/srv/dihya/keys/ops.pub");
  doc["tenants"]["demo"]["backup"]["recipients"] = {"dihya-pub:not-base64!"};
  CHECK(has_issue(parse(doc).error(), "tenants.demo.backup.recipients[0]",
                  "core.config.bad_recipient"));
}

TEST_CASE("PostgreSQL URLs without a password are accepted", "[config]") {
  Json doc = default_config();
  doc["tenants"]["demo"]["database"] = "postgresql://dihya@127.0.0.1:5432/dihya_demo";
  auto config = parse(doc);
  REQUIRE(config.ok());
  CHECK_FALSE(config->tenants.at("demo").sqlite_path().has_value());
}
