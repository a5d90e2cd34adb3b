#include "monitoring/validators.hpp"

#include <algorithm>
#include <charconv>

#include "core/config/section_monitoring.hpp"

namespace dihya::monitoring {
namespace {

Result<Probe> parse_probe(const std::string& text) {
  if (text == "live") return Probe::live;
  if (text == "ready") return Probe::ready;
  if (text == "startup") return Probe::startup;
  return usage_error("monitoring.usage.bad_probe", {{"value", text}});
}

bool known_check(const std::string& name) {
  auto names = monitoring_check_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<ExporterOptions> parse_exporter_options(const Arguments& args) {
  ExporterOptions options;
  if (auto listen = args.value("listen")) {
    auto colon = listen->rfind(':');
    int port = 0;
    if (colon != std::string::npos) {
      auto digits = listen->substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (ec != std::errc() || end != digits.data() + digits.size()) port = 0;
    }
    if (colon == std::string::npos || colon == 0 || port < 1 || port > 65535)
      return usage_error("monitoring.exporter.bad_listen", {{"value", *listen}});
    options.host = listen->substr(0, colon);
    options.port = port;
  }
  if (auto file = args.value("web-config")) options.web_config = *file;
  if (auto n = args.value("max-connections")) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
    if (ec != std::errc() || end != n->data() + n->size() || value < 1 || value > 1'000'000)
      return usage_error("monitoring.exporter.bad_max_connections", {{"value", *n}});
    options.max_connections = value;
  }
  auto interval = args.duration_ms("live-interval");
  if (!interval) return interval.error();
  if (*interval) options.live_interval = std::chrono::milliseconds(**interval);
  return options;
}

Result<AlertOptions> parse_alert_options(const Arguments& args) {
  AlertOptions options;
  const auto& words = args.positional();
  if (args.flag("from-healthcheck")) {
    if (!words.empty()) return usage_error("monitoring.alert.from_healthcheck_alone");
    options.command = "sync";
    return options;
  }
  if (words.empty())
    return usage_error("core.usage.missing_argument", {{"argument", "send|resolve|test|list"}});
  if (words.size() > 1)
    return usage_error("core.usage.unexpected_argument", {{"argument", words[1]}});
  options.command = words[0];
  if (options.command != "send" && options.command != "resolve" && options.command != "test" &&
      options.command != "list")
    return usage_error("monitoring.alert.unknown_command", {{"command", options.command}});
  for (const auto& label : args.values("label")) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("monitoring.alert.bad_label", {{"value", label}});
    options.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  if (auto name = args.value("name")) options.labels["alertname"] = *name;
  if (options.command == "test") options.labels["alertname"] = "DihyaTest";
  if ((options.command == "send" || options.command == "resolve") &&
      !options.labels.count("alertname"))
    return usage_error("monitoring.alert.needs_name", {{"command", options.command}});
  options.labels["severity"] =
      args.value("severity").value_or(options.command == "test" ? "info" : "warning");
  if (auto summary = args.value("summary")) options.annotations["summary"] = *summary;
  return options;
}

Result<HealthcheckOptions> parse_healthcheck_options(const Arguments& args) {
  HealthcheckOptions options;
  if (auto probe = args.value("probe")) {
    auto parsed = parse_probe(*probe);
    if (!parsed) return parsed.error();
    options.probe = *parsed;
  }
  for (const auto& name : args.values("check")) {
    if (!known_check(name)) return usage_error("monitoring.usage.unknown_check", {{"check", name}});
    if (std::find(options.checks.begin(), options.checks.end(), name) == options.checks.end())
      options.checks.push_back(name);
  }
  if (options.probe == Probe::live && !options.checks.empty())
    return usage_error("monitoring.usage.live_with_check");
  options.nagios = args.flag("nagios");
  if (options.nagios && args.flag("json")) return usage_error("monitoring.usage.nagios_json");
  for (const char* key : {"warning", "critical"}) {
    auto text = args.value(key);
    if (!text) continue;
    if (options.checks.size() != 1) return usage_error("monitoring.usage.threshold_one_check");
    auto range = parse_nagios_range(*text);
    if (!range) return range.error();
    (std::string(key) == "warning" ? options.warning : options.critical) = *range;
  }
  return options;
}

}  // namespace dihya::monitoring
