// PostgreSQL's binary COPY format: a signature, then per row the field count and each field's
// length (-1 for NULL) and bytes in the type's send/receive form, all integers big-endian.
#include "core/data/pg_copy.hpp"

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/base/clock.hpp"

namespace dihya::pg_copy {

namespace {

constexpr std::int64_t k_epoch_days = 10957;  // 2000-01-01, PostgreSQL's epoch, from 1970
constexpr std::int64_t k_day_micros = 86'400'000'000;

template <class T>
void put(std::string& out, T value) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) value = static_cast<T>(__builtin_bswap16(value));
    if constexpr (sizeof(T) == 4) value = static_cast<T>(__builtin_bswap32(value));
    if constexpr (sizeof(T) == 8) value = static_cast<T>(__builtin_bswap64(value));
  }
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_bytes(std::string& out, std::string_view bytes) {
  put(out, static_cast<std::uint32_t>(bytes.size()));
  out += bytes;
}

// Days since 1970-01-01 of a date that exists; PostgreSQL has no year 0.
std::optional<std::int64_t> civil_days(int year, int month, int day) {
  if (year < 1 || !date_exists(year, month, day)) return std::nullopt;
  return days_from_civil(year, month, day);
}

Error bad(const TableDef& def, std::size_t column, std::string_view value, const char* reason) {
  return make_error(ExitCode::data_error, "core.db.copy_value",
                    {{"table", def.name},
                     {"column", def.columns[column].name},
                     {"value", std::string(value.substr(0, 40))},
                     {"reason", reason}});
}

}  // namespace

bool encodable(const TableDef& def) {
  for (const auto& c : def.columns)
    if (c.type == ColumnType::numeric) return false;
  return true;
}

void header(std::string& out) {
  out.append("PGCOPY\n\377\r\n\0", 11);
  put(out, std::uint32_t{0});  // flags: no OIDs
  put(out, std::uint32_t{0});  // no header extension
}

void trailer(std::string& out) {
  put(out, std::int16_t{-1});
}

std::optional<std::int32_t> date_days(std::string_view t) {
  int year, month, day;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !fixed_digits(t, 0, 4, year) ||
      !fixed_digits(t, 5, 2, month) || !fixed_digits(t, 8, 2, day))
    return std::nullopt;
  auto days = civil_days(year, month, day);
  if (!days) return std::nullopt;
  return static_cast<std::int32_t>(*days - k_epoch_days);
}

std::optional<std::int64_t> timestamp_micros(std::string_view t) {
  if (t == "infinity") return std::numeric_limits<std::int64_t>::max();
  if (t == "-infinity") return std::numeric_limits<std::int64_t>::min();
  int year, month, day, hour, minute, second;
  if (t.size() < 20 || t.back() != 'Z' || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
      t[13] != ':' || t[16] != ':' || !fixed_digits(t, 0, 4, year) ||
      !fixed_digits(t, 5, 2, month) || !fixed_digits(t, 8, 2, day) ||
      !fixed_digits(t, 11, 2, hour) || !fixed_digits(t, 14, 2, minute) ||
      !fixed_digits(t, 17, 2, second) || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  auto days = civil_days(year, month, day);
  if (!days) return std::nullopt;
  std::int64_t micros = (*days - k_epoch_days) * k_day_micros +
                        std::int64_t{hour * 3600 + minute * 60 + second} * 1'000'000;
  std::string_view fraction = t.substr(19, t.size() - 20);
  if (!fraction.empty()) {
    // PostgreSQL reads the fraction with strtod and rounds it to microseconds with rint.
    if (fraction[0] != '.' || fraction.size() < 2 || fraction.size() > 10) return std::nullopt;
    char text[12] = {};
    std::memcpy(text, fraction.data(), fraction.size());
    for (std::size_t i = 1; i < fraction.size(); ++i)
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
    micros += static_cast<std::int64_t>(std::rint(std::strtod(text, nullptr) * 1'000'000));
  }
  return micros;
}

Status append_row(std::string& out, const TableDef& def, const Field* fields, std::size_t count) {
  put(out, static_cast<std::int16_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const Field& f = fields[i];
    if (f.kind == Field::Kind::null) {
      put(out, std::int32_t{-1});
      continue;
    }
    switch (def.columns[i].type) {
      case ColumnType::integer:
        if (f.kind != Field::Kind::integer) return bad(def, i, f.text, "not an integer");
        put(out, std::int32_t{8});
        put(out, static_cast<std::uint64_t>(f.integer));
        break;
      case ColumnType::real:
        if (f.kind != Field::Kind::real) return bad(def, i, f.text, "not a number");
        put(out, std::int32_t{8});
        put(out, std::bit_cast<std::uint64_t>(f.real));
        break;
      case ColumnType::boolean:
        if (f.kind != Field::Kind::boolean) return bad(def, i, f.text, "not a boolean");
        put(out, std::int32_t{1});
        out += static_cast<char>(f.integer ? 1 : 0);
        break;
      case ColumnType::date: {
        auto days = f.kind == Field::Kind::text ? date_days(f.text) : std::nullopt;
        if (!days) return bad(def, i, f.text, "not a date PostgreSQL accepts");
        put(out, std::int32_t{4});
        put(out, static_cast<std::uint32_t>(*days));
        break;
      }
      case ColumnType::timestamp: {
        auto micros = f.kind == Field::Kind::text ? timestamp_micros(f.text) : std::nullopt;
        if (!micros) return bad(def, i, f.text, "not a timestamp PostgreSQL accepts");
        put(out, std::int32_t{8});
        put(out, static_cast<std::uint64_t>(*micros));
        break;
      }
      case ColumnType::numeric:
        return bad(def, i, f.text, "numeric, which has no binary form here");
      case ColumnType::blob:
      case ColumnType::text:
      case ColumnType::json:
        // PostgreSQL checks the encoding of text and the syntax of JSON as it receives them.
        if (f.kind != Field::Kind::text && f.kind != Field::Kind::blob)
          return bad(def, i, "", "not text");
        put_bytes(out, f.text);
        break;
    }
  }
  return {};
}

}  // namespace dihya::pg_copy
