// Masking streams of rows: shuffled columns, and a statement seen through the masks
// (docs/masking.md).
#include <algorithm>
#include <cstdlib>

#include "core/base/signals.hpp"
#include "core/privacy/masking.hpp"

namespace dihya::masking {

namespace {

constexpr std::string_view k_null_marker("\0NULL", 5);
constexpr std::size_t k_mask_batch = 5000;

}  // namespace

void Shuffle::add(std::string_view row_key, const Field& value) {
  m_order.emplace_back(m_masker.shuffle_key(m_column, row_key), m_values.size());
  m_values.push_back(value.kind == Field::Kind::null ? std::string(k_null_marker)
                                                     : canonical_text(value));
}

std::vector<std::string> Shuffle::deal() {
  std::sort(m_order.begin(), m_order.end());
  std::vector<std::string> dealt(m_values.size());
  for (std::size_t i = 0; i < m_order.size(); ++i)
    dealt[m_order[i].second] = std::move(m_values[i]);
  m_values.clear();
  m_order.clear();
  return dealt;
}

Field Shuffle::field(ColumnType type, const std::string& dealt) {
  if (dealt == k_null_marker) return Field::null();
  switch (type) {
    case ColumnType::integer:
      return Field::of(static_cast<std::int64_t>(std::strtoll(dealt.c_str(), nullptr, 10)));
    case ColumnType::boolean:
      return Field::of_bool(dealt == "true");
    case ColumnType::real:
      return Field::of_real(std::strtod(dealt.c_str(), nullptr));
    case ColumnType::blob:
      return Field::of_blob(dealt);
    default:
      return Field::of(std::string_view(dealt));
  }
}

namespace {

class MaskedRows : public Statement {
 public:
  MaskedRows(Statement& rows, const TableDef& def, const ColumnMasks& masks, const Masker& masker,
             std::vector<std::vector<std::string>> shuffled)
      : m_rows(rows),
        m_def(def),
        m_masks(masks),
        m_masker(masker),
        m_shuffled(std::move(shuffled)),
        m_out(def.columns.size()),
        m_text(def.columns.size()),
        m_scratch(def.columns.size()) {}

  Status bind(int index, const Field& value) override { return m_rows.bind(index, value); }
  Result<bool> step() override {
    auto more = m_rows.step();
    if (!more || !*more) return more;
    for (std::size_t c = 0; c < m_masks.size() && c < m_def.columns.size(); ++c) {
      if (!m_masks[c]) continue;
      ColumnType type = m_def.columns[c].type;
      if (m_masks[c]->kind == Kind::shuffle) {
        m_text[c] = m_shuffled.at(c).at(m_row);
        m_out[c] = Shuffle::field(type, m_text[c]);
        continue;
      }
      Field in = read_field(m_rows, static_cast<int>(c), type, m_scratch[c]);
      auto out = m_masker.apply(*m_masks[c], type, in, m_text[c]);
      if (!out) {
        Error e = out.error();
        e.params.emplace_back("column", m_def.name + "." + m_def.columns[c].name);
        return e;
      }
      m_out[c] = *out;
    }
    ++m_row;
    return true;
  }
  Status reset() override { return m_rows.reset(); }
  int column_count() const override { return m_rows.column_count(); }
  bool is_null(int c) const override {
    return masked(c) ? m_out[c].kind == Field::Kind::null : m_rows.is_null(c);
  }
  std::int64_t get_integer(int c) const override {
    if (!masked(c)) return m_rows.get_integer(c);
    return m_out[c].kind == Field::Kind::text
               ? std::strtoll(std::string(m_out[c].text).c_str(), nullptr, 10)
               : m_out[c].integer;
  }
  double get_real(int c) const override {
    if (!masked(c)) return m_rows.get_real(c);
    return m_out[c].kind == Field::Kind::real ? m_out[c].real
                                              : static_cast<double>(m_out[c].integer);
  }
  std::string get_text(int c) const override {
    if (!masked(c)) return m_rows.get_text(c);
    return m_out[c].kind == Field::Kind::text || m_out[c].kind == Field::Kind::blob
               ? std::string(m_out[c].text)
               : canonical_text(m_out[c]);
  }
  std::string_view get_view(int c, std::string& scratch) const override {
    if (!masked(c)) return m_rows.get_view(c, scratch);
    if (m_out[c].kind == Field::Kind::text || m_out[c].kind == Field::Kind::blob)
      return m_out[c].text;
    scratch = canonical_text(m_out[c]);
    return scratch;
  }
  std::int64_t changes() const override { return m_rows.changes(); }

 private:
  bool masked(int c) const {
    return static_cast<std::size_t>(c) < m_masks.size() && m_masks[c].has_value();
  }
  Statement& m_rows;
  const TableDef& m_def;
  const ColumnMasks& m_masks;
  const Masker& m_masker;
  std::vector<std::vector<std::string>> m_shuffled;
  std::vector<Field> m_out;
  std::vector<std::string> m_text, m_scratch;
  std::size_t m_row = 0;
};

}  // namespace

std::unique_ptr<Statement> masked_rows(Statement& rows, const TableDef& def,
                                       const ColumnMasks& masks, const Masker& masker,
                                       std::vector<std::vector<std::string>> shuffled) {
  return std::make_unique<MaskedRows>(rows, def, masks, masker, std::move(shuffled));
}

Result<std::vector<std::vector<std::string>>> deal_shuffled(Statement& rows, const TableDef& def,
                                                            const ColumnMasks& masks,
                                                            const Masker& masker) {
  std::vector<std::vector<std::string>> dealt(def.columns.size());
  std::vector<std::optional<Shuffle>> shuffles(def.columns.size());
  bool any = false;
  for (std::size_t c = 0; c < masks.size() && c < def.columns.size(); ++c)
    if (masks[c] && masks[c]->kind == Kind::shuffle) {
      shuffles[c].emplace(masker, def.name + "." + def.columns[c].name);
      any = true;
    }
  if (!any) return dealt;
  std::vector<std::size_t> keys;
  std::vector<std::string> key_names = def.primary_key;
  if (key_names.empty())
    for (const auto& c : def.columns) key_names.push_back(c.name);
  for (const auto& name : key_names)
    for (std::size_t c = 0; c < def.columns.size(); ++c)
      if (def.columns[c].name == name) keys.push_back(c);
  std::string scratch;
  for (;;) {
    auto more = rows.step();
    if (!more) return more.error();
    if (!*more) break;
    std::string key;
    for (std::size_t k : keys) {
      key += canonical_text(read_field(rows, static_cast<int>(k), def.columns[k].type, scratch));
      key += '\0';
    }
    for (std::size_t c = 0; c < shuffles.size(); ++c)
      if (shuffles[c])
        shuffles[c]->add(key, read_field(rows, static_cast<int>(c), def.columns[c].type, scratch));
  }
  for (std::size_t c = 0; c < shuffles.size(); ++c)
    if (shuffles[c]) dealt[c] = shuffles[c]->deal();
  return dealt;
}

Result<std::int64_t> mask_rows(Database& db, const Masker& masker, const TableDef& def,
                               const std::vector<std::pair<std::string, Strategy>>& columns,
                               const std::string& condition, const std::vector<Field>& params,
                               const std::function<Status(const std::vector<std::string>&)>& mark) {
  if (columns.empty() || def.primary_key.empty()) return 0;
  std::vector<const ColumnDef*> read;
  std::vector<std::string> set;
  for (const auto& [name, strategy] : columns) {
    read.push_back(def.column(name));
    set.push_back(name);
  }
  const std::size_t n_keys = def.primary_key.size();
  auto updater = db.bulk_update(def, def.primary_key, set);
  if (!updater) return updater.error();
  std::vector<Field> fields(n_keys + read.size());
  Status masked = each_key_batch(
      db, def, read, condition, params, k_mask_batch, [&](std::vector<OwnedRow>& rows) -> Status {
        std::vector<std::vector<std::string>> texts(rows.size(),
                                                    std::vector<std::string>(columns.size()));
        std::vector<std::string> marked;
        for (std::size_t r = 0; r < rows.size(); ++r) {
          for (std::size_t k = 0; k < n_keys; ++k) fields[k] = rows[r][k].field();
          for (std::size_t c = 0; c < columns.size(); ++c) {
            auto out = masker.apply(columns[c].second, read[c]->type, rows[r][n_keys + c].field(),
                                    texts[r][c]);
            if (!out) {
              Error e = out.error();
              e.params.emplace_back("column", def.name + "." + columns[c].first);
              return e;
            }
            fields[n_keys + c] = *out;
          }
          if (Status added = (*updater)->add_row(fields.data(), fields.size()); !added)
            return added;
          if (mark && n_keys == 1) marked.push_back(canonical_text(rows[r][0].field()));
        }
        if (Status flushed = (*updater)->flush(); !flushed) return flushed;
        if (mark) return mark(marked);
        return {};
      });
  if (!masked) return masked.error();
  return (*updater)->updated();
}

Result<std::optional<std::int64_t>> mask_in_engine(
    Database& db, const Masker& masker, const TableDef& def,
    const std::vector<std::pair<std::string, Strategy>>& columns, const MaskSeen& seen) {
  std::vector<std::string> names;
  std::vector<ColumnType> types;
  for (const auto& [name, strategy] : columns) {
    names.push_back(name);
    types.push_back(def.column(name)->type);
  }
  std::uint64_t calls = 0;
  ColumnRewrite rewrite = [&](std::size_t c, const Field& value, std::string& out) -> Result<Field> {
    if ((++calls & 0xffff) == 0 && interrupted())
      return make_error(ExitCode::interrupted, "core.interrupted");
    if (calls == 1000) stop_point("mask.rows");
    auto masked = masker.apply(columns[c].second, types[c], value, out);
    if (!masked) {
      Error e = masked.error();
      e.params.emplace_back("column", def.name + "." + columns[c].first);
      return e;
    }
    seen(c, value, *masked);
    return masked;
  };
  return db.rewrite_columns(def, names, rewrite);
}

}  // namespace dihya::masking
