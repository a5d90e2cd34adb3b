#include "rgpd/anonymizer.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/base/signals.hpp"

namespace dihya::rgpd {

namespace {

constexpr std::size_t k_batch = 5000;
// Shorter originals ("F", "oui", a two-letter code) are too common to prove a leak.
constexpr std::size_t k_min_leak_bytes = 4;

using Value = OwnedField;
using Row = OwnedRow;

// Every row of DEF (its primary key, then COLUMNS) in key order, a batch at a time.
Status each_batch(Database& db, const TableDef& def, const std::vector<const ColumnDef*>& columns,
                  const std::function<Status(std::vector<Row>&)>& visit) {
  return each_key_batch(db, def, columns, "", {}, k_batch, visit);
}

}  // namespace

namespace {

// The filter's word for fingerprint F (its high bits) and the two bits it sets there (its
// low bits): two bits in one word miss far more often than one, at one memory access.
std::size_t filter_word(std::uint64_t f, std::uint64_t mask) {
  return static_cast<std::size_t>((f >> 20) & mask);
}
std::uint64_t filter_bits(std::uint64_t f) {
  return (std::uint64_t{1} << (f & 63)) | (std::uint64_t{1} << ((f >> 6) & 63));
}

}  // namespace

void LeakWitness::seal() {
  std::sort(m_originals.begin(), m_originals.end());
  std::sort(m_outputs.begin(), m_outputs.end());
  m_outputs.erase(std::unique(m_outputs.begin(), m_outputs.end()), m_outputs.end());
  // About 16 bits per original (a power of two, 64 to 2^30 bits).
  std::uint64_t bits = 64;
  while (bits < 16 * m_originals.size() && bits < (std::uint64_t{1} << 30)) bits <<= 1;
  m_filter.assign(bits / 64, 0);
  m_filter_mask = bits / 64 - 1;
  for (std::uint64_t f : m_originals) m_filter[filter_word(f, m_filter_mask)] |= filter_bits(f);
}

void LeakWitness::prefetch(std::uint64_t f) const {
  if (!m_filter.empty()) __builtin_prefetch(&m_filter[filter_word(f, m_filter_mask)]);
}

std::int64_t LeakWitness::suspect(std::uint64_t f) const {
  if (m_filter.empty()) return 0;
  std::uint64_t want = filter_bits(f);
  if ((m_filter[filter_word(f, m_filter_mask)] & want) != want) return 0;
  auto [first, last] = std::equal_range(m_originals.begin(), m_originals.end(), f);
  if (first == last || std::binary_search(m_outputs.begin(), m_outputs.end(), f)) return 0;
  return last - first;
}

std::uint64_t LeakWitness::fingerprint(std::string_view value) const {
  return m_key.prf(15, value);  // a domain no strategy uses
}

bool leak_checked(const masking::Strategy& s, ColumnType type) {
  using masking::Fake;
  using masking::Kind;
  if (type != ColumnType::text && type != ColumnType::json) return false;
  // A first name, a last name or a city on its own names no one, and is also a word found
  // in other columns (a city called like a first name): those originals are not sought.
  if (s.kind == Kind::fake)
    return s.fake != Fake::first_name && s.fake != Fake::last_name && s.fake != Fake::city;
  return s.kind == Kind::hash || s.kind == Kind::mask || s.kind == Kind::redact ||
         s.kind == Kind::null;
}

namespace {

// What the leak witness records of ORIGINAL, masked by STRATEGY into OUT.
void witness_value(LeakWitness& witness, const masking::Strategy& strategy, ColumnType type,
                   const Field& original, const Field& out) {
  if (!leak_checked(strategy, type) || original.kind != Field::Kind::text ||
      original.text.size() < k_min_leak_bytes)
    return;
  witness.original(original.text);
  if (out.kind == Field::Kind::text) witness.output(out.text);
}

// T's columns read and written back by key, a batch at a time: shuffle, and the engines that
// cannot rewrite a table themselves.
Result<std::int64_t> mask_by_key(Database& db, const masking::Masker& masker, const TableMasking& t,
                                 LeakWitness& witness,
                                 const std::function<void(std::int64_t rows)>& progress) {
  const TableDef& def = *t.def;
  std::vector<const ColumnDef*> columns;
  std::vector<std::string> set;
  for (const auto* c : t.columns) {
    columns.push_back(def.column(c->name));
    set.push_back(c->name);
  }
  const std::size_t keys = def.primary_key.size();

  // shuffle: the column's values in key order, dealt to the rows in the order of a keyed
  // function of their key.
  std::vector<std::vector<std::string>> shuffled(t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c]->strategy.kind != masking::Kind::shuffle) continue;
    masking::Shuffle shuffle(masker, def.name + "." + t.columns[c]->name);
    Status read = each_batch(db, def, {columns[c]}, [&](std::vector<Row>& rows) -> Status {
      for (auto& row : rows) {
        std::string key;
        for (std::size_t k = 0; k < keys; ++k) {
          key += masking::canonical_text(row[k].field());
          key += '\0';
        }
        shuffle.add(key, row[keys].field());
      }
      return {};
    });
    if (!read) return read.error();
    shuffled[c] = shuffle.deal();
  }

  auto updater = db.bulk_update(def, def.primary_key, set);
  if (!updater) return updater.error();
  std::int64_t seen = 0;
  std::vector<std::string> outputs(t.columns.size());
  std::vector<Field> fields(keys + t.columns.size());
  Status masked = each_batch(db, def, columns, [&](std::vector<Row>& rows) -> Status {
    // The masked text of a batch lives here until the batch is written.
    std::vector<std::vector<std::string>> texts(rows.size(),
                                                std::vector<std::string>(t.columns.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t k = 0; k < keys; ++k) fields[k] = rows[r][k].field();
      for (std::size_t c = 0; c < t.columns.size(); ++c) {
        const auto& column = *t.columns[c];
        const Value& original = rows[r][keys + c];
        Field out;
        if (column.strategy.kind == masking::Kind::shuffle) {
          out = masking::Shuffle::field(columns[c]->type,
                                        shuffled[c][static_cast<std::size_t>(seen) + r]);
        } else {
          auto applied =
              masker.apply(column.strategy, columns[c]->type, original.field(), texts[r][c]);
          if (!applied) {
            Error e = applied.error();
            e.params.emplace_back("column", def.name + "." + column.name);
            return e;
          }
          out = *applied;
        }
        witness_value(witness, column.strategy, columns[c]->type, original.field(), out);
        fields[keys + c] = out;
      }
      if (Status added = (*updater)->add_row(fields.data(), fields.size()); !added) return added;
    }
    if (Status flushed = (*updater)->flush(); !flushed) return flushed;
    seen += static_cast<std::int64_t>(rows.size());
    progress(seen);
    return {};
  });
  if (!masked) return masked.error();
  return (*updater)->updated();
}

}  // namespace

Result<std::int64_t> mask_table(Database& db, const masking::Masker& masker, const TableMasking& t,
                                LeakWitness& witness,
                                const std::function<void(std::int64_t rows)>& progress) {
  TableMasking shuffled{t.table, t.def, {}};
  std::vector<std::pair<std::string, masking::Strategy>> in_engine;
  std::vector<ColumnType> types;
  for (const auto* c : t.columns) {
    if (c->strategy.kind == masking::Kind::shuffle) {
      shuffled.columns.push_back(c);
      continue;
    }
    in_engine.emplace_back(c->name, c->strategy);
    types.push_back(t.def->column(c->name)->type);
  }
  if (in_engine.empty()) return mask_by_key(db, masker, t, witness, progress);
  std::int64_t rows = 0;
  auto rewritten = masking::mask_in_engine(
      db, masker, *t.def, in_engine, [&](std::size_t c, const Field& original, const Field& out) {
        witness_value(witness, in_engine[c].second, types[c], original, out);
        if (c == 0 && (++rows & 0xffff) == 0) progress(rows);
      });
  if (!rewritten) return rewritten.error();
  if (!*rewritten) return mask_by_key(db, masker, t, witness, progress);
  if (shuffled.columns.empty()) return **rewritten;
  return mask_by_key(db, masker, shuffled, witness, progress);
}

Result<std::vector<Finding>> find_leaks(Database& db, const std::map<std::string, TableDef>& defs,
                                        const LeakWitness& witness) {
  std::vector<Finding> found;
  if (witness.empty()) return found;
  for (const auto& [table, def] : defs) {
    if (is_internal_table(table)) continue;
    // One pass over the table reads every text column.
    std::vector<std::string> columns;
    std::string list;
    for (const auto& column : def.columns)
      if (column.type == ColumnType::text || column.type == ColumnType::json) {
        columns.push_back(column.name);
        list += (list.empty() ? "" : ", ") + quote_identifier(column.name);
      }
    if (columns.empty()) continue;
    auto stmt = db.prepare("SELECT " + list + " FROM " + quote_identifier(table));
    if (!stmt) return stmt.error();
    // Per column: suspect value → rows holding it there.
    std::vector<std::unordered_map<std::uint64_t, std::int64_t>> held(columns.size());
    // Fingerprints are looked up a few thousand at a time, their filter words fetched
    // ahead: the lookups then wait on memory together rather than one after the other.
    std::vector<std::pair<std::size_t, std::uint64_t>> pending;
    auto look_up = [&] {
      for (const auto& [c, f] : pending) witness.prefetch(f);
      for (const auto& [c, f] : pending)
        if (witness.suspect(f) > 0) ++held[c][f];
      pending.clear();
    };
    std::string scratch;
    for (std::int64_t row = 0;; ++row) {
      auto more = (*stmt)->step();
      if (!more) return more.error();
      if (!*more) break;
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if ((*stmt)->is_null(static_cast<int>(c))) continue;
        pending.emplace_back(c,
                             witness.fingerprint((*stmt)->get_view(static_cast<int>(c), scratch)));
      }
      if (pending.size() >= 4096) look_up();
      if ((row & 0xffff) == 0) check_interrupted();
    }
    look_up();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      std::int64_t count = 0;
      for (const auto& [f, rows] : held[c])
        if (rows <= witness.suspect(f)) count += rows;
      if (count > 0) found.push_back({table, columns[c], count});
    }
  }
  return found;
}

namespace {

Result<std::int64_t> single_integer(Database& db, const std::string& sql) {
  auto stmt = db.prepare(sql);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row || (*stmt)->is_null(0)) return 0;
  return (*stmt)->get_integer(0);
}

}  // namespace

Result<std::int64_t> duplicated_values(Database& db, const std::string& table,
                                       const std::string& column) {
  std::string c = quote_identifier(column);
  return single_integer(db, "SELECT count(*) FROM (SELECT " + c + " FROM " +
                                quote_identifier(table) + " WHERE " + c + " IS NOT NULL GROUP BY " +
                                c + " HAVING count(*) > 1) AS d");
}

Result<std::int64_t> broken_references(Database& db, const std::string& table) {
  if (db.engine() != Engine::sqlite) return 0;
  auto stmt = db.prepare("PRAGMA foreign_key_check(" + quote_identifier(table) + ")");
  if (!stmt) return stmt.error();
  std::int64_t broken = 0;
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) return broken;
    ++broken;
  }
}

Result<std::int64_t> smallest_group(Database& db, const std::string& table,
                                    const std::vector<std::string>& columns) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + quote_identifier(c);
  return single_integer(db, "SELECT min(n) FROM (SELECT count(*) AS n FROM " +
                                quote_identifier(table) + " GROUP BY " + list + ") AS g");
}

}  // namespace dihya::rgpd
