#pragma once

// The monitoring module's audit actions.
namespace dihya::monitoring::audit_events {

inline constexpr const char* k_healthcheck = "monitoring.healthcheck";
inline constexpr const char* k_exporter = "monitoring.metrics_exporter";
inline constexpr const char* k_alert = "monitoring.alert";

}  // namespace dihya::monitoring::audit_events
