#include <catch2/catch.hpp>

#include "core/run/audit.hpp"
#include "core/testing/fuzz.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("audit verification survives mutated trails", "[fuzz]") {
  TempDir dir;
  TenantConfig tenant;
  tenant.name = "demo";
  tenant.state_dir = dir.path();
  AuditTrail trail(tenant);
  for (int i = 0; i < 5; ++i)
    REQUIRE(trail.append({"demo", "u", "root", "t", "a", "x", "success", 0, 1, {{"i", i}}}).ok());
  const std::string seed = read_text(tenant.audit_log());
  std::mt19937 rng(99);
  int broken = 0;
  for (int i = 0; i < fuzz_iterations() / 4; ++i) {
    write_text(tenant.audit_log(), mutate(seed, rng), 0640);
    auto check = verify_audit_trail(tenant.audit_log(), dir.path() / "none", std::nullopt, false);
    if (!check.intact) ++broken;
    // Appending after any damage still works and never rewrites what is there.
    std::string before = read_text(tenant.audit_log());
    REQUIRE(trail.append({"demo", "u", "root", "t", "a", "x", "success", 0, 1, {}}).ok());
    CHECK(read_text(tenant.audit_log()).rfind(before, 0) == 0);
  }
  CHECK(broken > 0);
}
