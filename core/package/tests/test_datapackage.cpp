#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "core/base/fs.hpp"
#include "core/data/pg_copy.hpp"
#include "core/package/datapackage.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::package;

namespace {

Resource resource_of(DataFormat format) {
  Resource r;
  r.name = "t";
  r.format = format;
  r.def.name = "t";
  r.def.columns = {{"id", ColumnType::integer, false}, {"txt", ColumnType::text, true},
                   {"r", ColumnType::real, true},      {"b", ColumnType::blob, true},
                   {"ok", ColumnType::boolean, true},  {"ts", ColumnType::timestamp, true}};
  r.missing.resize(r.def.columns.size());
  return r;
}

// Every row of TEXT decoded, fed in blocks of STEP bytes, as one line per row.
std::vector<std::string> decode(const Resource& r, const std::string& text, std::size_t step) {
  RowDecoder decoder(r);
  std::vector<std::string> rows;
  auto visit = [&](const Field* fields, std::size_t count) -> Status {
    std::string line;
    for (std::size_t i = 0; i < count; ++i) {
      const Field& f = fields[i];
      switch (f.kind) {
        case Field::Kind::null:
          line += "NULL";
          break;
        case Field::Kind::integer:
        case Field::Kind::boolean:
          line += std::to_string(f.integer);
          break;
        case Field::Kind::real:
          line += std::to_string(f.real);
          break;
        default:
          line += "[" + std::string(f.text) + "]";
      }
      line += "|";
    }
    rows.push_back(line);
    return {};
  };
  for (std::size_t at = 0; at < text.size(); at += step)
    REQUIRE(decoder.feed(std::string_view(text).substr(at, step), visit));
  REQUIRE(decoder.finish(visit));
  CHECK(decoder.rows() == static_cast<std::int64_t>(rows.size()));
  return rows;
}

}  // namespace

TEST_CASE("CSV rows decode the same whatever the blocks they arrive in", "[datapackage]") {
  Resource r = resource_of(DataFormat::csv);
  std::string text =
      "id,txt,r,b,ok,ts\n"
      "1,\"\",NaN,\"\",true,2024-01-01T00:00:00Z\n"
      "2,,INF,AAH/,false,\n"
      "3,\"a \"\"quoted\"\", comma\nand line\",-1.5e-3,,1,2024-01-01T01:00:00+01:00\r\n"
      "4,ⵜⴰⵎⴰⵣⵉⵖⵜ 🙂,0.1,,,\n"
      "5,last,1,,0,";
  std::vector<std::string> expected;
  for (std::size_t step : {text.size(), std::size_t{1}, std::size_t{2}, std::size_t{7}}) {
    INFO(step);
    auto rows = decode(r, text, step);
    REQUIRE(rows.size() == 5);
    CHECK(rows[0].find("|[]|nan|[]|1|[2024-01-01T00:00:00Z]|") != std::string::npos);
    CHECK(rows[1] == "2|NULL|inf|[" + std::string("\0\x01\xff", 3) + "]|0|NULL|");
    CHECK(rows[2].find("[a \"quoted\", comma\nand line]") != std::string::npos);
    CHECK(rows[2].find("[2024-01-01T00:00:00Z]") != std::string::npos);
    CHECK(rows[3].find("[ⵜⴰⵎⴰⵣⵉⵖⵜ 🙂]") != std::string::npos);
    if (expected.empty()) expected = rows;
    CHECK(rows == expected);
  }
}

TEST_CASE("bad cells, rows and headers are refused with 65", "[datapackage]") {
  Resource r = resource_of(DataFormat::csv);
  auto fails = [&](const std::string& text) {
    RowDecoder decoder(r);
    auto visit = [](const Field*, std::size_t) -> Status { return {}; };
    Status fed = decoder.feed(text, visit);
    if (fed) fed = decoder.finish(visit);
    return !fed && fed.error().code == ExitCode::data_error;
  };
  CHECK(fails("id,txt,r,b,ok,ts\nx,,,,,\n"));                     // not an integer
  CHECK(fails("id,txt,r,b,ok,ts\n99999999999999999999,,,,,\n"));  // out of range
  CHECK(fails("id,txt,r,b,ok,ts\n1,,1.5.2,,,\n"));                // not a number
  CHECK(fails("id,txt,r,b,ok,ts\n1,,,***,,\n"));                  // not base64
  CHECK(fails("id,txt,r,b,ok,ts\n1,,,,maybe,\n"));                // not a boolean
  CHECK(fails("id,txt,r,b,ok,ts\n1,,,,,noon\n"));                 // not a timestamp
  CHECK(fails("id,txt,r,b,ok,ts\n1,,,\n"));                       // too few cells
  CHECK(fails("id,txt,r,b,ok,ts\n1,\"open,,,,\n"));               // unterminated quote
  CHECK(fails("id,txt,r,b,ok,other\n"));                          // unknown column
  CHECK(fails("id,txt,r,b,ok,ts,id\n"));                          // listed twice
  CHECK(fails(""));                                               // no header
}

TEST_CASE("PostgreSQL's infinite numerics and timestamps are read back", "[datapackage]") {
  Resource r;
  r.name = "inf";
  r.def.name = "inf";
  r.def.columns = {{"n", ColumnType::numeric, true}, {"ts", ColumnType::timestamp, true}};
  r.missing.resize(2);
  auto rows = decode(r, "n,ts\nInfinity,infinity\n-Infinity,-infinity\nNaN,\n", 3);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == "[Infinity]|[infinity]|");
  CHECK(rows[1] == "[-Infinity]|[-infinity]|");
  CHECK(rows[2] == "[NaN]|NULL|");
}

TEST_CASE("JSON Lines keep NULL, numbers and text apart", "[datapackage]") {
  Resource r = resource_of(DataFormat::jsonl);
  std::string text =
      "{\"id\":9223372036854775807,\"txt\":\"\",\"r\":\"NaN\",\"b\":null,\"ok\":true,\"ts\":null}\n"
      "{\"id\":2,\"txt\":null,\"r\":2.5,\"b\":\"AA==\",\"ok\":false,\"ts\":\"2024-01-01T00:00:"
      "00Z\"}";
  auto rows = decode(r, text, 5);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == "9223372036854775807|[]|nan|NULL|1|NULL|");
  CHECK(rows[1].rfind("2|NULL|2.5", 0) == 0);
}

TEST_CASE("row counters count rows, not line ends inside quotes", "[datapackage]") {
  RowCounter csv{DataFormat::csv};
  csv.feed("id,t\n1,\"a\nb\"\n2,\"x\"\"");
  csv.feed("y\"\n3,z");
  CHECK(csv.rows(true) == 3);
  RowCounter jsonl{DataFormat::jsonl};
  jsonl.feed("{}\n{}\n{}");
  CHECK(jsonl.rows(false) == 3);
}

TEST_CASE("row counters agree with a byte-at-a-time count on any split", "[datapackage]") {
  // The counter reads 64 bytes at a time: quotes and line ends across block and feed
  // boundaries, and a block's padding, must not change the count.
  std::mt19937 rng(7);
  const char alphabet[] = {'a', ',', '"', '\n', '\r', '\0'};
  for (int round = 0; round < 300; ++round) {
    std::string text(rng() % 400, 'a');
    for (char& c : text) c = alphabet[rng() % sizeof alphabet];
    std::int64_t expected = 0;
    bool quoted = false;
    for (char c : text) {
      if (c == '"') quoted = !quoted;
      if (c == '\n' && !quoted) ++expected;
    }
    if (!text.empty() && text.back() != '\n') ++expected;
    std::int64_t lines = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    if (!text.empty() && text.back() != '\n') ++lines;
    RowCounter csv{DataFormat::csv}, jsonl{DataFormat::jsonl};
    for (std::size_t at = 0; at < text.size();) {
      std::size_t step = 1 + rng() % 150;
      csv.feed(std::string_view(text).substr(at, step));
      jsonl.feed(std::string_view(text).substr(at, step));
      at += step;
    }
    INFO("round " << round);
    CHECK(csv.rows(false) == expected);
    CHECK(jsonl.rows(false) == lines);
  }
}

TEST_CASE("manifests: round trip and refusals name the JSON path", "[datapackage]") {
  Manifest m;
  m.name = "acme-export";
  Resource users = resource_of(DataFormat::csv);
  users.name = "users";
  users.def.name = "Users";
  users.def.primary_key = {"id"};
  users.parts = {{"data/users.csv", 10, std::string(64, 'a'), 2}};
  users.bytes = 10;
  users.sha256 = std::string(64, 'a');
  users.rows = 2;
  Resource events = users;
  events.name = "events";
  events.def.name = "events";
  events.def.foreign_keys = {{{"id"}, "Users", {"id"}}};
  events.parts = {{"data/events/part-000001.csv", 4, std::string(64, 'b'), 1},
                  {"data/events/part-000002.csv", 6, std::string(64, 'c'), 1}};
  m.resources = {users, events};
  Json document = manifest_json(m);
  auto parsed = parse_manifest(document);
  REQUIRE(parsed);
  REQUIRE(parsed->resources.size() == 2);
  CHECK(parsed->resources[0].def.name == "Users");
  CHECK(parsed->resources[1].def.foreign_keys[0].ref_table == "Users");
  CHECK(parsed->resources[1].parts[1].sha256 == std::string(64, 'c'));
  CHECK(foreign_key_order(parsed->resources) == std::vector<std::size_t>{0, 1});
  std::swap(parsed->resources[0], parsed->resources[1]);
  CHECK(foreign_key_order(parsed->resources) == std::vector<std::size_t>{1, 0});

  auto refused = [&](const std::function<void(Json&)>& edit, const std::string& path) {
    Json copy = document;
    edit(copy);
    auto result = parse_manifest(copy);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ExitCode::data_error);
    CHECK(result.error().params[0].second == path);
  };
  refused([](Json& d) { d["resources"][0]["path"] = "../x.csv"; }, "$.resources[0].path");
  refused([](Json& d) { d["resources"][0]["path"] = "/etc/passwd"; }, "$.resources[0].path");
  refused([](Json& d) { d["resources"][1]["path"][1] = "data/users.csv"; }, "$.resources[1].path");
  refused([](Json& d) { d["resources"][0]["schema"]["fields"][1]["type"] = "geopoint"; },
          "$.resources[0].schema.fields[1].type");
  refused([](Json& d) { d["resources"][0]["schema"]["fields"][1]["dihya:type"] = "integer"; },
          "$.resources[0].schema.fields[1].dihya:type");
  refused([](Json& d) { d["resources"][0]["hash"] = "md5:abc"; }, "$.resources[0].hash");
  refused(
      [](Json& d) {
        d["resources"][1]["schema"]["foreignKeys"][0]["reference"]["resource"] = "nope";
      },
      "$.resources[1].schema.foreignKeys");
  refused([](Json& d) { d["dihya:format"] = 99; }, "$.dihya:format");
  CHECK(resource_name("Mes Utilisateurs", {}) == "mes_utilisateurs");
  CHECK(resource_name("users", {"users"}) == "users-2");
}

TEST_CASE("signatures hold only over the exact manifest and for trusted keys", "[datapackage]") {
  SigningKey key = generate_signing_key(), other = generate_signing_key();
  Json signature = signature_json(key, "manifest");
  CHECK(check_signature(signature, "manifest", {}).ok());
  CHECK(check_signature(signature, "manifest", {key.public_key}).ok());
  CHECK(check_signature(signature, "manifesT", {}).error().code == ExitCode::data_error);
  CHECK(check_signature(signature, "manifest", {other.public_key}).error().code ==
        ExitCode::data_error);
  CHECK_FALSE(check_signature(Json::object(), "manifest", {}).ok());
}

namespace {

TableDef text_table() {
  TableDef def;
  def.name = "t";
  def.columns = {{"id", ColumnType::integer, false}, {"txt", ColumnType::text, true}};
  def.primary_key = {"id"};
  return def;
}

// A SQLite table t(id, txt) of ROWS rows, txt given by TEXT (an SQL expression of i).
std::unique_ptr<Database> table_of_rows(const fs::path& dir, int rows, const std::string& text) {
  auto db = take(open_database("sqlite:" + (dir / "db.sqlite").string()));
  REQUIRE(db->execute(create_table_sql(text_table(), Engine::sqlite)));
  REQUIRE(db->execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                      std::to_string(rows) + ") INSERT INTO t SELECT i, " + text + " FROM n"));
  return db;
}

// Table t of DB exported to FILE in parts of PART_BYTES.
ExportOutcome export_table(Database& db, const fs::path& file, std::size_t part_bytes) {
  ExportRequest request;
  request.name = "p";
  request.tables = {{text_table(), {}, {}, {}}};
  request.part_bytes = part_bytes;
  Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  return take(write_package(db, request, fd.get()));
}

}  // namespace

TEST_CASE("a table larger than a part is written in parts and read back whole", "[datapackage]") {
  test::TempDir dir;
  auto db = table_of_rows(dir.path(), 5000, "'row ' || i || ', \"quoted\"'");
  for (std::size_t part_bytes : {std::size_t{4096}, std::size_t{1} << 20}) {
    INFO(part_bytes);
    fs::path file = dir.path() / ("p" + std::to_string(part_bytes) + ".tar.zst");
    ExportOutcome outcome = export_table(*db, file, part_bytes);
    const Resource& written = outcome.manifest.resources[0];
    CHECK((written.parts.size() > 1) == (part_bytes == 4096));
    CHECK(written.rows == 5000);
    VerifiedPackage verified = take(verify_package(file, {}));
    CHECK(verified.rows == 5000);
    CHECK(verified.manifest.resources[0].sha256 == written.sha256);

    struct Count : RowConsumer {
      std::int64_t rows = 0, last = 0;
      Status begin(const Resource&) override { return {}; }
      Status row(const Field* f, std::size_t) override {
        ++rows;
        if (f[0].integer != last + 1) return make_error(ExitCode::failure, "order");
        last = f[0].integer;
        return {};
      }
      Status flush() override { return {}; }
      Status end(const Resource&, std::int64_t n) override {
        return n == rows ? Status{} : make_error(ExitCode::failure, "count");
      }
    } count;
    REQUIRE(read_package(file, verified, {}, count));
    CHECK(count.rows == 5000);
  }
}

namespace {

// Takes the parts WANTED (all when empty) and keeps what each gave.
struct PartsTaken : PartConsumer {
  std::set<std::size_t> wanted;
  std::map<std::size_t, std::string> got;
  std::size_t current = 0;
  int resources_ended = 0;
  bool take_part(const Resource&, std::size_t part) override {
    return wanted.empty() || wanted.count(part);
  }
  Status begin_part(const Resource&, std::size_t part) override {
    current = part;
    got[part];
    return {};
  }
  Status data(std::string_view block) override {
    got[current].append(block);
    return {};
  }
  Status end_part(const Resource&, std::size_t) override { return {}; }
  Status end_resource(const Resource&) override {
    ++resources_ended;
    return {};
  }
};

}  // namespace

TEST_CASE("each data file starts a zstd frame: pass two reads the parts it takes alone",
          "[datapackage]") {
  test::TempDir dir;
  auto db = table_of_rows(dir.path(), 3000, "'row ' || i || ' ' || hex(randomblob(8))");
  fs::path file = dir.path() / "p.tar.zst";
  export_table(*db, file, 8192);
  VerifiedPackage verified = take(verify_package(file, {}));
  const Resource& r = verified.manifest.resources[0];
  REQUIRE(r.parts.size() > 3);
  // Every data file has its frame, in the order they are stored, the first at the start.
  REQUIRE(verified.frames.size() == r.parts.size());
  CHECK(verified.frames.at(r.parts[0].path) == 0);
  for (std::size_t p = 1; p < r.parts.size(); ++p)
    CHECK(verified.frames.at(r.parts[p].path) > verified.frames.at(r.parts[p - 1].path));

  SECTION("every part, or some, each exactly as pass one checked it") {
    PartsTaken all;
    REQUIRE(read_package_parts(file, verified, {}, all));
    CHECK(all.resources_ended == 1);
    REQUIRE(all.got.size() == r.parts.size());
    std::string whole;
    for (const auto& [p, bytes] : all.got) {
      CHECK(sha256_hex(bytes) == r.parts[p].sha256);
      whole += bytes;
    }
    CHECK(sha256_hex(whole) == r.sha256);

    PartsTaken some;
    some.wanted = {1, r.parts.size() - 1};
    REQUIRE(read_package_parts(file, verified, {}, some));
    CHECK(some.resources_ended == 1);
    REQUIRE(some.got.size() == 2);
    CHECK(some.got.at(1) == all.got.at(1));
    CHECK(some.got.at(r.parts.size() - 1) == all.got.at(r.parts.size() - 1));
  }
  SECTION("a package without frames is read from the start, to the same bytes") {
    PartsTaken all, again;
    REQUIRE(read_package_parts(file, verified, {}, all));
    VerifiedPackage old = verified;
    old.frames.clear();
    REQUIRE(read_package_parts(file, old, {}, again));
    CHECK(again.got == all.got);
  }
  SECTION("a byte changed after the check is caught in the part that holds it") {
    std::int64_t at = verified.frames.at(r.parts[2].path) + 40;
    Fd fd(::open(file.c_str(), O_RDWR));
    char byte = 0;
    REQUIRE(::pread(fd.get(), &byte, 1, at) == 1);
    byte = static_cast<char>(byte ^ 0x20);
    REQUIRE(::pwrite(fd.get(), &byte, 1, at) == 1);
    PartsTaken others;
    others.wanted = {0, 1};
    CHECK(read_package_parts(file, verified, {}, others));  // part 2 is not read
    PartsTaken all;
    auto read = read_package_parts(file, verified, {}, all);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ExitCode::data_error);
  }
}

TEST_CASE("PostgreSQL's binary forms of dates, timestamps and rows", "[datapackage][pg_copy]") {
  CHECK(pg_copy::date_days("2000-01-01") == 0);
  CHECK(pg_copy::date_days("1970-01-01") == -10957);
  CHECK(pg_copy::date_days("2024-02-29") == 8825);
  CHECK(pg_copy::date_days("0001-01-01") == -730119);  // as PostgreSQL counts it
  for (const char* bad : {"2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "0000-01-01",
                          "2024-1-01", "2024/01/01", ""})
    CHECK_FALSE(pg_copy::date_days(bad));

  CHECK(pg_copy::timestamp_micros("2000-01-01T00:00:00Z") == 0);
  CHECK(pg_copy::timestamp_micros("1970-01-01T00:00:00Z") == -946684800000000);
  CHECK(pg_copy::timestamp_micros("2000-01-01T00:00:01.5Z") == 1500000);
  CHECK(pg_copy::timestamp_micros("2000-01-01T00:00:00.0000015Z") == 2);  // rint, as PostgreSQL
  CHECK(pg_copy::timestamp_micros("1999-12-31T23:59:59.123456Z") == -876544);
  CHECK(pg_copy::timestamp_micros("infinity") == std::numeric_limits<std::int64_t>::max());
  CHECK(pg_copy::timestamp_micros("-infinity") == std::numeric_limits<std::int64_t>::min());
  for (const char* bad : {"2000-01-01T00:00:00", "2000-01-01T00:00:00+01:00",
                          "2023-02-29T00:00:00Z", "0000-06-01T00:00:00Z", "2000-01-01T24:00:00Z",
                          "2000-01-01T00:00:00.Z", "2000-01-01T00:00:00.12345678901Z"})
    CHECK_FALSE(pg_copy::timestamp_micros(bad));

  TableDef def{"t",
               {{"id", ColumnType::integer, false},
                {"flag", ColumnType::boolean, true},
                {"label", ColumnType::text, true}},
               {"id"},
               {},
               {},
               {}};
  CHECK(pg_copy::encodable(def));
  std::string out;
  pg_copy::header(out);
  CHECK(out == std::string("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19));
  out.clear();
  Field row[] = {Field::of(std::int64_t{258}), Field::of_bool(true), Field::null()};
  REQUIRE(pg_copy::append_row(out, def, row, 3).ok());
  CHECK(out == std::string("\0\3"
                           "\0\0\0\x08\0\0\0\0\0\0\x01\x02"
                           "\0\0\0\x01\x01"
                           "\xff\xff\xff\xff",
                           2 + 12 + 5 + 4));
  Field wrong[] = {Field::of("258"), Field::null(), Field::null()};
  auto refused = pg_copy::append_row(out, def, wrong, 3);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ExitCode::data_error);
  def.columns.push_back({"n", ColumnType::numeric, true});
  CHECK_FALSE(pg_copy::encodable(def));
}
