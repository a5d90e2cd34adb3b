#pragma once

#include <algorithm>
#include <functional>
#include <optional>

#include "core/base/log.hpp"
#include "core/base/signals.hpp"
#include "core/data/types.hpp"
#include "core/package/datapackage.hpp"
#include "souverainete/validators.hpp"

// Loading a verified package into the tenant's database.
namespace dihya::souverainete {

using LoadProgress = std::function<void(std::int64_t rows)>;

// The columns to load with FORCE_NOT_NULL when ENGINE (PostgreSQL) can read R's CSV as it is:
// no blob (base64 here, not bytea) and no missing value but the empty cell.
inline std::optional<std::vector<std::string>> csv_as_is(const package::Resource& r,
                                                         Engine engine) {
  if (engine != Engine::postgresql || r.format != package::DataFormat::csv ||
      r.missing_values != std::vector<std::string>{""})
    return std::nullopt;
  std::vector<std::string> not_null;
  for (std::size_t i = 0; i < r.def.columns.size(); ++i) {
    if (r.def.columns[i].type == ColumnType::blob) return std::nullopt;
    if (i < r.missing.size() && r.missing[i]) {
      if (!r.missing[i]->empty()) return std::nullopt;
      not_null.push_back(r.def.columns[i].name);
    }
  }
  return not_null;
}

// Loads each resource into its table: created (create, replace) without its secondary keys,
// which are built once the rows are in, or appended to; then counted again.
class TableLoader : public package::RowConsumer {
 public:
  TableLoader(Database& db, ImportMode mode, LoadProgress progress)
      : m_db(db), m_mode(mode), m_progress(std::move(progress)) {}

  Status begin(const package::Resource& r) override {
    m_resource = &r;
    m_before = 0;
    if (m_mode == ImportMode::append) {
      auto count = m_db.count_rows(r.def.name);
      if (!count) return count.error();
      m_before = *count;
      auto target = m_db.describe_table(r.def.name);
      if (!target) return target.error();
      m_target = std::move(*target);
    } else if (Status created = m_db.execute(create_table_sql(r.def, m_db.engine(), false));
               !created) {
      return created;
    }
    // An append checks that each value fits the target's own columns.
    m_fits.clear();
    if (m_mode == ImportMode::append)
      for (const auto& c : r.def.columns) {
        const ColumnDef* own = m_target.column(c.name);
        m_fits.push_back(own && (!own->sql_type.empty()) ? own : nullptr);
      }
    m_table_rows = 0;
    // PostgreSQL reads our CSV itself, as fast as it reads anything.
    auto not_null = m_fits.empty() ? csv_as_is(r, m_db.engine()) : std::nullopt;
    if (not_null) {
      auto copy = m_db.copy_csv(r.def, *not_null, true, false);
      if (!copy) return copy.error();
      m_copy = std::move(*copy);
      return {};
    }
    auto loader = m_db.bulk_load(r.def);
    if (!loader) return loader.error();
    m_loader = std::move(*loader);
    return {};
  }
  bool takes_text(const package::Resource&) override { return m_copy != nullptr; }
  Status text(std::string_view data) override {
    m_rows += static_cast<std::int64_t>(std::count(data.begin(), data.end(), '\n'));
    return m_copy->write(data);
  }
  Status row(const Field* fields, std::size_t count) override {
    ++m_rows;
    ++m_table_rows;
    for (std::size_t i = 0; i < m_fits.size() && i < count; ++i)
      if (m_fits[i])
        if (auto misfit = value_misfit(*m_fits[i], fields[i]))
          return make_error(ExitCode::data_error, "souverainete.value_does_not_fit",
                            {{"table", m_resource->def.name},
                             {"column", m_fits[i]->name},
                             {"row", std::to_string(m_table_rows)},
                             {"value", fields[i].kind == Field::Kind::integer
                                           ? std::to_string(fields[i].integer)
                                           : std::string(fields[i].text.substr(0, 40))},
                             {"reason", *misfit}});
    return m_loader->add_row(fields, count);
  }
  Status flush() override {
    m_progress(m_rows);
    check_interrupted();
    return m_loader ? m_loader->flush() : Status{};
  }
  Status end(const package::Resource& r, std::int64_t rows) override {
    if (m_copy) {
      auto copied = m_copy->finish();
      m_copy.reset();
      if (!copied) return copied.error();
      rows = *copied;
    } else {
      if (Status finished = m_loader->finish(); !finished) return finished;
      m_loader.reset();
    }
    if (m_mode != ImportMode::append)
      for (const auto& sql : create_index_sql(r.def, m_db.engine(), true))
        if (Status made = m_db.execute(sql); !made) return made;
    // The next row an application inserts without an id gets one past those loaded.
    const TableDef& numbered = m_mode == ImportMode::append ? m_target : r.def;
    for (const auto& sql : identity_reset_sql(numbered, m_db.engine()))
      if (Status moved = m_db.execute(sql); !moved) return moved;
    auto count = m_db.count_rows(r.def.name);
    if (!count) return count.error();
    if (*count != m_before + rows || (r.rows && rows != *r.rows))
      return make_error(ExitCode::data_error, "souverainete.recount_mismatch",
                        {{"table", r.def.name},
                         {"expected", std::to_string(m_before + r.rows.value_or(rows))},
                         {"found", std::to_string(*count)}});
    tables.push_back({{"table", r.def.name}, {"rows", rows}});
    return {};
  }

  // The table being loaded, or last loaded; empty before the first.
  std::string table() const { return m_resource ? m_resource->def.name : std::string(); }

  Json tables = Json::array();

 private:
  Database& m_db;
  ImportMode m_mode;
  LoadProgress m_progress;

  std::unique_ptr<BulkLoader> m_loader;
  std::unique_ptr<CsvCopy> m_copy;
  TableDef m_target;                     // append: the table as it is
  std::vector<const ColumnDef*> m_fits;  // per field: the target column whose fit is checked
  const package::Resource* m_resource = nullptr;
  std::int64_t m_before = 0;
  std::int64_t m_rows = 0;
  std::int64_t m_table_rows = 0;  // of the table being loaded
};

// ERROR as the user sees it: an error of the database engine (core.db.*) becomes our message
// naming TABLE (the import as a whole when TABLE is empty), with the engine's own text as its
// cause and its exit code (65 for a broken constraint, 75 for a lock, 74 for a full disk);
// any other error is returned as it is.
Error named_engine_error(const std::string& table, Error error);
template <class T>
Result<T> named_engine_error(const std::string& table, Result<T> result) {
  if (result) return result;
  return named_engine_error(table, result.error());
}

// Load into DB in one transaction (SQLite, and appends on PostgreSQL): a failure or an
// interruption leaves the database as it was. Returns the tables loaded ({table, rows}).
Result<Json> load_in_one_transaction(Database& db, const fs::path& path,
                                     const package::VerifiedPackage& verified,
                                     const EnvelopeOpeners& openers, ImportMode mode,
                                     const LoadProgress& progress, Log& log);

// The package's views on DB's engine, dropped (replace mode, before their tables) or made
// again from their definitions once the tables are in: in SCHEMA on PostgreSQL. A view
// that cannot be made (it reads a table outside the package) is warned of and left out.
Status drop_views(Database& db, const package::Manifest& manifest, const std::string& schema);
Status create_views(Database& db, const package::Manifest& manifest, const std::string& schema,
                    Log& log);

struct StagedLoad {
  std::string url;
  fs::path path;
  const package::VerifiedPackage& verified;
  const EnvelopeOpeners& openers;
  ImportMode mode;  // create or replace
  LoadProgress progress;
  Log& log;
};
// Load into a PostgreSQL database through a staging schema: the package is read once, its
// parts spread over two COPY connections, each table's keys built once its rows are in; the
// foreign keys and row counts are checked side by side, then one transaction moves the
// tables in (replacing the old ones in replace mode). Until that commit the target is
// untouched; a staging schema left by a killed run is removed by the next one.
Result<Json> load_postgres_staged(const StagedLoad& load);

}  // namespace dihya::souverainete
