// The tenant's "maintenance" section, checked for check_config and every run.
#include "core/config/section_maintenance.hpp"

#include <ctime>

#include "core/base/units.hpp"
#include "core/config/config_check.hpp"

namespace dihya {
namespace {

constexpr const char* k_days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// "HH:MM" as minutes since midnight.
std::optional<int> parse_clock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 24 || minutes > 59 || (hours == 24 && minutes != 0)) return std::nullopt;
  return hours * 60 + minutes;
}

std::optional<int> parse_day(const std::string& text) {
  for (int i = 0; i < 7; ++i)
    if (text == k_days[i]) return i;
  return std::nullopt;
}

void check_files(ConfigChecker& c, const Json& files, const std::string& path,
                 const TenantConfig& tenant) {
  if (!c.expect_object(files, path, {"table", "key", "path", "size", "sha256", "root", "sample"}))
    return;
  for (const char* key : {"table", "key", "path", "size", "sha256"}) c.get_string(files, key, path, false);
  if (auto root = c.get_string(files, "root", path, false))
    if (!tenant.files.count(*root))
      c.issue(c.join(path, "root"), "core.config.maintenance.unknown_root", {{"root", *root}});
  c.get_integer(files, "sample", path, 1, c.k_no_limit);
}

void check_optimize(ConfigChecker& c, const Json& optimize, const std::string& path) {
  if (!c.expect_object(optimize, path,
                       {"free_percent", "disk_margin", "dead_percent", "min_dead_rows",
                        "index_bloat_percent", "min_index_size", "lock_timeout",
                        "statement_timeout", "retries"}))
    return;
  for (const char* key : {"free_percent", "dead_percent", "index_bloat_percent"})
    c.get_integer(optimize, key, path, 0, 100);
  c.get_integer(optimize, "min_dead_rows", path, 0, c.k_no_limit);
  c.get_integer(optimize, "retries", path, 0, 100);
  c.get_size(optimize, "disk_margin", path);
  c.get_size(optimize, "min_index_size", path);
  for (const char* key : {"lock_timeout", "statement_timeout"})
    if (auto ms = c.get_duration_ms(optimize, key, path); ms && *ms <= 0)
      c.issue(c.join(path, key), "core.json.expected_duration");
}

void check_window(ConfigChecker& c, const Json& window, const std::string& path) {
  if (!c.expect_object(window, path, {"start", "end", "days"})) return;
  for (const char* key : {"start", "end"})
    if (auto text = c.get_string(window, key, path, true); text && !parse_clock(*text))
      c.issue(c.join(path, key), "core.config.maintenance.bad_clock", {{"value", *text}});
  std::vector<std::string> days = c.get_strings(window, "days", path);
  for (std::size_t i = 0; i < days.size(); ++i)
    if (!parse_day(days[i]))
      c.issue(c.index_path(c.join(path, "days"), i), "core.config.bad_choice",
              {{"value", days[i]}, {"choices", "sun, mon, tue, wed, thu, fri, sat"}});
}

}  // namespace

bool MaintenanceWindow::contains(std::int64_t epoch_ms) const {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm local{};
  localtime_r(&t, &local);
  int minute = local.tm_hour * 60 + local.tm_min;
  int day = local.tm_wday;
  bool in_time;
  if (start_minute <= end_minute) {
    in_time = minute >= start_minute && minute < end_minute;
  } else {
    in_time = minute >= start_minute || minute < end_minute;
    // After midnight the window belongs to the day it started on.
    if (minute < end_minute) day = (day + 6) % 7;
  }
  if (!in_time) return false;
  if (days.empty()) return true;
  for (int d : days)
    if (d == day) return true;
  return false;
}

void check_maintenance_section(ConfigChecker& c, const Json& section, const std::string& path,
                               TenantConfig& tenant) {
  if (!c.expect_object(section, path, {"files", "backups", "optimize", "window", "threads"}))
    return;
  if (section.contains("files")) check_files(c, section["files"], c.join(path, "files"), tenant);
  if (section.contains("backups")) {
    std::string backups_path = c.join(path, "backups");
    if (c.expect_object(section["backups"], backups_path, {"max_age"}))
      c.get_duration_ms(section["backups"], "max_age", backups_path);
  }
  if (section.contains("optimize"))
    check_optimize(c, section["optimize"], c.join(path, "optimize"));
  if (section.contains("window")) check_window(c, section["window"], c.join(path, "window"));
  c.get_integer(section, "threads", path, 1, 64);
  tenant.sections["maintenance"] = section;
}

MaintenanceSettings maintenance_settings(const TenantConfig& tenant) {
  MaintenanceSettings s;
  const Json& m = tenant.section("maintenance");
  auto text = [](const Json& object, const char* key, std::string& out) {
    if (object.contains(key)) out = object[key].get<std::string>();
  };
  auto size = [](const Json& object, const char* key, std::uint64_t& out) {
    if (!object.contains(key)) return;
    out = object[key].is_string() ? parse_size(object[key].get<std::string>()).value_or(out)
                                  : object[key].get<std::uint64_t>();
  };
  auto duration = [](const Json& object, const char* key, std::int64_t& out) {
    if (object.contains(key)) out = parse_duration_ms(object[key].get<std::string>()).value_or(out);
  };
  auto integer = [](const Json& object, const char* key, std::int64_t& out) {
    if (object.contains(key)) out = object[key].get<std::int64_t>();
  };
  if (!tenant.files.empty()) s.files.root = tenant.files.begin()->first;
  if (m.contains("files")) {
    const Json& f = m["files"];
    text(f, "table", s.files.table);
    text(f, "key", s.files.key);
    text(f, "path", s.files.path);
    text(f, "size", s.files.size);
    text(f, "sha256", s.files.sha256);
    text(f, "root", s.files.root);
    integer(f, "sample", s.files.sample);
  }
  if (m.contains("backups")) duration(m["backups"], "max_age", s.backup_max_age_ms);
  if (m.contains("optimize")) {
    const Json& o = m["optimize"];
    OptimizeThresholds& t = s.optimize;
    integer(o, "free_percent", t.free_percent);
    size(o, "disk_margin", t.disk_margin);
    integer(o, "dead_percent", t.dead_percent);
    integer(o, "min_dead_rows", t.min_dead_rows);
    integer(o, "index_bloat_percent", t.index_bloat_percent);
    size(o, "min_index_size", t.min_index_size);
    duration(o, "lock_timeout", t.lock_timeout_ms);
    duration(o, "statement_timeout", t.statement_timeout_ms);
    integer(o, "retries", t.retries);
  }
  if (m.contains("window")) {
    MaintenanceWindow w;
    w.start_minute = parse_clock(m["window"]["start"].get<std::string>()).value_or(0);
    w.end_minute = parse_clock(m["window"]["end"].get<std::string>()).value_or(0);
    if (m["window"].contains("days"))
      for (const auto& day : m["window"]["days"]) w.days.push_back(parse_day(day.get<std::string>()).value_or(0));
    s.window = w;
  }
  if (m.contains("threads")) s.threads = m["threads"].get<int>();
  return s;
}

}  // namespace dihya
