#include "core/privacy/overdue.hpp"

#include "core/base/clock.hpp"
#include "core/privacy/subject.hpp"

namespace dihya::personal {

namespace {

constexpr const char* k_marks = "dihya_retention_masked";

}  // namespace

std::vector<Field> RetentionQuery::params() const {
  std::vector<Field> fields = {Field::of(std::string_view(cutoff))};
  if (marked) fields.push_back(Field::of(std::string_view(table)));
  return fields;
}

Status RetentionQuery::bind(Statement& statement) const {
  auto fields = params();
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (Status bound = statement.bind(static_cast<int>(i) + 1, fields[i]); !bound) return bound;
  return {};
}

Status check_retention(const PersonalTable& table, const TableDef& def) {
  const ColumnDef* column = def.column(table.retention->column);
  if (!column || (column->type != ColumnType::date && column->type != ColumnType::timestamp))
    return make_error(ExitCode::config_error, "core.retention.not_a_date",
                      {{"path", table.path + ".retention.column"},
                       {"column", table.name + "." + table.retention->column}});
  if (table.retention->anonymize && def.primary_key.size() != 1)
    return make_error(ExitCode::data_error, "core.retention.no_primary_key",
                      {{"table", table.name}});
  return {};
}

RetentionQuery overdue_query(Database& db, const PersonalTable& table, const TableDef& def,
                             std::int64_t now_ms) {
  RetentionQuery q;
  q.table = table.name;
  q.cutoff = format_rfc3339_ms(now_ms - std::int64_t{table.retention->days} * 86'400'000);
  std::string column = quote_identifier(table.retention->column);
  q.condition = db.engine() == Engine::sqlite ? "julianday(" + column + ") < julianday(?)"
                                              : column + " < CAST(? AS timestamptz)";
  auto marks = db.table_exists(k_marks);
  if (table.retention->anonymize && marks && *marks && def.primary_key.size() == 1) {
    q.marked = true;
    q.condition += std::string(" AND NOT EXISTS (SELECT 1 FROM ") + k_marks +
                   " m WHERE m.table_name = ? AND m.row_key = CAST(" +
                   quote_identifier(table.name) + "." + quote_identifier(def.primary_key[0]) +
                   " AS TEXT))";
  }
  return q;
}

Result<std::int64_t> count_overdue(Database& db, const TableDef& def, const RetentionQuery& q) {
  auto stmt =
      db.prepare("SELECT count(*) FROM " + quote_identifier(def.name) + " WHERE " + q.condition);
  if (!stmt) return stmt.error();
  if (Status bound = q.bind(**stmt); !bound) return bound.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  return (*stmt)->get_integer(0);
}

Result<std::vector<OverdueTable>> count_all_overdue(Database& db, const PersonalMap& map,
                                                    const std::map<std::string, TableDef>& defs,
                                                    std::int64_t now_ms) {
  std::vector<OverdueTable> out;
  for (const auto& t : map.tables) {
    if (!t.retention) continue;
    const TableDef& def = defs.at(t.name);
    if (Status fits = check_retention(t, def); !fits) return fits.error();
    RetentionQuery q = overdue_query(db, t, def, now_ms);
    auto rows = count_overdue(db, def, q);
    if (!rows) return rows.error();
    out.push_back(
        {t.name, t.retention->column, t.retention->days, t.retention->anonymize, q.cutoff, *rows});
  }
  return out;
}

Status ensure_retention_marks(Database& db) {
  return db.execute(std::string("CREATE TABLE IF NOT EXISTS ") + k_marks +
                    " (table_name TEXT NOT NULL, row_key TEXT NOT NULL, masked_at TEXT NOT NULL, "
                    "PRIMARY KEY (table_name, row_key))");
}

Result<std::int64_t> mask_overdue(Database& db, const masking::Masker& masker,
                                  const PersonalTable& table, const TableDef& def,
                                  const RetentionQuery& q) {
  auto mark = db.prepare(std::string("INSERT INTO ") + k_marks +
                         " (table_name, row_key, masked_at) VALUES (?, ?, ?)");
  if (!mark) return mark.error();
  std::string at = format_rfc3339_ms(now_ms());
  return masking::mask_rows(db, masker, def, row_masks(table, def), q.condition, q.params(),
                            [&](const std::vector<std::string>& keys) -> Status {
                              for (const auto& key : keys) {
                                Statement& s = **mark;
                                if (Status r = s.reset(); !r) return r;
                                if (Status b = s.bind(1, Field::of(std::string_view(table.name)));
                                    !b)
                                  return b;
                                if (Status b = s.bind(2, Field::of(std::string_view(key))); !b)
                                  return b;
                                if (Status b = s.bind(3, Field::of(std::string_view(at))); !b)
                                  return b;
                                if (auto ran = s.step(); !ran) return ran.error();
                              }
                              return {};
                            });
}

}  // namespace dihya::personal
