// metrics_exporter: every tenant's metrics over HTTP for Prometheus, with /healthz and /readyz.
#include "monitoring/audit_events.hpp"
#include "monitoring/plugins.hpp"
#include "monitoring/services.hpp"
#include "monitoring/validators.hpp"

namespace {

using namespace dihya;

void declare_options(OptionSet& options) {
  options.value("listen", "ADDR:PORT", "monitoring.exporter.opt.listen");
  options.value("web-config", "FILE", "monitoring.exporter.opt.web_config");
  options.value("max-connections", "N", "monitoring.exporter.opt.max_connections");
  options.value("live-interval", "DURATION", "monitoring.exporter.opt.live_interval");
}

const ToolSpec k_tool = {
    .module = "monitoring",
    .name = "metrics_exporter",
    .summary_id = "monitoring.exporter.summary_help",
    .examples = {"metrics_exporter", "metrics_exporter --listen 127.0.0.1:9879",
                 "metrics_exporter --listen 0.0.0.0:9879 --web-config /etc/dihya/web.json"},
    .scope = Scope::config,
    .changes_data = false,
    .hook_point = monitoring::plugins::k_exporter_point,
    .declare_options = declare_options,
    .permission = [](const Arguments&) { return std::string("monitoring.metrics_exporter"); },
    .action = [](const Arguments&) { return std::string(monitoring::audit_events::k_exporter); },
    .validate_arguments = validate_with(monitoring::parse_exporter_options),
    .run = run_with(monitoring::parse_exporter_options, monitoring::run_metrics_exporter),
};

}  // namespace

int main(int argc, char** argv) {
  return dihya::run_tool(k_tool, argc, argv);
}
