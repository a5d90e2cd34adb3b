#include <catch2/catch.hpp>

#include "core/base/options.hpp"
#include "rgpd/validators.hpp"

using namespace dihya;
using namespace dihya::rgpd;

namespace {

Result<AnonymizeOptions> anonymize_options(std::vector<std::string> argv) {
  OptionSet options;
  declare_anonymize_options(options);
  argv.insert(argv.begin(), "anonymize");
  std::vector<const char*> raw;
  for (const auto& a : argv) raw.push_back(a.c_str());
  auto args = parse_arguments("anonymize", options, static_cast<int>(raw.size()), raw.data(), true);
  if (!args) return args.error();
  return parse_anonymize_options(*args);
}

}  // namespace

TEST_CASE("anonymize options", "[rgpd]") {
  auto all = anonymize_options({"--target", "all", "--min-k", "5", "--yes", "--reason", "copy"});
  REQUIRE(all);
  CHECK_FALSE(all->table);
  CHECK(all->min_k == 5);
  CHECK(all->yes);
  CHECK(all->reason == "copy");
  auto one = anonymize_options({"--target", "users", "--dry-run"});
  REQUIRE(one);
  CHECK(one->table == "users");
  CHECK(one->dry_run);
  auto key = anonymize_options({"--generate-key"});
  REQUIRE(key);
  CHECK(key->generate_key);
  for (std::vector<std::string> bad : {std::vector<std::string>{},
                                       {"--target", "users;drop"},
                                       {"--target", "all", "--min-k", "0"},
                                       {"--target", "all", "--min-k", "x"},
                                       {"--target", "all", "extra"},
                                       {"--generate-key", "--target", "all"},
                                       {"--target", "all", "--reason", ""}}) {
    INFO(bad.size());
    auto parsed = anonymize_options(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ExitCode::usage);
  }
}
