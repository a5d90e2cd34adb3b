#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cleaning/logs.hpp"
#include "cleaning/logs_state.hpp"
#include "core/base/json.hpp"

namespace dihya::cleaning {

struct LogTally {
  std::uint64_t rotated = 0, compressed = 0, removed = 0, removed_bytes = 0;
  std::uint64_t left_uncompressed = 0;  // still open by a process after the wait
  std::uint64_t copy_window_bytes = 0;  // copytruncate: written while the copy ran
  std::uint64_t reopen_failed = 0;
};

// What rotating one rule's logs needs besides the rule.
struct LogRun {
  const LogRule* rule = nullptr;
  LogState* state = nullptr;
  bool dry_run = false, force = false;
  std::int64_t now_ms = 0;
  // A warning for the log (a reopen that failed, a file left uncompressed).
  std::function<void(const Error&)> warn;
  // A line of the plan or of what was done, for the human output.
  std::function<void(const std::string& id, const MessageParams&)> say;
};

// Refuse (77) a log directory writable by group or others unless the rule accepts it: anyone
// there could plant a file or a link for the rotation to act on.
Status check_log_dir(const LogRule& rule);

// Rotate the logs RUN's rule matches in its directory (refused with 77 when the directory is
// writable by group or others and the rule does not accept it); REPORT gets one entry per log.
Status rotate_logs(const LogRun& run, LogTally& tally, Json& report);

// Compress NAME in the directory DIR_FD to NAME.zst or NAME.gz with the original's mode, owner
// and times, check that it decompresses to the same bytes (size and SHA-256), then remove NAME.
Status compress_verified(int dir_fd, const std::string& name, const std::string& codec, int level);

}  // namespace dihya::cleaning
