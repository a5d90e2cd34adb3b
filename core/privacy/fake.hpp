#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/privacy/locale_pack.hpp"

// Deterministic fake data: every value is a pure function of a 64-bit key derived from
// (seed, table, row, column), never of a sequence of random calls, so the same inputs give
// the same values on every engine, run after run.
namespace dihya::fake {

// SplitMix64's finalizer: a bijective mix of 64 bits.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// FNV-1a of TEXT: a stable key for a table or column name.
std::uint64_t name_key(std::string_view text);

// The key of ROW under BASE (itself derived from the seed, the table and the column).
inline std::uint64_t row_key(std::uint64_t base, std::uint64_t row) {
  return mix64(base ^ mix64(row));
}

// A number in [0, N) drawn from KEY.
inline std::uint64_t below(std::uint64_t key, std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(key) * n) >> 64);
}

// A number in [0, 1) drawn from KEY.
inline double unit(std::uint64_t key) {
  return static_cast<double>(key >> 11) * 0x1.0p-53;
}

// A fake person: the columns of one row (name, email, phone, address) agree with each other.
struct Person {
  const LocalePack* pack = nullptr;
  const LocaleName* first = nullptr;
  const LocaleName* last = nullptr;
  const LocaleCity* city = nullptr;
  std::uint64_t key = 0;
  std::uint64_t serial = 0;  // unique per row: makes emails and usernames unique
};

Person make_person(const std::vector<const LocalePack*>& packs, std::uint64_t key,
                   std::uint64_t serial);

void append_full_name(const Person& p, std::string& out);
// With TAG, the address ends its local part with ".TAG" instead of the serial number.
void append_email(const Person& p, std::string& out, std::string_view tag = {});
void append_username(const Person& p, std::string& out);
void append_phone(const Person& p, std::string& out);
void append_address(const Person& p, std::string& out);
void append_country(const Person& p, std::string& out);

// The decimal digits of VALUE (inline: it is on the hot path of every generated row).
inline void append_int(std::int64_t value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}
// Replace each '#' of PATTERN by a digit drawn from KEY.
void append_pattern(std::string_view pattern, std::uint64_t key, std::string& out);
void append_ipv4(std::uint64_t key, std::string& out);
// IPv4 nine times out of ten, else IPv6.
void append_ip(std::uint64_t key, std::string& out);
void append_user_agent(std::uint64_t key, std::string& out);
void append_hex(std::uint64_t key, std::size_t digits, std::string& out);
void append_words(std::uint64_t key, int min_words, int max_words, std::string& out);
// YYYY-MM-DD for a day number since 1970-01-01.
void append_date(std::int64_t days, std::string& out);
// YYYY-MM-DDTHH:MM:SSZ for seconds since the epoch.
void append_timestamp(std::int64_t seconds, std::string& out);

}  // namespace dihya::fake
