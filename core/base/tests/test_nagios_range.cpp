#include <catch2/catch.hpp>

#include "core/base/nagios_range.hpp"

using namespace dihya;

namespace {

bool alerts(const char* range, double value) {
  auto parsed = parse_nagios_range(range);
  REQUIRE(parsed);
  return parsed->alerts(value);
}

}  // namespace

// The table of the Monitoring Plugins development guidelines, row by row.
TEST_CASE("the range grammar of the Monitoring Plugins API", "[nagios_range]") {
  // 10: alert when < 0 or > 10
  CHECK(alerts("10", -1));
  CHECK_FALSE(alerts("10", 0));
  CHECK_FALSE(alerts("10", 10));
  CHECK(alerts("10", 10.5));
  // 10: alert when < 10
  CHECK(alerts("10:", 9.99));
  CHECK_FALSE(alerts("10:", 10));
  CHECK_FALSE(alerts("10:", 1e12));
  // ~:10 alert when > 10
  CHECK_FALSE(alerts("~:10", -1e12));
  CHECK_FALSE(alerts("~:10", 10));
  CHECK(alerts("~:10", 10.01));
  // 10:20 alert when < 10 or > 20
  CHECK(alerts("10:20", 9));
  CHECK_FALSE(alerts("10:20", 10));
  CHECK_FALSE(alerts("10:20", 20));
  CHECK(alerts("10:20", 21));
  // @10:20 alert when 10 <= value <= 20
  CHECK_FALSE(alerts("@10:20", 9));
  CHECK(alerts("@10:20", 10));
  CHECK(alerts("@10:20", 20));
  CHECK_FALSE(alerts("@10:20", 20.5));
  // decimals and negative bounds
  CHECK(alerts("-5:-1", 0));
  CHECK_FALSE(alerts("-5:-1", -3));
  CHECK(alerts("0.5", 0.51));
  CHECK(alerts("@0", 0));
}

TEST_CASE("a malformed range is a usage error naming it", "[nagios_range]") {
  for (const char* bad :
       {"", "@", "abc", "10:5", "1:2:3", ":10", "~", "10:~", "1e999", "nan", "inf", "5 ", "@@1"}) {
    auto parsed = parse_nagios_range(bad);
    INFO(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ExitCode::usage);
    CHECK(parsed.error().param("range") == bad);
  }
  CHECK(parse_nagios_range("~:10")->start == -NagiosRange::k_infinity);
  CHECK(parse_nagios_range("10:")->end == NagiosRange::k_infinity);
  CHECK(parse_nagios_range("@10:20")->text == "@10:20");
}
