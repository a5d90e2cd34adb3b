#include "monitoring/live.hpp"

#include <fmt/format.h>

#include <future>
#include <thread>

#include "core/base/clock.hpp"
#include "core/base/units.hpp"
#include "core/data/db.hpp"
#include "core/run/health.hpp"
#include "core/run/metrics.hpp"
#include "monitoring/checks.hpp"

namespace dihya::monitoring {
namespace {

std::string labels(const TenantConfig& tenant,
                   const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  std::string out = "tenant=\"" + prometheus_label_escape(tenant.name) + "\"";
  for (const auto& [k, v] : extra) out += "," + k + "=\"" + prometheus_label_escape(v) + "\"";
  return out;
}

std::string sample(const std::string& name, const std::string& label_text, double value) {
  return fmt::format("{}{{{}}} {}", name, label_text, fmt_number(value));
}

LiveFamily gauge(std::string name, std::string help) {
  return {std::move(name), std::move(help), "gauge", {}};
}

// The database's size: the SQLite file (and its WAL), or pg_database_size.
std::optional<double> database_size(const TenantConfig& tenant, Database& db) {
  if (auto path = tenant.sqlite_path()) {
    std::error_code ec;
    auto size = fs::file_size(*path, ec);
    if (ec) return std::nullopt;
    auto wal = fs::file_size(fs::path(path->string() + "-wal"), ec);
    return static_cast<double>(size + (ec ? 0 : wal));
  }
  auto statement = db.prepare("SELECT pg_database_size(current_database())");
  if (!statement || !(*statement)->step().ok()) return std::nullopt;
  return static_cast<double>((*statement)->get_integer(0));
}

void database_gauges(const TenantConfig& tenant, std::vector<LiveFamily>& out) {
  LiveFamily up =
      gauge("dihya_database_up", "Whether the tenant's database answered (1) or not (0)");
  LiveFamily size = gauge("dihya_database_size_bytes", "Size of the tenant's database");
  LiveFamily overdue = gauge("dihya_rows_past_retention",
                             "Rows past the retention rule of a table (personal-data map)");
  auto db = open_database(
      tenant.database,
      {.must_exist = true, .connect_timeout_seconds = 5, .statement_deadline_ms = 30000});
  up.samples.push_back(sample(up.name, labels(tenant), db ? 1 : 0));
  if (db) {
    if (auto bytes = database_size(tenant, **db))
      size.samples.push_back(sample(size.name, labels(tenant), *bytes));
    if (auto rows = health::rows_past_retention(tenant, **db, now_ms()))
      for (const auto& table : *rows)
        overdue.samples.push_back(sample(overdue.name, labels(tenant, {{"table", table.table}}),
                                         static_cast<double>(table.rows)));
  }
  out.push_back(std::move(up));
  out.push_back(std::move(size));
  out.push_back(std::move(overdue));
}

void backup_gauges(const TenantConfig& tenant, std::vector<LiveFamily>& out) {
  LiveFamily last = gauge("dihya_backup_last_timestamp_seconds",
                          "When the newest backup holding each part was made");
  LiveFamily age = gauge("dihya_backup_age_seconds", "Age of the newest backup holding each part");
  if (auto newest = health::newest_backups(tenant)) {
    std::int64_t now = now_ms();
    for (const auto& b : *newest) {
      std::string l = labels(tenant, {{"target", b.target}});
      last.samples.push_back(sample(last.name, l, static_cast<double>(b.created_ms) / 1000.0));
      age.samples.push_back(sample(age.name, l, static_cast<double>(now - b.created_ms) / 1000.0));
    }
  }
  out.push_back(std::move(last));
  out.push_back(std::move(age));
}

void state_gauges(const TenantConfig& tenant, std::vector<LiveFamily>& out) {
  LiveFamily audit = gauge("dihya_audit_chain_intact",
                           "Whether the tenant's audit chain verifies (1) or is broken (0)");
  if (auto state = health::audit_state(tenant))
    audit.samples.push_back(sample(audit.name, labels(tenant), state->intact ? 1 : 0));
  LiveFamily maintenance = gauge("dihya_maintenance_mode", "Whether maintenance mode is on");
  if (auto state = health::maintenance_state(tenant, now_ms()))
    maintenance.samples.push_back(sample(maintenance.name, labels(tenant), state->on ? 1 : 0));
  LiveFamily mtime = gauge("dihya_textfile_mtime_seconds", "When each tool last wrote its metrics");
  for (const auto& file : health::metrics_files(tenant))
    mtime.samples.push_back(sample(mtime.name, labels(tenant, {{"tool", file.tool}}),
                                   static_cast<double>(file.modified_ms) / 1000.0));
  out.push_back(std::move(audit));
  out.push_back(std::move(maintenance));
  out.push_back(std::move(mtime));
}

}  // namespace

std::vector<LiveFamily> measure_live_gauges(const TenantConfig& tenant) {
  std::vector<LiveFamily> out;
  database_gauges(tenant, out);
  backup_gauges(tenant, out);
  state_gauges(tenant, out);
  return out;
}

std::vector<CollectorSpec> collector_specs(const TenantConfig& tenant) {
  std::vector<CollectorSpec> out;
  const Json& section = tenant.section("monitoring");
  if (!section.contains("collectors")) return out;
  for (const auto& [name, c] : section["collectors"].items()) {
    CollectorSpec spec;
    spec.name = name;
    spec.query = c["query"].get<std::string>();
    spec.metric = c["metric"].get<std::string>();
    spec.help = c.value("help", "Custom collector " + name);
    spec.type = c.value("type", "gauge");
    spec.labels = c.value("labels", std::vector<std::string>{});
    if (c.contains("min_interval"))
      spec.min_interval =
          std::chrono::milliseconds(*parse_duration_ms(c["min_interval"].get<std::string>()));
    if (c.contains("timeout"))
      spec.timeout = std::chrono::milliseconds(*parse_duration_ms(c["timeout"].get<std::string>()));
    spec.max_series = c.value("max_series", std::size_t{100});
    out.push_back(std::move(spec));
  }
  return out;
}

Result<std::vector<std::string>> run_collector(const TenantConfig& tenant,
                                               const CollectorSpec& spec) {
  int seconds = static_cast<int>(std::max<std::int64_t>(1, (spec.timeout.count() + 999) / 1000));
  auto db = open_database(tenant.database, {.must_exist = true,
                                            .connect_timeout_seconds = seconds,
                                            .statement_deadline_ms = spec.timeout.count()});
  if (!db) return db.error();
  bool pg = (*db)->engine() == Engine::postgresql;
  if (Status s = (*db)->execute(pg ? "BEGIN" : "PRAGMA query_only = ON"); !s) return s.error();
  if (pg) {
    std::string set = "SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = " +
                      std::to_string(spec.timeout.count());
    if (Status s = (*db)->execute(set); !s) return s.error();
  }
  auto statement = (*db)->prepare(spec.query);
  if (!statement) return statement.error();
  std::vector<std::string> samples;
  while (true) {
    auto row = (*statement)->step();
    if (!row) return row.error();
    if (!*row) break;
    if (samples.size() >= spec.max_series) break;
    int columns = (*statement)->column_count();
    if (columns != static_cast<int>(spec.labels.size()) + 1)
      return make_error(ExitCode::data_error, "monitoring.collector.columns",
                        {{"collector", spec.name}});
    std::vector<std::pair<std::string, std::string>> extra;
    for (std::size_t i = 0; i < spec.labels.size(); ++i)
      extra.emplace_back(spec.labels[i], (*statement)->get_text(static_cast<int>(i)));
    samples.push_back(
        sample(spec.metric, labels(tenant, extra), (*statement)->get_real(columns - 1)));
  }
  if (pg) (void)(*db)->execute("ROLLBACK");
  return samples;
}

struct LiveCache::CollectorState {
  std::chrono::steady_clock::time_point at{};
  bool measured = false;
  bool up = false;
  double seconds = 0;
  std::vector<std::string> samples;
  std::shared_future<void> running;  // the run in flight; its thread owns OUTCOME until ready
};

namespace {

struct CollectorOutcome {
  bool up = false;
  double seconds = 0;
  std::vector<std::string> samples;
};

}  // namespace

std::vector<LiveFamily> LiveCache::gauges(const TenantConfig& tenant) {
  auto now = std::chrono::steady_clock::now();
  Entry& entry = m_gauges[tenant.name];
  if (entry.families.empty() || now - entry.at >= m_interval) {
    entry.families = measure_live_gauges(tenant);
    entry.at = now;
  }
  return entry.families;
}

void LiveCache::collectors(const TenantConfig& tenant, std::vector<LiveFamily>& out) {
  LiveFamily up =
      gauge("dihya_collector_up", "Whether a custom SQL collector's last run succeeded");
  LiveFamily took =
      gauge("dihya_collector_duration_seconds", "How long a collector's last run took");
  std::map<std::string, LiveFamily> families;
  for (const CollectorSpec& spec : collector_specs(tenant)) {
    auto& state = m_collectors[tenant.name + "/" + spec.name];
    if (!state) state = std::make_shared<CollectorState>();
    auto now = std::chrono::steady_clock::now();
    bool busy = state->running.valid() &&
                state->running.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    if (!busy && (!state->measured || now - state->at >= spec.min_interval)) {
      auto outcome = std::make_shared<CollectorOutcome>();
      std::promise<void> done;
      state->running = done.get_future().share();
      std::thread([outcome, copy = tenant, spec, done = std::move(done)]() mutable {
        auto started = std::chrono::steady_clock::now();
        auto result = run_collector(copy, spec);
        outcome->seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        outcome->up = result.ok();
        if (result) outcome->samples = std::move(*result);
        done.set_value();
      }).detach();
      state->at = now;
      state->measured = true;
      if (state->running.wait_for(spec.timeout) == std::future_status::ready) {
        state->up = outcome->up;
        state->seconds = outcome->seconds;
        state->samples = std::move(outcome->samples);
      } else {
        state->up = false;
        state->samples.clear();
        state->seconds = std::chrono::duration<double>(spec.timeout).count();
      }
    } else if (busy) {
      state->up = false;
    }
    std::string l = labels(tenant, {{"collector", spec.name}});
    up.samples.push_back(sample(up.name, l, state->up ? 1 : 0));
    took.samples.push_back(sample(took.name, l, state->seconds));
    if (state->up) {
      LiveFamily& f = families[spec.metric];
      f.name = spec.metric;
      f.help = spec.help;
      f.type = spec.type;
      f.samples.insert(f.samples.end(), state->samples.begin(), state->samples.end());
    }
  }
  out.push_back(std::move(up));
  out.push_back(std::move(took));
  for (auto& [name, f] : families) out.push_back(std::move(f));
}

void LiveCache::collect(const TenantConfig& tenant, TextfileMerger& merger) {
  std::lock_guard lock(m_mutex);
  std::vector<LiveFamily> families = gauges(tenant);
  collectors(tenant, families);
  for (const auto& f : families) merger.add_family(f.name, f.help, f.type, f.samples);
}

}  // namespace dihya::monitoring
