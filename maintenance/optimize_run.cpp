// optimize_db: plan from measurements, then apply each step under a lock timeout.
#include <chrono>
#include <thread>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/base/units.hpp"
#include "maintenance/optimize.hpp"
#include "maintenance/services.hpp"

namespace dihya::maintenance {
namespace {

// Session settings: how long a statement may wait for a lock, and run.
Status limit_waits(Database& db, const OptimizeThresholds& t) {
  if (db.engine() == Engine::sqlite)
    return db.execute("PRAGMA busy_timeout = " + std::to_string(t.lock_timeout_ms));
  if (Status lock = db.execute("SET lock_timeout = " + std::to_string(t.lock_timeout_ms)); !lock)
    return lock;
  return db.execute("SET statement_timeout = " + std::to_string(t.statement_timeout_ms));
}

// Run STEP as its owner; a statement that timed out waiting for a lock is tried again after a
// pause, up to T.retries times, then given up (75).
Status apply(Database& db, const OptimizeStep& step, const OptimizeThresholds& t, Log& log) {
  if (!step.owner.empty())
    if (Status role = db.execute("SET ROLE " + quote_identifier(step.owner)); !role) return role;
  Status ran;
  for (std::int64_t attempt = 0;; ++attempt) {
    check_interrupted();
    ran = db.execute(step.sql);
    if (ran || ran.error().code != ExitCode::temp_failure || attempt >= t.retries) break;
    log.warn(make_error(ExitCode::temp_failure, "maintenance.optimize.lock_retry",
                        {{"object", step.object}, {"attempt", std::to_string(attempt + 1)}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(t.lock_timeout_ms));
  }
  if (!step.owner.empty()) (void)db.execute("RESET ROLE");
  return ran;
}

void print_step(const OptimizeStep& step, const Messages& m, Context& ctx) {
  std::string line = m.text("maintenance.optimize.step",
                            {{"action", step.sql}, {"reason", m.text(step.reason)}});
  if (step.refusal) line += " — " + m.text(*step.refusal);
  ctx.print(line);
}

Status check_window(const MaintenanceSettings& settings, const OptimizeOptions& options,
                    bool dry_run) {
  if (!settings.window || dry_run || settings.window->contains(now_ms())) return {};
  if (options.force && options.reason) return {};
  return make_error(ExitCode::temp_failure, "maintenance.optimize.outside_window");
}

}  // namespace

int run_optimize_db(const OptimizeOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  MaintenanceSettings settings = maintenance_settings(tenant);
  const OptimizeThresholds& t = settings.optimize;
  ctx.set_target(tenant.name);
  take(check_window(settings, options, ctx.dry_run()));
  if (options.reason) ctx.audit_details()["reason"] = *options.reason;
  auto db = take(open_database(tenant.database, {.must_exist = true}));
  take(limit_waits(*db, t));
  std::optional<fs::path> file = tenant.sqlite_path();
  OptimizePlan plan = take(plan_optimize(*db, file, t, options.request));
  Json planned = Json::array();
  for (const auto& step : plan.steps) planned.push_back(step_json(step));
  ctx.result() = {{"tenant", tenant.name},
                  {"engine", plan.engine == Engine::sqlite ? "sqlite" : "postgresql"},
                  {"dry_run", ctx.dry_run()},
                  {"measurements", plan.measurements},
                  {"plan", planned}};
  ctx.print(m.text(ctx.dry_run() ? "maintenance.optimize.plan_header" : "maintenance.optimize.run_header",
                   {{"count", std::to_string(plan.steps.size())}}));
  int code = 0;
  Json done = Json::array();
  std::int64_t before_total = 0, after_total = 0;
  for (const auto& step : plan.steps) {
    print_step(step, m, ctx);
    if (ctx.dry_run()) continue;
    Json entry = step_json(step);
    if (step.refusal) {
      // A step the plan itself left out for want of a flag is no failure.
      if (step.refusal->code != ExitCode::ok && !code) code = to_int(ExitCode::failure);
      entry["outcome"] = step.refusal->code == ExitCode::ok ? "skipped" : "refused";
      done.push_back(entry);
      continue;
    }
    std::int64_t before = take(step_object_bytes(*db, file, step));
    std::int64_t started = now_ms();
    Status ran = apply(*db, step, t, ctx.log());
    std::int64_t ms = now_ms() - started;
    std::int64_t after = take(step_object_bytes(*db, file, step));
    entry["before_bytes"] = before;
    entry["after_bytes"] = after;
    entry["duration_ms"] = ms;
    entry["outcome"] = ran ? "done" : "failed";
    if (!ran) {
      ctx.log().error(ran.error());
      entry["error"] = {{"id", ran.error().id}};
      if (!code) code = to_int(ran.error().code == ExitCode::temp_failure ? ExitCode::temp_failure
                                                                          : ExitCode::failure);
    } else {
      before_total += before;
      after_total += after;
      ctx.print("  " + m.text("maintenance.optimize.step_done",
                              {{"before", format_size(static_cast<std::uint64_t>(before))},
                               {"after", format_size(static_cast<std::uint64_t>(after))},
                               {"duration", format_duration(ms)}}));
    }
    done.push_back(entry);
  }
  if (!ctx.dry_run()) ctx.result()["steps"] = done;
  ctx.audit_details()["steps"] = plan.steps.size();
  ctx.audit_details()["dry_run"] = ctx.dry_run();
  ctx.metrics().add("dihya_optimize_steps", "Steps in optimize_db's last plan.",
                    MetricSet::Type::gauge, static_cast<double>(plan.steps.size()));
  ctx.set_summary(ctx.dry_run() ? "maintenance.optimize.summary_plan" : "maintenance.optimize.summary",
                  {{"count", std::to_string(plan.steps.size())}});
  return code;
}

}  // namespace dihya::maintenance
