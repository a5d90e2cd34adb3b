#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace dihya {

// Prometheus metrics of one run, written in the node_exporter textfile-collector format.
class MetricSet {
 public:
  enum class Type { gauge, counter };

  // Add a sample of NAME; LABELS come after the tenant and tool labels.
  void add(const std::string& name, const std::string& help, Type type, double value,
           const std::vector<std::pair<std::string, std::string>>& labels = {});

  // The text exposition format, every sample labelled with TENANT and TOOL.
  std::string render(const std::string& tenant, const std::string& tool) const;

 private:
  struct Sample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value;
  };
  struct Family {
    std::string help;
    Type type;
    std::vector<Sample> samples;
  };
  std::map<std::string, Family> m_families;
};

// The standard metrics of a run (DESIGN.md §9) beside the tool's own.
struct RunMetrics {
  std::int64_t started_ms = 0;  // since the epoch
  std::int64_t duration_ms = 0;
  int exit_code = 0;
};

// Write <dir>/<tool>.prom atomically. The last-success time carries over from the previous
// file when this run failed.
Status write_run_metrics(const fs::path& dir, const std::string& tenant, const std::string& tool,
                         const RunMetrics& run, const MetricSet& extra);

// The value of the first sample of NAME in the metrics file FILE, or 0 (a counter carried
// over from one run to the next).
double previous_metric_value(const fs::path& file, const std::string& name);

std::string prometheus_label_escape(const std::string& value);

}  // namespace dihya
