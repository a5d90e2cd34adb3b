// The orphan scan and the mover called directly: a row that appears between the scan and the
// move keeps its file; a file that changes is kept too.
#include <catch2/catch.hpp>

#include "cleaning/orphans.hpp"
#include "cleaning/quarantine.hpp"
#include "cleaning/tests/cleaning_support.hpp"
#include "core/testing/scratch_db.hpp"

using namespace dihya;
using namespace dihya::cleaning;
using namespace dihya::test;

TEST_CASE("a candidate named by a row since the scan, or changed, is kept", "[orphans]") {
  TempDir dir;
  ScratchDatabase scratch(Engine::sqlite);
  auto db = scratch.open();
  REQUIRE(db->execute("CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT)"));
  REQUIRE(db->execute("INSERT INTO files VALUES (1, 'up/kept.bin')"));
  fs::path root = dir.path() / "up";
  old_file(root / "kept.bin");
  old_file(root / "a" / "claimed.bin");
  old_file(root / "a" / "changed.bin");
  old_file(root / "a" / "gone.bin");
  OrphanRule rule;
  rule.root = "up";
  rule.dir = root;
  rule.prefix = "up/";
  rule.by_ctime = false;
  auto scan = scan_orphans(*db, rule, 100);
  REQUIRE(scan);
  CHECK(scan->references == 1);
  CHECK(scan->candidate_count == 3);

  REQUIRE(db->execute("INSERT INTO files VALUES (2, 'up/a/claimed.bin')"));
  write_text(root / "a" / "changed.bin", "new content");
  fs::path run = dir.path() / "quarantine" / "run1";
  fs::create_directories(run);
  OrphanMover mover(*db, rule, run, false);
  MoveTally tally;
  REQUIRE(mover.move_all(scan->candidates, tally));
  CHECK(tally.moved == 1);
  CHECK(tally.kept_referenced == 1);
  CHECK(tally.kept_changed == 1);
  CHECK(fs::exists(root / "a" / "claimed.bin"));
  CHECK(fs::exists(root / "a" / "changed.bin"));
  CHECK_FALSE(fs::exists(root / "a" / "gone.bin"));
  CHECK(read_text(run / "files" / "a" / "gone.bin") == "x");
}
