#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "monitoring/textfile.hpp"

// What metrics_exporter computes at scrape time, per tenant, at most once per minimum
// interval: the live gauges (database up and size, backup ages, audit chain, maintenance,
// rows past retention, textfile ages) and the custom read-only SQL collectors.
namespace dihya::monitoring {

// One metric family's samples, ready to merge.
struct LiveFamily {
  std::string name, help, type;
  std::vector<std::string> samples;
};

// The live gauges of TENANT, measured now.
std::vector<LiveFamily> measure_live_gauges(const TenantConfig& tenant);

// A custom collector of the tenant's monitoring.collectors.
struct CollectorSpec {
  std::string name, query, metric, help, type = "gauge";
  std::vector<std::string> labels;
  std::chrono::milliseconds min_interval{60'000}, timeout{5'000};
  std::size_t max_series = 100;
};
std::vector<CollectorSpec> collector_specs(const TenantConfig& tenant);

// Run SPEC once in a read-only transaction with a statement timeout: its samples, or the
// error that stopped it.
Result<std::vector<std::string>> run_collector(const TenantConfig& tenant,
                                               const CollectorSpec& spec);

// The cache that spares the database: each tenant's gauges and each collector measured at
// most once per interval, whatever the scrape rate; a collector still running from an
// earlier scrape (it overran its timeout) is reported down rather than started twice.
class LiveCache {
 public:
  explicit LiveCache(std::chrono::milliseconds gauge_interval) : m_interval(gauge_interval) {}
  // Add TENANT's live families and collectors to MERGER.
  void collect(const TenantConfig& tenant, TextfileMerger& merger);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point at{};
    std::vector<LiveFamily> families;
  };
  struct CollectorState;
  std::vector<LiveFamily> gauges(const TenantConfig& tenant);
  void collectors(const TenantConfig& tenant, std::vector<LiveFamily>& out);

  std::chrono::milliseconds m_interval;
  std::mutex m_mutex;
  std::map<std::string, Entry> m_gauges;
  std::map<std::string, std::shared_ptr<CollectorState>> m_collectors;
};

}  // namespace dihya::monitoring
