#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

// Which backups a retention policy keeps, with restic `forget` semantics: backups are taken
// newest first; `last` keeps the N newest; each of hourly, daily, weekly (ISO week), monthly
// and yearly keeps the newest backup of each of its N most recent periods that hold one.
// Periods are UTC. A backup may be kept by several rules; all are named.
namespace dihya {

struct KeepPolicy {
  int last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0, yearly = 0;
  bool keeps_nothing() const {
    return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0;
  }
};

// A tenant's policy from its config section `backup.keep` (validated with the config).
KeepPolicy keep_policy_of(const TenantConfig& tenant);

struct BackupStamp {
  std::string id;
  std::int64_t time_ms = 0;
};

struct RetentionDecision {
  std::string id;
  std::int64_t time_ms = 0;
  bool keep = false;
  std::vector<std::string> reasons;  // "last", "hourly", …, "protected"
};

// Decide for each backup, newest first. PROTECTED (the newest verified backup) is always
// kept. A policy that keeps nothing keeps everything: forgetting all backups by an empty
// or missing policy is never what an operator meant.
std::vector<RetentionDecision> apply_retention(std::vector<BackupStamp> backups,
                                               const KeepPolicy& policy,
                                               const std::optional<std::string>& protected_id);

// The ISO 8601 week of a day number since 1970-01-01, as year * 100 + week.
int iso_week_of(std::int64_t days);

}  // namespace dihya
