#include "monitoring/health_cache.hpp"

#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/base/units.hpp"

namespace dihya::monitoring {
namespace {

Json read_cache(const fs::path& path) {
  auto text = read_file(path);
  if (!text) return Json::object();
  Json doc = Json::parse(*text, nullptr, false);
  return doc.is_object() ? doc : Json::object();
}

bool fresh(const Json& cache, const std::string& name, std::int64_t now,
           std::chrono::milliseconds window) {
  if (!cache.contains(name) || !cache[name].is_object()) return false;
  std::int64_t at = cache[name].value("measured_ms", std::int64_t{0});
  return at <= now && now - at < window.count();
}

}  // namespace

std::chrono::milliseconds cache_window(const TenantConfig& tenant) {
  const Json& section = tenant.section("monitoring");
  if (!section.contains("cache")) return std::chrono::milliseconds(5'000);
  return std::chrono::milliseconds(*parse_duration_ms(section["cache"].get<std::string>()));
}

std::map<std::string, std::vector<Observation>> cached_observations(
    const TenantConfig& tenant, const std::vector<CheckSettings>& settings,
    std::chrono::milliseconds window) {
  fs::path dir = tenant.state_dir / "monitoring";
  std::error_code ec;
  if (window.count() <= 0 || (fs::create_directories(dir, ec), ec))
    return observe_all(tenant, settings);
  auto lock = LockFile::acquire(dir / "health.lock", true);
  if (!lock) return observe_all(tenant, settings);
  fs::path path = dir / "health-cache.json";
  Json cache = read_cache(path);
  std::int64_t now = now_ms();
  std::vector<CheckSettings> stale;
  for (const auto& s : settings)
    if (!fresh(cache, s.name, now, window)) stale.push_back(s);
  if (!stale.empty()) {
    std::int64_t measured = now_ms();
    for (auto& [name, observations] : observe_all(tenant, stale)) {
      Json list = Json::array();
      for (const auto& o : observations) list.push_back(to_json(o));
      cache[name] = {{"measured_ms", measured}, {"observations", list}};
    }
    (void)atomic_write(path, cache.dump(), 0600);
  }
  std::map<std::string, std::vector<Observation>> out;
  for (const auto& s : settings)
    for (const auto& o : cache[s.name]["observations"])
      out[s.name].push_back(observation_from_json(o));
  return out;
}

}  // namespace dihya::monitoring
