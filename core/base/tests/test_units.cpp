#include <catch2/catch.hpp>

#include "core/base/units.hpp"

using namespace dihya;

TEST_CASE("durations read as operators write them", "[units]") {
  CHECK(parse_duration_ms("30s") == 30'000);
  CHECK(parse_duration_ms("15m") == 900'000);
  CHECK(parse_duration_ms("12h") == 43'200'000);
  CHECK(parse_duration_ms("7d") == 604'800'000);
  CHECK(parse_duration_ms("2w") == 1'209'600'000);
  CHECK(parse_duration_ms("500ms") == 500);
  CHECK(parse_duration_ms("1h30m") == 5'400'000);
  CHECK(parse_duration_ms("0") == 0);
  for (const char* bad : {"", "7", "7x", "d", "-1d", "1.5h", "1h 30m", "7D", "99999999999999999w"})
    CHECK_FALSE(parse_duration_ms(bad));
}

TEST_CASE("sizes are powers of 1024, with or without B or iB", "[units]") {
  CHECK(parse_size("4096") == 4096);
  CHECK(parse_size("4096B") == 4096);
  CHECK(parse_size("512K") == 512 * 1024);
  CHECK(parse_size("512k") == 512 * 1024);
  CHECK(parse_size("100M") == 100ULL << 20);
  CHECK(parse_size("100MiB") == 100ULL << 20);
  CHECK(parse_size("100MB") == 100ULL << 20);
  CHECK(parse_size("2G") == 2ULL << 30);
  CHECK(parse_size("1.5T") == 3ULL << 39);
  for (const char* bad : {"", "M", "1.5", "1.5B", "12X", "-1K", "1 K", "1.K", "99999999999P"})
    CHECK_FALSE(parse_size(bad));
}

TEST_CASE("durations and sizes print the way they read back", "[units]") {
  CHECK(format_duration(5'400'000) == "1h30m");
  CHECK(format_duration(604'800'000) == "1w");
  CHECK(format_duration(250) == "250ms");
  CHECK(format_duration(0) == "0s");
  for (std::int64_t ms : {1LL, 999LL, 61'000LL, 90'061'001LL})
    CHECK(parse_duration_ms(format_duration(ms)) == ms);
  CHECK(format_size(17) == "17 B");
  CHECK(format_size(512 * 1024) == "512 KiB");
  CHECK(format_size(3ULL << 29) == "1.5 GiB");
  CHECK(format_size(1023 * 1024 + 1000) == "1 MiB");
}
