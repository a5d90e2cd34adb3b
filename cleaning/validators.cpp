#include "cleaning/validators.hpp"

#include "cleaning/logs.hpp"
#include "cleaning/orphans.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "core/base/units.hpp"

namespace dihya::cleaning {

namespace {

TmpRule read_tmp_rule(const Json& entry) {
  TmpRule rule;
  rule.name = entry.at("name").get<std::string>();
  rule.path = entry.at("path").get<std::string>();
  rule.age_ms = parse_duration_ms(entry.at("age").get<std::string>()).value_or(0);
  if (entry.contains("exclude")) rule.exclude = entry["exclude"].get<std::vector<std::string>>();
  if (entry.contains("age_by")) {
    auto by = entry["age_by"].get<std::vector<std::string>>();
    auto has = [&](const char* t) { return std::find(by.begin(), by.end(), t) != by.end(); };
    rule.by_mtime = has("mtime");
    rule.by_ctime = has("ctime");
    rule.by_atime = has("atime");
  }
  if (entry.contains("max_bytes")) {
    const Json& v = entry["max_bytes"];
    rule.max_bytes = v.is_string() ? parse_size(v.get<std::string>()) : v.get<std::uint64_t>();
  }
  rule.keep_open = entry.value("keep_open", false);
  return rule;
}

// CHOSEN with --older-than, when given, in place of each one's age.
std::vector<TmpRule> apply_older_than(std::vector<TmpRule> chosen, const TmpOptions& options) {
  for (auto& rule : chosen)
    if (options.older_than) rule.age_ms = *options.older_than;
  return chosen;
}

Status no_positional(const Arguments& args) {
  if (!args.positional().empty())
    return usage_error("core.usage.unexpected_argument", {{"argument", args.positional().front()}});
  return {};
}

// The rules of DECLARED named in WANTED (each once, in the order given); a name not declared
// is refused with UNKNOWN_ID (64), listing those that are.
template <class Rule, class NameOf>
Result<std::vector<Rule>> pick_rules(const std::vector<Rule>& declared,
                                     const std::vector<std::string>& wanted, NameOf name_of,
                                     const char* unknown_id, const std::string& tenant) {
  std::string names;
  for (const auto& rule : declared) names += (names.empty() ? "" : ", ") + name_of(rule);
  std::vector<Rule> chosen;
  for (const auto& name : wanted) {
    auto is = [&](const Rule& r) { return name_of(r) == name; };
    auto it = std::find_if(declared.begin(), declared.end(), is);
    if (it == declared.end())
      return usage_error(unknown_id, {{"name", name}, {"tenant", tenant}, {"declared", names}});
    if (std::none_of(chosen.begin(), chosen.end(), is)) chosen.push_back(*it);
  }
  return chosen;
}

}  // namespace

void declare_tmp_options(OptionSet& options) {
  options.flag("all", "cleaning.tmp.opt.all");
  options.list("path", "NAME", "cleaning.tmp.opt.path");
  options.value("older-than", "AGE", "cleaning.tmp.opt.older_than");
  options.value("max-runtime", "DURATION", "cleaning.tmp.opt.max_runtime");
  options.flag("wait", "cleaning.tmp.opt.wait");
}

Result<TmpOptions> parse_tmp_options(const Arguments& args) {
  TmpOptions options;
  if (Status none = no_positional(args); !none) return none.error();
  options.all = args.flag("all");
  options.names = args.values("path");
  options.wait = args.flag("wait");
  options.dry_run = args.flag("dry-run");
  if (options.all == !options.names.empty())
    return usage_error(options.all ? "cleaning.tmp.all_and_path" : "cleaning.tmp.need_path");
  auto older = args.duration_ms("older-than");
  if (!older) return older.error();
  options.older_than = *older;
  auto runtime = args.duration_ms("max-runtime");
  if (!runtime) return runtime.error();
  options.max_runtime = *runtime;
  if (options.max_runtime && *options.max_runtime <= 0)
    return usage_error("core.usage.bad_value",
                       {{"option", "--max-runtime"}, {"value", *args.value("max-runtime")}});
  return options;
}

Result<std::vector<TmpRule>> select_tmp_rules(const TenantConfig& tenant,
                                              const TmpOptions& options) {
  const Json& section = tenant.section("cleaning");
  std::vector<TmpRule> declared;
  if (section.contains("tmp"))
    for (const auto& entry : section["tmp"]) declared.push_back(read_tmp_rule(entry));
  if (declared.empty())
    return usage_error("cleaning.tmp.none_declared", {{"tenant", tenant.name}});
  if (options.all) return apply_older_than(declared, options);
  auto chosen = pick_rules(declared, options.names, [](const TmpRule& r) { return r.name; },
                           "cleaning.tmp.unknown_path", tenant.name);
  if (!chosen) return chosen;
  return apply_older_than(*chosen, options);
}




void declare_orphans_options(OptionSet& options) {
  options.flag("quarantine", "cleaning.orphans.opt.quarantine");
  options.flag("delete", "cleaning.orphans.opt.delete");
  options.value("restore", "RUN", "cleaning.orphans.opt.restore");
  options.list("root", "NAME", "cleaning.orphans.opt.root");
  options.value("max-delete", "COUNT", "cleaning.orphans.opt.max_delete");
  options.value("max-delete-bytes", "SIZE", "cleaning.orphans.opt.max_delete_bytes");
}

Result<OrphansOptions> parse_orphans_options(const Arguments& args) {
  OrphansOptions options;
  if (Status none = no_positional(args); !none) return none.error();
  options.dry_run = args.flag("dry-run");
  options.remove = args.flag("delete");
  options.restore = args.value("restore");
  options.roots = args.values("root");
  if (options.remove && args.flag("quarantine"))
    return usage_error("cleaning.orphans.quarantine_or_delete");
  if (options.restore && (options.remove || args.flag("quarantine") || args.value("max-delete")))
    return usage_error("cleaning.orphans.restore_alone");
  if (auto text = args.value("max-delete")) {
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(text->c_str(), &end, 10);
    if (text->empty() || *end || errno || (*text)[0] == '-')
      return usage_error("core.usage.bad_value", {{"option", "--max-delete"}, {"value", *text}});
    options.max_delete = n;
  }
  auto bytes = args.size("max-delete-bytes");
  if (!bytes) return bytes.error();
  options.max_delete_bytes = *bytes;
  return options;
}

Result<std::vector<OrphanRule>> select_orphan_rules(const TenantConfig& tenant,
                                                    const OrphansOptions& options) {
  const Json& section = tenant.section("cleaning");
  std::vector<OrphanRule> declared;
  if (section.contains("orphans"))
    for (const auto& e : section["orphans"]) {
      OrphanRule rule;
      rule.root = e.at("root").get<std::string>();
      rule.dir = tenant.files.at(rule.root);
      rule.table = e.value("table", rule.table);
      rule.column = e.value("column", rule.column);
      rule.key = e.value("key", rule.key);
      rule.prefix = e.value("prefix", rule.root + "/");
      if (e.contains("grace")) rule.grace_ms = parse_duration_ms(e["grace"].get<std::string>()).value_or(rule.grace_ms);
      if (e.contains("age_by")) {
        auto by = e["age_by"].get<std::vector<std::string>>();
        rule.by_ctime = std::find(by.begin(), by.end(), "ctime") != by.end();
        rule.by_atime = std::find(by.begin(), by.end(), "atime") != by.end();
      }
      rule.max_delete_percent = e.value("max_delete_percent", rule.max_delete_percent);
      if (e.contains("max_delete_bytes")) {
        const Json& v = e["max_delete_bytes"];
        rule.max_delete_bytes = v.is_string() ? parse_size(v.get<std::string>()).value_or(0)
                                              : v.get<std::uint64_t>();
      }
      rule.quarantine_days = e.value("quarantine_days", rule.quarantine_days);
      declared.push_back(rule);
    }
  if (declared.empty())
    return usage_error("cleaning.orphans.none_declared", {{"tenant", tenant.name}});
  if (options.roots.empty()) return declared;
  return pick_rules(declared, options.roots, [](const OrphanRule& r) { return r.root; },
                    "cleaning.orphans.unknown_root", tenant.name);
}

}  // namespace dihya::cleaning

// clean_logs
namespace dihya::cleaning {

namespace {

std::int64_t every_ms(const std::string& every) {
  constexpr std::int64_t hour = 3600 * 1000LL;
  if (every == "hourly") return hour;
  if (every == "daily") return 24 * hour;
  if (every == "weekly") return 7 * 24 * hour;
  return 30 * 24 * hour;  // monthly
}

std::optional<std::uint64_t> size_of(const Json& v) {
  return v.is_string() ? parse_size(v.get<std::string>()) : std::optional(v.get<std::uint64_t>());
}

LogRule read_log_rule(const Json& e) {
  LogRule rule;
  rule.name = e.at("name").get<std::string>();
  fs::path path = e.at("path").get<std::string>();
  rule.dir = path.parent_path();
  rule.glob = path.filename().string();
  if (e.contains("size")) rule.size = size_of(e["size"]);
  if (e.contains("every")) rule.every_ms = every_ms(e["every"].get<std::string>());
  rule.keep = e.value("keep", rule.keep);
  if (e.contains("max_age")) rule.max_age_ms = parse_duration_ms(e["max_age"].get<std::string>());
  if (e.contains("max_total_bytes")) rule.max_total_bytes = size_of(e["max_total_bytes"]);
  rule.compress = e.value("compress", rule.compress);
  rule.level = e.value("compress_level", 0);
  rule.delay_compress = e.value("delay_compress", false);
  rule.dateext = e.value("dateext", false);
  rule.copytruncate = e.value("copytruncate", false);
  rule.accept_shared_dir = e.value("accept_shared_dir", false);
  if (e.contains("reopen")) {
    const Json& r = e["reopen"];
    rule.signal = r.value("signal", "");
    if (r.contains("pid_file")) rule.pid_file = r["pid_file"].get<std::string>();
    if (r.contains("command")) rule.command = r["command"].get<std::vector<std::string>>();
  }
  return rule;
}

}  // namespace

void declare_logs_options(OptionSet& options) {
  options.flag("force", "cleaning.logs.opt.force");
  options.list("log", "NAME", "cleaning.logs.opt.log");
}

Result<LogsOptions> parse_logs_options(const Arguments& args) {
  LogsOptions options;
  if (Status none = no_positional(args); !none) return none.error();
  options.dry_run = args.flag("dry-run");
  options.force = args.flag("force");
  options.names = args.values("log");
  return options;
}

Result<std::vector<LogRule>> select_log_rules(const TenantConfig& tenant,
                                              const LogsOptions& options) {
  const Json& section = tenant.section("cleaning");
  std::vector<LogRule> declared;
  if (section.contains("logs"))
    for (const auto& e : section["logs"]) declared.push_back(read_log_rule(e));
  if (declared.empty())
    return usage_error("cleaning.logs.none_declared", {{"tenant", tenant.name}});
  if (options.names.empty()) return declared;
  return pick_rules(declared, options.names, [](const LogRule& r) { return r.name; },
                    "cleaning.logs.unknown_log", tenant.name);
}

}  // namespace dihya::cleaning
