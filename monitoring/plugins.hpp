#pragma once

// The monitoring module's hook points (monitoring/README.md).
namespace dihya::monitoring::plugins {

// healthcheck runs no hooks: a probe called every few seconds must not fork programs.
inline constexpr const char* k_healthcheck_point = "";
// metrics_exporter runs for days: hooks would run only at its start; it has none.
inline constexpr const char* k_exporter_point = "";
// alert.pre / alert.post run around every delivery.
inline constexpr const char* k_alert_point = "alert";

}  // namespace dihya::monitoring::plugins
