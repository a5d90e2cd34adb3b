#include "monitoring/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/base/clock.hpp"

namespace dihya::monitoring {
namespace {

struct Measurement {
  std::string_view check, key, component_type;
};
constexpr Measurement k_measurements[] = {
    {"database", "database:responseTime", "datastore"},
    {"disk", "disk:freeSpace", "system"},
    {"inodes", "disk:freeInodes", "system"},
    {"backup_age", "backup:age", "component"},
    {"audit", "audit:chainIntact", "component"},
    {"retention", "retention:rowsPastRetention", "datastore"},
    {"maintenance", "maintenance:mode", "component"},
    {"metrics_stale", "metrics:age", "component"},
    {"endpoints", "endpoint:responseTime", "component"},
};

const Measurement& measurement_of(const Observation& o) {
  static constexpr Measurement k_certificate{"endpoints", "endpoint:certificateDaysLeft",
                                             "component"};
  if (o.threshold_kind == "certificate") return k_certificate;
  for (const auto& m : k_measurements)
    if (m.check == o.check) return m;
  return k_measurements[0];
}

std::string label_of(const Observation& o) {
  std::string label = o.component.empty() ? o.check : o.check + ":" + o.component;
  std::string quoted;
  for (char c : label) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "'" + quoted + "'";
}

std::string range_text(const std::optional<NagiosRange>& range) {
  return range ? range->text : "";
}

std::string optional_number(const std::optional<double>& value) {
  return value ? fmt_number(*value) : "";
}

std::string status_text(CheckStatus status, const Messages& messages) {
  switch (status) {
    case CheckStatus::ok:
      return messages.text("monitoring.status.ok");
    case CheckStatus::warning:
      return messages.text("monitoring.status.warning");
    case CheckStatus::critical:
      return messages.text("monitoring.status.critical");
    case CheckStatus::unknown:
      return messages.text("monitoring.status.unknown");
  }
  return "";
}

std::string describe(const CheckResult& r, const Messages& messages) {
  const Observation& o = r.observation;
  std::string name = o.component.empty() ? o.check : o.check + " " + o.component;
  if (o.message_id.empty()) return name;
  return name + ": " + messages.text(o.message_id, o.params);
}

}  // namespace

const char* probe_name(Probe probe) {
  switch (probe) {
    case Probe::full:
      return "full";
    case Probe::live:
      return "live";
    case Probe::ready:
      return "ready";
    case Probe::startup:
      return "startup";
  }
  return "full";
}

const char* health_status(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok:
      return "pass";
    case CheckStatus::critical:
      return "fail";
    default:
      return "warn";
  }
}

HealthReport make_report(std::string tenant, Probe probe, std::vector<CheckResult> results) {
  HealthReport report{std::move(tenant), probe, std::move(results), CheckStatus::ok};
  for (const auto& r : report.results) report.status = worse(report.status, r.status);
  return report;
}

std::string perfdata(const CheckResult& r) {
  const Observation& o = r.observation;
  std::string value = o.value ? fmt_number(*o.value) + o.unit : "U";
  std::vector<std::string> fields = {label_of(o) + "=" + value, range_text(r.thresholds.warning),
                                     range_text(r.thresholds.critical), optional_number(o.min),
                                     optional_number(o.max)};
  while (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  return fmt::format("{}", fmt::join(fields, ";"));
}

std::string nagios_text(const HealthReport& report, const Messages& messages) {
  std::vector<std::string> problems, perf;
  for (const auto& r : report.results) {
    if (r.status != CheckStatus::ok) problems.push_back(describe(r, messages));
    perf.push_back(perfdata(r));
  }
  std::string summary = !problems.empty() ? fmt::format("{}", fmt::join(problems, "; "))
                        : report.probe == Probe::live
                            ? messages.text("monitoring.health.live")
                            : messages.text("monitoring.health.summary_ok",
                                            {{"count", std::to_string(report.results.size())}});
  std::string out = fmt::format("DIHYA {} {} - {}", probe_name(report.probe),
                                status_word(report.status), summary);
  if (!perf.empty()) out += " | " + fmt::format("{}", fmt::join(perf, " "));
  out += "\n";
  for (const auto& r : report.results)
    out += fmt::format("{}: {}\n", status_word(r.status), describe(r, messages));
  return out;
}

Json health_json(const HealthReport& report, const Messages& messages) {
  Json doc = {{"status", health_status(report.status)},
              {"serviceId", "dihya/" + report.tenant},
              {"description",
               messages.text("monitoring.health.description",
                             {{"tenant", report.tenant}, {"probe", probe_name(report.probe)}})},
              {"checks", Json::object()}};
  for (const auto& r : report.results) {
    const Observation& o = r.observation;
    const Measurement& m = measurement_of(o);
    Json item = {{"componentType", m.component_type},
                 {"status", health_status(r.status)},
                 {"time", format_rfc3339_ms(o.time_ms)}};
    if (!o.component.empty()) item["componentId"] = o.component;
    if (o.value) item["observedValue"] = *o.value;
    if (o.unit == "%")
      item["observedUnit"] = "percent";
    else if (!o.unit.empty())
      item["observedUnit"] = o.unit;
    if (r.status != CheckStatus::ok) item["output"] = messages.text(o.message_id, o.params);
    doc["checks"][std::string(m.key)].push_back(item);
  }
  if (report.status != CheckStatus::ok) {
    std::vector<std::string> problems;
    for (const auto& r : report.results)
      if (r.status != CheckStatus::ok) problems.push_back(describe(r, messages));
    doc["output"] = fmt::format("{}", fmt::join(problems, "; "));
  }
  return doc;
}

std::vector<std::string> human_lines(const HealthReport& report, const Messages& messages) {
  std::vector<std::string> lines;
  lines.push_back(messages.text("monitoring.health.headline",
                                {{"tenant", report.tenant},
                                 {"probe", probe_name(report.probe)},
                                 {"status", status_text(report.status, messages)}}));
  for (const auto& r : report.results)
    lines.push_back(
        fmt::format("  {:<9} {}", status_text(r.status, messages), describe(r, messages)));
  return lines;
}

}  // namespace dihya::monitoring
