// clean_tmp: for each selected temporary directory, plan (walk and record what is old), then
// apply (walk again and remove exactly the planned entries that did not change).
#include <fmt/format.h>

#include <cstring>

#include "cleaning/services.hpp"
#include "cleaning/tmp_plan.hpp"
#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/base/units.hpp"
#include "core/config/section_cleaning.hpp"

namespace dihya::cleaning {

namespace {

// Entries listed in the JSON document, at most (and at most 16 MiB of paths); the human
// output lists every one.
constexpr std::size_t k_json_entries = 100000;
constexpr std::size_t k_json_entry_bytes = 16u << 20;

// What the run prints and returns of each entry: every line on stdout (unless --quiet), the
// first ones in the JSON document.
class Listing {
 public:
  Listing(Context& ctx, const TmpRule& rule) : m_ctx(ctx), m_rule(rule) {}

  void add(const EntryEvent& event) {
    if (!m_ctx.json() && m_ctx.quiet()) return;
    // Escaping costs the path's length: a deep tree's paths are long, so count before.
    if (m_ctx.json() && (m_bytes + event.path.size() > k_json_entry_bytes ||
                         m_entries.size() >= k_json_entries)) {
      ++m_truncated;
      return;
    }
    std::string path = printable_name(event.path);
    if (m_ctx.json()) {
      m_bytes += path.size();
      m_entries.push_back({{"path", path},
                           {"action", event.action},
                           {"reason", reason_name(event.reason)},
                           {"type", event.dir ? "directory" : "file"},
                           {"bytes", event.bytes}});
      return;
    }
    std::string id = std::string("cleaning.tmp.") +
                     (std::strcmp(event.action, "remove") == 0    ? "would_remove"
                      : std::strcmp(event.action, "removed") == 0 ? "removed"
                                                                  : "kept");
    m_ctx.print(m_ctx.messages().text(
        id, {{"path", m_rule.name + "/" + path}, {"reason", reason_text(event.reason)}}));
  }

  Json take_entries() { return std::move(m_entries); }
  std::size_t truncated() const { return m_truncated; }

 private:
  std::string reason_text(Reason reason) const {
    return m_ctx.messages().text(std::string("cleaning.reason.") + reason_name(reason),
                                 {{"age", format_duration(m_rule.age_ms)},
                                  {"budget", format_size(m_rule.max_bytes.value_or(0))}});
  }

  Context& m_ctx;
  const TmpRule& m_rule;
  Json m_entries = Json::array();
  std::size_t m_bytes = 0;
  std::size_t m_truncated = 0;
};

Json tally_json(const TmpTally& t) {
  return {{"planned", t.planned},         {"planned_bytes", t.planned_bytes},
          {"removed", t.removed},         {"removed_bytes", t.removed_bytes},
          {"kept", t.kept},               {"vanished", t.vanished},
          {"failed", t.failed},           {"unreadable", t.unreadable},
          {"skipped_mounts", t.skipped_mount}, {"skipped_locked", t.skipped_locked},
          {"kept_open", t.kept_open},     {"stopped", t.stopped}};
}

// Clean one directory; its tally, or a Failure for what stops the whole run.
TmpTally clean_one(const TmpRule& rule, const TmpOptions& options, Context& ctx,
                   Deadline& deadline, Json& report) {
  if (is_home_or_root(rule.path))
    fail(ExitCode::usage, "core.config.cleaning.forbidden_path",
         {{"path", rule.name}, {"dir", rule.path.string()}});
  TmpTally tally;
  report = {{"name", rule.name}, {"path", rule.path.string()}, {"age", format_duration(rule.age_ms)}};
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(rule.path, ec))) {
    ctx.log().info("cleaning.tmp.missing_dir", {{"path", rule.path.string()}});
    report.update(tally_json(tally));
    report["missing"] = true;
    return tally;
  }
  FileKeySet open;
  Listing listing(ctx, rule);
  TmpWalkSettings settings;
  settings.rule = &rule;
  settings.cutoff_ns = (now_ms() - rule.age_ms) * 1'000'000LL;
  settings.open = &open;
  settings.deadline = &deadline;
  settings.on_failure = [&](std::string_view path, int err) {
    ctx.log().warn(make_error(ExitCode::io_error, "cleaning.tmp.remove_failed",
                              {{"path", rule.name + "/" + printable_name(path)},
                               {"reason", std::strerror(err)}}));
  };
  auto sink = [&](const EntryEvent& event) { listing.add(event); };
  if (options.dry_run) settings.sink = sink;
  if (rule.keep_open) open = open_files();
  Plan plan;
  take(plan_tmp(settings, plan, tally));
  if (!options.dry_run && !tally.stopped) {
    settings.sink = sink;
    if (rule.keep_open) open = open_files();
    take(apply_tmp(settings, plan, tally));
  }
  report.update(tally_json(tally));
  report["entries"] = listing.take_entries();
  if (listing.truncated()) report["entries_truncated"] = listing.truncated();
  return tally;
}

void summarize(Context& ctx, const TmpRule& rule, const TmpTally& t, bool dry_run) {
  const Messages& m = ctx.messages();
  std::uint64_t count = dry_run ? t.planned : t.removed;
  std::uint64_t bytes = dry_run ? t.planned_bytes : t.removed_bytes;
  ctx.print(m.text(dry_run ? "cleaning.tmp.summary_plan" : "cleaning.tmp.summary",
                   {{"name", rule.name},
                    {"count", std::to_string(count)},
                    {"bytes", format_size(bytes)},
                    {"kept", std::to_string(t.kept)}}));
  if (t.skipped_mount || t.skipped_locked)
    ctx.print(m.text("cleaning.tmp.skipped",
                     {{"mounts", std::to_string(t.skipped_mount)},
                      {"locked", std::to_string(t.skipped_locked)}}));
}

}  // namespace

void add_clean_counters(Context& ctx, const std::string& tool, std::uint64_t files,
                        std::uint64_t bytes) {
  fs::path file = ctx.tenant().metrics_dir() / (tool + ".prom");
  auto carried = [&](const char* name, std::uint64_t add) {
    return previous_metric_value(file, name) + static_cast<double>(add);
  };
  ctx.metrics().add("dihya_clean_files_removed_total", "Entries the cleaning tools removed.",
                    MetricSet::Type::counter, carried("dihya_clean_files_removed_total", files));
  ctx.metrics().add("dihya_clean_bytes_removed_total", "Bytes the cleaning tools freed.",
                    MetricSet::Type::counter, carried("dihya_clean_bytes_removed_total", bytes));
}

int run_clean_tmp(const TmpOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  std::vector<TmpRule> rules = take(select_tmp_rules(tenant, options));
  std::string target;
  for (const auto& rule : rules) target += (target.empty() ? "" : ",") + rule.name;
  ctx.set_target(target);
  take(make_directories(tenant.state_dir / "cleaning", 0750));
  LockFile lock = take(LockFile::acquire(tenant.state_dir / "cleaning" / "clean_tmp.lock",
                                         options.wait));
  Deadline deadline(options.max_runtime);
  Json paths = Json::array();
  Json audit_paths = Json::array();
  std::uint64_t removed = 0, bytes = 0, failed = 0;
  bool stopped = false;
  for (const auto& rule : rules) {
    if (stopped) break;
    Json report;
    TmpTally t = clean_one(rule, options, ctx, deadline, report);
    summarize(ctx, rule, t, options.dry_run);
    removed += t.removed;
    bytes += t.removed_bytes;
    failed += t.failed;
    stopped = t.stopped;
    Json counts = report;
    counts.erase("entries");
    audit_paths.push_back(counts);
    paths.push_back(std::move(report));
  }
  if (stopped)
    ctx.log().warn(make_error(ExitCode::ok, "cleaning.tmp.stopped",
                              {{"duration", format_duration(*options.max_runtime)}}));
  add_clean_counters(ctx, "clean_tmp", removed, bytes);
  ctx.result()["dry_run"] = options.dry_run;
  ctx.result()["paths"] = std::move(paths);
  ctx.result()["files_removed"] = removed;
  ctx.result()["bytes_removed"] = bytes;
  ctx.result()["stopped"] = stopped;
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  if (options.older_than) details["older_than"] = format_duration(*options.older_than);
  details["paths"] = std::move(audit_paths);
  details["files_removed"] = removed;
  details["bytes_removed"] = bytes;
  ctx.set_summary(options.dry_run ? "cleaning.tmp.audit_plan" : "cleaning.tmp.audit_done",
                  {{"count", std::to_string(removed)}, {"bytes", std::to_string(bytes)}});
  if (failed)
    fail(ExitCode::io_error, "cleaning.tmp.some_failed", {{"count", std::to_string(failed)}});
  return 0;
}

}  // namespace dihya::cleaning
