// anonymize: mask the tenant's database in place per its personal-data map, one table per
// transaction, then verify what is left.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/base/signals.hpp"
#include "core/privacy/locale_pack.hpp"
#include "core/privacy/personal_map.hpp"
#include "rgpd/anonymizer.hpp"
#include "rgpd/services.hpp"
#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

namespace {

// One row per table masked: what makes an interrupted run resumable without masking a table
// twice. It lives in the tenant's database, so it is rolled back with the table it records.
constexpr const char* k_journal = "dihya_anonymized";

int generate_key(const fs::path& path, Context& ctx) {
  const Messages& m = ctx.messages();
  take(make_directories(path.parent_path(), 0700));
  auto key = masking::MaskingKey::generate();
  // O_EXCL: an existing key is never replaced, whoever wrote it.
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST) fail(ExitCode::cant_create, "rgpd.key_exists", {{"path", path.string()}});
    fail(io_error(path, errno));
  }
  take(write_all(fd.get(), key.encode(), path));
  if (::fsync(fd.get()) != 0) fail(io_error(path, errno));
  ctx.audit_details()["generated_key"] = key.id();
  ctx.result() = {{"key_id", key.id()}, {"path", path.string()}};
  MessageParams params = {{"id", key.id()}, {"path", path.string()}};
  ctx.set_summary("rgpd.key_generated", params);
  ctx.print(m.text("rgpd.key_generated", params));
  return 0;
}

// The columns other rows refer to, or that identify rows: "table.column".
std::set<std::string> key_columns(const std::map<std::string, TableDef>& defs) {
  std::set<std::string> keys;
  for (const auto& [table, def] : defs) {
    for (const auto& c : def.primary_key) keys.insert(table + "." + c);
    for (const auto& fk : def.foreign_keys) {
      for (const auto& c : fk.columns) keys.insert(table + "." + c);
      for (const auto& c : fk.ref_columns) keys.insert(fk.ref_table + "." + c);
    }
  }
  return keys;
}

struct Journal {
  std::string key_id, at;
};

std::map<std::string, Journal> read_journal(Database& db) {
  std::map<std::string, Journal> done;
  if (!take(db.table_exists(k_journal))) return done;
  auto stmt =
      take(db.prepare(std::string("SELECT table_name, key_id, masked_at FROM ") + k_journal));
  while (take(stmt->step())) done[stmt->get_text(0)] = {stmt->get_text(1), stmt->get_text(2)};
  return done;
}

std::string column_list(const TableMasking& t) {
  std::string list;
  for (const auto* c : t.columns)
    list += (list.empty() ? "" : ", ") + c->name + " (" + c->strategy.text() + ")";
  return list;
}

}  // namespace

int run_anonymize(const AnonymizeOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  personal::PersonalMap map = personal::personal_map(tenant);
  fs::path key_path = personal::masking_key_path(tenant, map);
  if (options.generate_key) return generate_key(key_path, ctx);
  if (map.tables.empty())
    fail(ExitCode::config_error, "core.personal.no_tables", {{"path", map.path}});
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  if (tenant.environment == "production" && !options.dry_run) {
    if (!options.yes || !options.reason)
      fail(ExitCode::no_permission, "rgpd.production_refused", {{"tenant", tenant.name}});
    details["reason"] = *options.reason;
  }

  auto db = take(open_database(tenant.database, {.must_exist = true, .whole_tables = true}));
  auto defs = take(personal::check_against(map, *db));
  const auto every_table = take(personal::describe_all(*db));
  std::set<std::string> keyed = key_columns(every_table);
  if (options.table && !map.table(*options.table))
    fail(ExitCode::usage, "rgpd.not_in_map", {{"table", *options.table}});
  std::vector<TableMasking> targets;
  for (const auto& table : map.tables) {
    if (options.table && table.name != *options.table) continue;
    TableMasking t{&table, &defs.at(table.name), {}};
    for (const auto& c : table.columns) {
      if (c.strategy.kind == masking::Kind::keep) continue;
      if (keyed.count(table.name + "." + c.name))
        fail(ExitCode::config_error, "rgpd.key_column",
             {{"path", c.path + ".mask"}, {"column", table.name + "." + c.name}});
      t.columns.push_back(&c);
    }
    if (t.columns.empty()) continue;
    if (t.def->primary_key.empty())
      fail(ExitCode::data_error, "rgpd.no_primary_key", {{"table", table.name}});
    targets.push_back(std::move(t));
  }

  // Tables a run already masked are left as they are (an interrupted run resumes here).
  auto journal = read_journal(*db);
  std::vector<TableMasking> todo;
  Json skipped = Json::array();
  for (auto& t : targets) {
    auto it = journal.find(t.table->name);
    if (it == journal.end()) {
      todo.push_back(t);
      continue;
    }
    ctx.print(
        m.text("rgpd.already",
               {{"table", t.table->name}, {"time", it->second.at}, {"key", it->second.key_id}}));
    skipped.push_back({{"table", t.table->name}, {"key_id", it->second.key_id}});
  }
  std::map<std::string, std::int64_t> counts;
  std::int64_t total = 0;
  for (const auto& t : todo) total += counts[t.table->name] = take(db->count_rows(t.table->name));

  Json result = {{"tables", Json::array()}, {"skipped", skipped}};
  if (options.dry_run) {
    for (const auto& t : todo) {
      ctx.print(m.text("rgpd.plan_table", {{"table", t.table->name},
                                           {"rows", std::to_string(counts[t.table->name])},
                                           {"columns", column_list(t)}}));
      Json columns = Json::array();
      for (const auto* c : t.columns)
        columns.push_back({{"column", c->name}, {"mask", c->strategy.text()}});
      result["tables"].push_back(
          {{"table", t.table->name}, {"rows", counts[t.table->name]}, {"columns", columns}});
    }
    result["dry_run"] = true;
    details["tables"] = result["tables"];
    ctx.result() = result;
    return 0;
  }

  masking::MaskingKey key = load_masking_key(tenant, map);
  const std::string key_id = key.id();  // bound by reference: it must outlive the statements
  details["key_id"] = key_id;
  masking::Masker masker(key, take(select_locale_packs("mixed")));
  LeakWitness witness(key);
  take(db->execute(std::string("CREATE TABLE IF NOT EXISTS ") + k_journal +
                   " (table_name TEXT PRIMARY KEY, key_id TEXT NOT NULL, rows_masked INTEGER NOT "
                   "NULL, masked_at TEXT NOT NULL)"));

  std::int64_t started = now_ms(), done = 0;
  Progress bar = ctx.progress("rgpd.progress", static_cast<std::uint64_t>(total));
  for (const auto& t : todo) {
    auto transaction = take(Transaction::begin(*db));
    std::int64_t rows = take(mask_table(*db, masker, t, witness, [&](std::int64_t n) {
      bar.update(static_cast<std::uint64_t>(done + n));
    }));
    auto record =
        take(db->prepare(std::string("INSERT INTO ") + k_journal + " VALUES (?, ?, ?, ?)"));
    std::string at = format_rfc3339_ms(now_ms());
    take(record->bind(1, Field::of(t.table->name)));
    take(record->bind(2, Field::of(key_id)));
    take(record->bind(3, Field::of(rows)));
    take(record->bind(4, Field::of(at)));
    take(record->step());
    record.reset();
    stop_point("anonymize.masked");
    check_interrupted();
    take(transaction.commit());
    done += counts[t.table->name];
    Json columns = Json::array();
    for (const auto* c : t.columns)
      columns.push_back({{"column", c->name}, {"mask", c->strategy.text()}});
    result["tables"].push_back({{"table", t.table->name}, {"rows", rows}, {"columns", columns}});
    ctx.print(m.text(
        "rgpd.table_done",
        {{"table", t.table->name}, {"rows", std::to_string(rows)}, {"columns", column_list(t)}}));
  }
  bar.finish();
  double seconds = static_cast<double>(now_ms() - started) / 1000.0;
  details["tables"] = result["tables"];
  details["rows"] = done;

  // The proof: no original left, keys intact, k-anonymity.
  bool failed = false;
  std::int64_t checks_started = now_ms();
  witness.seal();
  Json leaks = Json::array();
  for (const auto& f : take(find_leaks(*db, every_table, witness))) {
    failed = true;
    leaks.push_back({{"table", f.table}, {"column", f.column}, {"count", f.count}});
    ctx.log().error(
        make_error(ExitCode::failure, "rgpd.leak_found",
                   {{"table", f.table}, {"column", f.column}, {"count", std::to_string(f.count)}}));
  }
  std::int64_t leaks_done = now_ms();
  if (leaks.empty()) ctx.print(m.text("rgpd.no_leak"));
  Json keys = Json::array();
  for (const auto& t : targets) {
    for (const auto* c : t.columns) {
      // A unique key of the database on the column is enforced by the engine (and rebuilt,
      // so checked whole, by the rewrite): only a column the map alone calls unique is
      // counted here.
      bool enforced = false;
      for (const auto& u : t.def->unique_keys) enforced = enforced || u == std::vector{c->name};
      if (!c->unique || enforced) continue;
      std::int64_t twice = take(duplicated_values(*db, t.table->name, c->name));
      if (twice == 0) continue;
      failed = true;
      keys.push_back({{"table", t.table->name}, {"column", c->name}, {"duplicated", twice}});
      ctx.log().error(make_error(
          ExitCode::failure, "rgpd.duplicates",
          {{"table", t.table->name}, {"column", c->name}, {"count", std::to_string(twice)}}));
    }
    if (std::int64_t broken = take(broken_references(*db, t.table->name)); broken > 0) {
      failed = true;
      keys.push_back({{"table", t.table->name}, {"broken_references", broken}});
      ctx.log().error(make_error(ExitCode::failure, "rgpd.broken_refs",
                                 {{"table", t.table->name}, {"count", std::to_string(broken)}}));
    }
  }
  std::int64_t keys_done = now_ms();
  if (keys.empty()) ctx.print(m.text("rgpd.keys_hold"));
  std::map<std::string, std::vector<std::string>> quasi;
  for (const auto& q : map.quasi_identifiers) quasi[q.table].push_back(q.column);
  Json anonymity = Json::array();
  for (const auto& [table, columns] : quasi) {
    std::int64_t k = take(smallest_group(*db, table, columns));
    std::string list = fmt::format("{}", fmt::join(columns, ", "));
    anonymity.push_back({{"table", table}, {"columns", columns}, {"k", k}});
    MessageParams params = {{"table", table}, {"k", std::to_string(k)}, {"columns", list}};
    if (options.min_k && k < *options.min_k) {
      failed = true;
      params.emplace_back("min", std::to_string(*options.min_k));
      ctx.log().error(make_error(ExitCode::failure, "rgpd.k_below", params));
    } else {
      ctx.print(m.text("rgpd.k_anonymity", params));
    }
  }
  // How long each check took (bench/anonymize prints their share of the run).
  result["check_seconds"] = {{"leaks", static_cast<double>(leaks_done - checks_started) / 1000.0},
                             {"keys", static_cast<double>(keys_done - leaks_done) / 1000.0},
                             {"k_anonymity", static_cast<double>(now_ms() - keys_done) / 1000.0}};
  details["leaks"] = leaks;
  details["k_anonymity"] = anonymity;
  result["leaks"] = leaks;
  result["keys"] = keys;
  result["k_anonymity"] = anonymity;
  result["key_id"] = key.id();
  result["rows"] = done;
  result["seconds"] = seconds;
  result["verified"] = !failed;
  ctx.result() = result;

  auto& metrics = ctx.metrics();
  metrics.add("dihya_anonymize_rows", "Rows masked by the last anonymize run.",
              MetricSet::Type::gauge, static_cast<double>(done));
  metrics.add("dihya_anonymize_duration_seconds", "Duration of the last anonymize run's masking.",
              MetricSet::Type::gauge, seconds);
  metrics.add("dihya_anonymize_leaks", "Columns where the last run's leak check found originals.",
              MetricSet::Type::gauge, static_cast<double>(leaks.size()));
  if (!failed)
    metrics.add("dihya_anonymize_last_success_timestamp_seconds",
                "Time of the last anonymize run that masked and verified.", MetricSet::Type::gauge,
                static_cast<double>(now_ms()) / 1000.0);
  MessageParams params = {{"count", std::to_string(done)},
                          {"seconds", fmt::format("{:.2f}", seconds)},
                          {"key", key.id()}};
  ctx.set_summary(failed ? "rgpd.verification_failed" : "rgpd.anonymized", params);
  ctx.print(m.text("rgpd.anonymized", params));
  if (failed) {
    ctx.log().error(make_error(ExitCode::failure, "rgpd.verification_failed", params));
    return to_int(ExitCode::failure);
  }
  return 0;
}

}  // namespace dihya::rgpd
