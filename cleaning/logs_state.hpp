#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/fs.hpp"

namespace dihya::cleaning {

// <state_dir>/cleaning/logs.state (0600): when each log was last rotated. A missing file
// starts empty; a corrupt one is moved aside (logs.state.corrupt-<time>) with a warning and
// rebuilt: never fatal, so rotation never stops because of it.
class LogState {
 public:
  // Load PATH; WARNINGS receives what was wrong with it.
  static LogState load(const fs::path& path, std::vector<Error>& warnings);
  // The last rotation of LOG (ms since the epoch), or 0 when unknown.
  std::int64_t rotated(const std::string& log) const;
  void set_rotated(const std::string& log, std::int64_t ms) { m_rotated[log] = ms; }
  // First sight of LOG: remember now as its start, so a time trigger counts from here.
  bool first_seen(const std::string& log, std::int64_t now);
  Status save() const;

 private:
  fs::path m_path;
  std::map<std::string, std::int64_t> m_rotated;
};

}  // namespace dihya::cleaning
