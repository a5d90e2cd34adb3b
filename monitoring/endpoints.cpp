#include "monitoring/endpoints.hpp"

#include <algorithm>
#include <cmath>

#include "core/base/clock.hpp"
#include "core/base/units.hpp"
#include "core/io/http.hpp"

namespace dihya::monitoring {
namespace {

std::optional<NagiosRange> override_range(const Json& endpoint, const char* key,
                                          const std::optional<NagiosRange>& fallback) {
  if (!endpoint.contains(key)) return fallback;
  return take(parse_nagios_range(endpoint[key].get<std::string>()));
}

std::vector<Observation> probe(const std::string& name, const Json& endpoint,
                               const CheckSettings& settings) {
  http::Request request;
  request.url = endpoint["url"].get<std::string>();
  request.timeout =
      endpoint.contains("timeout")
          ? std::chrono::milliseconds(*parse_duration_ms(endpoint["timeout"].get<std::string>()))
          : settings.timeout;
  request.connect_timeout = std::min(request.connect_timeout, request.timeout);
  std::vector<int> expected = endpoint.value("expect_status", std::vector<int>{200});
  Observation latency;
  latency.check = settings.name;
  latency.component = name;
  latency.unit = "s";
  latency.min = 0;
  latency.time_ms = now_ms();
  auto response = http::perform(request);
  if (!response) {
    latency.fixed = CheckStatus::critical;
    latency.message_id = response.error().id;
    latency.params = response.error().params;
    return {latency};
  }
  latency.value = response->seconds;
  latency.params = {{"name", name},
                    {"status", std::to_string(response->status)},
                    {"ms", fmt_number(std::round(response->seconds * 10000) / 10)}};
  latency.message_id = "monitoring.check.endpoint";
  if (std::find(expected.begin(), expected.end(), response->status) == expected.end()) {
    latency.fixed = CheckStatus::critical;
    latency.message_id = "monitoring.check.endpoint_status";
  }
  std::vector<Observation> out = {latency};
  if (response->certificate_expires_ms) {
    Observation days = latency;
    days.fixed.reset();
    days.unit = "";
    days.threshold_kind = "certificate";
    days.component = name + ".certificate";
    days.value = static_cast<double>(*response->certificate_expires_ms - now_ms()) / 86'400'000.0;
    days.message_id = "monitoring.check.certificate_days";
    days.params = {{"name", name}, {"days", fmt_number(std::floor(*days.value))}};
    out.push_back(days);
  }
  return out;
}

}  // namespace

std::vector<Observation> observe_endpoints(const TenantConfig& tenant,
                                           const CheckSettings& settings) {
  const Json& section = tenant.section("monitoring");
  std::vector<Observation> out;
  if (!section.contains("endpoints")) return out;
  for (const auto& [name, endpoint] : section["endpoints"].items()) {
    auto observed = probe(name, endpoint, settings);
    // An endpoint's own thresholds are kept with its observations (per-endpoint ranges).
    for (auto& o : observed) {
      auto warning = override_range(
          endpoint, o.threshold_kind == "certificate" ? "certificate_warning" : "warning",
          std::nullopt);
      auto critical = override_range(
          endpoint, o.threshold_kind == "certificate" ? "certificate_critical" : "critical",
          std::nullopt);
      if (warning) o.params.emplace_back("warning_range", warning->text);
      if (critical) o.params.emplace_back("critical_range", critical->text);
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace dihya::monitoring
