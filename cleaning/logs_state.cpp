#include "cleaning/logs_state.hpp"

#include <cstdio>

#include "core/base/clock.hpp"
#include "core/base/json.hpp"

namespace dihya::cleaning {

LogState LogState::load(const fs::path& path, std::vector<Error>& warnings) {
  LogState state;
  state.m_path = path;
  auto text = read_file(path);
  if (!text) return state;  // missing: a first run
  Json doc = Json::parse(*text, nullptr, false);
  bool good = !doc.is_discarded() && doc.is_object() && doc.value("version", 0) == 1 &&
              doc.contains("logs") && doc["logs"].is_object();
  if (good)
    for (const auto& [log, entry] : doc["logs"].items()) {
      if (!entry.is_object() || !entry.contains("rotated_ms") ||
          !entry["rotated_ms"].is_number_integer()) {
        good = false;
        break;
      }
      state.m_rotated[log] = entry["rotated_ms"].get<std::int64_t>();
    }
  if (good) return state;
  state.m_rotated.clear();
  fs::path aside = path;
  aside += ".corrupt-" + format_compact_utc(now_ms());
  std::rename(path.c_str(), aside.c_str());
  warnings.push_back(make_error(ExitCode::ok, "cleaning.logs.state_corrupt",
                                {{"path", path.string()}, {"aside", aside.string()}}));
  return state;
}

std::int64_t LogState::rotated(const std::string& log) const {
  auto it = m_rotated.find(log);
  return it == m_rotated.end() ? 0 : it->second;
}

bool LogState::first_seen(const std::string& log, std::int64_t now) {
  return m_rotated.emplace(log, now).second;
}

Status LogState::save() const {
  Json logs = Json::object();
  for (const auto& [log, ms] : m_rotated) logs[log] = {{"rotated_ms", ms}};
  Json doc = {{"version", 1}, {"logs", logs}};
  return atomic_write(m_path, doc.dump(2) + "\n", 0600);
}

}  // namespace dihya::cleaning
