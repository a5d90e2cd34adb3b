// Mutation fuzzing of the parsers of untrusted input: config, audit log, times, keys.
// Deterministic (fixed seeds) so a failure reproduces; run under ASan+UBSan by scripts/test.
#include <fcntl.h>

#include <catch2/catch.hpp>
#include <random>

#include "core/run/audit.hpp"
#include "core/base/clock.hpp"
#include "core/config/config.hpp"
#include "core/base/crypto.hpp"
#include "core/package/datapackage.hpp"
#include "core/io/envelope.hpp"
#include "core/base/fs.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

// Flip, insert, delete or duplicate bytes of SEED.
std::string mutate(const std::string& seed, std::mt19937& rng) {
  std::string out = seed;
  std::uniform_int_distribution<int> op(0, 4), byte(0, 255);
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits && !out.empty(); ++i) {
    std::size_t at = rng() % out.size();
    switch (op(rng)) {
      case 0:
        out[at] = static_cast<char>(byte(rng));
        break;
      case 1:
        out.insert(at, 1, static_cast<char>(byte(rng)));
        break;
      case 2:
        out.erase(at, 1);
        break;
      case 3:
        out.insert(at, out.substr(at, rng() % 32));
        break;
      case 4:
        out.insert(at, std::string(1, "{}[]\":,\\\n0"[rng() % 11]));
        break;
    }
  }
  return out;
}

int iterations() {
  const char* env = std::getenv("DIHYA_FUZZ_ITERATIONS");
  return env ? std::atoi(env) : 2000;
}

}  // namespace

TEST_CASE("the config parser survives mutated input", "[fuzz]") {
  Json doc = default_config();
  doc["tenants"]["demo"]["backup"] = {{"keep", {{"daily", 7}}}, {"repository", "b"}};
  doc["tenants"]["demo"]["personal_data"] = {
      {"tables", {{"users", {{"columns", {{"email", {{"category", "c"}, {"mask", "hash"}}}}}}}}}};
  const std::string seed = doc.dump(1);
  std::mt19937 rng(1234);
  int rejected = 0;
  for (int i = 0; i < iterations(); ++i) {
    auto config = parse_config(mutate(seed, rng), "/srv/dihya.json");
    if (!config) {
      ++rejected;
      CHECK(config.error().code == ExitCode::config_error);
      CHECK_FALSE(config.error().causes.empty());
    }
  }
  CHECK(rejected > 0);
}

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
  for (int i = 0; i < iterations() / 4; ++i) {
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

TEST_CASE("time, base64 and key parsers survive mutated input", "[fuzz]") {
  std::mt19937 rng(7);
  TempDir dir;
  SigningKey key = generate_signing_key();
  const std::string key_text = encode_verify_key(key.public_key);
  for (int i = 0; i < iterations(); ++i) {
    parse_rfc3339_ms(mutate("2026-11-24T10:00:00.123+01:00", rng));
    base64_decode(mutate("aGVsbG8gd29ybGQ=", rng));
    if (i % 20 == 0) {
      write_text(dir.path() / "pk", mutate(key_text, rng));
      auto loaded = load_verify_key(dir.path() / "pk");
      if (!loaded) CHECK(loaded.error().code == ExitCode::data_error);
    }
  }
  SUCCEED("no crash");
}

TEST_CASE("the envelope reader survives mutated files", "[fuzz]") {
  TempDir dir;
  IdentityKey key = generate_identity();
  fs::path path = dir.path() / "e";
  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    auto writer = EnvelopeWriter::begin(fd.get(), {{key.public_key}, std::nullopt}, {{"id", "x"}});
    REQUIRE(writer.ok());
    REQUIRE(writer->write(std::string(100000, 'q')).ok());
    REQUIRE(writer->finish().ok());
  }
  const std::string seed = read_text(path);
  std::mt19937 rng(5);
  int opened_intact = 0;
  for (int i = 0; i < iterations() / 10; ++i) {
    std::string mutated = mutate(seed, rng);
    write_text(path, mutated, 0600);
    Fd fd(::open(path.c_str(), O_RDONLY));
    auto reader = EnvelopeReader::open(fd.get(), {{&key}, std::nullopt});
    if (!reader) continue;
    std::string plain;
    bool failed = false;
    for (;;) {
      auto chunk = reader->next();
      if (!chunk) {
        failed = true;
        break;
      }
      if (!*chunk) break;
      plain += **chunk;
    }
    // Whatever reads to the end without an error is exactly what was written.
    if (!failed) {
      CHECK(mutated == seed);
      CHECK(plain == std::string(100000, 'q'));
      ++opened_intact;
    }
  }
  SUCCEED("no crash");
}

TEST_CASE("the export package manifest parser survives mutated input", "[fuzz]") {
  package::Manifest m;
  m.name = "fuzz";
  package::Resource r;
  r.name = "users";
  r.def.name = "users";
  r.def.columns = {{"id", ColumnType::integer, false},
                   {"email", ColumnType::text, true},
                   {"at", ColumnType::timestamp, true}};
  r.def.primary_key = {"id"};
  r.def.unique_keys = {{"email"}};
  r.parts = {{"data/users.csv", 10, std::string(64, 'a'), 2}};
  r.bytes = 10;
  r.sha256 = std::string(64, 'a');
  r.rows = 2;
  package::Resource e = r;
  e.name = "events";
  e.def.name = "events";
  e.def.foreign_keys = {{{"id"}, "users", {"id"}}};
  e.parts = {{"data/events/part-000001.csv", 4, std::string(64, 'b'), 1},
             {"data/events/part-000002.csv", 6, std::string(64, 'c'), 1}};
  m.resources = {r, e};
  std::string seed = package::manifest_json(m).dump();
  std::mt19937 rng(20261125);
  for (int i = 0; i < iterations(); ++i) {
    Json doc = Json::parse(mutate(seed, rng), nullptr, false);
    if (doc.is_discarded()) continue;
    auto parsed = package::parse_manifest(doc);
    if (!parsed) CHECK(parsed.error().code == ExitCode::data_error);
  }
}

TEST_CASE("the CSV and JSON Lines row decoders survive mutated input", "[fuzz]") {
  package::Resource r;
  r.name = "t";
  r.def.name = "t";
  r.def.columns = {{"id", ColumnType::integer, false}, {"txt", ColumnType::text, true},
                   {"b", ColumnType::blob, true},      {"r", ColumnType::real, true},
                   {"j", ColumnType::json, true},      {"ts", ColumnType::timestamp, true}};
  r.missing.resize(r.def.columns.size());
  std::string csv =
      "id,txt,b,r,j,ts\n1,\"a,\"\"b\"\"\nc\",AAH/,NaN,\"{\"\"k\"\":1}\",2024-01-01T00:00:00Z\n"
      "2,,,-1e5,[],\n";
  std::string jsonl =
      "{\"id\":1,\"txt\":\"a\",\"b\":\"AA==\",\"r\":\"INF\",\"j\":\"{}\",\"ts\":null}\n"
      "{\"id\":2,\"txt\":null,\"b\":null,\"r\":1.5,\"j\":\"[1]\",\"ts\":\"2024-01-01\"}\n";
  std::mt19937 rng(1125);
  auto visit = [](const Field*, std::size_t) -> Status { return {}; };
  for (auto format : {package::DataFormat::csv, package::DataFormat::jsonl}) {
    r.format = format;
    const std::string& seed = format == package::DataFormat::csv ? csv : jsonl;
    for (int i = 0; i < iterations(); ++i) {
      std::string input = mutate(seed, rng);
      package::RowDecoder decoder(r);
      std::size_t step = 1 + rng() % 17;
      Status status;
      for (std::size_t at = 0; status && at < input.size(); at += step)
        status = decoder.feed(std::string_view(input).substr(at, step), visit);
      if (status) status = decoder.finish(visit);
      if (!status) CHECK(status.error().code == ExitCode::data_error);
      package::RowCounter counter{format};
      counter.feed(input);
      CHECK(counter.rows(true) >= 0);
    }
  }
}
