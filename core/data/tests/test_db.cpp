// The data layer on one engine: SQLite in the unit suite; compiled again with
// DIHYA_TEST_ENGINE_POSTGRESQL for the postgres suite.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <limits>

#include "core/data/db.hpp"
#include "core/data/engines.hpp"
#include "core/testing/scratch_db.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

TableDef all_types_table() {
  TableDef t;
  t.name = "all types";
  t.columns = {{"id", ColumnType::integer, false}, {"r", ColumnType::real, true},
               {"n", ColumnType::numeric, true},   {"t", ColumnType::text, true},
               {"b", ColumnType::blob, true},      {"flag", ColumnType::boolean, true},
               {"d", ColumnType::date, true},      {"ts", ColumnType::timestamp, true},
               {"j", ColumnType::json, true}};
  t.primary_key = {"id"};
  return t;
}

void require_ok(const Status& status) {
  INFO((status ? std::string() : status.error().id + " " + status.error().param("reason")));
  REQUIRE(status.ok());
}

}  // namespace

TEST_CASE("every type of the common map round-trips, NULL apart from empty",
          "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef t = all_types_table();
  require_ok(db->execute(create_table_sql(t, db->engine())));
  auto insert = db->prepare("INSERT INTO \"all types\" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  REQUIRE(insert.ok());
  const std::string blob("\0\x01\xff\0z", 5);
  const std::string unicode = "Tizi Wezzu ⵜⵉⵣⵉ — تيزي وزو 🎉";
  Field full[] = {Field::of(std::numeric_limits<std::int64_t>::max()),
                  Field::of_real(-2.5e-300),
                  Field::of("123456789012345678901234567890.123456789"),
                  Field::of(unicode),
                  Field::of_blob(blob),
                  Field::of_bool(true),
                  Field::of("2026-02-28"),
                  Field::of("2026-11-24T10:00:00Z"),
                  Field::of("{\"a\": [1, 2.50]}")};
  Field empty[] = {Field::of(std::numeric_limits<std::int64_t>::min()),
                   Field::null(),
                   Field::null(),
                   Field::of(""),
                   Field::of_blob(""),
                   Field::of_bool(false),
                   Field::null(),
                   Field::null(),
                   Field::null()};
  for (auto* row : {full, empty}) {
    for (int i = 0; i < 9; ++i) require_ok((*insert)->bind(i + 1, row[i]));
    auto done = (*insert)->step();
    REQUIRE(done.ok());
    require_ok((*insert)->reset());
  }
  auto select = db->prepare("SELECT * FROM \"all types\" ORDER BY id DESC");
  REQUIRE(select.ok());
  auto& s = **select;
  REQUIRE(*s.step());
  CHECK(s.get_integer(0) == std::numeric_limits<std::int64_t>::max());
  CHECK(s.get_real(1) == -2.5e-300);
  CHECK(s.get_text(2) == "123456789012345678901234567890.123456789");
  CHECK(s.get_text(3) == unicode);
  CHECK(s.get_text(4) == blob);
  CHECK(s.get_integer(5) == 1);
  CHECK(s.get_text(6) == "2026-02-28");
  CHECK(s.get_text(7) == "2026-11-24T10:00:00Z");
  CHECK(s.get_text(8) == "{\"a\": [1, 2.50]}");
  REQUIRE(*s.step());
  CHECK(s.get_integer(0) == std::numeric_limits<std::int64_t>::min());
  CHECK(s.is_null(1));
  CHECK_FALSE(s.is_null(3));
  CHECK(s.get_text(3).empty());
  CHECK_FALSE(s.is_null(4));
  CHECK(s.get_integer(5) == 0);
  CHECK(s.is_null(8));
  CHECK_FALSE(*s.step());
}

TEST_CASE("schema introspection gives back keys, foreign keys, unique keys and types",
          "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef parent{
      "par\"ent", {{"id", ColumnType::integer, false}, {"code", ColumnType::text, false}},
      {"id"},     {},
      {{"code"}}, {}};
  TableDef child{"child",
                 {{"id", ColumnType::integer, false},
                  {"parent_id", ColumnType::integer, true},
                  {"at", ColumnType::timestamp, true},
                  {"doc", ColumnType::json, true},
                  {"price", ColumnType::numeric, true}},
                 {"id"},
                 {{{"parent_id"}, "par\"ent", {"id"}}},
                 {},
                 {{"child_at", {"at"}, false}}};
  for (const auto& t : {parent, child}) {
    require_ok(db->execute(create_table_sql(t, db->engine(), false)));
    for (const auto& sql : create_index_sql(t, db->engine(), true)) require_ok(db->execute(sql));
  }
  auto names = db->table_names();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"child", "par\"ent"});
  auto p = db->describe_table("par\"ent");
  REQUIRE(p.ok());
  CHECK(p->primary_key == std::vector<std::string>{"id"});
  CHECK(p->unique_keys == std::vector<std::vector<std::string>>{{"code"}});
  auto c = db->describe_table("child");
  REQUIRE(c.ok());
  REQUIRE(c->columns.size() == 5);
  CHECK(c->columns[2].type == ColumnType::timestamp);
  CHECK(c->columns[3].type == ColumnType::json);
  CHECK(c->columns[4].type == ColumnType::numeric);
  CHECK_FALSE(c->columns[0].nullable);
  REQUIRE(c->foreign_keys.size() == 1);
  CHECK(c->foreign_keys[0].ref_table == "par\"ent");
  CHECK(c->foreign_keys[0].columns == std::vector<std::string>{"parent_id"});
  REQUIRE(c->indexes.size() == 1);
  CHECK(c->indexes[0].columns == std::vector<std::string>{"at"});
  CHECK(db->describe_table("nope").error().id == "core.db.no_such_table");
}

TEST_CASE("partial indexes and indexes on expressions are not taken for keys or column indexes",
          "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  require_ok(db->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, gone INTEGER)"));
  require_ok(db->execute("CREATE UNIQUE INDEX t_live ON t (email) WHERE gone = 0"));
  require_ok(db->execute("CREATE UNIQUE INDEX t_lower ON t (id, lower(email))"));
  require_ok(db->execute("CREATE INDEX t_gone ON t (gone) WHERE gone = 1"));
  require_ok(db->execute("CREATE INDEX t_mixed ON t (gone, lower(email))"));
  require_ok(db->execute("CREATE INDEX t_plain ON t (gone)"));
  // The same address twice among removed rows: a unique key on email would be false.
  require_ok(db->execute("INSERT INTO t VALUES (1, 'a@x', 1), (2, 'a@x', 1), (3, 'b@x', 0)"));
  auto t = db->describe_table("t");
  REQUIRE(t.ok());
  CHECK(t->unique_keys.empty());
  REQUIRE(t->indexes.size() == 1);
  CHECK(t->indexes[0].name == "t_plain");
  CHECK(t->indexes[0].columns == std::vector<std::string>{"gone"});
  CHECK(t->other_indexes == std::vector<std::string>{"t_gone", "t_live", "t_lower", "t_mixed"});
}

TEST_CASE("bulk load, streamed reads and a rolled-back transaction", "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef t{"rows", {{"id", ColumnType::integer, false}, {"label", ColumnType::text, true}},
             {"id"}, {},
             {},     {}};
  require_ok(db->execute(create_table_sql(t, db->engine())));
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(tx.ok());
    auto loader = db->bulk_load(t);
    REQUIRE(loader.ok());
    std::string label;
    for (std::int64_t i = 0; i < 50000; ++i) {
      label = "row\t" + std::to_string(i) + (i % 7 ? "" : "\nsecond line \\ backslash");
      Field fields[] = {Field::of(i), i % 11 ? Field::of(label) : Field::null()};
      require_ok((*loader)->add_row(fields, 2));
      require_ok((*loader)->flush());  // LABEL is reused for the next row
    }
    require_ok((*loader)->finish());
    require_ok(tx->commit());
  }
  CHECK(*db->count_rows("rows") == 50000);
  auto read = db->prepare("SELECT id, label FROM rows WHERE id = ?");
  REQUIRE(read.ok());
  require_ok((*read)->bind(1, Field::of(std::int64_t{14})));
  REQUIRE(*(*read)->step());
  CHECK((*read)->get_text(1) == "row\t14\nsecond line \\ backslash");
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(tx.ok());
    require_ok(db->execute("DELETE FROM rows"));
  }  // not committed: rolled back
  CHECK(*db->count_rows("rows") == 50000);
  auto all = db->prepare("SELECT id FROM rows ORDER BY id");
  REQUIRE(all.ok());
  std::int64_t seen = 0;
  while (*(*all)->step()) CHECK((*all)->get_integer(0) == seen++);
  CHECK(seen == 50000);
}

TEST_CASE("bulk updates by key, in a transaction, with awkward text", "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef t{"pairs",
             {{"a", ColumnType::integer, false},
              {"b", ColumnType::text, false},
              {"label", ColumnType::text, true},
              {"day", ColumnType::date, true}},
             {"a", "b"},
             {},
             {},
             {}};
  require_ok(db->execute(create_table_sql(t, db->engine())));
  require_ok(
      db->execute("INSERT INTO pairs VALUES (1, 'x', 'one', '2024-01-02'), "
                  "(1, 'y', 'two', NULL), (2, 'x', 'three', '2024-03-04')"));
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(tx.ok());
    auto updater = db->bulk_update(t, {"a", "b"}, {"label", "day"});
    REQUIRE(updater.ok());
    Field first[] = {Field::of(std::int64_t{1}), Field::of("y"), Field::of("tab\tand \"quote\"\n"),
                     Field::of("2025-05-06")};
    require_ok((*updater)->add_row(first, 4));
    Field second[] = {Field::of(std::int64_t{2}), Field::of("x"), Field::null(), Field::null()};
    require_ok((*updater)->add_row(second, 4));
    require_ok((*updater)->flush());
    CHECK((*updater)->updated() == 2);
    require_ok(tx->commit());
  }
  auto read = db->prepare("SELECT a, b, label, day FROM pairs ORDER BY a, b");
  REQUIRE(read.ok());
  std::vector<std::string> rows;
  while (*(*read)->step())
    rows.push_back((*read)->get_text(1) + "|" +
                   ((*read)->is_null(2) ? "NULL" : (*read)->get_text(2)) + "|" +
                   ((*read)->is_null(3) ? "NULL" : (*read)->get_text(3)));
  CHECK(rows == std::vector<std::string>{"x|one|2024-01-02", "y|tab\tand \"quote\"\n|2025-05-06",
                                         "x|NULL|NULL"});
}

TEST_CASE("identifiers from outside are quoted, never spliced", "[db]" DIHYA_ENGINE_TAG) {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  const std::string evil = "x\"; DROP TABLE victims; --";
  require_ok(db->execute("CREATE TABLE victims (id INTEGER)"));
  TableDef t{evil, {{"a b", ColumnType::text, true}}, {}, {}, {}, {}};
  require_ok(db->execute(create_table_sql(t, db->engine())));
  CHECK(*db->table_exists("victims"));
  CHECK(*db->table_exists(evil));
  CHECK(quote_identifier("a\"b") == "\"a\"\"b\"");
}

TEST_CASE("errors map to exit codes", "[db]" DIHYA_ENGINE_TAG) {
  TempDir dir;
  CHECK(open_database("sqlite:" + (dir.path() / "missing.db").string(), {true}).error().code ==
        ExitCode::no_input);
  write_text(dir.path() / "garbage.db", std::string(4096, 'x'));
  CHECK(open_database("sqlite:" + (dir.path() / "garbage.db").string(), {true}).error().code ==
        ExitCode::data_error);
  CHECK(open_database("mysql://u@h/db").error().code == ExitCode::config_error);
  auto unreachable = open_database("postgresql://dihya@127.0.0.1:1/nowhere");
  REQUIRE_FALSE(unreachable.ok());
  CHECK(unreachable.error().code == ExitCode::unavailable);
  CHECK_FALSE(unreachable.error().param("reason").empty());
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  auto bad = db->execute("SELEKT 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().id == "core.db.query_failed");
  require_ok(db->execute("CREATE TABLE u (id INTEGER PRIMARY KEY)"));
  require_ok(db->execute("INSERT INTO u VALUES (1)"));
  CHECK(db->execute("INSERT INTO u VALUES (1)").error().code == ExitCode::data_error);
}

TEST_CASE("placeholders are numbered for PostgreSQL outside quotes", "[db]" DIHYA_ENGINE_TAG) {
  CHECK(db_engines::number_placeholders("SELECT ?, '?', \"?\", ?") == "SELECT $1, '?', \"?\", $2");
}

#ifndef DIHYA_TEST_ENGINE_POSTGRESQL
TEST_CASE("a SQLite snapshot taken while a writer runs is consistent", "[db][sqlite]") {
  TempDir dir;
  fs::path source = dir.path() / "live.db";
  {
    auto db = open_database("sqlite:" + source.string());
    REQUIRE(db.ok());
    require_ok((*db)->execute("PRAGMA journal_mode = WAL; CREATE TABLE ledger (amount INTEGER)"));
  }
  // The writer moves money in pairs of rows that sum to zero, one transaction per pair.
  pid_t writer = ::fork();
  if (writer == 0) {
    auto db = open_database("sqlite:" + source.string());
    if (!db || !(*db)->execute("PRAGMA synchronous = OFF")) ::_exit(1);
    for (int i = 0; i < 20000; ++i)
      if (!(*db)->execute("BEGIN; INSERT INTO ledger VALUES (" + std::to_string(i) +
                          "); INSERT INTO ledger VALUES (-" + std::to_string(i) + "); COMMIT"))
        ::_exit(2);
    ::_exit(0);
  }
  for (int round = 0; round < 5; ++round) {
    ::usleep(20000);
    fs::path copy = dir.path() / ("snapshot-" + std::to_string(round) + ".db");
    require_ok(snapshot_sqlite(source, copy));
    CHECK((fs::status(copy).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    auto snap = open_database("sqlite:" + copy.string(), {true});
    REQUIRE(snap.ok());
    auto check = (*snap)->prepare("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ledger");
    REQUIRE(check.ok());
    REQUIRE(*(*check)->step());
    CHECK((*check)->get_integer(0) % 2 == 0);
    CHECK((*check)->get_integer(1) == 0);
  }
  int status = 0;
  ::waitpid(writer, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(snapshot_sqlite(dir.path() / "none.db", dir.path() / "x.db").error().code ==
        ExitCode::no_input);
  CHECK(snapshot_sqlite(source, dir.path() / "snapshot-0.db").error().code ==
        ExitCode::cant_create);
}
#endif

#ifdef DIHYA_TEST_ENGINE_POSTGRESQL
TEST_CASE("a frozen load goes only into a table created in its transaction, and is frozen",
          "[db][postgres]") {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef t{"frozen", {{"id", ColumnType::integer, false}, {"label", ColumnType::text, true}},
             {"id"},   {},
             {},       {}};
  {
    auto tx = Transaction::begin(*db);
    REQUIRE(tx.ok());
    require_ok(db->execute(create_table_sql(t, db->engine())));
    auto copy = db->copy_csv(t, {}, true, true);
    REQUIRE(copy.ok());
    std::string text = "id,label\n";
    for (int i = 0; i < 5000; ++i) text += std::to_string(i) + ",row " + std::to_string(i) + "\n";
    require_ok((*copy)->write(text));
    auto copied = (*copy)->finish();
    REQUIRE(copied.ok());
    CHECK(*copied == 5000);
    auto loader = db->bulk_load(t, true);
    REQUIRE(loader.ok());
    Field fields[] = {Field::of(std::int64_t{5000}), Field::null()};
    require_ok((*loader)->add_row(fields, 2));
    require_ok((*loader)->finish());
    require_ok(tx->commit());
  }
  // Every page of the table is marked all-frozen: no later reader has to mark its rows.
  require_ok(db->execute("CREATE EXTENSION IF NOT EXISTS pg_visibility"));
  require_ok(db->execute("ANALYZE frozen"));
  {
    auto summary = db->prepare(
        "SELECT all_frozen, (SELECT relpages FROM pg_class WHERE relname = 'frozen') "
        "FROM pg_visibility_map_summary('frozen')");
    REQUIRE(summary.ok());
    REQUIRE(*(*summary)->step());
    CHECK((*summary)->get_integer(0) > 0);
    CHECK((*summary)->get_integer(0) == (*summary)->get_integer(1));
  }
  CHECK(*db->count_rows("frozen") == 5001);
  // A table that exists already cannot take a frozen load: PostgreSQL refuses it.
  auto tx = Transaction::begin(*db);
  REQUIRE(tx.ok());
  auto loader = db->bulk_load(t, true);
  Status loaded = loader ? (*loader)->finish() : Status{loader.error()};
  CHECK_FALSE(loaded.ok());
}
#endif

#ifdef DIHYA_TEST_ENGINE_POSTGRESQL
TEST_CASE("decoded rows go in binary and read back as they were; a bad value is refused",
          "[db][postgres]") {
  ScratchDatabase scratch(k_test_engine);
  auto db = scratch.open();
  TableDef t = all_types_table();
  t.name = "packed";
  t.columns.erase(t.columns.begin() + 2);  // numeric has no binary form: text COPY for it
  require_ok(db->execute(create_table_sql(t, db->engine())));
  std::string bytes("\0\x01\xff", 3);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<Field>> rows = {
      {Field::of(std::int64_t{1}), Field::of_real(-inf), Field::of("ⵜ \"x\"\n"),
       Field::of_blob(bytes), Field::of_bool(true), Field::of("2024-02-29"),
       Field::of("1999-12-31T23:59:59.9999995Z"), Field::of(R"({"a":[1,null]})")},
      {Field::of(std::numeric_limits<std::int64_t>::min()), Field::of_real(0.1), Field::of(""),
       Field::of_blob(""), Field::of_bool(false), Field::of("0001-01-01"), Field::of("-infinity"),
       Field::of("null")},
      {Field::of(std::int64_t{3}), Field::null(), Field::null(), Field::null(), Field::null(),
       Field::of("9999-12-31"), Field::of("1969-12-31T23:59:59.123456Z"), Field::null()},
  };
  {
    auto loader = db->load_decoded(t, false);
    REQUIRE(loader.ok());
    for (const auto& row : rows) require_ok((*loader)->add_row(row.data(), row.size()));
    // A date that does not exist: refused, and the row is not half-sent.
    std::vector<Field> bad = rows[2];
    bad[0] = Field::of(std::int64_t{4});
    bad[5] = Field::of("2023-02-29");
    Status refused = (*loader)->add_row(bad.data(), bad.size());
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ExitCode::data_error);
    CHECK(refused.error().id == "core.db.copy_value");
    require_ok((*loader)->finish());
  }
  // Each value as PostgreSQL's own text input reads it (fractions rounded alike).
  auto read = db->prepare(
      "SELECT id, r::text, t, encode(b, 'hex'), flag, d::text, ts = CASE id WHEN 1 THEN "
      "'1999-12-31T23:59:59.9999995Z'::timestamptz WHEN 3 THEN "
      "'1969-12-31T23:59:59.123456Z'::timestamptz ELSE '-infinity' END, j::text FROM packed "
      "ORDER BY id");
  REQUIRE(read.ok());
  std::vector<std::string> got;
  while (*(*read)->step()) {
    std::string line;
    for (int c = 0; c < 8; ++c)
      line += ((*read)->is_null(c) ? std::string("-") : (*read)->get_text(c)) + "|";
    got.push_back(line);
  }
  REQUIRE(got.size() == 3);
  CHECK(got[0] == "-9223372036854775808|0.1|||f|0001-01-01|t|null|");
  CHECK(got[1] == "1|-Infinity|ⵜ \"x\"\n|0001ff|t|2024-02-29|t|{\"a\":[1,null]}|");
  CHECK(got[2] == "3|-|-|-|-|9999-12-31|t|-|");

  // With a numeric column the same call loads through text COPY.
  TableDef with_numeric{
      "decimals", {{"id", ColumnType::integer, false}, {"n", ColumnType::numeric, true}},
      {"id"},     {},
      {},         {}};
  require_ok(db->execute(create_table_sql(with_numeric, db->engine())));
  {
    auto loader = db->load_decoded(with_numeric, false);
    REQUIRE(loader.ok());
    Field row[] = {Field::of(std::int64_t{1}), Field::of("123456789012345678901234567890.5")};
    require_ok((*loader)->add_row(row, 2));
    require_ok((*loader)->finish());
  }
  auto n = db->prepare("SELECT n::text FROM decimals");
  REQUIRE(*(*n)->step());
  CHECK((*n)->get_text(0) == "123456789012345678901234567890.5");
}
#endif
