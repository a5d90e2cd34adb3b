#include <catch2/catch.hpp>

#include "core/package/datapackage.hpp"
#include "core/testing/fuzz.hpp"

using namespace dihya;
using namespace dihya::test;

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
  for (int i = 0; i < fuzz_iterations(); ++i) {
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
    for (int i = 0; i < fuzz_iterations(); ++i) {
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
