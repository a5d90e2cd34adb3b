// The tenant's "cleaning" section, checked for check_config and every run.
#include "core/config/section_cleaning.hpp"

#include <pwd.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "core/base/fs.hpp"
#include "core/base/glob.hpp"
#include "core/config/config_check.hpp"

namespace dihya {

namespace {

const std::regex k_name_re("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

bool get_bool(ConfigChecker& c, const Json& object, const std::string& key,
              const std::string& path) {
  if (!object.contains(key)) return false;
  if (!object[key].is_boolean()) {
    c.issue(c.join(path, key), "core.config.expected_boolean");
    return false;
  }
  return object[key].get<bool>();
}

void check_choice(ConfigChecker& c, const Json& object, const std::string& key,
                  const std::string& path, const std::set<std::string>& choices) {
  auto value = c.get_string(object, key, path, false);
  if (!value || choices.count(*value)) return;
  std::string list;
  for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
  c.issue(c.join(path, key), "core.config.bad_choice", {{"value", *value}, {"choices", list}});
}

// The name every entry of a list carries: required, unique, a plain word.
void check_name(ConfigChecker& c, const Json& entry, const std::string& path,
                std::set<std::string>& seen, const char* key = "name") {
  auto name = c.get_string(entry, key, path, true);
  if (!name) return;
  if (!std::regex_match(*name, k_name_re))
    c.issue(c.join(path, key), "core.config.cleaning.bad_name", {{"value", *name}});
  else if (!seen.insert(*name).second)
    c.issue(c.join(path, key), "core.config.cleaning.duplicate_name", {{"value", *name}});
}

// A directory a cleaner may empty: within the tenant's roots, holding none of what the tenant
// keeps (state, database, backups), neither "/" nor a home directory.
void check_cleanable(ConfigChecker& c, const fs::path& dir, const std::string& path,
                     const TenantConfig& tenant) {
  fs::path normal = normalize_path(dir);
  if (is_home_or_root(normal)) {
    c.issue(path, "core.config.cleaning.forbidden_path", {{"dir", normal.string()}});
    return;
  }
  bool inside = false;
  for (const auto& root : tenant.roots()) inside = inside || path_within(normal, root);
  if (!inside) {
    c.issue(path, "core.config.cleaning.outside_roots", {{"dir", normal.string()}});
    return;
  }
  std::vector<fs::path> kept{tenant.state_dir};
  if (auto db = tenant.sqlite_path()) kept.push_back(*db);
  if (tenant.backup.contains("repository"))
    kept.emplace_back(tenant.backup["repository"].get<std::string>());
  for (const auto& k : kept)
    if (path_within(k, normal))
      c.issue(path, "core.config.cleaning.holds_tenant_data",
              {{"dir", normal.string()}, {"holds", normalize_path(k).string()}});
}

void check_globs(ConfigChecker& c, const Json& entry, const std::string& key,
                 const std::string& path) {
  auto globs = c.get_strings(entry, key, path);
  for (std::size_t i = 0; i < globs.size(); ++i)
    if (!valid_glob(globs[i]))
      c.issue(c.index_path(c.join(path, key), i), "core.config.cleaning.bad_glob",
              {{"value", globs[i]}});
}

// Which timestamps say how old an entry is: a non-empty list of mtime, ctime, atime.
void check_age_by(ConfigChecker& c, const Json& entry, const std::string& path) {
  auto by = c.get_strings(entry, "age_by", path);
  for (std::size_t i = 0; i < by.size(); ++i)
    if (by[i] != "mtime" && by[i] != "ctime" && by[i] != "atime")
      c.issue(c.index_path(c.join(path, "age_by"), i), "core.config.bad_choice",
              {{"value", by[i]}, {"choices", "mtime, ctime, atime"}});
  if (entry.contains("age_by") && entry["age_by"].is_array() && entry["age_by"].empty())
    c.issue(c.join(path, "age_by"), "core.json.expected_array");
}

void check_tmp(ConfigChecker& c, Json& entry, const std::string& path, TenantConfig& tenant,
               std::set<std::string>& names) {
  if (!c.expect_object(entry, path,
                       {"name", "path", "age", "exclude", "age_by", "max_bytes", "keep_open"}))
    return;
  check_name(c, entry, path, names);
  if (auto dir = c.get_string(entry, "path", path, true)) {
    fs::path absolute = c.resolve(*dir);
    entry["path"] = absolute.string();
    check_cleanable(c, absolute, c.join(path, "path"), tenant);
  }
  if (!entry.contains("age")) c.issue(c.join(path, "age"), "core.json.missing_key");
  c.get_duration_ms(entry, "age", path);
  check_globs(c, entry, "exclude", path);
  check_age_by(c, entry, path);
  c.get_size(entry, "max_bytes", path);
  get_bool(c, entry, "keep_open", path);
}

void check_reopen(ConfigChecker& c, Json& reopen, const std::string& path) {
  if (!c.expect_object(reopen, path, {"signal", "pid_file", "command"})) return;
  bool by_signal = reopen.contains("signal") || reopen.contains("pid_file");
  if (by_signal == reopen.contains("command")) {
    c.issue(path, "core.config.cleaning.reopen_one_way");
    return;
  }
  if (by_signal) {
    check_choice(c, reopen, "signal", path, {"HUP", "USR1", "USR2"});
    if (auto pid = c.get_string(reopen, "pid_file", path, true))
      reopen["pid_file"] = c.resolve(*pid).string();
  } else {
    auto command = c.get_strings(reopen, "command", path);
    if (command.empty()) c.issue(c.join(path, "command"), "core.json.expected_array");
  }
}

void check_log(ConfigChecker& c, Json& entry, const std::string& path, TenantConfig& tenant,
               std::set<std::string>& names) {
  if (!c.expect_object(entry, path,
                       {"name", "path", "size", "every", "keep", "max_age", "max_total_bytes",
                        "compress", "compress_level", "delay_compress", "dateext",
                        "copytruncate", "reopen", "accept_shared_dir"}))
    return;
  check_name(c, entry, path, names);
  if (auto glob = c.get_string(entry, "path", path, true)) {
    fs::path absolute = c.resolve(*glob);
    entry["path"] = absolute.string();
    std::string base = absolute.filename().string();
    if (!valid_glob(base))
      c.issue(c.join(path, "path"), "core.config.cleaning.bad_glob", {{"value", *glob}});
    else if (absolute.parent_path().string().find_first_of("*?[") != std::string::npos)
      c.issue(c.join(path, "path"), "core.config.cleaning.glob_in_directory", {{"value", *glob}});
    else {
      check_cleanable(c, absolute.parent_path(), c.join(path, "path"), tenant);
      if (path_within(tenant.audit_dir(), absolute.parent_path()) ||
          path_within(tenant.metrics_dir(), absolute.parent_path()))
        c.issue(c.join(path, "path"), "core.config.cleaning.holds_tenant_data",
                {{"dir", absolute.parent_path().string()}, {"holds", tenant.audit_dir().string()}});
    }
  }
  if (!entry.contains("size") && !entry.contains("every"))
    c.issue(path, "core.config.cleaning.no_trigger");
  c.get_size(entry, "size", path);
  check_choice(c, entry, "every", path, {"hourly", "daily", "weekly", "monthly"});
  c.get_integer(entry, "keep", path, 0, 10000);
  c.get_duration_ms(entry, "max_age", path);
  c.get_size(entry, "max_total_bytes", path);
  check_choice(c, entry, "compress", path, {"zstd", "gzip", "none"});
  c.get_integer(entry, "compress_level", path, 1, 19);
  for (const char* key : {"delay_compress", "dateext", "copytruncate", "accept_shared_dir"})
    get_bool(c, entry, key, path);
  if (entry.contains("reopen")) check_reopen(c, entry["reopen"], c.join(path, "reopen"));
  if (entry.contains("reopen") && entry.value("copytruncate", false) == true)
    c.issue(c.join(path, "copytruncate"), "core.config.cleaning.reopen_or_copytruncate");
}

void check_orphans(ConfigChecker& c, Json& entry, const std::string& path, TenantConfig& tenant,
                   std::set<std::string>& roots) {
  if (!c.expect_object(entry, path,
                       {"root", "table", "column", "key", "prefix", "grace", "age_by",
                        "max_delete_percent",
                        "max_delete_bytes", "quarantine_days"}))
    return;
  check_name(c, entry, path, roots, "root");
  if (auto root = c.get_string(entry, "root", path, false); root && !tenant.files.count(*root))
    c.issue(c.join(path, "root"), "core.config.cleaning.unknown_root", {{"value", *root}});
  for (const char* key : {"table", "column", "key"}) c.get_string(entry, key, path, false);
  if (entry.contains("prefix") && !entry["prefix"].is_string())
    c.issue(c.join(path, "prefix"), "core.json.expected_string");
  c.get_duration_ms(entry, "grace", path);
  check_age_by(c, entry, path);
  c.get_integer(entry, "max_delete_percent", path, 0, 100);
  c.get_size(entry, "max_delete_bytes", path);
  c.get_integer(entry, "quarantine_days", path, 0, 36500);
}

template <class Check>
void check_list(ConfigChecker& c, Json& section, const char* key, const std::string& path,
                TenantConfig& tenant, Check check) {
  if (!section.contains(key)) return;
  std::string list_path = c.join(path, key);
  if (!section[key].is_array()) {
    c.issue(list_path, "core.json.expected_array");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < section[key].size(); ++i)
    check(c, section[key][i], c.index_path(list_path, i), tenant, names);
}

}  // namespace

bool is_home_or_root(const fs::path& path) {
  fs::path normal = normalize_path(path);
  if (normal == normal.root_path()) return true;
  if (const char* home = std::getenv("HOME"); home && *home && normalize_path(home) == normal)
    return true;
  if (normal == "/home" || normal == "/root") return true;
  ::setpwent();
  bool found = false;
  while (struct passwd* pw = ::getpwent()) {
    if (pw->pw_dir && std::string(pw->pw_dir) != "/" && normalize_path(pw->pw_dir) == normal) {
      found = true;
      break;
    }
  }
  ::endpwent();
  return found;
}

void check_cleaning_section(ConfigChecker& c, const Json& section, const std::string& path,
                            TenantConfig& tenant) {
  if (!c.expect_object(section, path, {"tmp", "logs", "orphans"})) return;
  Json out = section;
  check_list(c, out, "tmp", path, tenant, check_tmp);
  check_list(c, out, "logs", path, tenant, check_log);
  check_list(c, out, "orphans", path, tenant, check_orphans);
  tenant.sections["cleaning"] = out;
}

}  // namespace dihya
