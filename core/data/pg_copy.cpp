// PostgreSQL's binary COPY format: a signature, then per row the field count and each field's
// length (-1 for NULL) and bytes in the type's send/receive form, all integers big-endian.
#include "core/data/pg_copy.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/base/clock.hpp"
#include "core/data/types.hpp"

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

std::optional<std::vector<Wire>> layout(const TableDef& def) {
  static const std::pair<const char*, Wire> k_wires[] = {
      {"smallint", Wire::int2},        {"integer", Wire::int4},     {"bigint", Wire::int8},
      {"real", Wire::float4},          {"double", Wire::float8},    {"boolean", Wire::boolean},
      {"date", Wire::date},            {"timestamptz", Wire::timestamptz},
      {"timestamp", Wire::timestamp},  {"text", Wire::bytes},       {"varchar", Wire::bytes},
      {"char", Wire::bytes},           {"blob", Wire::bytes},       {"json", Wire::bytes}};
  std::vector<Wire> out;
  for (const auto& c : def.columns) {
    // A type PostgreSQL declared that the map does not know: its binary form is its own.
    if (c.sql_type.empty() && !c.declared.empty() && c.declared_on == Engine::postgresql)
      return std::nullopt;
    std::string base = sql_type_of(c).base;
    auto found = std::find_if(std::begin(k_wires), std::end(k_wires),
                              [&](const auto& w) { return base == w.first; });
    if (found == std::end(k_wires)) return std::nullopt;
    out.push_back(found->second);
  }
  return out;
}

bool encodable(const TableDef& def) {
  return layout(def).has_value();
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
  if (t == "infinity" || t == "-infinity") return local_timestamp_micros(t);
  if (t.size() < 20 || t.back() != 'Z' || t[10] != 'T') return std::nullopt;
  return local_timestamp_micros(t.substr(0, t.size() - 1));
}

std::optional<std::int64_t> local_timestamp_micros(std::string_view t) {
  if (t == "infinity") return std::numeric_limits<std::int64_t>::max();
  if (t == "-infinity") return std::numeric_limits<std::int64_t>::min();
  int year, month, day, hour, minute, second;
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':' || !fixed_digits(t, 0, 4, year) ||
      !fixed_digits(t, 5, 2, month) || !fixed_digits(t, 8, 2, day) ||
      !fixed_digits(t, 11, 2, hour) || !fixed_digits(t, 14, 2, minute) ||
      !fixed_digits(t, 17, 2, second) || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  auto days = civil_days(year, month, day);
  if (!days) return std::nullopt;
  std::int64_t micros = (*days - k_epoch_days) * k_day_micros +
                        std::int64_t{hour * 3600 + minute * 60 + second} * 1'000'000;
  // An offset is ignored, as PostgreSQL's timestamp without time zone ignores it.
  std::string_view fraction = t.substr(19);
  if (std::size_t zone = fraction.find_first_of("Z+-"); zone != std::string_view::npos)
    fraction = fraction.substr(0, zone);
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
  auto wires = layout(def);
  if (!wires) return bad(def, 0, "", "a type without a binary form here");
  return append_row(out, def, *wires, fields, count);
}

Status append_row(std::string& out, const TableDef& def, const std::vector<Wire>& wires,
                  const Field* fields, std::size_t count) {
  put(out, static_cast<std::int16_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const Field& f = fields[i];
    if (f.kind == Field::Kind::null) {
      put(out, std::int32_t{-1});
      continue;
    }
    switch (wires[i]) {
      case Wire::int2:
      case Wire::int4:
      case Wire::int8: {
        if (f.kind != Field::Kind::integer) return bad(def, i, f.text, "not an integer");
        int bytes = wires[i] == Wire::int2 ? 2 : wires[i] == Wire::int4 ? 4 : 8;
        std::int64_t low = bytes == 8 ? INT64_MIN : -(std::int64_t{1} << (8 * bytes - 1));
        if (f.integer < low || f.integer > -(low + 1))
          return bad(def, i, std::to_string(f.integer), "out of the column's integer range");
        put(out, std::int32_t{bytes});
        if (bytes == 2) put(out, static_cast<std::uint16_t>(f.integer));
        if (bytes == 4) put(out, static_cast<std::uint32_t>(f.integer));
        if (bytes == 8) put(out, static_cast<std::uint64_t>(f.integer));
        break;
      }
      case Wire::float4:
        if (f.kind != Field::Kind::real) return bad(def, i, f.text, "not a number");
        put(out, std::int32_t{4});
        put(out, std::bit_cast<std::uint32_t>(static_cast<float>(f.real)));
        break;
      case Wire::float8:
        if (f.kind != Field::Kind::real) return bad(def, i, f.text, "not a number");
        put(out, std::int32_t{8});
        put(out, std::bit_cast<std::uint64_t>(f.real));
        break;
      case Wire::boolean:
        if (f.kind != Field::Kind::boolean) return bad(def, i, f.text, "not a boolean");
        put(out, std::int32_t{1});
        out += static_cast<char>(f.integer ? 1 : 0);
        break;
      case Wire::date: {
        auto days = f.kind == Field::Kind::text ? date_days(f.text) : std::nullopt;
        if (!days) return bad(def, i, f.text, "not a date PostgreSQL accepts");
        put(out, std::int32_t{4});
        put(out, static_cast<std::uint32_t>(*days));
        break;
      }
      case Wire::timestamptz:
      case Wire::timestamp: {
        auto micros = f.kind != Field::Kind::text         ? std::nullopt
                      : wires[i] == Wire::timestamptz ? timestamp_micros(f.text)
                                                      : local_timestamp_micros(f.text);
        if (!micros) return bad(def, i, f.text, "not a timestamp PostgreSQL accepts");
        put(out, std::int32_t{8});
        put(out, static_cast<std::uint64_t>(*micros));
        break;
      }
      case Wire::bytes:
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
