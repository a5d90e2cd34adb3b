#include "core/config/section_monitoring.hpp"

#include <algorithm>
#include <cctype>

#include "core/base/nagios_range.hpp"

namespace dihya {
namespace {

constexpr std::string_view k_checks[] = {"database",    "disk",          "inodes",
                                         "backup_age",  "audit",         "retention",
                                         "maintenance", "metrics_stale", "endpoints"};
constexpr std::string_view k_threshold_keys[] = {"warning", "critical", "certificate_warning",
                                                 "certificate_critical"};

void check_ranges(ConfigChecker& c, const Json& object, const std::string& path) {
  for (std::string_view key : k_threshold_keys) {
    std::string name(key);
    if (!object.contains(name)) continue;
    auto text = c.get_string(object, name, path, true);
    if (text && !parse_nagios_range(*text))
      c.issue(c.join(path, name), "core.config.bad_range", {{"range", *text}});
  }
}

void check_timeout(ConfigChecker& c, const Json& object, const std::string& path) {
  auto ms = c.get_duration_ms(object, "timeout", path);
  if (ms && *ms <= 0) c.issue(c.join(path, "timeout"), "core.config.expected_positive_duration");
}

void check_one_check(ConfigChecker& c, const std::string& name, const Json& check,
                     const std::string& path) {
  if (!c.expect_object(check, path,
                       {"enabled", "timeout", "warning", "critical", "certificate_warning",
                        "certificate_critical", "targets"}))
    return;
  if (check.contains("enabled") && !check["enabled"].is_boolean())
    c.issue(c.join(path, "enabled"), "core.config.expected_boolean");
  check_timeout(c, check, path);
  check_ranges(c, check, path);
  for (const std::string& target : c.get_strings(check, "targets", path))
    if (target != "db" && target != "files" && target != "config")
      c.issue(c.join(path, "targets"), "core.config.bad_backup_target", {{"target", target}});
  if (name != "backup_age" && check.contains("targets"))
    c.issue(c.join(path, "targets"), "core.json.unknown_key");
}

void check_endpoint(ConfigChecker& c, const Json& endpoint, const std::string& path) {
  if (!c.expect_object(endpoint, path,
                       {"url", "timeout", "expect_status", "warning", "critical",
                        "certificate_warning", "certificate_critical"}))
    return;
  if (auto url = c.get_string(endpoint, "url", path, true);
      url && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)
    c.issue(c.join(path, "url"), "core.config.expected_http_url");
  check_timeout(c, endpoint, path);
  check_ranges(c, endpoint, path);
  if (!endpoint.contains("expect_status")) return;
  const Json& codes = endpoint["expect_status"];
  bool ok = codes.is_array() && !codes.empty();
  for (const auto& code : codes)
    ok = ok && code.is_number_integer() && code.get<int>() >= 100 && code.get<int>() <= 599;
  if (!ok) c.issue(c.join(path, "expect_status"), "core.config.expected_http_statuses");
}

bool metric_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_' || c == ':'; });
}

void check_collector(ConfigChecker& c, const Json& collector, const std::string& path) {
  if (!c.expect_object(
          collector, path,
          {"query", "metric", "help", "type", "labels", "min_interval", "timeout", "max_series"}))
    return;
  c.get_string(collector, "query", path, true);
  if (auto metric = c.get_string(collector, "metric", path, true); metric && !metric_name(*metric))
    c.issue(c.join(path, "metric"), "core.config.bad_metric_name", {{"name", *metric}});
  c.get_string(collector, "help", path, false);
  if (auto type = c.get_string(collector, "type", path, false);
      type && *type != "gauge" && *type != "counter")
    c.issue(c.join(path, "type"), "core.config.bad_metric_type", {{"type", *type}});
  for (const std::string& label : c.get_strings(collector, "labels", path))
    if (!metric_name(label) || label.find(':') != std::string::npos || label == "tenant" ||
        label.rfind("__", 0) == 0)
      c.issue(c.join(path, "labels"), "core.config.bad_label_name", {{"name", label}});
  c.get_duration_ms(collector, "min_interval", path);
  check_timeout(c, collector, path);
  c.get_integer(collector, "max_series", path, 1, 10'000);
}

void check_http_target(ConfigChecker& c, const Json& target, const std::string& path,
                       std::initializer_list<std::string_view> extra) {
  std::vector<std::string_view> keys = {"url", "timeout", "retries"};
  keys.insert(keys.end(), extra.begin(), extra.end());
  if (!c.expect_object(target, path, std::span<const std::string_view>(keys))) return;
  if (auto url = c.get_string(target, "url", path, true);
      url && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)
    c.issue(c.join(path, "url"), "core.config.expected_http_url");
  check_timeout(c, target, path);
  c.get_integer(target, "retries", path, 0, 10);
}

void check_alert(ConfigChecker& c, const Json& alert, const std::string& path, TenantConfig& tenant,
                 Json& stored) {
  if (!c.expect_object(alert, path, {"alertmanager", "webhook", "resend"})) return;
  if (alert.contains("alertmanager"))
    check_http_target(c, alert["alertmanager"], c.join(path, "alertmanager"), {});
  if (alert.contains("webhook")) {
    std::string webhook = c.join(path, "webhook");
    check_http_target(c, alert["webhook"], webhook, {"secret_file"});
    if (auto secret = c.get_string(alert["webhook"], "secret_file", webhook, false))
      stored["alert"]["webhook"]["secret_file"] = c.resolve(*secret).string();
  }
  c.get_duration_ms(alert, "resend", path);
  (void)tenant;
}

}  // namespace

std::span<const std::string_view> monitoring_check_names() {
  return k_checks;
}

void check_monitoring_section(ConfigChecker& c, const Json& section, const std::string& path,
                              TenantConfig& tenant) {
  if (!c.expect_object(section, path,
                       {"cache", "checks", "endpoints", "collectors", "exporter", "alert"}))
    return;
  c.get_duration_ms(section, "cache", path);
  if (section.contains("exporter") &&
      c.expect_object(section["exporter"], c.join(path, "exporter"), {"min_interval"}))
    c.get_duration_ms(section["exporter"], "min_interval", c.join(path, "exporter"));
  if (section.contains("collectors")) {
    std::string collectors_path = c.join(path, "collectors");
    if (c.expect_object(section["collectors"], collectors_path, {}))
      for (const auto& [name, collector] : section["collectors"].items())
        check_collector(c, collector, c.join(collectors_path, name));
  }
  if (section.contains("checks")) {
    std::string checks_path = c.join(path, "checks");
    if (c.expect_object(section["checks"], checks_path, k_checks))
      for (const auto& [name, check] : section["checks"].items())
        check_one_check(c, name, check, c.join(checks_path, name));
  }
  if (section.contains("endpoints")) {
    std::string endpoints_path = c.join(path, "endpoints");
    if (c.expect_object(section["endpoints"], endpoints_path, {}))
      for (const auto& [name, endpoint] : section["endpoints"].items())
        check_endpoint(c, endpoint, c.join(endpoints_path, name));
  }
  Json stored = section;
  if (section.contains("alert"))
    check_alert(c, section["alert"], c.join(path, "alert"), tenant, stored);
  tenant.sections["monitoring"] = stored;
}

}  // namespace dihya
