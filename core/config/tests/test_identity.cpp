#include <catch2/catch.hpp>
#include <cstdlib>

#include "core/base/crypto.hpp"
#include "core/config/identity.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

Config config_with(const Json& doc) {
  auto config = parse_config(doc.dump(), "/srv/dihya/dihya.json", {});
  REQUIRE(config.ok());
  return *config;
}

struct TokenEnv {
  explicit TokenEnv(const char* value) { ::setenv("DIHYA_TOKEN", value, 1); }
  ~TokenEnv() { ::unsetenv("DIHYA_TOKEN"); }
};

}  // namespace

TEST_CASE("permission patterns match exact, module and global wildcards", "[identity]") {
  CHECK(permission_matches("*", "backup.create"));
  CHECK(permission_matches("backup.*", "backup.create"));
  CHECK(permission_matches("backup.create", "backup.create"));
  CHECK_FALSE(permission_matches("backup.*", "rgpd.erase"));
  CHECK_FALSE(permission_matches("backup.create", "backup.restore"));
  CHECK_FALSE(permission_matches("back.*", "backup.create"));
  CHECK_FALSE(permission_matches("audit.read", "audit.readall"));
}

TEST_CASE("the OS account is mapped to its user and verified", "[identity]") {
  Config config = config_with(default_config());
  auto identity = authenticate(config, std::nullopt, std::nullopt);
  REQUIRE(identity.ok());
  CHECK(identity->user == "admin");
  CHECK(identity->method == "unix");
  CHECK(authorize(config, *identity, "backup.create").ok());
}

TEST_CASE("a claimed user that the OS account does not match is refused", "[identity]") {
  Config config = config_with(default_config());
  auto identity = authenticate(config, std::string("reader"), std::nullopt);
  REQUIRE_FALSE(identity.ok());
  CHECK(identity.error().code == ExitCode::no_permission);
  CHECK(identity.error().id == "core.access.not_verified");
  CHECK(authenticate(config, std::string("mallory"), std::nullopt).error().id ==
        "core.access.unknown_user");
}

TEST_CASE("a user without the permission is denied with 77", "[identity]") {
  Json doc = default_config();
  doc["users"]["admin"]["roles"] = {"auditor"};
  Config config = config_with(doc);
  auto identity = authenticate(config, std::nullopt, std::nullopt);
  REQUIRE(identity.ok());
  CHECK(authorize(config, *identity, "audit.read").ok());
  Status denied = authorize(config, *identity, "audit.manage");
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == ExitCode::no_permission);
  CHECK(denied.error().param("permission") == "audit.manage");
}

TEST_CASE("token authentication accepts the right token and refuses a wrong one", "[identity]") {
  Json doc = default_config();
  doc["users"]["dpo"] = {{"roles", {"auditor"}}, {"token_hash", hash_token("s3cret-token")}};
  Config config = config_with(doc);
  {
    TokenEnv env("s3cret-token");
    auto identity = authenticate(config, std::string("dpo"), std::nullopt);
    REQUIRE(identity.ok());
    CHECK(identity->method == "token");
  }
  {
    TokenEnv env("wrong-token");
    auto identity = authenticate(config, std::string("dpo"), std::nullopt);
    REQUIRE_FALSE(identity.ok());
    CHECK(identity.error().id == "core.access.bad_token");
  }
  CHECK(authenticate(config, std::string("dpo"), std::nullopt).error().id ==
        "core.access.not_verified");
}

TEST_CASE("a token file must be private to the user", "[identity]") {
  TempDir dir;
  Json doc = default_config();
  doc["users"]["dpo"] = {{"roles", {"auditor"}}, {"token_hash", hash_token("from-file")}};
  Config config = config_with(doc);
  write_text(dir.path() / "token", "from-file\n", 0600);
  CHECK(authenticate(config, std::string("dpo"), dir.path() / "token").ok());
  write_text(dir.path() / "open-token", "from-file\n", 0644);
  auto open = authenticate(config, std::string("dpo"), dir.path() / "open-token");
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().id == "core.secret.too_open");
}

TEST_CASE("effective permissions are the union of the user's roles", "[identity]") {
  Json doc = default_config();
  doc["roles"]["ops"] = {"backup.*", "audit.read"};
  doc["users"]["admin"]["roles"] = {"auditor", "ops"};
  Config config = config_with(doc);
  CHECK(effective_permissions(config, "admin") ==
        std::vector<std::string>{"audit.read", "backup.*"});
}
