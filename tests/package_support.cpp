#include "tests/package_support.hpp"

#include <fcntl.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/base/crypto.hpp"
#include "core/data/db.hpp"
#include "core/io/archive.hpp"
#include "core/io/stream.hpp"

namespace dihya::test {

using Json = nlohmann::json;

PackageWorkspace::PackageWorkspace() {
  fs::create_directories(dir() / "keys");
  SigningKey signing = generate_signing_key();
  write_text(dir() / "keys/export.sk", encode_signing_key(signing) + "\n", 0600);
  write_text(dir() / "keys/export.pk", encode_verify_key(signing.public_key) + "\n");
  IdentityKey pair = generate_identity();
  write_text(identity(), encode_identity(pair) + "\n", 0600);
  write_text(recipient(), encode_recipient(pair.public_key) + "\n");
  Json settings = {{"signing_key", "keys/export.sk"}, {"verify_keys", {"keys/export.pk"}}};
  config()["tenants"]["demo"]["export"] = settings;
  config()["tenants"]["dest"] = {
      {"database", "sqlite:data/dest/app.db"}, {"environment", "demo"}, {"export", settings}};
  fs::create_directories(dir() / "data/dest");
  fs::create_directories(dir() / "data/demo");
  save();
}

namespace {

void create_edge_text_table(Database& d) {
  TableDef def;
  def.name = "edge_text";
  def.columns = {{"id", ColumnType::integer, false},  {"t", ColumnType::text, true},
                 {"e", ColumnType::text, true},       {"r", ColumnType::real, true},
                 {"ts", ColumnType::timestamp, true}, {"j", ColumnType::json, true}};
  def.primary_key = {"id"};
  if (!d.execute(create_table_sql(def, d.engine()))) throw std::runtime_error("create edge_text");
  // Column e holds empty strings and no NULL: it declares that no value is missing.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::vector<Field>> rows = {
      {Field::of(""), Field::of(""), Field::of_real(inf), Field::of("2024-03-10T11:00:00Z"),
       Field::of("{\"a\": \"b,c\"}")},
      {Field::null(), Field::of("x"), Field::of_real(-inf), Field::null(), Field::of("[]")},
      {Field::of("\\N"), Field::of(""), Field::null(), Field::of("1999-12-31T23:59:59.5Z"),
       Field::null()},
      {Field::of("say \"hi\",\nthen \u2d5c\u2d30"), Field::of(" "), Field::of_real(-0.5),
       Field::null(), Field::of("\"\"")},
  };
  auto insert = d.prepare("INSERT INTO edge_text VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) throw std::runtime_error("prepare edge_text");
  std::int64_t id = 1;
  for (const auto& row : rows) {
    Statement& s = **insert;
    bool ok = s.reset().ok() && s.bind(1, Field::of(id++)).ok();
    for (int c = 0; c < 5; ++c) ok = ok && s.bind(c + 2, row[static_cast<std::size_t>(c)]).ok();
    if (!ok || !s.step()) throw std::runtime_error("insert edge_text");
  }
}

}  // namespace

void create_edge_table(const std::string& url) {
  auto db = open_database(url);
  if (!db) throw std::runtime_error("cannot open " + url);
  Database& d = **db;
  TableDef def;
  def.name = "edge";
  def.columns = {{"id", ColumnType::integer, false},  {"i", ColumnType::integer, true},
                 {"r", ColumnType::real, true},       {"n", ColumnType::numeric, true},
                 {"t", ColumnType::text, true},       {"b", ColumnType::blob, true},
                 {"flag", ColumnType::boolean, true}, {"d", ColumnType::date, true},
                 {"ts", ColumnType::timestamp, true}, {"j", ColumnType::json, true}};
  def.primary_key = {"id"};
  if (!d.execute(create_table_sql(def, d.engine()))) throw std::runtime_error("create edge");
  std::string blob_nul("\0\x01\xff\"\n,", 6), nul_byte(1, '\0');
  struct Row {
    Field i, r, n, t, b, flag, d, ts, j;
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Row> rows = {
      {Field::of(std::numeric_limits<std::int64_t>::max()), Field::of_real(inf),
       Field::of("123456789012345678901234567890.123456789"), Field::of(""),
       Field::of_blob(blob_nul), Field::of_bool(true), Field::of("2024-02-29"),
       Field::of("2024-03-10T12:00:00+01:00"), Field::of(R"({"b":1,"a":[1,2,{"x":null}]})")},
      {Field::of(std::numeric_limits<std::int64_t>::min()), Field::of_real(-inf),
       Field::of("-0.000000000000000000000000000001"), Field::null(), Field::of_blob(""),
       Field::of_bool(false), Field::of("9999-12-31"), Field::of("1969-12-31T23:59:59.123456Z"),
       Field::of("null")},
      {Field::of(0), Field::of_real(0.1), Field::of("1.10"),
       Field::of("مرحبا ⵜⴰⵎⴰⵣⵉⵖⵜ 🙂 \"quoted\", comma\nnew line\r\n end"),
       Field::null(), Field::null(), Field::null(), Field::of("2024-06-30 23:00:00-05:00"),
       Field::of(R"(["ⵣ", "🙂"])")},
      {Field::null(), Field::of_real(1e300), Field::of("0"), Field::of("  spaced  "),
       Field::of_blob(nul_byte), Field::of_bool(true), Field::of("2000-01-01"), Field::null(),
       Field::null()},
      {Field::of(-1), Field::of_real(-2.5e-300), Field::null(), Field::of("\\N"), Field::null(),
       Field::null(), Field::null(), Field::of("2000-01-01T00:00:00Z"), Field::of("{}")},
      {Field::of(42), Field::null(), Field::of("-7"), Field::of("NULL"), Field::null(),
       Field::null(), Field::null(), Field::null(), Field::of("\"text\"")},
  };
  if (d.engine() == Engine::postgresql)
    rows.push_back({Field::of(7), Field::of_real(std::nan("")), Field::of("NaN"), Field::of("nan"),
                    Field::null(), Field::null(), Field::null(), Field::null(), Field::null()});
  if (d.engine() == Engine::postgresql)  // numeric infinities since PostgreSQL 14
    rows.push_back({Field::of(8), Field::of_real(1), Field::of("-Infinity"), Field::of("inf"),
                    Field::null(), Field::null(), Field::null(), Field::of("infinity"),
                    Field::null()});
  auto insert = d.prepare("INSERT INTO edge VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) throw std::runtime_error("prepare edge");
  std::int64_t id = 1;
  for (const auto& row : rows) {
    Statement& s = **insert;
    const Field* fields[] = {&row.i,    &row.r, &row.n,  &row.t, &row.b,
                             &row.flag, &row.d, &row.ts, &row.j};
    bool ok = s.reset().ok() && s.bind(1, Field::of(id++)).ok();
    for (int c = 0; c < 9; ++c) ok = ok && s.bind(c + 2, *fields[c]).ok();
    if (!ok || !s.step()) throw std::runtime_error("insert edge");
  }
  // The same rows but the numeric column: a table PostgreSQL loads in binary (pg_copy.hpp).
  TableDef binary = def;
  binary.name = "edge_binary";
  binary.columns.erase(binary.columns.begin() + 3);
  if (!d.execute(create_table_sql(binary, d.engine())) ||
      !d.execute("INSERT INTO edge_binary SELECT id, i, r, t, b, flag, d, ts, j FROM edge"))
    throw std::runtime_error("create edge_binary");
  create_edge_text_table(d);
}

std::vector<CraftedEntry> read_package_entries(const fs::path& package) {
  Fd fd(::open(package.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw std::runtime_error("cannot open " + package.string());
  auto source = zstd_source(fd_source(fd.get()));
  ArchiveReader archive(*source);
  std::vector<CraftedEntry> out;
  for (;;) {
    auto next = archive.next();
    if (!next) throw std::runtime_error("bad package " + package.string());
    if (!*next) break;
    CraftedEntry entry{(*next)->name, {}, (*next)->link_target};
    for (;;) {
      auto block = archive.read();
      if (!block) throw std::runtime_error("bad package " + package.string());
      if (block->empty()) break;
      entry.data.append(*block);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::optional<std::string> package_plain_bytes(const fs::path& package) {
  Fd fd(::open(package.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw std::runtime_error("cannot open " + package.string());
  auto source = zstd_source(fd_source(fd.get()));
  std::string plain;
  std::vector<char> block(1 << 16);
  for (;;) {
    auto got = source->read(block.data(), block.size());
    if (!got) return std::nullopt;
    if (*got == 0) return plain;
    plain.append(block.data(), *got);
  }
}

void write_package_entries(const fs::path& package, const std::vector<CraftedEntry>& entries) {
  write_zstd_file(package, crafted_tar(entries));
}

CraftedEntry& entry_named(std::vector<CraftedEntry>& entries, const std::string& name) {
  for (auto& e : entries)
    if (e.name == name) return e;
  throw std::runtime_error("no entry " + name);
}

std::map<std::string, std::string> resource_hashes(const fs::path& package) {
  auto entries = read_package_entries(package);
  Json manifest = Json::parse(entry_named(entries, "datapackage.json").data);
  std::map<std::string, std::string> out;
  for (const auto& r : manifest["resources"]) out[r["name"]] = r["hash"];
  return out;
}

}  // namespace dihya::test
