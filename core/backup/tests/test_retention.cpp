#include <catch2/catch.hpp>

#include "core/backup/retention.hpp"
#include "core/base/clock.hpp"

using namespace dihya;

namespace {

std::int64_t at(const char* time) {
  return *parse_rfc3339_ms(time);
}

// Backups named by their time, plus the ids a policy keeps, newest first.
std::vector<std::string> kept(const std::vector<const char*>& times, const KeepPolicy& policy,
                              std::optional<std::string> protect = std::nullopt) {
  std::vector<BackupStamp> backups;
  for (const char* t : times) backups.push_back({t, at(t)});
  std::vector<std::string> out;
  for (const auto& d : apply_retention(backups, policy, protect))
    if (d.keep) out.push_back(d.id);
  return out;
}

std::vector<std::string> reasons_of(const std::vector<const char*>& times, const KeepPolicy& policy,
                                    const std::string& id) {
  std::vector<BackupStamp> backups;
  for (const char* t : times) backups.push_back({t, at(t)});
  for (const auto& d : apply_retention(backups, policy, std::nullopt))
    if (d.id == id) return d.reasons;
  return {};
}

KeepPolicy policy(int last, int hourly, int daily, int weekly, int monthly, int yearly) {
  return {last, hourly, daily, weekly, monthly, yearly};
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("retention: an empty policy forgets nothing", "[retention]") {
  CHECK(kept({"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"}, {}) ==
        V{"2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"});
}

TEST_CASE("retention: last keeps the N newest, whatever the input order", "[retention]") {
  CHECK(kept({"2026-01-03T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-01T00:00:00Z",
              "2026-01-04T00:00:00Z", "2026-01-02T00:00:00Z"},
             policy(3, 0, 0, 0, 0, 0)) ==
        V{"2026-01-05T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-03T00:00:00Z"});
}

TEST_CASE("retention: daily keeps the newest backup of each day", "[retention]") {
  CHECK(kept({"2026-03-01T08:00:00Z", "2026-03-01T12:00:00Z", "2026-03-01T23:59:59Z",
              "2026-03-02T00:00:00Z", "2026-03-02T06:00:00Z"},
             policy(0, 0, 2, 0, 0, 0)) == V{"2026-03-02T06:00:00Z", "2026-03-01T23:59:59Z"});
}

TEST_CASE("retention: days without a backup do not count", "[retention]") {
  CHECK(kept({"2026-03-01T10:00:00Z", "2026-03-05T10:00:00Z", "2026-03-09T10:00:00Z",
              "2026-02-20T10:00:00Z"},
             policy(0, 0, 3, 0, 0, 0)) ==
        V{"2026-03-09T10:00:00Z", "2026-03-05T10:00:00Z", "2026-03-01T10:00:00Z"});
}

TEST_CASE("retention: hourly buckets", "[retention]") {
  CHECK(kept({"2026-03-01T10:00:00Z", "2026-03-01T10:20:00Z", "2026-03-01T10:40:00Z",
              "2026-03-01T11:00:00Z", "2026-03-01T11:20:00Z", "2026-03-01T12:05:00Z"},
             policy(0, 2, 0, 0, 0, 0)) == V{"2026-03-01T12:05:00Z", "2026-03-01T11:20:00Z"});
}

TEST_CASE("retention: weeks are ISO weeks, Monday to Sunday", "[retention]") {
  // 2026-03-01 is a Sunday, 2026-03-02 a Monday.
  CHECK(kept({"2026-02-28T10:00:00Z", "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"},
             policy(0, 0, 0, 2, 0, 0)) == V{"2026-03-02T10:00:00Z", "2026-03-01T10:00:00Z"});
  CHECK(iso_week_of(days_from_civil(2020, 12, 31)) == 202053);
  CHECK(iso_week_of(days_from_civil(2021, 1, 3)) == 202053);
  CHECK(iso_week_of(days_from_civil(2021, 1, 4)) == 202101);
  CHECK(iso_week_of(days_from_civil(2026, 1, 1)) == 202601);
  CHECK(iso_week_of(days_from_civil(2024, 12, 30)) == 202501);
}

TEST_CASE("retention: monthly and yearly combine, each naming itself", "[retention]") {
  std::vector<const char*> times = {"2024-06-15T00:00:00Z", "2025-11-30T00:00:00Z",
                                    "2025-12-01T00:00:00Z", "2025-12-31T00:00:00Z",
                                    "2026-01-15T00:00:00Z"};
  CHECK(kept(times, policy(0, 0, 0, 0, 2, 2)) == V{"2026-01-15T00:00:00Z", "2025-12-31T00:00:00Z"});
  CHECK(reasons_of(times, policy(0, 0, 0, 0, 2, 2), "2025-12-31T00:00:00Z") ==
        V{"monthly", "yearly"});
  CHECK(kept(times, policy(0, 0, 0, 0, 0, 3)) ==
        V{"2026-01-15T00:00:00Z", "2025-12-31T00:00:00Z", "2024-06-15T00:00:00Z"});
}

TEST_CASE("retention: one backup kept by several rules lists them all", "[retention]") {
  std::vector<const char*> times = {"2026-05-01T10:00:00Z", "2026-05-02T10:00:00Z"};
  CHECK(reasons_of(times, policy(1, 1, 1, 1, 1, 1), "2026-05-02T10:00:00Z") ==
        V{"last", "hourly", "daily", "weekly", "monthly", "yearly"});
  CHECK(reasons_of(times, policy(1, 1, 1, 1, 1, 1), "2026-05-01T10:00:00Z").empty());
}

TEST_CASE("retention: the protected backup survives any policy", "[retention]") {
  std::vector<const char*> times = {"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z",
                                    "2026-01-03T00:00:00Z"};
  CHECK(kept(times, policy(1, 0, 0, 0, 0, 0), std::string("2026-01-01T00:00:00Z")) ==
        V{"2026-01-03T00:00:00Z", "2026-01-01T00:00:00Z"});
}

TEST_CASE("retention: counts larger than the history keep one per period", "[retention]") {
  CHECK(kept({"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-02T01:00:00Z"},
             policy(0, 0, 30, 0, 0, 0)) == V{"2026-01-02T01:00:00Z", "2026-01-01T02:00:00Z"});
}

TEST_CASE("retention: a restic-like mixed policy over two months of daily backups", "[retention]") {
  std::vector<std::string> storage;
  for (int day = 0; day < 60; ++day) {
    CivilDate d = civil_from_days(days_from_civil(2026, 3, 1) + day);
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT03:00:00Z", d.year, d.month, d.day);
    storage.emplace_back(text);
  }
  std::vector<const char*> times;
  for (const auto& s : storage) times.push_back(s.c_str());
  // daily: Apr 23–29; weekly (ISO weeks 18, 17, 16, 15): Apr 29, 26, 19, 12 — 19 and 12 are
  // new; monthly: April (Apr 29) and March (Mar 31) — Mar 31 is new. 7 + 2 + 1.
  auto result = kept(times, policy(0, 0, 7, 4, 3, 0));
  CHECK(result.front() == "2026-04-29T03:00:00Z");
  CHECK(std::count(result.begin(), result.end(), "2026-04-23T03:00:00Z") == 1);
  CHECK(std::count(result.begin(), result.end(), "2026-04-22T03:00:00Z") == 0);
  CHECK(std::count(result.begin(), result.end(), "2026-04-19T03:00:00Z") == 1);  // Sunday: weekly
  CHECK(std::count(result.begin(), result.end(), "2026-03-31T03:00:00Z") == 1);  // monthly
  CHECK(std::count(result.begin(), result.end(), "2026-04-12T03:00:00Z") == 1);
  CHECK(result.size() == 7 + 2 + 1);
}
