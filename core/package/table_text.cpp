// A table's rows as CSV or JSON Lines text and back (docs/export-format.md §3).
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/base/clock.hpp"
#include "core/data/types.hpp"
#include "core/package/datapackage.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dihya::package {

namespace {

// Types whose values are text that may be empty: an empty one is written quoted ("") and a
// NULL as nothing, so the two stay apart.
bool may_be_empty(ColumnType type) {
  return type == ColumnType::text || type == ColumnType::blob;
}

void append_json_string(std::string& out, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// True when TEXT holds a comma, a quote or a line end; eight bytes at a time.
bool needs_quotes(std::string_view text) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto has = [](std::uint64_t word, unsigned char c) {
    std::uint64_t x = word ^ (ones * c);
    return (x - ones) & ~x & highs;
  };
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if (has(word, ',') | has(word, '"') | has(word, '\n') | has(word, '\r')) return true;
  }
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void append_csv_text(std::string& out, std::string_view text) {
  if (text.empty()) {
    out += "\"\"";
    return;
  }
  if (!needs_quotes(text)) {
    out += text;
    return;
  }
  // Copied a run at a time, each quote doubled.
  out += '"';
  for (std::size_t from = 0;;) {
    std::size_t quote = text.find('"', from);
    if (quote == std::string_view::npos) {
      out.append(text.substr(from));
      break;
    }
    out.append(text.substr(from, quote + 1 - from));
    out += '"';
    from = quote + 1;
  }
  out += '"';
}

void append_real(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v < 0 ? "-INF" : "INF";
  } else {
    char digits[32];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, end);
  }
}

bool is_decimal(std::string_view t) {
  // PostgreSQL's numeric has NaN and, since version 14, the infinities.
  if (t == "NaN" || t == "Infinity" || t == "-Infinity" || t == "+Infinity") return true;
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  std::size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    std::size_t exponent = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == t.size();
}

// "YYYY-MM-DDTHH:MM:SS[.f]Z" as canonical_timestamp writes it: a date that exists, no
// trailing zero in the fraction.
bool is_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

}  // namespace

namespace {

// A timestamp without time zone: "YYYY-MM-DD[ T]HH:MM[:SS[.f]]", and an offset that the
// column ignores, as PostgreSQL does.
bool is_local_timestamp(std::string_view t) {
  if (t == "infinity" || t == "-infinity") return true;
  if (t.size() < 16 || !is_date(t.substr(0, 10)) || (t[10] != ' ' && t[10] != 'T') ||
      t[13] != ':')
    return false;
  std::size_t zone = t.find_first_of("Z+-", 16);
  std::string_view clock = t.substr(11, zone == std::string_view::npos ? t.npos : zone - 11);
  for (std::size_t i = 0; i < clock.size(); ++i) {
    char c = clock[i];
    bool digit = c >= '0' && c <= '9';
    if (!(digit || ((i == 2 || i == 5) && c == ':') || (i == 8 && c == '.'))) return false;
  }
  return true;
}

std::vector<char> naive_columns(const TableDef& def) {
  std::vector<char> out;
  for (const auto& c : def.columns) out.push_back(naive_timestamp(c) ? 1 : 0);
  return out;
}

}  // namespace

RowEncoder::RowEncoder(const TableDef& def, DataFormat format)
    : m_def(def),
      m_format(format),
      m_has_null(def.columns.size(), 0),
      m_has_empty(def.columns.size(), 0),
      m_naive(naive_columns(def)) {}

void RowEncoder::header(std::string& out) const {
  if (m_format != DataFormat::csv) return;
  for (std::size_t i = 0; i < m_def.columns.size(); ++i) {
    if (i) out += ',';
    append_csv_text(out, m_def.columns[i].name);
  }
  out += '\n';
}

void RowEncoder::row(const Statement& s, std::string& out) {
  bool csv = m_format == DataFormat::csv;
  if (!csv) out += '{';
  for (std::size_t i = 0; i < m_def.columns.size(); ++i) {
    int c = static_cast<int>(i);
    ColumnType type = m_def.columns[i].type;
    if (csv) {
      if (i) out += ',';
    } else {
      if (i) out += ',';
      append_json_string(out, m_def.columns[i].name);
      out += ':';
    }
    if (s.is_null(c)) {
      m_has_null[i] = 1;
      if (!csv) out += "null";
      continue;
    }
    switch (type) {
      case ColumnType::integer: {
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, s.get_integer(c));
        out.append(digits, end);
        break;
      }
      case ColumnType::real: {
        double v = s.get_real(c);
        if (!csv && !std::isfinite(v)) {
          out += '"';
          append_real(out, v);
          out += '"';
        } else {
          append_real(out, v);
        }
        break;
      }
      case ColumnType::boolean:
        out += s.get_integer(c) ? "true" : "false";
        break;
      default: {
        std::string_view text = s.get_view(c, m_scratch);
        if (type == ColumnType::blob) {
          m_converted = base64_encode(text);
          text = m_converted;
        } else if (type == ColumnType::numeric && s.stored_real(c)) {
          // A number SQLite holds as a double: its shortest exact text, not its 15 digits.
          m_converted.clear();
          append_real(m_converted, s.get_real(c));
          text = m_converted;
        } else if (type == ColumnType::timestamp && !m_naive[i] && !is_canonical_timestamp(text)) {
          if (auto canonical = canonical_timestamp(text)) {
            m_converted = std::move(*canonical);
            text = m_converted;
          }
        }
        if (text.empty() && may_be_empty(type)) m_has_empty[i] = 1;
        if (csv)
          append_csv_text(out, text);
        else
          append_json_string(out, text);
      }
    }
  }
  out += csv ? "\n" : "}\n";
}

std::vector<std::optional<std::vector<std::string>>> RowEncoder::field_missing() const {
  std::vector<std::optional<std::vector<std::string>>> out(m_def.columns.size());
  // A column with empty strings and no NULL reads back exactly, even with readers that do
  // not tell "" from nothing, once it declares that no value is missing.
  if (m_format == DataFormat::csv)
    for (std::size_t i = 0; i < out.size(); ++i)
      if (m_has_empty[i] && !m_has_null[i]) out[i] = std::vector<std::string>{};
  return out;
}

RowDecoder::RowDecoder(const Resource& resource, bool check_json)
    : m_resource(resource),
      m_naive(naive_columns(resource.def)),
      m_fields(resource.def.columns.size()),
      m_header_pending(resource.format == DataFormat::csv),
      m_check_json(check_json) {
  if (!m_header_pending)
    for (std::size_t i = 0; i < m_fields.size(); ++i) m_columns.push_back(i);
}

Status RowDecoder::feed(std::string_view data, const Visit& visit) {
  // The rest of the last block moves to the front; the buffer's memory is kept.
  m_buffer.erase(0, m_used);
  m_buffer.append(data);
  m_used = 0;
  m_storage.clear();
  return decode(false, visit);
}

Status RowDecoder::finish(const Visit& visit) {
  m_storage.clear();
  if (Status done = decode(true, visit); !done) return done;
  if (m_header_pending)
    return make_error(ExitCode::data_error, "core.package.no_header",
                      {{"resource", m_resource.name}});
  return {};
}

Status RowDecoder::bad_value(std::size_t field, std::string_view text, const char* why) const {
  std::string shown(text.substr(0, 40));
  return make_error(ExitCode::data_error, "core.package.bad_value",
                    {{"resource", m_resource.name},
                     {"row", std::to_string(m_rows + 1)},
                     {"field", m_resource.def.columns[field].name},
                     {"value", shown},
                     {"reason", why}});
}

Status RowDecoder::cell(std::size_t f, std::string_view text, bool quoted) {
  const ColumnDef& column = m_resource.def.columns[f];
  const auto& own = f < m_resource.missing.size() ? m_resource.missing[f] : std::nullopt;
  const auto& missing = own ? *own : m_resource.missing_values;
  if (!quoted || !may_be_empty(column.type)) {
    for (const auto& marker : missing)
      if (text == marker) {
        m_fields[f] = Field::null();
        return {};
      }
  }
  switch (column.type) {
    case ColumnType::integer: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return bad_value(f, text, "not a 64-bit integer");
      m_fields[f] = Field::of(v);
      return {};
    }
    case ColumnType::real: {
      double v = 0;
      if (text == "NaN" || text == "nan") {
        v = std::nan("");
      } else if (text == "INF" || text == "inf" || text == "Infinity") {
        v = HUGE_VAL;
      } else if (text == "-INF" || text == "-inf" || text == "-Infinity") {
        v = -HUGE_VAL;
      } else {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size() || text.empty())
          return bad_value(f, text, "not a number");
      }
      m_fields[f] = Field::of_real(v);
      return {};
    }
    case ColumnType::boolean:
      if (text == "true" || text == "True" || text == "TRUE" || text == "1")
        m_fields[f] = Field::of_bool(true);
      else if (text == "false" || text == "False" || text == "FALSE" || text == "0")
        m_fields[f] = Field::of_bool(false);
      else
        return bad_value(f, text, "not a boolean");
      return {};
    case ColumnType::blob: {
      auto bytes = base64_decode(text);
      if (!bytes) return bad_value(f, text, "not base64");
      m_fields[f] = Field::of_blob(m_storage.emplace_back(std::move(*bytes)));
      return {};
    }
    case ColumnType::timestamp: {
      if (m_naive[f]) {
        if (!is_local_timestamp(text)) return bad_value(f, text, "not a timestamp without time zone");
        break;
      }
      if (text == "infinity" || text == "-infinity") break;  // PostgreSQL's, kept as they are
      if (is_canonical_timestamp(text)) break;               // most are: no copy to make
      auto canonical = canonical_timestamp(text);
      if (!canonical) return bad_value(f, text, "not an RFC 3339 timestamp");
      m_fields[f] = Field::of(std::string_view(m_storage.emplace_back(std::move(*canonical))));
      return {};
    }
    case ColumnType::date:
      if (!is_date(text)) return bad_value(f, text, "not a YYYY-MM-DD date");
      break;
    case ColumnType::numeric:
      if (!is_decimal(text)) return bad_value(f, text, "not a decimal number");
      break;
    case ColumnType::json:
      if (m_check_json && !Json::accept(text)) return bad_value(f, text, "not JSON");
      break;
    case ColumnType::text:
      break;
  }
  m_fields[f] = Field::of(text);
  return {};
}

Status RowDecoder::csv_row(const Visit& visit) {
  if (m_header_pending) {
    std::vector<char> seen(m_fields.size(), 0);
    for (const auto& c : m_cells) {
      const ColumnDef* column = m_resource.def.column(c.text);
      if (!column)
        return make_error(ExitCode::data_error, "core.package.unknown_column",
                          {{"resource", m_resource.name}, {"column", std::string(c.text)}});
      auto index = static_cast<std::size_t>(column - m_resource.def.columns.data());
      if (seen[index]++)
        return make_error(ExitCode::data_error, "core.package.unknown_column",
                          {{"resource", m_resource.name}, {"column", std::string(c.text)}});
      m_columns.push_back(index);
    }
    if (m_columns.size() != m_fields.size())
      return make_error(ExitCode::data_error, "core.package.missing_columns",
                        {{"resource", m_resource.name}});
    m_header_pending = false;
    return {};
  }
  if (m_cells.size() == 1 && m_cells[0].text.empty() && !m_cells[0].quoted && m_fields.size() > 1)
    return {};  // a blank line
  if (m_cells.size() != m_columns.size())
    return make_error(ExitCode::data_error, "core.package.bad_row",
                      {{"resource", m_resource.name},
                       {"row", std::to_string(m_rows + 1)},
                       {"cells", std::to_string(m_cells.size())},
                       {"fields", std::to_string(m_columns.size())}});
  for (std::size_t i = 0; i < m_cells.size(); ++i)
    if (Status ok = cell(m_columns[i], m_cells[i].text, m_cells[i].quoted); !ok) return ok;
  if (Status ok = visit(m_fields.data(), m_fields.size()); !ok) return ok;
  ++m_rows;
  return {};
}

Status RowDecoder::jsonl_row(std::string_view line, const Visit& visit) {
  Json row = Json::parse(line, nullptr, false);
  if (!row.is_object())
    return make_error(ExitCode::data_error, "core.package.bad_row",
                      {{"resource", m_resource.name},
                       {"row", std::to_string(m_rows + 1)},
                       {"cells", "?"},
                       {"fields", std::to_string(m_fields.size())}});
  for (auto& f : m_fields) f = Field::null();
  for (auto& [key, value] : row.items()) {
    const ColumnDef* column = m_resource.def.column(key);
    if (!column)
      return make_error(ExitCode::data_error, "core.package.unknown_column",
                        {{"resource", m_resource.name}, {"column", key}});
    auto f = static_cast<std::size_t>(column - m_resource.def.columns.data());
    if (value.is_null()) continue;
    if (column->type == ColumnType::integer) {
      if (!value.is_number_integer() ||
          (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX))
        return bad_value(f, value.dump(), "not a 64-bit integer");
      m_fields[f] = Field::of(value.get<std::int64_t>());
    } else if (column->type == ColumnType::real && value.is_number()) {
      m_fields[f] = Field::of_real(value.get<double>());
    } else if (column->type == ColumnType::boolean && value.is_boolean()) {
      m_fields[f] = Field::of_bool(value.get<bool>());
    } else if (value.is_string()) {
      const std::string& text = m_storage.emplace_back(value.get<std::string>());
      if (Status ok = cell(f, text, true); !ok) return ok;
    } else {
      return bad_value(f, value.dump(), "not a value of the field's type");
    }
  }
  if (Status ok = visit(m_fields.data(), m_fields.size()); !ok) return ok;
  ++m_rows;
  return {};
}

Status RowDecoder::decode(bool at_end, const Visit& visit) {
  std::string_view b = m_buffer;
  if (m_resource.format == DataFormat::jsonl) {
    while (m_used < b.size()) {
      std::size_t end = b.find('\n', m_used);
      if (end == std::string_view::npos && !at_end) return {};
      std::string_view line =
          b.substr(m_used, end == std::string_view::npos ? b.npos : end - m_used);
      m_used = end == std::string_view::npos ? b.size() : end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      if (Status ok = jsonl_row(line, visit); !ok) return ok;
    }
    return {};
  }
  while (m_used < b.size()) {
    m_cells.clear();
    std::size_t i = m_used;
    bool complete = false;
    for (;;) {
      if (i < b.size() && b[i] == '"') {
        // A quoted cell: "" inside stands for one quote.
        std::size_t j = i + 1;
        bool doubled = false;
        for (;;) {
          std::size_t q = b.find('"', j);
          if (q == std::string_view::npos) {
            j = b.npos;
            break;
          }
          if (q + 1 < b.size() && b[q + 1] == '"') {
            doubled = true;
            j = q + 2;
            continue;
          }
          if (q + 1 == b.size() && !at_end) {
            j = b.npos;  // the next block may start with the second quote of a pair
            break;
          }
          j = q;
          break;
        }
        if (j == b.npos) {
          if (!at_end) return {};
          return make_error(ExitCode::data_error, "core.package.unterminated_quote",
                            {{"resource", m_resource.name}, {"row", std::to_string(m_rows + 1)}});
        }
        m_cells.push_back({b.substr(i + 1, j - i - 1), true, doubled});
        i = j + 1;
      } else {
        // Unquoted cells are short: a plain loop beats find_first_of's memchr per byte.
        std::size_t end = i;
        while (end < b.size() && b[end] != ',' && b[end] != '\n') ++end;
        if (end == b.size()) {
          if (!at_end) return {};
          end = b.size();
        }
        std::string_view raw = b.substr(i, end - i);
        if (end < b.size() && b[end] == '\n' && !raw.empty() && raw.back() == '\r')
          raw.remove_suffix(1);
        m_cells.push_back({raw, false, false});
        i = end;
      }
      if (i >= b.size()) {
        if (!at_end) return {};
        complete = true;
        break;
      }
      if (b[i] == '\r' && i + 1 < b.size() && b[i + 1] == '\n') ++i;
      if (b[i] == '\n') {
        ++i;
        complete = true;
        break;
      }
      if (b[i] != ',')
        return make_error(ExitCode::data_error, "core.package.unterminated_quote",
                          {{"resource", m_resource.name}, {"row", std::to_string(m_rows + 1)}});
      ++i;
      if (i == b.size() && !at_end) return {};
    }
    if (!complete) return {};
    m_used = i;
    // The row is whole, and never read again: its quotes are undoubled where they stand.
    for (auto& c : m_cells) {
      if (!c.doubled) continue;
      char* out = m_buffer.data() + (c.text.data() - b.data());
      std::size_t n = 0;
      for (std::size_t k = 0; k < c.text.size(); ++k) {
        out[n++] = c.text[k];
        if (c.text[k] == '"') ++k;
      }
      c.text = std::string_view(out, n);
    }
    if (Status ok = csv_row(visit); !ok) return ok;
  }
  return {};
}

namespace {

// Bit I of each mask is set when byte I of the 64 at P is a line end, a double quote.
struct ByteMasks {
  std::uint64_t newline = 0, quote = 0;
};

ByteMasks masks_of(const char* p) {
  ByteMasks m;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n'), dq = _mm_set1_epi8('"');
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    auto bits = [](__m128i eq) {
      return static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(eq)));
    };
    m.newline |= bits(_mm_cmpeq_epi8(v, nl)) << (16 * i);
    m.quote |= bits(_mm_cmpeq_epi8(v, dq)) << (16 * i);
  }
#else
  for (int i = 0; i < 64; ++i) {
    m.newline |= static_cast<std::uint64_t>(p[i] == '\n') << i;
    m.quote |= static_cast<std::uint64_t>(p[i] == '"') << i;
  }
#endif
  return m;
}

// Bit I set when an odd number of the bits 0..I of X are: the bytes between an opening and
// a closing quote (a doubled quote leaves and re-enters, as CSV reads it).
std::uint64_t prefix_parity(std::uint64_t x) {
  for (int shift = 1; shift < 64; shift <<= 1) x ^= x << shift;
  return x;
}

}  // namespace

void RowCounter::feed(std::string_view data) {
  if (data.empty()) return;
  // 64 bytes at a time: the line ends outside quotes are counted from two bit masks; the
  // last block is padded with NULs, which are neither.
  std::uint64_t carry = in_quotes ? ~std::uint64_t{0} : 0;
  std::size_t i = 0;
  auto block = [&](const char* p) {
    ByteMasks m = masks_of(p);
    std::uint64_t outside = 0;
    if (format == DataFormat::jsonl) {
      outside = ~std::uint64_t{0};
    } else {
      std::uint64_t inside = prefix_parity(m.quote) ^ carry;
      carry = static_cast<std::uint64_t>(-static_cast<std::int64_t>(inside >> 63));
      outside = ~inside;
    }
    lines += std::popcount(m.newline & outside);
  };
  for (; i + 64 <= data.size(); i += 64) block(data.data() + i);
  if (i < data.size()) {
    char tail[64] = {};
    std::memcpy(tail, data.data() + i, data.size() - i);
    block(tail);
  }
  in_quotes = carry != 0;
  pending = data.back() != '\n';
}

std::int64_t RowCounter::rows(bool has_header) const {
  std::int64_t n = lines + (pending ? 1 : 0);
  if (has_header && format == DataFormat::csv && n > 0) --n;
  return n;
}

}  // namespace dihya::package
