// Loading a verified package into PostgreSQL through a staging schema: two connections load
// groups of tables side by side, each table created, filled (COPY FREEZE) and keyed in one
// transaction of its own; then the foreign keys and row counts are checked side by side, and
// one transaction moves the tables in.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/data/pg_copy.hpp"
#include "souverainete/loader.hpp"

namespace dihya::souverainete {

namespace {

constexpr std::size_t k_loaders = 2;

// PostgreSQL checks a foreign key with a hash anti-join that takes maintenance_work_mem as
// its memory. Batches that fit the CPU's cache probe faster than one large hash table:
// 1.35 s against 2.4 s (64 MB, the default) for 4 M rows against 1 M keys.
constexpr const char* k_validate_memory = "SET maintenance_work_mem = '2MB'";

Result<std::unique_ptr<Database>> staging_connection(const std::string& url,
                                                     const std::string& schema) {
  auto db = open_database(url);
  if (!db) return db.error();
  if (Status set = (*db)->execute("SET search_path TO " + quote_identifier(schema)); !set)
    return set.error();
  if (Status bulk = (*db)->begin_bulk(); !bulk) return bulk.error();
  return db;
}

// Spread the resources over two groups of about the same size, largest first.
std::vector<std::vector<std::string>> split(const package::Manifest& manifest) {
  std::vector<const package::Resource*> order;
  for (const auto& r : manifest.resources) order.push_back(&r);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
  std::vector<std::vector<std::string>> groups(k_loaders);
  std::vector<std::int64_t> sizes(k_loaders, 0);
  for (const auto* r : order) {
    auto g = static_cast<std::size_t>(std::min_element(sizes.begin(), sizes.end()) - sizes.begin());
    groups[g].push_back(r->name);
    sizes[g] += std::max<std::int64_t>(r->bytes, 1);
  }
  return groups;
}

// A foreign key to check: added NOT VALID, then validated (which takes no lock that keeps
// the other connection from loading or validating).
struct ForeignKeyCheck {
  std::string table, name, add_sql;
};

Status check_foreign_key(Database& conn, const ForeignKeyCheck& fk) {
  if (Status added = conn.execute(fk.add_sql); !added) return named_engine_error(fk.table, added);
  if (Status set = conn.execute(k_validate_memory); !set) return named_engine_error(fk.table, set);
  return named_engine_error(fk.table, conn.execute("ALTER TABLE " + quote_identifier(fk.table) +
                                                   " VALIDATE CONSTRAINT " + fk.name));
}

// Count R's table again: COPY's own count (COPIED) and the manifest's must both match.
Status recount(Database& conn, const package::Resource& r, std::int64_t copied) {
  auto count = conn.count_rows(r.def.name);
  if (!count) return count.error();
  if (*count != copied || (r.rows && *count != *r.rows))
    return make_error(ExitCode::data_error, "souverainete.recount_mismatch",
                      {{"table", r.def.name},
                       {"expected", std::to_string(r.rows.value_or(copied))},
                       {"found", std::to_string(*count)}});
  return {};
}

// What the loaders share: the rows each table received, the tables committed and the foreign
// keys already taken to check, and the first failure.
struct Shared {
  explicit Shared(const std::vector<package::Resource>& all) : resources(all) {}

  const std::vector<package::Resource>& resources;
  std::mutex mutex;
  std::map<std::string, std::int64_t> rows_of;
  std::set<std::string> committed, checked;  // tables; "table.constraint"
  std::optional<Error> failure;
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> rows{0};

  void fail(const Error& error) {
    std::lock_guard<std::mutex> hold(mutex);
    if (!failure || failure->code == ExitCode::interrupted) failure = error;
    stop = true;
  }

  // Record R's table as committed with ROWS; return the foreign keys whose tables are now
  // all committed, taken for the caller to check (each is taken once).
  std::vector<ForeignKeyCheck> committed_table(const package::Resource& r, std::int64_t rows) {
    std::lock_guard<std::mutex> hold(mutex);
    rows_of[r.name] = rows;
    committed.insert(r.def.name);
    return take_ready(false);
  }

  // Once the loaders are done: the foreign keys none of them took.
  std::vector<ForeignKeyCheck> remaining() {
    std::lock_guard<std::mutex> hold(mutex);
    return take_ready(true);
  }

 private:
  // The foreign keys not taken yet: all of them, or those whose tables are committed (the
  // mutex held).
  std::vector<ForeignKeyCheck> take_ready(bool all) {
    std::vector<ForeignKeyCheck> ready;
    for (const auto& r : resources) {
      auto sql = foreign_key_sql(r.def, true);
      for (std::size_t i = 0; i < sql.size(); ++i) {
        const std::string& parent = r.def.foreign_keys[i].ref_table;
        if (!all && (!committed.count(r.def.name) || !committed.count(parent))) continue;
        if (!checked.insert(r.name + "." + sql[i].first).second) continue;
        ready.push_back({r.def.name, sql[i].first, sql[i].second});
      }
    }
    return ready;
  }
};

// One connection's loader, for the tables of its group. Each table is created, filled and
// given its own keys in one transaction of this connection: its rows go in frozen (COPY
// FREEZE), so neither the key build nor the checks after it have to mark every row as
// committed and write the table again.
class PartLoader : public package::PartConsumer {
 public:
  PartLoader(Database& db, Shared& shared) : m_db(db), m_shared(shared) {}

  Status begin_part(const package::Resource& r, std::size_t part) override {
    m_table = r.def.name;
    if (part == 0)
      if (Status created = create(r); !created) return created;
    if (m_decoder) return {};  // a decoder reads on across the resource's parts
    if (!pg_copy::encodable(r.def))
      if (auto not_null = csv_as_is(r, Engine::postgresql)) {
        auto copy = m_db.copy_csv(r.def, *not_null, part == 0, true);
        if (!copy) return copy.error();
        m_copy = std::move(*copy);
        return {};
      }
    // Decoded here and sent in binary, the rows cost the server half the work of CSV. The
    // server checks JSON as it receives it.
    m_decoder.emplace(r, false);
    auto bulk = m_db.load_decoded(r.def, true);
    if (!bulk) return bulk.error();
    m_bulk = std::move(*bulk);
    return {};
  }
  Status data(std::string_view block) override {
    if (m_shared.stop) return make_error(ExitCode::interrupted, "core.exit.interrupted");
    if (m_copy) return m_copy->write(block);
    if (Status fed = m_decoder->feed(block, visit()); !fed) return fed;
    return m_bulk->flush();
  }
  Status end_part(const package::Resource& r, std::size_t part) override {
    std::int64_t rows = 0;
    if (m_copy) {
      auto copied = m_copy->finish();
      m_copy.reset();
      if (!copied) return copied.error();
      rows = *copied;
    } else if (part + 1 == r.parts.size()) {
      if (Status done = m_decoder->finish(visit()); !done) return done;
      if (Status done = m_bulk->finish(); !done) return done;
      rows = m_decoder->rows();
      m_bulk.reset();
      m_decoder.reset();
    }
    m_shared.rows += rows;
    m_rows += rows;
    return {};
  }
  // After the last part, once the whole hash is checked: the keys, and the table is in.
  // Then, on this connection while the other one loads on, the table is counted again and
  // the foreign keys whose tables are all in are checked.
  Status end_resource(const package::Resource& r) override {
    m_table = r.def.name;
    if (m_rows < 0)
      if (Status created = create(r); !created) return created;  // a table without parts
    for (const auto& sql : create_index_sql(r.def, Engine::postgresql, true, false, true))
      if (Status made = m_db.execute(sql); !made) return made;
    for (const auto& sql : identity_reset_sql(r.def, Engine::postgresql))
      if (Status moved = m_db.execute(sql); !moved) return moved;
    if (Status committed = m_db.commit(); !committed) return committed;
    std::int64_t rows = m_rows;
    m_rows = -1;
    if (Status counted = recount(m_db, r, rows); !counted) return counted;
    for (const auto& fk : m_shared.committed_table(r, rows)) {
      if (m_shared.stop) return make_error(ExitCode::interrupted, "core.exit.interrupted");
      if (Status valid = check_foreign_key(m_db, fk); !valid) return valid;
    }
    return {};
  }
  // The table being loaded, or last loaded; empty before the first.
  const std::string& table() const { return m_table; }

 private:
  // Autovacuum would scan the table while it fills, and hold up its keys: off until the swap.
  Status create(const package::Resource& r) {
    m_rows = 0;
    if (Status begun = m_db.begin(); !begun) return begun;
    if (Status made = m_db.execute(create_table_sql(r.def, Engine::postgresql, false, false));
        !made)
      return made;
    return m_db.execute("ALTER TABLE " + quote_identifier(r.def.name) +
                        " SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)");
  }
  package::RowDecoder::Visit visit() {
    return
        [this](const Field* fields, std::size_t count) { return m_bulk->add_row(fields, count); };
  }

  Database& m_db;
  Shared& m_shared;
  std::string m_table;
  std::int64_t m_rows = -1;  // of the table being loaded; -1 between tables
  std::unique_ptr<CsvCopy> m_copy;
  std::optional<package::RowDecoder> m_decoder;
  std::unique_ptr<BulkLoader> m_bulk;
};

// Load every resource of LOAD into the staging schema, each counted again and its foreign
// keys checked as soon as their tables are in (SHARED says which were).
Status load_tables(const StagedLoad& load, const std::string& schema, Shared& shared) {
  auto groups = split(load.verified.manifest);
  std::vector<std::future<void>> running;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].empty()) continue;
    running.push_back(std::async(std::launch::async, [&, g] {
      try {
        auto db = staging_connection(load.url, schema);
        if (!db) return shared.fail(db.error());
        PartLoader loader(**db, shared);
        Status read =
            package::read_package_parts(load.path, load.verified, load.openers, loader, &groups[g]);
        if (!read) shared.fail(named_engine_error(loader.table(), read.error()));
      } catch (const Failure& failure) {
        shared.fail(failure.error());
      } catch (const std::exception& e) {
        shared.fail(make_error(ExitCode::failure, "core.internal_error", {{"reason", e.what()}}));
      }
    }));
  }
  for (auto& f : running) {
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      load.progress(shared.rows.load());
    f.get();
  }
  check_interrupted();
  if (shared.failure) return *shared.failure;
  return {};
}

// Run the JOBS, largest first, on two connections of their own; the first failure stops the
// others and is returned.
using Job = std::function<Status(Database&)>;
Status side_by_side(const std::string& url, const std::string& schema,
                    std::vector<std::pair<std::int64_t, Job>> jobs,
                    const std::function<void()>& tick) {
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::future<Status>> running;
  for (std::size_t i = 0; i < k_loaders; ++i)
    running.push_back(std::async(std::launch::async, [&]() -> Status {
      auto db = staging_connection(url, schema);
      if (!db) {
        stop = true;
        return db.error();
      }
      for (std::size_t j; !stop && !interrupted() && (j = next++) < jobs.size();)
        if (Status done = jobs[j].second(**db); !done) {
          stop = true;
          return done;
        }
      return {};
    }));
  std::optional<Error> first;
  for (auto& f : running) {
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) tick();
    if (Status done = f.get(); !done && !first) first = done.error();
  }
  check_interrupted();
  if (first) return *first;
  return {};
}

}  // namespace

Result<Json> load_postgres_staged(const StagedLoad& load) {
  const auto& resources = load.verified.manifest.resources;
  auto admin = open_database(load.url);
  if (!admin) return admin.error();
  Database& db = **admin;
  // One staged import per database at a time; then a staging schema that is still there was
  // left by a run that was killed.
  {
    auto lock = db.prepare("SELECT pg_try_advisory_lock(hashtext('dihya-import'))");
    if (!lock) return lock.error();
    auto got = (*lock)->step();
    if (!got) return got.error();
    if (!*got || !(*lock)->get_integer(0))
      return make_error(ExitCode::temp_failure, "souverainete.import_running");
  }
  std::vector<std::string> stale;
  {
    auto list = db.prepare(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'dihya\\_import\\_%' ORDER BY 1");
    if (!list) return list.error();
    for (;;) {
      auto more = (*list)->step();
      if (!more) return more.error();
      if (!*more) break;
      stale.push_back((*list)->get_text(0));
    }
  }
  for (const auto& name : stale) {
    if (Status dropped = db.execute("DROP SCHEMA " + quote_identifier(name) + " CASCADE"); !dropped)
      return dropped.error();
    load.log.warn(make_error(ExitCode::ok, "souverainete.staging_removed", {{"schema", name}}));
  }
  std::string target;
  {
    auto current = db.prepare("SELECT current_schema()");
    if (!current) return current.error();
    if (auto got = (*current)->step(); !got || !*got)
      return make_error(ExitCode::failure, "souverainete.no_schema");
    target = (*current)->get_text(0);
  }
  std::string staging =
      "dihya_import_" + blake2b_256_hex(std::to_string(::getpid()) + "/" +
                                        std::to_string(now_ms()) + "/" + load.path.string())
                            .substr(0, 16);
  if (Status made = db.execute("CREATE SCHEMA " + quote_identifier(staging)); !made)
    return made.error();
  struct DropStaging {
    Database& db;
    std::string schema;
    bool armed = true;
    ~DropStaging() {
      if (armed) (void)db.execute("DROP SCHEMA IF EXISTS " + quote_identifier(schema) + " CASCADE");
    }
  } drop_staging{db, staging};

  // The tables, their rows and their own keys, on two connections.
  if (Status set = db.execute("SET search_path TO " + quote_identifier(staging)); !set)
    return set.error();
  Shared shared(resources);
  if (Status loaded = load_tables(load, staging, shared); !loaded) return loaded.error();
  auto tick = [&] { load.progress(load.verified.rows); };

  // The foreign keys no loader could check (a table that refers to one loaded after it on the
  // other connection), side by side.
  std::vector<std::pair<std::int64_t, Job>> checks;
  for (auto& fk : shared.remaining()) {
    std::int64_t bytes = 0;
    for (const auto& r : resources)
      if (r.def.name == fk.table) bytes = r.bytes;
    checks.emplace_back(
        bytes, [fk = std::move(fk)](Database& conn) { return check_foreign_key(conn, fk); });
  }
  if (!checks.empty())
    if (Status valid = side_by_side(load.url, staging, std::move(checks), tick); !valid)
      return valid.error();
  Json tables = Json::array();
  for (const auto& r : resources)
    tables.push_back({{"table", r.def.name}, {"rows", shared.rows_of[r.name]}});

  // The swap: one transaction.
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  auto order = package::foreign_key_order(resources);
  if (load.mode == ImportMode::replace)
    if (Status dropped = drop_views(db, load.verified.manifest, target); !dropped)
      return dropped.error();
  if (load.mode == ImportMode::replace)
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (Status dropped = db.execute("DROP TABLE IF EXISTS " + quote_identifier(target) + "." +
                                      quote_identifier(resources[*it].def.name));
          !dropped)
        return dropped.error();
  for (std::size_t i : order) {
    std::string table = quote_identifier(staging) + "." + quote_identifier(resources[i].def.name);
    if (Status on = db.execute("ALTER TABLE " + table +
                               " RESET (autovacuum_enabled, toast.autovacuum_enabled)");
        !on)
      return on.error();
    if (Status moved =
            db.execute("ALTER TABLE " + table + " SET SCHEMA " + quote_identifier(target));
        !moved)
      return moved.error();
  }
  if (Status dropped = db.execute("DROP SCHEMA " + quote_identifier(staging)); !dropped)
    return dropped.error();
  // The views read the tables where the applications find them.
  if (Status path = db.execute("SET LOCAL search_path TO " + quote_identifier(target)); !path)
    return path.error();
  if (Status views = create_views(db, load.verified.manifest, target, load.log); !views)
    return views.error();
  check_interrupted();
  if (Status committed = transaction->commit(); !committed) return committed.error();
  drop_staging.armed = false;
  return tables;
}

}  // namespace dihya::souverainete
