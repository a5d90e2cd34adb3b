#include <catch2/catch.hpp>

#include "core/run/config_sections.hpp"
#include "core/testing/workspace.hpp"
#include "maintenance/services.hpp"
#include "maintenance/validators.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

Config load(const Workspace& ws) {
  auto config = load_config(ws.config_path());
  REQUIRE(config.ok());
  return *config;
}

}  // namespace

TEST_CASE("describe_config lists tenants, users with effective permissions, roles",
          "[maintenance]") {
  Workspace ws;
  auto report = maintenance::describe_config(load(ws), {});
  REQUIRE(report.ok());
  CHECK((*report)["tenants"]["demo"]["environment"] == "demo");
  CHECK((*report)["tenants"]["demo"]["signed_audit"] == false);
  CHECK((*report)["users"]["reader"]["permissions"] == Json::array({"audit.read"}));
  CHECK((*report)["users"]["reader"]["token"] == false);
  CHECK((*report)["roles"]["auditor"] == Json::array({"audit.read"}));
}

TEST_CASE("describe_config can show a single tenant and rejects an unknown one", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["acme"] = {{"environment", "production"}};
  ws.save();
  auto one = maintenance::describe_config(load(ws), {std::string("acme")});
  REQUIRE(one.ok());
  CHECK((*one)["tenants"].size() == 1);
  auto unknown = maintenance::describe_config(load(ws), {std::string("nope")});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ExitCode::usage);
}

TEST_CASE("describe_config refuses a signing key file that is not private", "[maintenance]") {
  Workspace ws;
  ws.config()["tenants"]["demo"]["audit"] = {{"signing_key", "k/sk"}, {"verify_key", "k/pk"}};
  ws.save();
  write_text(ws.dir() / "k" / "sk", "x", 0640);
  auto report = maintenance::describe_config(load(ws), {});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == ExitCode::config_error);
  CHECK(report.error().causes.at(0).id == "core.secret.too_open");
}

TEST_CASE("check_config arguments: --tenant and --all-tenants exclude each other",
          "[maintenance]") {
  Arguments args;
  CHECK(maintenance::validate_check_config_arguments(args).ok());
  args.set_flag("all-tenants");
  args.add_value("tenant", "demo");
  CHECK(maintenance::validate_check_config_arguments(args).error().code == ExitCode::usage);
}
