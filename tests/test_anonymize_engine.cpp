// anonymize's rewrite of whole tables on SQLite: the same masks as the row-by-row engine
// (pinned values under a fixed key), and kill -9 at any point leaves each table original or
// masked, the database valid, and the next run finishing the job.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/base/crypto.hpp"
#include "tests/rgpd_support.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

// The schema of the demo tables (the journal aside): indexes included.
std::vector<std::string> schema(const RgpdWorkspace& ws) {
  return ws.column("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema "
                   "WHERE tbl_name NOT LIKE 'dihya%' ORDER BY name");
}

}  // namespace

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

TEST_CASE("anonymize killed -9 anywhere in the SQLite rewrite: each table original or masked, "
          "the database valid, the next run finishing",
          "[rgpd_tool]") {
  RgpdWorkspace ws(20000);
  write_fixed_key(ws);
  fs::path db = ws.dir() / "data/demo/app.db", pristine = ws.dir() / "pristine.db";
  fs::copy_file(db, pristine);
  const MaskedColumns original = masked_columns(ws.url());
  const auto tables = schema(ws);
  REQUIRE(ws.anonymize({"--target", "all"}).code == 0);
  const MaskedColumns masked = masked_columns(ws.url());
  REQUIRE(masked.users != original.users);

  // Mid-UPDATE (the masking function stopped at its 1000th value), the indexes dropped, the
  // rows rewritten but the indexes not yet rebuilt, during their rebuild, the table masked but
  // not committed.
  const std::vector<std::pair<std::string, int>> points = {
      {"mask.rows", 0},
      {"rewrite.dropped:users", 0},
      {"rewrite.updated:users", 0},
      {"rewrite.updated:users", 15},
      {"rewrite.updated:events", 0},
      {"anonymize.masked", 0}};
  for (const auto& [point, after_ms] : points) {
    INFO(point << " +" << after_ms << " ms");
    for (const char* extra : {"-journal", "-wal", "-shm"}) fs::remove(db.string() + extra);
    fs::remove(db);
    fs::copy_file(pristine, db);
    kill_anonymize_at(ws, "demo", point, after_ms);

    CHECK(ws.column("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    CHECK(ws.column("PRAGMA foreign_key_check").empty());
    CHECK(schema(ws) == tables);
    std::vector<std::string> done;
    if (ws.column("SELECT count(*) FROM sqlite_schema WHERE name = 'dihya_anonymized'")[0] == "1")
      done = ws.column("SELECT table_name FROM dihya_anonymized");
    auto is_done = [&](const char* t) { return std::count(done.begin(), done.end(), t) > 0; };
    MaskedColumns now = masked_columns(ws.url());
    CHECK(now.users == (is_done("users") ? masked.users : original.users));
    CHECK(now.events == (is_done("events") ? masked.events : original.events));

    auto rerun = ws.anonymize({"--target", "all", "--json"});
    INFO(rerun.err);
    REQUIRE(rerun.code == 0);
    now = masked_columns(ws.url());
    CHECK(now.users == masked.users);
    CHECK(now.events == masked.events);
    CHECK(schema(ws) == tables);
  }
}
