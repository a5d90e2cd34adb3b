// Loading a verified package: in one transaction, or staged on PostgreSQL.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "souverainete/loader.hpp"

namespace dihya::souverainete {

namespace {

// A load that another one's failure stops at its next block.
class StoppableLoader : public TableLoader {
 public:
  StoppableLoader(Database& db, const std::atomic<bool>& stop, LoadProgress progress)
      : TableLoader(db, ImportMode::create, std::move(progress), false), m_stop(stop) {}
  Status flush() override {
    if (m_stop) return make_error(ExitCode::interrupted, "core.exit.interrupted");
    return TableLoader::flush();
  }

 private:
  const std::atomic<bool>& m_stop;
};

// Spread the resources over two groups of about the same size, largest first.
std::vector<std::vector<std::string>> split(const package::Manifest& manifest) {
  std::vector<const package::Resource*> order;
  for (const auto& r : manifest.resources) order.push_back(&r);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
  std::vector<std::vector<std::string>> groups(2);
  std::int64_t sizes[2] = {0, 0};
  for (const auto* r : order) {
    int g = sizes[0] <= sizes[1] ? 0 : 1;
    groups[g].push_back(r->name);
    sizes[g] += std::max<std::int64_t>(r->bytes, 1);
  }
  return groups;
}

Result<std::unique_ptr<Database>> staging_connection(const std::string& url,
                                                     const std::string& schema) {
  auto db = open_database(url);
  if (!db) return db.error();
  if (Status set = (*db)->execute("SET search_path TO " + quote_identifier(schema)); !set)
    return set.error();
  if (Status bulk = (*db)->begin_bulk(); !bulk) return bulk.error();
  return db;
}

// Run TASK(group, connection) for each group on a thread and connection of its own; the first
// failure stops the others and is returned.
template <class Task>
Status side_by_side(const std::string& url, const std::string& schema,
                    const std::vector<std::vector<std::string>>& groups, std::atomic<bool>& stop,
                    const std::function<void()>& tick, Task task) {
  std::vector<std::future<Status>> running;
  for (const auto& group : groups) {
    if (group.empty()) continue;
    running.push_back(std::async(std::launch::async, [&, group]() -> Status {
      try {
        auto db = staging_connection(url, schema);
        Status done = db ? task(group, **db) : Status(db.error());
        if (!done) stop = true;
        return done;
      } catch (...) {
        stop = true;
        throw;
      }
    }));
  }
  // The first failure, unless it is only the stop another failure caused.
  std::optional<Error> first;
  for (auto& f : running) {
    while (f.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) tick();
    Status done = f.get();  // an interruption thrown on the thread is thrown again here
    if (!done && (!first || first->code == ExitCode::interrupted)) first = done.error();
  }
  if (first) return *first;
  return {};
}

}  // namespace

Result<Json> load_in_one_transaction(Database& db, const fs::path& path,
                                     const package::VerifiedPackage& verified,
                                     const EnvelopeOpeners& openers, ImportMode mode,
                                     const LoadProgress& progress) {
  TableLoader loader(db, mode, progress);
  if (Status bulk = db.begin_bulk(); !bulk) return bulk.error();
  {
    auto transaction = Transaction::begin(db);
    if (!transaction) return transaction.error();
    if (mode == ImportMode::replace) {
      auto order = package::foreign_key_order(verified.manifest.resources);
      for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (Status dropped =
                db.execute("DROP TABLE IF EXISTS " +
                           quote_identifier(verified.manifest.resources[*it].def.name));
            !dropped)
          return dropped.error();
    }
    if (Status read = package::read_package(path, verified, openers, loader); !read)
      return read.error();
    if (db.engine() == Engine::sqlite) {
      auto check = db.prepare("PRAGMA foreign_key_check");
      if (!check) return check.error();
      auto broken = (*check)->step();
      if (!broken) return broken.error();
      if (*broken)
        return make_error(ExitCode::data_error, "souverainete.foreign_key_broken",
                          {{"table", (*check)->get_text(0)}});
    }
    check_interrupted();
    if (Status committed = transaction->commit(); !committed) return committed.error();
  }
  if (Status bulk = db.end_bulk(); !bulk) return bulk.error();
  return loader.tables;
}

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

  // The rows and each table's own keys, on two connections.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> rows{0};
  auto tick = [&] { load.progress(rows.load()); };
  Json tables = Json::array();
  std::mutex tables_mutex;
  Status loaded = side_by_side(
      load.url, staging, split(load.verified.manifest), stop, tick,
      [&](const std::vector<std::string>& group, Database& conn) -> Status {
        std::int64_t mine = 0;
        StoppableLoader loader(conn, stop, [&](std::int64_t n) {
          rows += n - mine;
          mine = n;
        });
        Status read = package::read_package(load.path, load.verified, load.openers, loader, &group);
        std::lock_guard<std::mutex> hold(tables_mutex);
        for (auto& t : loader.tables) tables.push_back(t);
        return read;
      });
  if (!loaded) return loaded.error();

  // Foreign keys: declared at once, then checked side by side.
  if (Status set = db.execute("SET search_path TO " + quote_identifier(staging)); !set)
    return set.error();
  std::vector<std::vector<std::string>> checks(2);
  std::size_t n = 0;
  for (const auto& r : resources)
    for (auto& [name, sql] : foreign_key_sql(r.def, true)) {
      if (Status added = db.execute(sql); !added) return added.error();
      checks[n++ % 2].push_back("ALTER TABLE " + quote_identifier(r.def.name) +
                                " VALIDATE CONSTRAINT " + name);
    }
  Status valid = side_by_side(load.url, staging, checks, stop, tick,
                              [](const std::vector<std::string>& statements, Database& conn) {
                                for (const auto& sql : statements)
                                  if (Status ok = conn.execute(sql); !ok) return ok;
                                return Status{};
                              });
  if (!valid) return valid.error();
  check_interrupted();

  // The swap: one transaction.
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  auto order = package::foreign_key_order(resources);
  if (load.mode == ImportMode::replace)
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (Status dropped = db.execute("DROP TABLE IF EXISTS " + quote_identifier(target) + "." +
                                      quote_identifier(resources[*it].def.name));
          !dropped)
        return dropped.error();
  for (std::size_t i : order)
    if (Status moved = db.execute("ALTER TABLE " + quote_identifier(staging) + "." +
                                  quote_identifier(resources[i].def.name) + " SET SCHEMA " +
                                  quote_identifier(target));
        !moved)
      return moved.error();
  if (Status dropped = db.execute("DROP SCHEMA " + quote_identifier(staging)); !dropped)
    return dropped.error();
  check_interrupted();
  if (Status committed = transaction->commit(); !committed) return committed.error();
  drop_staging.armed = false;
  load.progress(rows.load());
  return tables;
}

}  // namespace dihya::souverainete
