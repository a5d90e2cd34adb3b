#include "core/base/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace dihya {
namespace {

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() ||
      (text[pos] != c && !(c == 'T' && (text[pos] == 't' || text[pos] == ' '))))
    return false;
  ++pos;
  return true;
}

}  // namespace

bool date_exists(int year, int month, int day) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return day <= k_days[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::int64_t days_from_civil(int year, int month, int day) {
  std::int64_t y = year - (month <= 2);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned m = static_cast<unsigned>(month), d = static_cast<unsigned>(day);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339_ms(std::int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  int millis = static_cast<int>(epoch_ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buffer;
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  std::size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0, offset_minutes = 0;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, month) || !expect(text, pos, '-') ||
      !read_digits(text, pos, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (pos < text.size()) {
    if (!expect(text, pos, 'T') || !read_digits(text, pos, 2, hour) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, second))
      return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos++] - '0') * scale;
        scale /= 10;
      }
    }
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
      ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos++] == '-' ? -1 : 1, oh, om;
      if (!read_digits(text, pos, 2, oh) || !expect(text, pos, ':') ||
          !read_digits(text, pos, 2, om))
        return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::int64_t days = days_from_civil(year, month, day);
  std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string format_compact_utc(std::int64_t epoch_ms) {
  std::string out;
  for (char c : format_rfc3339_ms(epoch_ms).substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}

bool is_canonical_timestamp(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (t.size() < 20 || t.back() != 'Z' || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
      t[13] != ':' || t[16] != ':' || !fixed_digits(t, 0, 4, year) ||
      !fixed_digits(t, 5, 2, month) || !fixed_digits(t, 8, 2, day) ||
      !fixed_digits(t, 11, 2, hour) || !fixed_digits(t, 14, 2, minute) ||
      !fixed_digits(t, 17, 2, second) || !date_exists(year, month, day) || hour > 23 ||
      minute > 59 || second > 59)
    return false;
  if (t.size() == 20) return true;
  if (t[19] != '.' || t.size() < 22 || t.size() > 30 || t[t.size() - 2] == '0') return false;
  for (std::size_t i = 20; i + 1 < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

std::optional<std::string> canonical_timestamp(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n, int& v) { return fixed_digits(t, at, n, v); };
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, year) || t.size() < 10 || t[4] != '-' || !digits(5, 2, month) || t[7] != '-' ||
      !digits(8, 2, day) || month < 1 || month > 12 || day < 1 || day > 31)
    return std::nullopt;
  std::size_t at = 10;
  std::string fraction;
  std::int64_t offset_minutes = 0;
  if (at < t.size()) {
    if ((t[at] != 'T' && t[at] != 't' && t[at] != ' ') || !digits(at + 1, 2, hour) ||
        at + 3 >= t.size() || t[at + 3] != ':' || !digits(at + 4, 2, minute))
      return std::nullopt;
    at += 6;
    if (at < t.size() && t[at] == ':') {
      if (!digits(at + 1, 2, second)) return std::nullopt;
      at += 3;
    }
    if (at < t.size() && (t[at] == '.' || t[at] == ',')) {
      ++at;
      while (at < t.size() && t[at] >= '0' && t[at] <= '9') fraction += t[at++];
      if (fraction.empty() || fraction.size() > 9) return std::nullopt;
    }
    if (at < t.size()) {
      if (t[at] == 'Z' || t[at] == 'z') {
        ++at;
      } else if (t[at] == '+' || t[at] == '-') {
        int oh, om = 0;
        if (!digits(at + 1, 2, oh)) return std::nullopt;
        std::size_t next = at + 3;
        if (next < t.size() && t[next] == ':') ++next;
        if (next < t.size() && !digits(next, 2, om)) return std::nullopt;
        if (next < t.size()) next += 2;
        offset_minutes = (oh * 60 + om) * (t[at] == '-' ? -1 : 1);
        at = next;
      }
    }
    if (at != t.size() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  }
  std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                         second - offset_minutes * 60;
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  std::int64_t rest = seconds - days * 86400;
  CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) return std::nullopt;
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  char buffer[48];
  int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", date.year,
                        date.month, date.day, static_cast<int>(rest / 3600),
                        static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  std::string out(buffer, static_cast<std::size_t>(n));
  if (!fraction.empty()) out += "." + fraction;
  return out + "Z";
}

}  // namespace dihya
