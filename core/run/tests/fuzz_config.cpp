#include <catch2/catch.hpp>

#include "core/run/config_sections.hpp"
#include "core/testing/fuzz.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

TEST_CASE("the config parser survives mutated input", "[fuzz]") {
  Json doc = default_config();
  doc["tenants"]["demo"]["backup"] = {{"keep", {{"daily", 7}}}, {"repository", "b"}};
  doc["tenants"]["demo"]["personal_data"] = {
      {"tables", {{"users", {{"columns", {{"email", {{"category", "c"}, {"mask", "hash"}}}}}}}}}};
  const std::string seed = doc.dump(1);
  std::mt19937 rng(1234);
  int rejected = 0;
  for (int i = 0; i < fuzz_iterations(); ++i) {
    auto config = parse_config(mutate(seed, rng), "/srv/dihya.json");
    if (!config) {
      ++rejected;
      CHECK(config.error().code == ExitCode::config_error);
      CHECK_FALSE(config.error().causes.empty());
    }
  }
  CHECK(rejected > 0);
}
