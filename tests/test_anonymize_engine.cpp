// anonymize's rewrite of whole tables on SQLite: the same masks as the row-by-row engine
// (pinned values under a fixed key), and kill -9 at any point leaves each table original or
// masked, the database valid, and the next run finishing the job.
#include <catch2/catch.hpp>

#include "core/base/crypto.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("anonymize gives the pinned masks under a fixed key on SQLite", "[rgpd_tool]") {
  RgpdWorkspace ws(40);
  write_pinned_rows(ws);
  write_fixed_key(ws);
  auto done = ws.anonymize({"--target", "all"});
  INFO(done.err);
  REQUIRE(done.code == 0);
  for (const auto& [sql, expected] : pinned_masks()) {
    INFO(sql);
    CHECK(ws.column(sql) == expected);
  }
  // Every masked value of every row (the seed is deterministic), as one digest.
  std::string all;
  for (const char* sql :
       {"SELECT email || username || first_name || last_name || full_name || coalesce(phone, '') "
        "|| coalesce(birth_date, '') || coalesce(address, '') || city || ip || "
        "coalesce(last_login_at, '') FROM users ORDER BY id",
        "SELECT ip || user_agent FROM events ORDER BY id"})
    for (const auto& value : ws.column(sql)) all += value + "\n";
  CHECK(sha256_hex(all) == "81b87b73e283e474b3fdaad8abc57bde35fa4121dc85bcf3f2046224c7cc0aa2");
}
