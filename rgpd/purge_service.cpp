// purge_rgpd: apply each table's retention rule of the personal-data map: rows past `days`
// are deleted, or anonymized once (a marker table remembers which).
#include <fmt/format.h>

#include <algorithm>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/privacy/locale_pack.hpp"
#include "core/privacy/overdue.hpp"
#include "core/privacy/subject.hpp"
#include "rgpd/services.hpp"
#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

namespace {

constexpr std::int64_t k_delete_batch = 5000;

// Tables that refer to another table of LIST come before it: rows are deleted before the
// rows they refer to.
void children_first(std::vector<const personal::PersonalTable*>& list,
                    const std::map<std::string, TableDef>& defs) {
  auto refers = [&](const personal::PersonalTable* a, const personal::PersonalTable* b) {
    for (const auto& fk : defs.at(a->name).foreign_keys)
      if (fk.ref_table == b->name && a != b) return true;
    return false;
  };
  for (std::size_t pass = 0; pass < list.size(); ++pass)
    for (std::size_t i = 0; i < list.size(); ++i)
      for (std::size_t j = i + 1; j < list.size(); ++j)
        if (refers(list[j], list[i])) {
          auto moved = list[j];
          list.erase(list.begin() + static_cast<std::ptrdiff_t>(j));
          list.insert(list.begin() + static_cast<std::ptrdiff_t>(i), moved);
        }
}

std::int64_t delete_overdue(Database& db, const TableDef& def, const personal::RetentionQuery& q,
                            const std::function<void(std::int64_t)>& progress) {
  std::string table = quote_identifier(def.name);
  std::string where = " WHERE " + q.condition;
  std::string sql;
  if (def.primary_key.size() == 1) {
    std::string key = quote_identifier(def.primary_key[0]);
    sql = "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key + " FROM " + table +
          where + " LIMIT " + std::to_string(k_delete_batch) + ")";
  } else {
    sql = "DELETE FROM " + table + where;  // one statement: no key to batch by
  }
  std::int64_t total = 0;
  for (;;) {
    check_interrupted();
    // Each batch commits on its own: an interrupted purge keeps what it did.
    auto transaction = take(Transaction::begin(db));
    auto stmt = take(db.prepare(sql));
    take(q.bind(*stmt));
    auto ran = stmt->step();
    if (!ran) {
      Error e = ran.error();
      e.params.emplace_back("table", def.name);
      fail(ExitCode::data_error, "rgpd.purge_failed", {{"table", def.name}, {"reason", e.id}});
    }
    std::int64_t n = stmt->changes();
    stmt.reset();
    take(transaction.commit());
    total += n;
    progress(total);
    if (def.primary_key.size() != 1 || n < k_delete_batch) return total;
  }
}

}  // namespace

int run_purge(const PurgeOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  personal::PersonalMap map = personal::personal_map(tenant);
  auto db = take(open_database(tenant.database, {.must_exist = true, .whole_tables = true}));
  take(personal::check_against(map, *db));
  auto defs = take(personal::describe_all(*db));
  std::vector<const personal::PersonalTable*> rules;
  if (options.table) {
    const auto* t = map.table(*options.table);
    if (!t) fail(ExitCode::usage, "rgpd.not_in_map", {{"table", *options.table}});
    if (!t->retention) fail(ExitCode::usage, "rgpd.no_retention", {{"table", *options.table}});
    rules.push_back(t);
  } else {
    for (const auto& t : map.tables)
      if (t.retention) rules.push_back(&t);
  }
  if (rules.empty()) fail(ExitCode::config_error, "rgpd.no_retention_rules", {{"path", map.path}});
  for (const auto* t : rules) take(personal::check_retention(*t, defs.at(t->name)));
  children_first(rules, defs);

  std::int64_t now = now_ms();
  std::optional<masking::MaskingKey> key;
  std::optional<masking::Masker> masker;
  bool masks = std::any_of(rules.begin(), rules.end(),
                           [](const auto* t) { return t->retention->anonymize; });
  if (masks && !options.dry_run) {
    key.emplace(load_masking_key(tenant, map));
    masker.emplace(*key, take(select_locale_packs("mixed")));
    take(personal::ensure_retention_marks(*db));
  }

  Json tables = Json::array();
  std::int64_t total = 0;
  for (const auto* t : rules) {
    const TableDef& def = defs.at(t->name);
    personal::RetentionQuery q = personal::overdue_query(*db, *t, def, now);
    std::int64_t rows = 0;
    const char* then = t->retention->anonymize ? "anonymize" : "delete";
    if (options.dry_run) {
      rows = take(personal::count_overdue(*db, def, q));
    } else if (t->retention->anonymize) {
      auto transaction = take(Transaction::begin(*db));
      rows = take(personal::mask_overdue(*db, *masker, *t, def, q));
      check_interrupted();
      take(transaction.commit());
    } else {
      std::int64_t expected = take(personal::count_overdue(*db, def, q));
      Progress bar = ctx.progress("rgpd.purge_progress", static_cast<std::uint64_t>(expected));
      rows = delete_overdue(*db, def, q,
                            [&](std::int64_t n) { bar.update(static_cast<std::uint64_t>(n)); });
      bar.finish();
    }
    total += rows;
    tables.push_back({{"table", t->name},
                      {"then", then},
                      {"column", t->retention->column},
                      {"days", t->retention->days},
                      {"before", q.cutoff},
                      {"rows", rows}});
    MessageParams params = {{"table", t->name},
                            {"count", std::to_string(rows)},
                            {"days", std::to_string(t->retention->days)},
                            {"column", t->retention->column}};
    std::string id = std::string("rgpd.purge_") + then + (options.dry_run ? "_plan" : "");
    ctx.print(m.text(id, params));
    if (!options.dry_run)
      ctx.metrics().add("dihya_purge_rows", "Rows the last purge deleted or anonymized.",
                        MetricSet::Type::gauge, static_cast<double>(rows),
                        {{"table", t->name}, {"action", then}});
  }
  details["tables"] = tables;
  details["rows"] = total;
  ctx.result() = {{"dry_run", options.dry_run}, {"tables", tables}, {"rows", total}};
  if (!options.dry_run)
    ctx.metrics().add("dihya_purge_last_success_timestamp_seconds",
                      "Time of the last purge that completed.", MetricSet::Type::gauge,
                      static_cast<double>(now_ms()) / 1000.0);
  MessageParams summary = {{"rows", std::to_string(total)},
                           {"tables", std::to_string(rules.size())}};
  const char* id = options.dry_run ? "rgpd.purge_planned" : "rgpd.purged";
  ctx.set_summary(id, summary);
  ctx.print(m.text(id, summary));
  return 0;
}

}  // namespace dihya::rgpd
