#include <catch2/catch.hpp>

#include "core/base/clock.hpp"

using namespace dihya;

TEST_CASE("RFC 3339 times format and parse back", "[clock]") {
  CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339_ms(1795514400123) == "2026-11-24T10:00:00.123Z");
  CHECK(parse_rfc3339_ms("2026-11-24T10:00:00.123Z") == 1795514400123);
  CHECK(parse_rfc3339_ms("2026-11-24T11:00:00+01:00") == 1795514400000);
  CHECK(parse_rfc3339_ms("2026-11-24") == 1795478400000);
  CHECK(parse_rfc3339_ms("2000-02-29T00:00:00Z") == 951782400000);
  CHECK_FALSE(parse_rfc3339_ms("yesterday").has_value());
  CHECK_FALSE(parse_rfc3339_ms("2026-13-01").has_value());
  CHECK_FALSE(parse_rfc3339_ms("2026-11-24T10:00:00").has_value());
  std::int64_t now = now_ms();
  CHECK(parse_rfc3339_ms(format_rfc3339_ms(now)) == now);
}

TEST_CASE("timestamps are brought to one canonical UTC form", "[clock]") {
  CHECK(canonical_timestamp("2024-03-10T12:00:00+01:00") == "2024-03-10T11:00:00Z");
  CHECK(canonical_timestamp("2024-06-30 23:00:00-05:00") == "2024-07-01T04:00:00Z");
  CHECK(canonical_timestamp("1969-12-31T23:59:59.123400Z") == "1969-12-31T23:59:59.1234Z");
  CHECK(canonical_timestamp("2024-01-01") == "2024-01-01T00:00:00Z");
  CHECK(canonical_timestamp("2024-01-01T00:00:00.000Z") == "2024-01-01T00:00:00Z");
  CHECK(canonical_timestamp("2024-02-29T10:20:30+0530") == "2024-02-29T04:50:30Z");
  for (const char* bad : {"", "yesterday", "2024-13-01T00:00:00Z", "2024-01-01T25:00:00Z",
                          "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.Z"})
    CHECK_FALSE(canonical_timestamp(bad));
}
