#include "core/backup/retention.hpp"

#include <algorithm>
#include <functional>

#include "core/base/clock.hpp"

namespace dihya {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct BucketRule {
  const char* name;
  int count;
  std::function<std::int64_t(std::int64_t)> bucket;  // of a time in ms
  std::optional<std::int64_t> last_bucket;
};

std::int64_t day_of(std::int64_t ms) {
  return floor_div(ms, 86'400'000);
}

}  // namespace

int iso_week_of(std::int64_t days) {
  // 1970-01-01 was a Thursday; ISO weeks start on Monday and belong to their Thursday's year.
  std::int64_t monday_based = ((days + 3) % 7 + 7) % 7;  // 0 = Monday
  std::int64_t thursday = days - monday_based + 3;
  CivilDate date = civil_from_days(thursday);
  std::int64_t first = days_from_civil(date.year, 1, 1);
  return date.year * 100 + static_cast<int>((thursday - first) / 7 + 1);
}

KeepPolicy keep_policy_of(const TenantConfig& tenant) {
  KeepPolicy policy;
  if (!tenant.backup.contains("keep")) return policy;
  const Json& keep = tenant.backup["keep"];
  policy.last = keep.value("last", 0);
  policy.hourly = keep.value("hourly", 0);
  policy.daily = keep.value("daily", 0);
  policy.weekly = keep.value("weekly", 0);
  policy.monthly = keep.value("monthly", 0);
  policy.yearly = keep.value("yearly", 0);
  return policy;
}

std::vector<RetentionDecision> apply_retention(std::vector<BackupStamp> backups,
                                               const KeepPolicy& policy,
                                               const std::optional<std::string>& protected_id) {
  std::stable_sort(backups.begin(), backups.end(), [](const BackupStamp& a, const BackupStamp& b) {
    return a.time_ms > b.time_ms || (a.time_ms == b.time_ms && a.id > b.id);
  });
  std::vector<BucketRule> rules = {
      {"hourly", policy.hourly, [](std::int64_t ms) { return floor_div(ms, 3'600'000); }, {}},
      {"daily", policy.daily, day_of, {}},
      {"weekly",
       policy.weekly,
       [](std::int64_t ms) { return std::int64_t{iso_week_of(day_of(ms))}; },
       {}},
      {"monthly",
       policy.monthly,
       [](std::int64_t ms) {
         CivilDate d = civil_from_days(day_of(ms));
         return std::int64_t{d.year} * 12 + d.month;
       },
       {}},
      {"yearly",
       policy.yearly,
       [](std::int64_t ms) { return std::int64_t{civil_from_days(day_of(ms)).year}; },
       {}},
  };
  int last = policy.last;
  bool keep_all = policy.keeps_nothing();
  std::vector<RetentionDecision> out;
  for (const auto& backup : backups) {
    RetentionDecision decision{backup.id, backup.time_ms, keep_all, {}};
    if (keep_all) decision.reasons.emplace_back("no policy");
    if (last > 0) {
      --last;
      decision.keep = true;
      decision.reasons.emplace_back("last");
    }
    for (auto& rule : rules) {
      if (rule.count <= 0) continue;
      std::int64_t bucket = rule.bucket(backup.time_ms);
      if (rule.last_bucket == bucket) continue;
      rule.last_bucket = bucket;
      --rule.count;
      decision.keep = true;
      decision.reasons.emplace_back(rule.name);
    }
    if (protected_id && backup.id == *protected_id) {
      decision.keep = true;
      decision.reasons.emplace_back("protected");
    }
    out.push_back(std::move(decision));
  }
  return out;
}

}  // namespace dihya
