#include "core/base/units.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dihya {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Longest names first, so that "ms" is not read as "m" then "s".
constexpr std::array<Unit, 6> k_duration_units = {{{"ms", 1},
                                                   {"s", 1000},
                                                   {"m", 60'000},
                                                   {"h", 3'600'000},
                                                   {"d", 86'400'000},
                                                   {"w", 604'800'000}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The power of 1024 that a size suffix names ("", "b", "k", "kb", "kib", …), or -1.
int size_power(std::string_view suffix) {
  std::string s;
  for (char c : suffix) s += lower(c);
  if (s.empty() || s == "b") return 0;
  static constexpr std::string_view k_letters = "kmgtp";
  std::size_t power = k_letters.find(s[0]);
  if (power == std::string_view::npos) return -1;
  std::string_view rest = std::string_view(s).substr(1);
  if (rest.empty() || rest == "b" || rest == "ib") return static_cast<int>(power) + 1;
  return -1;
}

}  // namespace

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::int64_t value = 0;
    std::size_t start = at;
    while (at < text.size() && is_digit(text[at])) {
      if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
      value = value * 10 + (text[at++] - '0');
    }
    if (at == start) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& u : k_duration_units)
      if (text.substr(at, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    if (!unit) return std::nullopt;
    at += unit->name.size();
    if (value > (std::numeric_limits<std::int64_t>::max() - total) / unit->ms) return std::nullopt;
    total += value * unit->ms;
  }
  return total;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t at = 0;
  std::uint64_t whole = 0;
  while (at < text.size() && is_digit(text[at])) {
    if (whole > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return std::nullopt;
    whole = whole * 10 + static_cast<std::uint64_t>(text[at++] - '0');
  }
  if (at == 0) return std::nullopt;
  double fraction = 0;
  if (at < text.size() && text[at] == '.') {
    double scale = 0.1;
    std::size_t start = ++at;
    while (at < text.size() && is_digit(text[at])) {
      fraction += (text[at++] - '0') * scale;
      scale /= 10;
    }
    if (at == start) return std::nullopt;
  }
  int power = size_power(text.substr(at));
  if (power < 0 || (power == 0 && fraction > 0)) return std::nullopt;
  long double bytes = (static_cast<long double>(whole) + fraction) * std::pow(1024.0L, power);
  if (bytes > static_cast<long double>(std::numeric_limits<std::uint64_t>::max()))
    return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(bytes)));
}

std::string format_duration(std::int64_t ms) {
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  std::uint64_t rest = ms < 0 ? static_cast<std::uint64_t>(-(ms + 1)) + 1 : ms;
  for (auto it = k_duration_units.rbegin(); it != k_duration_units.rend(); ++it) {
    auto unit = static_cast<std::uint64_t>(it->ms);
    if (rest >= unit) {
      out += std::to_string(rest / unit) + std::string(it->name);
      rest %= unit;
    }
  }
  return out;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* k_names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  int power = 0;
  while (value >= 1024 && power < 6) {
    value /= 1024;
    ++power;
  }
  char buffer[32];
  double rounded = std::round(value * 10) / 10;
  if (rounded >= 1024 && power < 6) {
    rounded /= 1024;
    ++power;
  }
  if (rounded == std::floor(rounded))
    std::snprintf(buffer, sizeof buffer, "%.0f %s", rounded, k_names[power]);
  else
    std::snprintf(buffer, sizeof buffer, "%.1f %s", rounded, k_names[power]);
  return buffer;
}

}  // namespace dihya
