#include "monitoring/services.hpp"

#include <thread>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/base/units.hpp"
#include "monitoring/alerts.hpp"
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

namespace {

// How long a firing alert stays firing in Alertmanager without being sent again.
std::int64_t resend_ms(const TenantConfig& tenant) {
  const Json& section = tenant.section("monitoring");
  if (section.contains("alert") && section["alert"].contains("resend"))
    return *parse_duration_ms(section["alert"]["resend"].get<std::string>());
  return 3'600'000;
}

// The alerts --from-healthcheck raises: one per check result that is not OK.
std::map<std::string, Alert> health_alerts(const TenantConfig& tenant, std::int64_t now,
                                           std::int64_t ends, const Messages& messages) {
  std::map<std::string, Alert> out;
  HealthReport report = check_health(tenant, HealthcheckOptions{});
  for (const auto& r : report.results) {
    if (r.status == CheckStatus::ok) continue;
    Alert a;
    a.labels = {{"alertname", "DihyaHealthcheck"},
                {"tenant", tenant.name},
                {"check", r.observation.check},
                {"severity", r.status == CheckStatus::critical ? "critical" : "warning"}};
    if (!r.observation.component.empty()) a.labels["component"] = r.observation.component;
    a.annotations["summary"] = messages.text(r.observation.message_id, r.observation.params);
    a.starts_ms = now;
    a.ends_ms = ends;
    a.source = "healthcheck";
    out[a.fingerprint()] = a;
  }
  return out;
}

// Which alerts to send now, and the state to keep afterwards.
std::vector<Alert> plan_alerts(const AlertOptions& options, const TenantConfig& tenant,
                               std::map<std::string, Alert>& state, const Messages& messages) {
  std::int64_t now = now_ms(), ends = now + resend_ms(tenant);
  std::vector<Alert> send;
  if (options.command == "sync") {
    auto failing = health_alerts(tenant, now, ends, messages);
    for (auto it = state.begin(); it != state.end();) {
      if (it->second.source == "healthcheck" && !failing.count(it->first)) {
        it->second.ends_ms = now;
        send.push_back(it->second);
        it = state.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [fp, a] : failing) {
      if (state.count(fp)) a.starts_ms = state[fp].starts_ms;  // the same alert, still firing
      state[fp] = a;
      send.push_back(a);
    }
    return send;
  }
  Alert a;
  a.labels = options.labels;
  a.labels["tenant"] = tenant.name;
  a.annotations = options.annotations;
  a.source = "cli";
  std::string fp = a.fingerprint();
  a.starts_ms = state.count(fp) ? state[fp].starts_ms : now;
  if (options.command == "resolve") {
    a.ends_ms = now;
    if (state.count(fp) && a.annotations.empty()) a.annotations = state[fp].annotations;
    state.erase(fp);
  } else {
    a.ends_ms = options.command == "test" ? now + 300'000 : ends;
    if (options.command == "send") state[fp] = a;
  }
  send.push_back(a);
  return send;
}

void list_alerts(const std::map<std::string, Alert>& state, Context& ctx) {
  Json list = Json::array();
  for (const auto& [fp, a] : state) {
    list.push_back({{"fingerprint", fp},
                    {"labels", a.labels},
                    {"annotations", a.annotations},
                    {"startsAt", format_rfc3339_ms(a.starts_ms)},
                    {"source", a.source}});
    std::string labels;
    for (const auto& [k, v] : a.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
    ctx.print(fp + "  " + format_rfc3339_ms(a.starts_ms) + "  {" + labels + "}");
  }
  ctx.result()["alerts"] = list;
  ctx.set_summary("monitoring.alert.listed", {{"count", std::to_string(state.size())}});
}

}  // namespace

int run_alert(const AlertOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  auto state = load_alert_state(tenant);
  ctx.set_target(options.command);
  if (options.command == "list") {
    list_alerts(state, ctx);
    return 0;
  }
  std::vector<Alert> send = plan_alerts(options, tenant, state, ctx.messages());
  if (send.empty()) {
    ctx.print(ctx.messages().text("monitoring.alert.nothing"));
    ctx.set_summary("monitoring.alert.nothing", {});
    return 0;
  }
  auto deliveries = take(deliver(tenant, send));
  Json audit = Json::array();
  bool all_ok = true;
  for (const auto& d : deliveries) {
    all_ok = all_ok && d.ok;
    audit.push_back({{"channel", d.channel},
                     {"ok", d.ok},
                     {"status", d.status},
                     {"attempts", d.attempts},
                     {"error", d.error_id}});
    ctx.print(ctx.messages().text(d.ok ? "monitoring.alert.delivered" : "monitoring.alert.failed",
                                  {{"channel", d.channel},
                                   {"status", std::to_string(d.status)},
                                   {"count", std::to_string(send.size())},
                                   {"attempts", std::to_string(d.attempts)}}));
  }
  Json fingerprints = Json::array();
  for (const auto& a : send)
    fingerprints.push_back({{"fingerprint", a.fingerprint()},
                            {"resolved", a.resolved()},
                            {"alertname", a.labels.at("alertname")}});
  ctx.audit_details()["deliveries"] = audit;
  ctx.audit_details()["alerts"] = fingerprints;
  ctx.result()["deliveries"] = audit;
  ctx.result()["alerts"] = fingerprints;
  ctx.set_summary("monitoring.alert.summary", {{"count", std::to_string(send.size())}});
  // Only a delivered change is remembered: a failed send is sent again next time.
  if (all_ok) take(save_alert_state(tenant, state));
  return all_ok ? 0 : to_int(ExitCode::unavailable);
}

}  // namespace dihya::monitoring
