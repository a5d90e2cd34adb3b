#include <catch2/catch.hpp>

#include "core/base/options.hpp"

using namespace dihya;

namespace {

Result<Arguments> parse(std::vector<const char*> words) {
  OptionSet options;
  options.value("target", "PART", "core.opt.tenant");
  options.flag("force", "core.opt.yes");
  words.insert(words.begin(), "tool");
  return parse_arguments("tool", options, static_cast<int>(words.size()), words.data(), true);
}

}  // namespace

TEST_CASE("edit distance and the closest name", "[options]") {
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("tenat", "tenant") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(closest_name("tenat", {"tenant", "target", "json"}) == "tenant");
  CHECK(closest_name("dry", {"dry-run", "yes"}) == "dry-run");
  CHECK_FALSE(closest_name("zzzzzzzz", {"tenant", "json"}).has_value());
}

TEST_CASE("option words: unknown ones, missing values, the last value wins", "[options]") {
  auto unknown = parse({"--forse"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().id == "core.usage.unknown_option_suggest");
  CHECK(unknown.error().param("suggestion") == "--force");
  auto missing = parse({"--target"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().id == "core.usage.missing_value");
  auto cluster = parse({"-qz"});
  REQUIRE_FALSE(cluster.ok());
  CHECK(cluster.error().param("option") == "-z");
  auto twice = parse({"--target", "db", "--target=files", "-q"});
  REQUIRE(twice.ok());
  CHECK(twice->value("target") == "files");
  CHECK(twice->flag("quiet"));
}
