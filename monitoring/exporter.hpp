#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/base/i18n.hpp"
#include "core/config/config.hpp"
#include "monitoring/live.hpp"
#include "monitoring/web_config.hpp"

namespace dihya::monitoring {

struct ExporterOptions {
  std::string host = "127.0.0.1";
  int port = 9879;
  std::optional<std::filesystem::path> web_config;
  unsigned max_connections = 4096;              // beyond it, new connections are refused
  std::chrono::seconds connection_timeout{10};  // an idle or trickling connection is closed
  std::chrono::milliseconds live_interval{15'000};
  std::chrono::seconds drain{10};  // on SIGTERM, how long in-flight scrapes may finish
};

// The /metrics body for every tenant of CONFIG: textfile metrics merged, live gauges and
// collectors through CACHE, and the exporter's own.
std::string render_metrics(const Config& config, LiveCache& cache);

// metrics_exporter's HTTP server (libmicrohttpd): /metrics, /healthz (live), /readyz (the
// ready probe of every tenant), basic auth and TLS from the web config, bounded connections,
// a per-connection timeout and a small request-size limit.
class ExporterServer {
 public:
  static Result<std::unique_ptr<ExporterServer>> start(const Config& config,
                                                       const ExporterOptions& options);
  ~ExporterServer();
  // Stop accepting, let in-flight requests finish (at most OPTIONS.drain), stop.
  void drain();
  std::uint64_t requests() const;

  struct State;

 private:
  explicit ExporterServer(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

}  // namespace dihya::monitoring
