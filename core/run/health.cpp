#include "core/run/health.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>

#include "core/backup/backup.hpp"
#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/privacy/personal_map.hpp"

namespace dihya::health {
namespace {

constexpr std::array<const char*, 3> k_parts = {"db", "files", "config"};

// PATH, or its nearest parent that exists.
std::filesystem::path existing(std::filesystem::path path) {
  std::error_code ec;
  while (!path.empty() && !std::filesystem::exists(path, ec) && path.has_parent_path() &&
         path != path.parent_path())
    path = path.parent_path();
  return path;
}

}  // namespace

Result<std::vector<NewestBackup>> newest_backups(const TenantConfig& tenant) {
  std::vector<NewestBackup> out;
  if (!tenant.backup.contains("repository")) return out;
  std::error_code ec;
  if (!std::filesystem::is_directory(tenant.backup["repository"].get<std::string>(), ec))
    return out;
  auto repo = BackupRepository::open(tenant, false);
  if (!repo) return repo.error();
  auto listed = repo->list();
  if (!listed) return listed.error();
  for (const char* part : k_parts) {
    const BackupInfo* newest = nullptr;
    for (const auto& info : *listed)
      if ((info.target == part || info.target == "all") &&
          (!newest || info.created_ms >= newest->created_ms))
        newest = &info;
    if (!newest) continue;
    NewestBackup fact{part, newest->id, newest->created_ms, std::nullopt};
    if (newest->verified_at) fact.verified_ms = parse_rfc3339_ms(*newest->verified_at);
    out.push_back(std::move(fact));
  }
  return out;
}

Result<AuditVerification> audit_state(const TenantConfig& tenant) {
  return verify_tenant_trail(tenant);
}

std::vector<RootSpace> root_space(const TenantConfig& tenant) {
  std::vector<std::pair<std::string, std::filesystem::path>> roots = {
      {"state_dir", tenant.state_dir}};
  for (const auto& [name, path] : tenant.files) roots.emplace_back("files." + name, path);
  if (auto db = tenant.sqlite_path()) roots.emplace_back("database", *db);
  if (tenant.backup.contains("repository"))
    roots.emplace_back("backup.repository", tenant.backup["repository"].get<std::string>());
  std::vector<RootSpace> out;
  for (const auto& [name, path] : roots) {
    struct statvfs fs {};
    if (::statvfs(existing(path).c_str(), &fs) != 0) continue;
    out.push_back({name, path, std::uint64_t{fs.f_bavail} * fs.f_frsize,
                   std::uint64_t{fs.f_blocks} * fs.f_frsize, fs.f_favail, fs.f_files});
  }
  return out;
}

std::vector<MetricsFile> metrics_files(const TenantConfig& tenant) {
  std::vector<MetricsFile> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(tenant.metrics_dir(), ec)) {
    if (entry.path().extension() != ".prom") continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::int64_t ms = std::int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    out.push_back({entry.path().stem().string(), entry.path(), ms});
  }
  std::sort(out.begin(), out.end(),
            [](const MetricsFile& a, const MetricsFile& b) { return a.tool < b.tool; });
  return out;
}

Result<std::vector<personal::OverdueTable>> rows_past_retention(const TenantConfig& tenant,
                                                                Database& db, std::int64_t now_ms) {
  personal::PersonalMap map = personal::personal_map(tenant);
  if (map.tables.empty()) return std::vector<personal::OverdueTable>{};
  auto defs = personal::check_against(map, db);
  if (!defs) return defs.error();
  return personal::count_all_overdue(db, map, *defs, now_ms);
}

}  // namespace dihya::health

namespace dihya::health {
namespace {

std::optional<std::int64_t> optional_time(const Json& doc, const char* key) {
  if (!doc.contains(key) || !doc[key].is_string()) return std::nullopt;
  return parse_rfc3339_ms(doc[key].get<std::string>());
}

}  // namespace

fs::path maintenance_state_file(const TenantConfig& tenant) {
  return tenant.state_dir / "maintenance" / "state.json";
}

Result<MaintenanceState> maintenance_state(const TenantConfig& tenant, std::int64_t now_ms) {
  MaintenanceState state;
  fs::path path = maintenance_state_file(tenant);
  std::error_code ec;
  if (!fs::exists(path, ec)) return state;
  auto text = read_file(path);
  if (!text) return text.error();
  Json doc = Json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains("on") || !doc["on"].is_boolean())
    return make_error(ExitCode::data_error, "core.health.bad_maintenance_state",
                      {{"path", path.string()}});
  state.on = doc["on"].get<bool>();
  state.reason = doc.value("reason", "");
  state.by = doc.value("by", "");
  state.since_ms = optional_time(doc, "since");
  state.until_ms = optional_time(doc, "until");
  if (state.until_ms && *state.until_ms <= now_ms) state.on = false;
  return state;
}

Result<double> database_round_trip_ms(const TenantConfig& tenant,
                                      std::chrono::milliseconds timeout) {
  auto started = std::chrono::steady_clock::now();
  OpenOptions options{.must_exist = true};
  options.connect_timeout_seconds =
      static_cast<int>(std::max<std::int64_t>(1, (timeout.count() + 999) / 1000));
  options.statement_deadline_ms = timeout.count();
  auto db = open_database(tenant.database, options);
  if (!db) return db.error();
  if ((*db)->engine() == Engine::postgresql) {
    std::string set = "SET statement_timeout = " + std::to_string(timeout.count());
    if (Status s = (*db)->execute(set); !s) return s.error();
  }
  auto statement = (*db)->prepare("SELECT 1 /* dihya healthcheck */");
  if (!statement) return statement.error();
  if (auto row = (*statement)->step(); !row) return row.error();
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  return took.count();
}

}  // namespace dihya::health
