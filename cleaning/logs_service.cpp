// clean_logs: every declared log set of the tenant, under one lock and one state file.
#include "cleaning/logs.hpp"
#include "cleaning/logs_rotate.hpp"
#include "cleaning/logs_state.hpp"
#include "cleaning/services.hpp"
#include "core/base/clock.hpp"
#include "core/base/units.hpp"

namespace dihya::cleaning {

int run_clean_logs(const LogsOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  std::vector<LogRule> rules = take(select_log_rules(tenant, options));
  std::string target;
  for (const auto& r : rules) target += (target.empty() ? "" : ",") + r.name;
  ctx.set_target(target);
  for (const auto& rule : rules) take(check_log_dir(rule));
  fs::path dir = tenant.state_dir / "cleaning";
  take(make_directories(dir, 0750));
  LockFile lock = take(LockFile::acquire(dir / "logs.state.lock", false));
  std::vector<Error> warnings;
  LogState state = LogState::load(dir / "logs.state", warnings);
  for (const auto& w : warnings) ctx.log().warn(w);

  Json logs = Json::array();
  Json audit_logs = Json::array();
  LogTally all;
  for (const auto& rule : rules) {
    LogTally t;
    LogRun run;
    run.rule = &rule;
    run.state = &state;
    run.dry_run = options.dry_run;
    run.force = options.force;
    run.now_ms = now_ms();
    run.warn = [&](const Error& e) { ctx.log().warn(e); };
    run.say = [&](const std::string& id, const MessageParams& params) {
      if (!ctx.quiet()) ctx.print(m.text(id, params));
    };
    Json files = Json::array();
    take(rotate_logs(run, t, files));
    Json counts = {{"name", rule.name},
                   {"rotated", t.rotated},
                   {"compressed", t.compressed},
                   {"removed", t.removed},
                   {"removed_bytes", t.removed_bytes},
                   {"left_uncompressed", t.left_uncompressed},
                   {"copy_window_bytes", t.copy_window_bytes},
                   {"reopen_failed", t.reopen_failed}};
    audit_logs.push_back(counts);
    counts["files"] = files;
    logs.push_back(counts);
    if (!options.dry_run)
      ctx.print(m.text("cleaning.logs.summary", {{"log", rule.name},
                                                 {"count", std::to_string(t.rotated)},
                                                 {"compressed", std::to_string(t.compressed)},
                                                 {"removed", std::to_string(t.removed)},
                                                 {"bytes", format_size(t.removed_bytes)}}));
    if (t.copy_window_bytes)
      ctx.print(m.text("cleaning.logs.copy_window",
                       {{"log", rule.name}, {"bytes", std::to_string(t.copy_window_bytes)}}));
    all.rotated += t.rotated;
    all.removed += t.removed;
    all.removed_bytes += t.removed_bytes;
  }
  if (!options.dry_run) take(state.save());
  add_clean_counters(ctx, "clean_logs", all.removed, all.removed_bytes);
  ctx.metrics().add("dihya_clean_logs_rotated", "Logs the last run rotated.",
                    MetricSet::Type::gauge, static_cast<double>(all.rotated));
  ctx.result()["dry_run"] = options.dry_run;
  ctx.result()["logs"] = logs;
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  details["force"] = options.force;
  details["logs"] = audit_logs;
  details["rotated"] = all.rotated;
  details["files_removed"] = all.removed;
  details["bytes_removed"] = all.removed_bytes;
  ctx.set_summary(options.dry_run ? "cleaning.tmp.audit_plan" : "cleaning.logs.audit_done",
                  {{"count", std::to_string(all.rotated)}});
  return 0;
}

}  // namespace dihya::cleaning
