#include "seed/services.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/base/signals.hpp"
#include "seed/audit.hpp"
#include "seed/generators.hpp"

namespace dihya::seed {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Status check_tables(Database& db, const SeedSchema& schema, bool reset) {
  for (const auto& table : schema.tables) {
    auto exists = db.table_exists(table.name);
    if (!exists) return exists.error();
    if (!*exists || reset) continue;
    auto rows = db.count_rows(table.name);
    if (!rows) return rows.error();
    if (*rows > 0)
      return make_error(ExitCode::failure, "seed.not_empty",
                        {{"table", table.name}, {"count", std::to_string(*rows)}});
  }
  return {};
}

Status create_tables(Database& db, const SeedSchema& schema, bool reset) {
  if (reset)
    for (auto it = schema.tables.rbegin(); it != schema.tables.rend(); ++it)
      if (Status dropped = db.execute("DROP TABLE IF EXISTS " + quote_identifier(it->name));
          !dropped)
        return dropped;
  for (const auto& table : schema.tables) {
    auto exists = db.table_exists(table.name);
    if (!exists) return exists.error();
    if (*exists) continue;
    // Unique keys come after the load: one sorted index build instead of millions of
    // random B-tree inserts.
    if (Status created = db.execute(create_table_sql(table.def, db.engine(), false)); !created)
      return created;
  }
  return {};
}

// Rows made by the generator thread and handed to the loading thread, in order. Text is
// copied into one arena per batch, so memory stays bounded whatever the table's size.
struct RowBatch {
  std::int64_t first_row = 0;
  std::int64_t rows = 0;
  std::string arena;
  std::vector<Field> fields;                               // rows × width; text as offsets below
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // arena offset and length
};

void fill_batch(RowGenerator& generator, RowBatch& batch, std::int64_t first, std::int64_t rows) {
  std::size_t width = generator.width();
  batch.first_row = first;
  batch.rows = rows;
  batch.arena.clear();
  batch.fields.resize(static_cast<std::size_t>(rows) * width);
  batch.spans.resize(batch.fields.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    const Field* row = generator.row(first + r);
    for (std::size_t c = 0; c < width; ++c) {
      std::size_t at = static_cast<std::size_t>(r) * width + c;
      batch.fields[at] = row[c];
      if (row[c].kind == Field::Kind::text || row[c].kind == Field::Kind::blob) {
        batch.spans[at] = {batch.arena.size(), row[c].text.size()};
        batch.arena.append(row[c].text);
      }
    }
  }
}

// A bounded queue of two batches between the generator thread and the loader.
class BatchPipe {
 public:
  RowBatch* take_empty() { return pop(m_empty); }
  RowBatch* take_full() { return pop(m_full); }
  void give_empty(RowBatch* batch) { push(m_empty, batch); }
  void give_full(RowBatch* batch) { push(m_full, batch); }
  void close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_changed.notify_all();
  }

 private:
  RowBatch* pop(std::deque<RowBatch*>& queue) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !queue.empty() || m_closed; });
    if (queue.empty()) return nullptr;
    RowBatch* batch = queue.front();
    queue.pop_front();
    return batch;
  }
  void push(std::deque<RowBatch*>& queue, RowBatch* batch) {
    std::lock_guard lock(m_mutex);
    queue.push_back(batch);
    m_changed.notify_all();
  }

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<RowBatch*> m_empty, m_full;
  bool m_closed = false;
};

Status load_table(Database& db, const SeedTable& table, RowGenerator& generator, std::int64_t rows,
                  std::int64_t& done, const SeedProgress& progress) {
  auto loader = db.bulk_load(table.def);
  if (!loader) return loader.error();
  constexpr std::int64_t k_batch_rows = 8192;
  RowBatch batches[3];
  BatchPipe pipe;
  for (auto& batch : batches) pipe.give_empty(&batch);
  std::thread producer([&] {
    for (std::int64_t first = 0; first < rows; first += k_batch_rows) {
      RowBatch* batch = pipe.take_empty();
      if (!batch) return;
      fill_batch(generator, *batch, first, std::min(k_batch_rows, rows - first));
      pipe.give_full(batch);
    }
  });
  Status status;
  std::size_t width = generator.width();
  std::vector<Field> row(width);
  for (std::int64_t loaded = 0; loaded < rows && status;) {
    RowBatch* batch = pipe.take_full();
    for (std::int64_t r = 0; r < batch->rows && status; ++r) {
      for (std::size_t c = 0; c < width; ++c) {
        std::size_t at = static_cast<std::size_t>(r) * width + c;
        row[c] = batch->fields[at];
        if (row[c].kind == Field::Kind::text || row[c].kind == Field::Kind::blob)
          row[c].text = std::string_view(batch->arena.data() + batch->spans[at].first,
                                         batch->spans[at].second);
      }
      status = (*loader)->add_row(row.data(), width);
    }
    if (status) status = (*loader)->flush();
    loaded += batch->rows;
    done += batch->rows;
    pipe.give_empty(batch);
    if (status && interrupted()) status = make_error(ExitCode::interrupted, "core.interrupted");
    if (status && progress) progress(done);
  }
  pipe.close();
  producer.join();
  if (!status) return status;
  return (*loader)->finish();
}

}  // namespace

std::vector<TableSeeded> seed_plan(const SeedSchema& schema, std::int64_t scale) {
  std::vector<TableSeeded> plan;
  for (const auto& table : schema.tables) plan.push_back({table.name, table.rows_for(scale), 0});
  return plan;
}

Result<SeedSummary> seed_database(Database& db, const SeedSchema& schema,
                                  const SeedOptions& options, const SeedProgress& progress) {
  auto packs = select_locale_packs(options.locale);
  if (!packs) return packs.error();
  if (Status empty = check_tables(db, schema, options.reset); !empty) return empty.error();
  auto start = Clock::now();
  if (Status bulk = db.begin_bulk(); !bulk) return bulk.error();
  SeedSummary summary;
  {
    auto transaction = Transaction::begin(db);
    if (!transaction) return transaction.error();
    if (Status created = create_tables(db, schema, options.reset); !created) return created.error();
    std::int64_t done = 0;
    for (const auto& table : schema.tables) {
      auto table_start = Clock::now();
      std::int64_t rows = table.rows_for(options.scale);
      RowGenerator generator(table, schema, options.scale, options.seed, *packs);
      if (Status loaded = load_table(db, table, generator, rows, done, progress); !loaded)
        return loaded.error();
      for (const auto& sql : create_index_sql(table.def, db.engine(), true))
        if (Status indexed = db.execute(sql); !indexed) return indexed.error();
      summary.tables.push_back({table.name, rows, seconds_since(table_start)});
      summary.rows += rows;
    }
    if (Status committed = transaction->commit(); !committed) return committed.error();
  }
  if (Status bulk = db.end_bulk(); !bulk) return bulk.error();
  summary.seconds = seconds_since(start);
  return summary;
}

int run_seed(const SeedOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  ctx.set_target(tenant.database);
  const SeedSchema* schema = &demo_schema();
  SeedSchema custom;
  if (options.schema_file) {
    custom = take(load_seed_schema_file(*options.schema_file));
    schema = &custom;
  }
  auto& details = ctx.audit_details();
  details["seed"] = std::to_string(options.seed);
  details["scale"] = options.scale;
  details["locale"] = options.locale;
  details["schema"] = options.schema_file.value_or("demo");
  if (tenant.environment == "production") {
    if (!options.force)
      fail(ExitCode::no_permission, "seed.production_refused", {{"tenant", tenant.name}});
    details["forced"] = true;
    details["reason"] = *options.reason;
    ctx.log().warn(make_error(ExitCode::ok, "seed.production_forced", {{"tenant", tenant.name}}));
  }
  std::vector<TableSeeded> plan = seed_plan(*schema, options.scale);
  std::int64_t planned = 0;
  for (const auto& t : plan) planned += t.rows;
  const Messages& m = ctx.messages();
  if (options.dry_run) {
    ctx.print(
        m.text("seed.plan", {{"count", std::to_string(planned)}, {"database", tenant.database}}));
    Json tables = Json::object();
    for (const auto& t : plan) {
      ctx.print("  " +
                m.text("seed.table_rows", {{"table", t.table}, {"count", std::to_string(t.rows)}}));
      tables[t.table] = t.rows;
    }
    ctx.result() = {{"dry_run", true}, {"tables", tables}, {"rows", planned}};
    details["dry_run"] = true;
    return 0;
  }
  auto db = take(open_database(tenant.database));
  Progress bar = ctx.progress("seed.progress", static_cast<std::uint64_t>(planned));
  SeedSummary summary = take(seed_database(*db, *schema, options, [&](std::int64_t done) {
    bar.update(static_cast<std::uint64_t>(done));
  }));
  bar.finish();
  Json tables = Json::object();
  for (const auto& t : summary.tables) {
    tables[t.table] = {{"rows", t.rows}, {"seconds", t.seconds}};
    ctx.metrics().add("dihya_seed_rows_total", "Rows written by the last seed run, per table.",
                      MetricSet::Type::counter, static_cast<double>(t.rows), {{"table", t.table}});
    ctx.print("  " +
              m.text("seed.table_rows", {{"table", t.table}, {"count", std::to_string(t.rows)}}));
  }
  double rate = summary.seconds > 0 ? static_cast<double>(summary.rows) / summary.seconds : 0;
  ctx.result() = {{"tables", tables},        {"rows", summary.rows}, {"seconds", summary.seconds},
                  {"rows_per_second", rate}, {"seed", options.seed}, {"scale", options.scale},
                  {"locale", options.locale}};
  Json counts = Json::object();
  for (const auto& t : summary.tables) counts[t.table] = t.rows;
  details[audit::k_detail_rows] = counts;
  ctx.set_summary("seed.done", {{"count", std::to_string(summary.rows)}});
  ctx.print(m.text("seed.done", {{"count", std::to_string(summary.rows)}}) + " — " +
            m.text("seed.speed", {{"seconds", fmt::format("{:.2f}", summary.seconds)},
                                  {"rate", std::to_string(static_cast<std::int64_t>(rate))}}));
  return 0;
}

}  // namespace dihya::seed
