#include "monitoring/services.hpp"

#include <thread>

#include "core/base/signals.hpp"
#include "monitoring/audit_events.hpp"
#include "monitoring/health_cache.hpp"

namespace dihya::monitoring {
namespace {

std::vector<CheckSettings> selected_settings(const TenantConfig& tenant,
                                             const HealthcheckOptions& options) {
  std::vector<std::string> names =
      options.checks.empty() ? probe_checks(tenant, options.probe) : options.checks;
  std::vector<CheckSettings> settings;
  for (const auto& name : names) {
    CheckSettings s = check_settings(tenant, name);
    if (options.warning || options.critical) {
      s.from_command_line = true;
      if (options.warning) s.thresholds.warning = options.warning;
      if (options.critical) s.thresholds.critical = options.critical;
    }
    settings.push_back(std::move(s));
  }
  return settings;
}

void record(const HealthReport& report, Context& ctx) {
  ctx.set_target(probe_name(report.probe));
  Json problems = Json::array();
  for (const auto& r : report.results)
    if (r.status != CheckStatus::ok)
      problems.push_back(r.observation.component.empty()
                             ? r.observation.check
                             : r.observation.check + ":" + r.observation.component);
  ctx.audit_details()["status"] = status_word(report.status);
  ctx.audit_details()["problems"] = problems;
  ctx.set_summary("monitoring.health.audit_summary", {{"status", status_word(report.status)},
                                                      {"count", std::to_string(problems.size())}});
  ctx.metrics().add("dihya_healthcheck_status",
                    "State of the last healthcheck: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN",
                    MetricSet::Type::gauge, static_cast<double>(report.status),
                    {{"probe", probe_name(report.probe)}});
}

}  // namespace

HealthReport check_health(const TenantConfig& tenant, const HealthcheckOptions& options) {
  std::vector<CheckSettings> settings = selected_settings(tenant, options);
  auto observed = cached_observations(tenant, settings, cache_window(tenant));
  std::vector<CheckResult> results;
  for (const auto& s : settings)
    for (const auto& o : observed[s.name]) results.push_back(evaluate(o, s));
  return make_report(tenant.name, options.probe, std::move(results));
}

int run_healthcheck(const HealthcheckOptions& options, Context& ctx) {
  HealthReport report = check_health(ctx.tenant(), options);
  record(report, ctx);
  if (options.nagios) {
    std::fputs(nagios_text(report, ctx.messages()).c_str(), stdout);
  } else if (ctx.json()) {
    ctx.result() = health_json(report, ctx.messages());
  } else {
    for (const auto& line : human_lines(report, ctx.messages())) ctx.print(line);
  }
  return static_cast<int>(report.status);
}

int run_metrics_exporter(const ExporterOptions& options, Context& ctx) {
  auto server = take(ExporterServer::start(ctx.config(), options));
  std::string where = options.host + ":" + std::to_string(options.port);
  ctx.log().info("monitoring.exporter.listening", {{"address", where}});
  ctx.set_target(where);
  while (!interrupted()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int signal = interrupting_signal();
  ctx.log().info("monitoring.exporter.draining", {{"address", where}});
  server->drain();
  ctx.audit_details()["requests"] = server->requests();
  ctx.audit_details()["signal"] = signal;
  ctx.set_summary("monitoring.exporter.stopped", {{"count", std::to_string(server->requests())}});
  acknowledge_interrupt();
  return 0;
}

}  // namespace dihya::monitoring
