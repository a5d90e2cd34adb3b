#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dihya {

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms();

// RFC 3339 UTC with milliseconds: 2026-11-24T20:55:51.123Z.
std::string format_rfc3339_ms(std::int64_t epoch_ms);
// The same to the second in the basic ISO 8601 form, safe in file names: 20261124T231500Z.
std::string format_compact_utc(std::int64_t epoch_ms);

// A proleptic Gregorian date.
struct CivilDate {
  int year, month, day;
};
// The date of DAYS since 1970-01-01, and back.
CivilDate civil_from_days(std::int64_t days);
std::int64_t days_from_civil(int year, int month, int day);

// Whether YEAR-MONTH-DAY is a day of the proleptic Gregorian calendar (no 31 June).
bool date_exists(int year, int month, int day);
// The N decimal digits of TEXT at AT, as a number; false when one is not a digit.
inline bool fixed_digits(std::string_view text, std::size_t at, std::size_t n, int& value) {
  if (at + n > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// Parse "2026-11-24", "2026-11-24T20:55:51Z", with optional fraction and offset.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

// A timestamp in its canonical form, "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" in UTC with the
// fraction's trailing zeros cut, from RFC 3339 / ISO 8601 text with any offset; nullopt when
// TEXT is not one.
std::optional<std::string> canonical_timestamp(std::string_view text);
// Whether TEXT is already in that form: "YYYY-MM-DDTHH:MM:SS[.f]Z", a day that exists, no
// trailing zero in the fraction.
bool is_canonical_timestamp(std::string_view text);

}  // namespace dihya
