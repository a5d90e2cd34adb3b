#include "monitoring/checks.hpp"

#include <algorithm>
#include <cmath>
#include <future>
#include <memory>
#include <thread>

#include "core/base/clock.hpp"
#include "core/base/units.hpp"
#include "core/config/section_monitoring.hpp"
#include "core/run/health.hpp"
#include "monitoring/endpoints.hpp"

namespace dihya::monitoring {
namespace {

struct Defaults {
  std::string_view name;
  std::int64_t timeout_ms;
  const char* warning;
  const char* critical;
};
constexpr Defaults k_defaults[] = {
    {"database", 5'000, "1", "5"},
    {"disk", 5'000, "10:", "5:"},
    {"inodes", 5'000, "10:", "5:"},
    {"backup_age", 10'000, "93600", "180000"},
    {"audit", 30'000, nullptr, nullptr},
    {"retention", 30'000, "0", nullptr},
    {"maintenance", 5'000, nullptr, nullptr},
    {"metrics_stale", 5'000, "691200", nullptr},
    {"endpoints", 10'000, "2", "10"},
};

const Defaults& defaults_of(const std::string& name) {
  for (const auto& d : k_defaults)
    if (d.name == name) return d;
  return k_defaults[0];
}

std::optional<NagiosRange> range_of(const Json& settings, const char* key, const char* fallback) {
  if (settings.contains(key)) return take(parse_nagios_range(settings[key].get<std::string>()));
  if (!fallback) return std::nullopt;
  return take(parse_nagios_range(fallback));
}

Observation base(const std::string& check, std::string component, std::string unit) {
  Observation o;
  o.check = check;
  o.component = std::move(component);
  o.unit = std::move(unit);
  o.time_ms = now_ms();
  return o;
}

Observation failed(const std::string& check, std::string component, const Error& error,
                   CheckStatus status) {
  Observation o = base(check, std::move(component), "");
  o.fixed = status;
  o.message_id = error.id;
  o.params = error.params;
  return o;
}

std::vector<Observation> observe_database(const TenantConfig& tenant, const CheckSettings& s) {
  auto rtt = health::database_round_trip_ms(tenant, s.timeout);
  if (!rtt) return {failed(s.name, "", rtt.error(), CheckStatus::critical)};
  Observation o = base(s.name, "", "s");
  o.value = *rtt / 1000.0;
  o.min = 0;
  o.message_id = "monitoring.check.database_rtt";
  o.params = {{"ms", fmt_number(std::round(*rtt * 10) / 10)}};
  return {o};
}

std::vector<Observation> observe_space(const TenantConfig& tenant, const CheckSettings& s) {
  std::vector<Observation> out;
  bool inodes = s.name == "inodes";
  for (const auto& root : health::root_space(tenant)) {
    std::uint64_t total = inodes ? root.total_inodes : root.total_bytes;
    std::uint64_t free = inodes ? root.free_inodes : root.free_bytes;
    Observation o = base(s.name, root.name, "%");
    o.min = 0;
    o.max = 100;
    // A file system without an inode table (btrfs reports 0) has no inode limit.
    o.value = total == 0 ? 100.0 : 100.0 * static_cast<double>(free) / static_cast<double>(total);
    o.message_id = inodes ? "monitoring.check.inodes_free" : "monitoring.check.disk_free";
    o.params = {{"percent", fmt_number(std::round(*o.value * 10) / 10)},
                {"free", inodes ? std::to_string(free) : format_size(free)},
                {"path", root.path.string()}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Observation> observe_backups(const TenantConfig& tenant, const CheckSettings& s) {
  if (!tenant.backup.contains("repository")) return {};
  auto newest = health::newest_backups(tenant);
  if (!newest) return {failed(s.name, "", newest.error(), CheckStatus::unknown)};
  std::vector<std::string> targets = s.targets;
  if (targets.empty())
    for (const auto& b : *newest) targets.push_back(b.target);
  if (targets.empty()) targets.push_back("db");
  std::vector<Observation> out;
  std::int64_t now = now_ms();
  for (const auto& target : targets) {
    auto it = std::find_if(newest->begin(), newest->end(),
                           [&](const health::NewestBackup& b) { return b.target == target; });
    if (it == newest->end()) {
      Observation o = base(s.name, target, "s");
      o.fixed = CheckStatus::critical;
      o.message_id = "monitoring.check.backup_never";
      o.params = {{"target", target}};
      out.push_back(std::move(o));
      continue;
    }
    Observation o = base(s.name, target, "s");
    o.value = static_cast<double>(std::max<std::int64_t>(0, now - it->created_ms)) / 1000.0;
    o.min = 0;
    o.message_id = "monitoring.check.backup_age";
    o.params = {{"target", target},
                {"age", format_duration((now - it->created_ms) / 1000 * 1000)},
                {"id", it->id}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Observation> observe_audit(const TenantConfig& tenant, const CheckSettings& s) {
  auto state = health::audit_state(tenant);
  if (!state) return {failed(s.name, "", state.error(), CheckStatus::unknown)};
  Observation o = base(s.name, "", "");
  o.value = state->intact ? 1 : 0;
  o.min = 0;
  o.max = 1;
  if (state->intact) {
    o.message_id = "monitoring.check.audit_intact";
    o.params = {{"count", std::to_string(state->records)}};
  } else {
    o.fixed = CheckStatus::critical;
    o.message_id = "monitoring.check.audit_broken";
    o.params = {{"seq", state->broken_seq ? std::to_string(*state->broken_seq) : "?"}};
  }
  return {o};
}

std::vector<Observation> observe_retention(const TenantConfig& tenant, const CheckSettings& s) {
  if (!tenant.personal_data.contains("tables")) return {};
  auto db = open_database(tenant.database, {.must_exist = true});
  if (!db) return {failed(s.name, "", db.error(), CheckStatus::unknown)};
  auto overdue = health::rows_past_retention(tenant, **db, now_ms());
  if (!overdue) return {failed(s.name, "", overdue.error(), CheckStatus::unknown)};
  std::vector<Observation> out;
  for (const auto& table : *overdue) {
    Observation o = base(s.name, table.table, "");
    o.value = static_cast<double>(table.rows);
    o.min = 0;
    o.message_id = "monitoring.check.retention_rows";
    o.params = {{"count", std::to_string(table.rows)}, {"table", table.table}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Observation> observe_maintenance(const TenantConfig& tenant, const CheckSettings& s) {
  auto state = health::maintenance_state(tenant, now_ms());
  if (!state) return {failed(s.name, "", state.error(), CheckStatus::unknown)};
  Observation o = base(s.name, "", "");
  o.value = state->on ? 1 : 0;
  o.min = 0;
  o.max = 1;
  if (state->on) {
    o.fixed = CheckStatus::warning;
    o.message_id = "monitoring.check.maintenance_on";
    o.params = {{"reason", state->reason}, {"by", state->by}};
  } else {
    o.message_id = "monitoring.check.maintenance_off";
  }
  return {o};
}

std::vector<Observation> observe_metrics(const TenantConfig& tenant, const CheckSettings& s) {
  std::vector<Observation> out;
  std::int64_t now = now_ms();
  for (const auto& file : health::metrics_files(tenant)) {
    Observation o = base(s.name, file.tool, "s");
    std::int64_t age = std::max<std::int64_t>(0, now - file.modified_ms);
    o.value = static_cast<double>(age) / 1000.0;
    o.min = 0;
    o.message_id = "monitoring.check.metrics_age";
    o.params = {{"tool", file.tool}, {"age", format_duration(age / 1000 * 1000)}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Observation> observe_now(const TenantConfig& tenant, const CheckSettings& s) {
  if (s.name == "database") return observe_database(tenant, s);
  if (s.name == "disk" || s.name == "inodes") return observe_space(tenant, s);
  if (s.name == "backup_age") return observe_backups(tenant, s);
  if (s.name == "audit") return observe_audit(tenant, s);
  if (s.name == "retention") return observe_retention(tenant, s);
  if (s.name == "maintenance") return observe_maintenance(tenant, s);
  if (s.name == "metrics_stale") return observe_metrics(tenant, s);
  if (s.name == "endpoints") return observe_endpoints(tenant, s);
  return {};
}

using Pending = std::shared_ptr<std::promise<std::vector<Observation>>>;

// Start check S on a thread of its own; a thread that overruns is left behind, detached.
std::future<std::vector<Observation>> start(const TenantConfig& tenant, const CheckSettings& s) {
  Pending promise = std::make_shared<std::promise<std::vector<Observation>>>();
  auto future = promise->get_future();
  std::thread([promise, tenant, s] {
    try {
      promise->set_value(observe_now(tenant, s));
    } catch (const Failure& failure) {
      promise->set_value({failed(s.name, "", failure.error(), CheckStatus::unknown)});
    } catch (const std::exception& e) {
      promise->set_value(
          {failed(s.name, "",
                  make_error(ExitCode::failure, "monitoring.check.crashed", {{"reason", e.what()}}),
                  CheckStatus::unknown)});
    }
  }).detach();
  return future;
}

std::vector<Observation> wait_for(std::future<std::vector<Observation>>& future,
                                  const CheckSettings& s,
                                  std::chrono::steady_clock::time_point deadline) {
  if (future.wait_until(deadline) == std::future_status::ready) return future.get();
  return {failed(s.name, "",
                 make_error(ExitCode::temp_failure, "monitoring.check.timed_out",
                            {{"timeout", format_duration(s.timeout.count())}}),
                 s.name == "database" ? CheckStatus::critical : CheckStatus::unknown)};
}

}  // namespace

std::string fmt_number(double value) {
  std::string text = std::to_string(value);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

CheckStatus worse(CheckStatus a, CheckStatus b) {
  auto rank = [](CheckStatus s) {
    switch (s) {
      case CheckStatus::critical:
        return 3;
      case CheckStatus::warning:
        return 2;
      case CheckStatus::unknown:
        return 1;
      case CheckStatus::ok:
        return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

const char* status_word(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok:
      return "OK";
    case CheckStatus::warning:
      return "WARNING";
    case CheckStatus::critical:
      return "CRITICAL";
    case CheckStatus::unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

CheckSettings check_settings(const TenantConfig& tenant, const std::string& name) {
  const Json& section = tenant.section("monitoring");
  Json settings = Json::object();
  if (section.contains("checks") && section["checks"].contains(name))
    settings = section["checks"][name];
  const Defaults& d = defaults_of(name);
  CheckSettings s;
  s.name = name;
  s.enabled = settings.value("enabled", true);
  s.timeout = std::chrono::milliseconds(
      settings.contains("timeout") ? *parse_duration_ms(settings["timeout"].get<std::string>())
                                   : d.timeout_ms);
  s.thresholds = {range_of(settings, "warning", d.warning),
                  range_of(settings, "critical", d.critical)};
  s.certificate = {range_of(settings, "certificate_warning", "21:"),
                   range_of(settings, "certificate_critical", "7:")};
  if (settings.contains("targets")) s.targets = settings["targets"].get<std::vector<std::string>>();
  return s;
}

std::vector<std::string> probe_checks(const TenantConfig& tenant, Probe probe) {
  std::vector<std::string> names;
  switch (probe) {
    case Probe::live:
      return {};
    case Probe::startup:
      names = {"database"};
      break;
    case Probe::ready:
      names = {"database", "disk", "inodes", "maintenance", "endpoints"};
      break;
    case Probe::full:
      for (std::string_view name : monitoring_check_names()) names.emplace_back(name);
      break;
  }
  std::vector<std::string> enabled;
  for (const auto& name : names)
    if (check_settings(tenant, name).enabled) enabled.push_back(name);
  return enabled;
}

std::vector<Observation> observe(const TenantConfig& tenant, const CheckSettings& settings) {
  auto future = start(tenant, settings);
  return wait_for(future, settings, std::chrono::steady_clock::now() + settings.timeout);
}

std::map<std::string, std::vector<Observation>> observe_all(
    const TenantConfig& tenant, const std::vector<CheckSettings>& settings) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::future<std::vector<Observation>>> futures;
  for (const auto& s : settings) futures.push_back(start(tenant, s));
  std::map<std::string, std::vector<Observation>> out;
  for (std::size_t i = 0; i < settings.size(); ++i)
    out[settings[i].name] = wait_for(futures[i], settings[i], started + settings[i].timeout);
  return out;
}

CheckResult evaluate(const Observation& observation, const CheckSettings& settings) {
  CheckResult result{
      observation,
      observation.threshold_kind == "certificate" ? settings.certificate : settings.thresholds,
      CheckStatus::ok};
  if (!settings.from_command_line)
    for (const auto& [key, text] : observation.params) {
      if (key == "warning_range") result.thresholds.warning = take(parse_nagios_range(text));
      if (key == "critical_range") result.thresholds.critical = take(parse_nagios_range(text));
    }
  if (observation.fixed) {
    result.status = *observation.fixed;
  } else if (!observation.value) {
    result.status = CheckStatus::unknown;
  } else if (result.thresholds.critical && result.thresholds.critical->alerts(*observation.value)) {
    result.status = CheckStatus::critical;
  } else if (result.thresholds.warning && result.thresholds.warning->alerts(*observation.value)) {
    result.status = CheckStatus::warning;
  }
  return result;
}

Json to_json(const Observation& o) {
  Json j = {{"check", o.check},     {"component", o.component},   {"unit", o.unit},
            {"time_ms", o.time_ms}, {"message_id", o.message_id}, {"kind", o.threshold_kind}};
  if (o.value) j["value"] = *o.value;
  if (o.min) j["min"] = *o.min;
  if (o.max) j["max"] = *o.max;
  if (o.fixed) j["fixed"] = static_cast<int>(*o.fixed);
  Json params = Json::array();
  for (const auto& [k, v] : o.params) params.push_back({k, v});
  j["params"] = params;
  return j;
}

Observation observation_from_json(const Json& j) {
  Observation o;
  o.check = j.value("check", "");
  o.component = j.value("component", "");
  o.unit = j.value("unit", "");
  o.time_ms = j.value("time_ms", std::int64_t{0});
  o.message_id = j.value("message_id", "");
  o.threshold_kind = j.value("kind", "");
  if (j.contains("value")) o.value = j["value"].get<double>();
  if (j.contains("min")) o.min = j["min"].get<double>();
  if (j.contains("max")) o.max = j["max"].get<double>();
  if (j.contains("fixed")) o.fixed = static_cast<CheckStatus>(j["fixed"].get<int>());
  if (j.contains("params"))
    for (const auto& p : j["params"])
      o.params.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return o;
}

}  // namespace dihya::monitoring
