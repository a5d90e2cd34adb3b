#include "core/run/metrics.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/base/fs.hpp"

namespace dihya {
namespace {

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// The value of the last-success sample in a previous metrics file, or 0.
double previous_success(const fs::path& file) {
  return previous_metric_value(file, "dihya_last_success_timestamp_seconds");
}

}  // namespace

double previous_metric_value(const fs::path& file, const std::string& name) {
  auto text = read_file(file);
  if (!text) return 0;
  auto pos = text->find("\n" + name + "{");
  if (pos == std::string::npos) return 0;
  auto close = text->find("} ", pos);
  if (close == std::string::npos) return 0;
  return std::strtod(text->c_str() + close + 2, nullptr);
}

std::string prometheus_label_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricSet::add(const std::string& name, const std::string& help, Type type, double value,
                    const std::vector<std::pair<std::string, std::string>>& labels) {
  Family& family = m_families[name];
  family.help = help;
  family.type = type;
  family.samples.push_back({labels, value});
}

std::string MetricSet::render(const std::string& tenant, const std::string& tool) const {
  std::string out;
  for (const auto& [name, family] : m_families) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                       family.type == Type::gauge ? "gauge" : "counter");
    for (const auto& sample : family.samples) {
      std::string labels = fmt::format("tenant=\"{}\",tool=\"{}\"", prometheus_label_escape(tenant),
                                       prometheus_label_escape(tool));
      for (const auto& [key, value] : sample.labels)
        labels += fmt::format(",{}=\"{}\"", key, prometheus_label_escape(value));
      out += fmt::format("{}{{{}}} {}\n", name, labels, format_value(sample.value));
    }
  }
  return out;
}

Status write_run_metrics(const fs::path& dir, const std::string& tenant, const std::string& tool,
                         const RunMetrics& run, const MetricSet& extra) {
  if (Status made = make_directories(dir, 0755); !made) return made;
  fs::path file = dir / (tool + ".prom");
  const double finished = static_cast<double>(run.started_ms + run.duration_ms) / 1000.0;
  double last_success = run.exit_code == 0 ? finished : previous_success(file);
  MetricSet all = extra;
  using T = MetricSet::Type;
  all.add("dihya_last_run_timestamp_seconds", "Unix time when the tool last finished a run.",
          T::gauge, finished);
  all.add("dihya_last_success_timestamp_seconds",
          "Unix time when the tool last finished a run with exit code 0 (0: never).", T::gauge,
          last_success);
  all.add("dihya_last_run_duration_seconds", "How long the last run took, in seconds.", T::gauge,
          static_cast<double>(run.duration_ms) / 1000.0);
  all.add("dihya_last_run_exit_code", "Exit code of the last run (0 means success).", T::gauge,
          run.exit_code);
  return atomic_write(file, all.render(tenant, tool), 0644);
}

}  // namespace dihya
