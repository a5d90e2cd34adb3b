#include "seed/generators.hpp"

#include <charconv>
#include <cmath>

namespace dihya::seed {
namespace {

using namespace dihya::fake;

constexpr std::uint64_t k_null_salt = 0x6E756C6CULL;  // "null"
constexpr const char* k_extensions[] = {"pdf", "png", "jpg", "docx", "xlsx", "csv",
                                        "zip", "svg", "txt", "mp4",  "json", "html"};
constexpr const char* k_pages[] = {"/",          "/projects", "/projects/new", "/templates",
                                   "/files",     "/settings", "/billing",      "/help",
                                   "/dashboard", "/login"};

bool person_based(GeneratorKind kind) {
  switch (kind) {
    case GeneratorKind::first_name:
    case GeneratorKind::last_name:
    case GeneratorKind::full_name:
    case GeneratorKind::email:
    case GeneratorKind::username:
    case GeneratorKind::phone:
    case GeneratorKind::address:
    case GeneratorKind::city:
    case GeneratorKind::country:
      return true;
    default:
      return false;
  }
}

void append_file_path(std::uint64_t key, std::string& out) {
  out += "uploads/";
  append_int(2018 + static_cast<std::int64_t>(below(key, 9)), out);
  out += '/';
  std::int64_t month = 1 + static_cast<std::int64_t>(below(mix64(key ^ 1), 12));
  if (month < 10) out += '0';
  append_int(month, out);
  out += '/';
  append_words(mix64(key ^ 2), 1, 2, out);
  for (auto& c : out)
    if (c == ' ') c = '-';
  out += '-';
  append_hex(mix64(key ^ 3), 8, out);
  out += '.';
  out += k_extensions[below(mix64(key ^ 4), std::size(k_extensions))];
}

void append_event_payload(std::uint64_t key, std::string& out) {
  out += "{\"page\":\"";
  out += k_pages[below(key, std::size(k_pages))];
  out += "\",\"duration_ms\":";
  append_int(static_cast<std::int64_t>(20 + below(mix64(key ^ 1), 4000)), out);
  out += ",\"ok\":";
  out += below(mix64(key ^ 2), 50) ? "true" : "false";
  out += '}';
}

}  // namespace

RowGenerator::RowGenerator(const SeedTable& table, const SeedSchema& schema, std::int64_t scale,
                           std::uint64_t seed, std::vector<const LocalePack*> packs)
    : m_packs(std::move(packs)) {
  std::uint64_t table_base = mix64(mix64(seed) ^ name_key(table.name));
  m_person_base = mix64(table_base ^ name_key("person"));
  for (const auto& column : table.columns) {
    Column c{&column, mix64(table_base ^ name_key(column.def.name))};
    if (column.generator.kind == GeneratorKind::ref) {
      const SeedTable* target = schema.find(column.generator.text);
      c.ref_rows = target->rows_for(scale);
      c.ref_start = target->columns.front().generator.low;
    }
    m_uses_person = m_uses_person || person_based(column.generator.kind);
    m_columns.push_back(c);
  }
  m_buffers.resize(m_columns.size());
  m_fields.resize(m_columns.size());
  for (auto& buffer : m_buffers) buffer.reserve(256);
}

const Field* RowGenerator::row(std::int64_t row) {
  if (m_uses_person)
    m_person = make_person(m_packs, row_key(m_person_base, static_cast<std::uint64_t>(row)),
                           static_cast<std::uint64_t>(row) + 1);
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    m_buffers[i].clear();
    generate(m_columns[i], row, m_buffers[i], m_fields[i]);
  }
  return m_fields.data();
}

void RowGenerator::generate(Column& column, std::int64_t row, std::string& out, Field& field) {
  const Generator& g = column.spec->generator;
  std::uint64_t key = row_key(column.base, static_cast<std::uint64_t>(row));
  if (column.spec->null_rate > 0 && unit(mix64(key ^ k_null_salt)) < column.spec->null_rate) {
    field = Field::null();
    return;
  }
  switch (g.kind) {
    case GeneratorKind::sequence:
      field = Field::of(g.low + row);
      return;
    case GeneratorKind::ref: {
      auto n = static_cast<std::uint64_t>(column.ref_rows);
      // Skewed: the cube of a uniform number favours the first rows (a few very active users).
      std::uint64_t index = g.skewed
                                ? static_cast<std::uint64_t>(unit(key) * unit(key) * unit(key) *
                                                             static_cast<double>(n))
                                : below(key, n);
      field = Field::of(column.ref_start + static_cast<std::int64_t>(std::min(index, n - 1)));
      return;
    }
    case GeneratorKind::integer:
      field = Field::of(g.low + static_cast<std::int64_t>(
                                    below(key, static_cast<std::uint64_t>(g.high - g.low) + 1)));
      return;
    case GeneratorKind::file_size: {
      double low = std::log(static_cast<double>(std::max<std::int64_t>(g.low, 1)));
      double high = std::log(static_cast<double>(std::max<std::int64_t>(g.high, 1)));
      field = Field::of(static_cast<std::int64_t>(std::exp(low + unit(key) * (high - low))));
      return;
    }
    case GeneratorKind::real:
      field = Field::of_real(g.real_low + unit(key) * (g.real_high - g.real_low));
      return;
    case GeneratorKind::decimal: {
      auto digits = static_cast<int>(g.probability);
      std::int64_t units = g.low + static_cast<std::int64_t>(
                                       below(key, static_cast<std::uint64_t>(g.high - g.low) + 1));
      append_int(units, out);
      if (digits > 0) {
        out += '.';
        fake::append_pattern(std::string(static_cast<std::size_t>(digits), '#'), mix64(key), out);
      }
      break;
    }
    case GeneratorKind::boolean:
      field = Field::of_bool(unit(key) < g.probability);
      return;
    case GeneratorKind::date:
      append_date(g.low + static_cast<std::int64_t>(
                              below(key, static_cast<std::uint64_t>(g.high - g.low) + 1)),
                  out);
      break;
    case GeneratorKind::timestamp:
      append_timestamp(
          g.low * 86400 + static_cast<std::int64_t>(
                              below(key, static_cast<std::uint64_t>(g.high - g.low + 1) * 86400)),
          out);
      break;
    case GeneratorKind::words:
      append_words(key, static_cast<int>(g.low), static_cast<int>(g.high), out);
      break;
    case GeneratorKind::choice: {
      std::uint64_t pick = below(key, g.choices.back().second);
      for (const auto& [value, cumulative] : g.choices)
        if (pick < cumulative) {
          out += value;
          break;
        }
      break;
    }
    case GeneratorKind::hex:
      append_hex(key, static_cast<std::size_t>(g.low), out);
      break;
    case GeneratorKind::file_path:
      append_file_path(key, out);
      break;
    case GeneratorKind::event_payload:
      append_event_payload(key, out);
      break;
    case GeneratorKind::ip:
      append_ip(key, out);
      break;
    case GeneratorKind::user_agent:
      append_user_agent(key, out);
      break;
    case GeneratorKind::first_name:
      out += m_person.first->name;
      break;
    case GeneratorKind::last_name:
      out += m_person.last->name;
      break;
    case GeneratorKind::full_name:
      append_full_name(m_person, out);
      break;
    case GeneratorKind::email:
      append_email(m_person, out);
      break;
    case GeneratorKind::username:
      append_username(m_person, out);
      break;
    case GeneratorKind::phone:
      append_phone(m_person, out);
      break;
    case GeneratorKind::address:
      append_address(m_person, out);
      break;
    case GeneratorKind::city:
      out += m_person.city->name;
      break;
    case GeneratorKind::country:
      append_country(m_person, out);
      break;
    case GeneratorKind::constant:
      out += g.text;
      break;
    case GeneratorKind::null:
      field = Field::null();
      return;
  }
  field = Field::of(std::string_view(out));
}

}  // namespace dihya::seed
