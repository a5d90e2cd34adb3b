#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Prometheus text-format files merged into one exposition, as node_exporter's textfile
// collector does: one HELP and TYPE per family, the samples of every file, a family whose
// TYPE disagrees with the first file's dropped (and counted), duplicate series kept once.
namespace dihya::monitoring {

class TextfileMerger {
 public:
  // Add the text of one file (FILE names it in errors); false when some of it was dropped.
  bool add(std::string_view text, const std::string& file);
  // Add one family computed here (live gauges, collectors): SAMPLES are full sample lines.
  void add_family(const std::string& name, const std::string& help, const std::string& type,
                  const std::vector<std::string>& samples);
  std::string render() const;
  int errors() const { return m_errors; }

 private:
  struct Family {
    std::string help, type;
    std::vector<std::string> samples;
  };
  Family& family(const std::string& name) { return m_families[name]; }
  bool add_sample(const std::string& family, std::string line);

  std::map<std::string, Family> m_families;
  std::set<std::string> m_series;  // name{labels} already present
  int m_errors = 0;
};

// Whether NAME is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool valid_metric_name(std::string_view name);

}  // namespace dihya::monitoring
