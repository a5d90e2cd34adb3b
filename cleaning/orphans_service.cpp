// clean_orphans: scan every declared root against the database (both ways), check every
// fail-closed condition for all of them, and only then quarantine or delete the candidates.
#include <fmt/format.h>

#include "cleaning/orphans.hpp"
#include "cleaning/quarantine.hpp"
#include "cleaning/services.hpp"
#include "core/base/clock.hpp"
#include "core/base/units.hpp"

namespace dihya::cleaning {

namespace {

// Candidates kept whole per root: beyond it (a cap above 200 000) the rest waits a next run.
constexpr std::size_t k_candidates_kept = 200000;
constexpr std::size_t k_candidates_listed_json = 10000;

std::string age_of(std::int64_t mtime_ns) {
  std::int64_t ms = now_ms() - mtime_ns / 1'000'000;
  return format_duration(std::max<std::int64_t>(0, ms / 1000 * 1000));
}

Json scan_json(const OrphanRule& rule, const OrphanScan& s) {
  Json listed = Json::array();
  for (const auto& c : s.candidates) {
    if (listed.size() >= k_candidates_listed_json) break;
    listed.push_back({{"path", printable_name(c.path)},
                      {"bytes", c.facts.size},
                      {"age", age_of(c.facts.mtime_ns)}});
  }
  Json missing = Json::array();
  for (const auto& m : s.missing)
    missing.push_back({{"key", printable_name(m.key)}, {"path", printable_name(m.path)}});
  return {{"root", rule.root},
          {"table", rule.table},
          {"column", rule.column},
          {"references", s.references},
          {"files", s.files},
          {"bytes", s.bytes},
          {"young", s.young},
          {"candidates", s.candidate_count},
          {"candidate_bytes", s.candidate_bytes},
          {"candidate_list", listed},
          {"missing", s.missing_count},
          {"missing_list", missing}};
}

void print_scan(Context& ctx, const OrphanRule& rule, const OrphanScan& s) {
  const Messages& m = ctx.messages();
  if (!ctx.quiet()) {
    for (const auto& c : s.candidates)
      ctx.print(
          m.text("cleaning.orphans.candidate", {{"path", rule.root + "/" + printable_name(c.path)},
                                                {"size", format_size(c.facts.size)},
                                                {"age", age_of(c.facts.mtime_ns)}}));
    for (const auto& row : s.missing)
      ctx.print(m.text("cleaning.orphans.missing_row", {{"table", rule.table},
                                                        {"key", printable_name(row.key)},
                                                        {"path", printable_name(row.path)}}));
  }
  ctx.print(m.text("cleaning.orphans.summary", {{"root", rule.root},
                                                {"count", std::to_string(s.candidate_count)},
                                                {"files", std::to_string(s.files)},
                                                {"references", std::to_string(s.references)},
                                                {"bytes", format_size(s.candidate_bytes)},
                                                {"missing", std::to_string(s.missing_count)},
                                                {"young", std::to_string(s.young)}}));
}

// Stop (nothing moved) when the references look wrong or the candidates exceed the cap.
void check_fail_closed(const OrphanRule& rule, const OrphanScan& s, const OrphansOptions& o) {
  if (s.references == 0 && s.files > 0)
    fail(ExitCode::failure, "cleaning.orphans.no_references",
         {{"root", rule.root},
          {"table", rule.table},
          {"column", rule.column},
          {"files", std::to_string(s.files)}});
  std::uint64_t cap =
      o.max_delete.value_or(s.files * static_cast<std::uint64_t>(rule.max_delete_percent) / 100);
  std::uint64_t cap_bytes = o.max_delete_bytes.value_or(rule.max_delete_bytes);
  if (s.candidate_count > cap || s.candidate_bytes > cap_bytes)
    fail(ExitCode::failure, "cleaning.orphans.over_cap",
         {{"root", rule.root},
          {"count", std::to_string(s.candidate_count)},
          {"bytes", format_size(s.candidate_bytes)},
          {"cap", std::to_string(cap)},
          {"cap_bytes", format_size(cap_bytes)},
          {"percent", std::to_string(rule.max_delete_percent)}});
}

void check_table(Database& db, const OrphanRule& rule) {
  auto def = db.describe_table(rule.table);
  if (!def)
    fail(ExitCode::unavailable, "cleaning.orphans.query_failed",
         {{"table", rule.table}, {"reason", def.error().id}});
  for (const auto& col : {rule.column, rule.key})
    if (!def->column(col))
      fail(ExitCode::config_error, "cleaning.orphans.no_column",
           {{"table", rule.table}, {"column", col}});
}

int run_restore(const OrphansOptions& options, const std::vector<OrphanRule>& rules, Context& ctx) {
  const Messages& m = ctx.messages();
  ctx.set_target(*options.restore);
  if (options.dry_run) fail(ExitCode::usage, "cleaning.orphans.restore_alone");
  RestoreTally t = take(restore_quarantine(ctx.tenant(), *options.restore, rules));
  ctx.print(m.text("cleaning.orphans.restored", {{"count", std::to_string(t.restored)},
                                                 {"bytes", format_size(t.bytes)},
                                                 {"conflicts", std::to_string(t.conflicts)},
                                                 {"corrupt", std::to_string(t.corrupt)},
                                                 {"run", *options.restore}}));
  Json counts = {{"run", *options.restore},
                 {"restored", t.restored},
                 {"bytes", t.bytes},
                 {"conflicts", t.conflicts},
                 {"corrupt", t.corrupt}};
  ctx.result() = counts;
  ctx.audit_details() = counts;
  if (t.conflicts || t.corrupt)
    fail(ExitCode::failure, "cleaning.orphans.restore_incomplete",
         {{"run", *options.restore},
          {"conflicts", std::to_string(t.conflicts)},
          {"corrupt", std::to_string(t.corrupt)}});
  return 0;
}

}  // namespace

int run_clean_orphans(const OrphansOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  std::vector<OrphanRule> rules = take(select_orphan_rules(tenant, options));
  take(make_directories(tenant.state_dir / "cleaning", 0750));
  LockFile lock =
      take(LockFile::acquire(tenant.state_dir / "cleaning" / "clean_orphans.lock", false));
  if (options.restore) return run_restore(options, rules, ctx);
  std::string target;
  for (const auto& r : rules) target += (target.empty() ? "" : ",") + r.root;
  ctx.set_target(target);
  fs::path quarantine_dir = tenant.state_dir / "quarantine";
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  details["action"] = options.remove ? "delete" : "quarantine";
  if (!options.dry_run) {
    auto purged = take(purge_quarantines(quarantine_dir, rules));
    for (const auto& run : purged) ctx.print(m.text("cleaning.orphans.purged", {{"run", run}}));
    details["purged"] = purged;
  }
  auto db = take(open_database(tenant.database, {.must_exist = true}));
  std::vector<OrphanScan> scans;
  Json roots = Json::array();
  Json audit_roots = Json::array();
  for (const auto& rule : rules) {
    check_table(*db, rule);
    std::size_t keep = options.max_delete
                           ? std::min<std::uint64_t>(*options.max_delete + 1, k_candidates_kept)
                           : k_candidates_kept;
    scans.push_back(take(scan_orphans(*db, rule, keep)));
    print_scan(ctx, rule, scans.back());
    roots.push_back(scan_json(rule, scans.back()));
    Json counts = roots.back();
    counts.erase("candidate_list");
    counts.erase("missing_list");
    audit_roots.push_back(counts);
  }
  details["roots"] = audit_roots;
  ctx.result()["dry_run"] = options.dry_run;
  ctx.result()["roots"] = roots;
  for (std::size_t i = 0; i < rules.size(); ++i) check_fail_closed(rules[i], scans[i], options);

  std::uint64_t moved = 0, bytes = 0;
  for (std::size_t i = 0; i < rules.size() && !options.dry_run; ++i) {
    if (scans[i].candidates.empty()) continue;
    fs::path run_dir;
    if (!options.remove) run_dir = take(create_quarantine_run(quarantine_dir));
    OrphanMover mover(*db, rules[i], run_dir, options.remove);
    MoveTally t;
    Status done = mover.move_all(scans[i].candidates, t);
    if (!options.remove) take(finish_quarantine_run(run_dir, tenant.name, t));
    moved += t.moved;
    bytes += t.bytes;
    Json& r = ctx.result()["roots"][i];
    r["moved"] = t.moved;
    r["moved_bytes"] = t.bytes;
    r["kept_referenced"] = t.kept_referenced;
    r["kept_changed"] = t.kept_changed;
    if (!options.remove) r["quarantine"] = run_dir.filename().string();
    details["roots"][i].update({{"moved", t.moved},
                                {"moved_bytes", t.bytes},
                                {"kept_referenced", t.kept_referenced},
                                {"kept_changed", t.kept_changed}});
    if (!options.remove) details["roots"][i]["quarantine"] = run_dir.filename().string();
    ctx.print(options.remove
                  ? m.text("cleaning.orphans.deleted",
                           {{"count", std::to_string(t.moved)}, {"bytes", format_size(t.bytes)}})
                  : m.text("cleaning.orphans.moved", {{"count", std::to_string(t.moved)},
                                                      {"bytes", format_size(t.bytes)},
                                                      {"run", run_dir.filename().string()}}));
    if (t.kept_referenced || t.kept_changed)
      ctx.print(m.text("cleaning.orphans.kept", {{"referenced", std::to_string(t.kept_referenced)},
                                                 {"changed", std::to_string(t.kept_changed)}}));
    take(done);
  }
  add_clean_counters(ctx, "clean_orphans", moved, bytes);
  details["files_removed"] = moved;
  details["bytes_removed"] = bytes;
  ctx.result()["files_removed"] = moved;
  ctx.result()["bytes_removed"] = bytes;
  ctx.set_summary(options.dry_run ? "cleaning.tmp.audit_plan" : "cleaning.tmp.audit_done",
                  {{"count", std::to_string(moved)}, {"bytes", std::to_string(bytes)}});
  return 0;
}

}  // namespace dihya::cleaning
