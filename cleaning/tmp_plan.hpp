#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cleaning/validators.hpp"
#include "core/io/walk.hpp"

// The two walks of clean_tmp: the plan records what is to go (device, inode, times, path),
// the apply walk removes exactly that and keeps whatever changed in between.
namespace dihya::cleaning {

enum class Reason { age, budget, empty_dir, changed, not_empty, open };
const char* reason_name(Reason reason);

struct PlannedEntry {
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t path_hash = 0;
  std::uint64_t size = 0;
  std::uint32_t type = 0;  // S_IFMT bits
  Reason reason = Reason::age;
  bool seen = false;  // met again by the apply walk
};
using Plan = std::unordered_map<FileKey, PlannedEntry, FileKeyHash>;

// What happened to one entry: planned ("remove"), "removed" or "kept".
struct EntryEvent {
  const char* action;
  std::string_view path;
  Reason reason;
  std::uint64_t bytes;
  bool dir;
};
using EntrySink = std::function<void(const EntryEvent&)>;

// Counts of one directory's run.
struct TmpTally {
  std::uint64_t planned = 0, planned_bytes = 0;
  std::uint64_t removed = 0, removed_bytes = 0;
  std::uint64_t kept = 0, vanished = 0, failed = 0, unreadable = 0;
  std::uint64_t skipped_mount = 0, skipped_locked = 0, kept_open = 0;
  bool stopped = false;  // --max-runtime reached
};

// When a run must stop: --max-runtime (checked every few hundred entries), or an interruption.
class Deadline {
 public:
  explicit Deadline(std::optional<std::int64_t> ms);
  bool reached();

 private:
  std::optional<std::chrono::steady_clock::time_point> m_at;
  unsigned m_count = 0;
  bool m_reached = false;
};

struct TmpWalkSettings {
  const TmpRule* rule = nullptr;
  std::int64_t cutoff_ns = 0;          // older than this is old
  const FileKeySet* open = nullptr;    // files held open (keep_open)
  Deadline* deadline = nullptr;
  EntrySink sink;                      // told of every entry planned, removed or kept
  std::function<void(std::string_view path, int err)> on_failure;  // removal failed
};

// Walk RULE's directory and fill PLAN; SINK hears of each planned entry.
Status plan_tmp(const TmpWalkSettings& settings, Plan& plan, TmpTally& tally);
// Walk again and remove the entries of PLAN that are unchanged.
Status apply_tmp(const TmpWalkSettings& settings, Plan& plan, TmpTally& tally);

}  // namespace dihya::cleaning
