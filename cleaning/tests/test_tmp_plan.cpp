// The plan and apply walks of clean_tmp, called directly: an entry that changes between the
// plan and the apply is kept and reported; the config section's checks and rule selection.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>

#include "cleaning/tests/cleaning_support.hpp"
#include "cleaning/tmp_plan.hpp"
#include "core/base/clock.hpp"
#include "core/base/glob.hpp"
#include "core/run/config_sections.hpp"

using namespace dihya;
using namespace dihya::cleaning;
using namespace dihya::test;

namespace {

struct Events {
  std::vector<std::string> lines;
  EntrySink sink() {
    return [this](const EntryEvent& e) {
      lines.push_back(std::string(e.action) + " " + std::string(e.path) + " " +
                      reason_name(e.reason));
    };
  }
};

TmpRule rule_for(const fs::path& dir) {
  TmpRule rule;
  rule.name = "scratch";
  rule.path = dir;
  rule.age_ms = 7 * 86400 * 1000LL;
  rule.by_ctime = false;
  rule.exclude = {"*.keep"};
  return rule;
}

}  // namespace

TEST_CASE("an entry changed between plan and apply is kept and reported", "[tmp_plan]") {
  TempDir dir;
  old_file(dir.path() / "touched");
  old_file(dir.path() / "replaced");
  old_file(dir.path() / "grown");
  old_file(dir.path() / "untouched");
  old_file(dir.path() / "sub" / "gets_company");
  make_old(dir.path() / "sub");
  TmpRule rule = rule_for(dir.path());
  Deadline deadline(std::nullopt);
  FileKeySet open;
  Events events;
  TmpWalkSettings s{&rule, (now_ms() - rule.age_ms) * 1'000'000LL, &open, &deadline, events.sink(),
                    {}};
  Plan plan;
  TmpTally tally;
  REQUIRE(plan_tmp(s, plan, tally));
  CHECK(tally.planned == 6);

  // Between the walks: one file is written to, one replaced by a new one under the same
  // name, one grows but keeps its old date, and a new file lands in a planned directory.
  write_text(dir.path() / "sub" / "newcomer", "n");
  write_text(dir.path() / "touched", "fresh");
  old_file(dir.path() / "replaced.new");  // a new inode, renamed over the planned one
  fs::rename(dir.path() / "replaced.new", dir.path() / "replaced");
  {
    std::ofstream grow(dir.path() / "grown", std::ios::app);
    grow << "more";
  }
  make_old(dir.path() / "grown");
  make_old(dir.path() / "sub");
  events.lines.clear();
  REQUIRE(apply_tmp(s, plan, tally));
  CHECK(tree_listing(dir.path()) ==
        std::vector<std::string>{"grown", "replaced", "sub", "sub/newcomer", "touched"});
  std::sort(events.lines.begin(), events.lines.end());
  CHECK(events.lines ==
        std::vector<std::string>{"kept grown changed", "kept sub changed", "kept touched changed",
                                 "removed sub/gets_company age", "removed untouched age"});
  CHECK(tally.removed == 2);
  CHECK(tally.vanished == 1);  // the replaced file's old inode
}

TEST_CASE("globs are checked and matched on names or relative paths", "[tmp_plan]") {
  CHECK(valid_glob("*.keep"));
  CHECK(valid_glob("cache/[0-9]*"));
  CHECK(valid_glob("[]x]"));
  CHECK_FALSE(valid_glob(""));
  CHECK_FALSE(valid_glob("[abc"));
  CHECK_FALSE(valid_glob("trailing\\"));
  CHECK(glob_match("*.keep", "a.keep", "dir/a.keep"));
  CHECK_FALSE(glob_match("*.keep", "a.kept", "dir/a.kept"));
  CHECK(glob_match("dir/*", "a", "dir/a"));
  CHECK_FALSE(glob_match("dir/*", "a", "other/dir/a"));
}

TEST_CASE("the cleaning section accepts the documented shape and names every problem",
          "[tmp_plan]") {
  Workspace ws;
  auto& tenant = ws.config()["tenants"]["demo"];
  tenant["files"]["tmp"] = "data/demo/tmp";
  tenant["files"]["logs"] = "data/demo/logs";
  tenant["cleaning"] = Json::parse(R"({
    "tmp":     [{"name": "scratch", "path": "data/demo/tmp", "age": "7d", "exclude": ["*.keep"]}],
    "logs":    [{"name": "app", "path": "data/demo/logs/*.log", "size": "100M", "every": "daily",
                 "keep": 14, "compress": "zstd",
                 "reopen": {"signal": "HUP", "pid_file": "data/demo/run/app.pid"}}],
    "orphans": [{"root": "uploads", "table": "files", "column": "path", "grace": "24h"}]
  })");
  auto config = parse_config(ws.config().dump(), ws.config_path());
  INFO((config ? "" : config.error().id));
  REQUIRE(config);
  const TenantConfig& t = config->tenants.at("demo");
  CHECK(t.section("cleaning")["tmp"][0]["path"] == (ws.dir() / "data/demo/tmp").string());

  TmpOptions all;
  all.all = true;
  auto rules = select_tmp_rules(t, all);
  REQUIRE(rules);
  REQUIRE(rules->size() == 1);
  CHECK((*rules)[0].age_ms == 7 * 86400000LL);
  CHECK((*rules)[0].by_mtime);
  CHECK((*rules)[0].by_ctime);
  CHECK_FALSE((*rules)[0].by_atime);
  TmpOptions named;
  named.names = {"nope"};
  CHECK(select_tmp_rules(t, named).error().code == ExitCode::usage);

  tenant["cleaning"]["logs"][0]["compress"] = "lzma";
  tenant["cleaning"]["logs"][0]["reopen"]["command"] = Json::array({"/bin/true"});
  tenant["cleaning"]["orphans"][0]["root"] = "nowhere";
  tenant["cleaning"]["tmp"][0]["path"] = std::getenv("HOME") ? std::getenv("HOME") : "/root";
  auto bad = parse_config(ws.config().dump(), ws.config_path());
  REQUIRE_FALSE(bad);
  std::vector<std::string> paths;
  for (const auto& cause : bad.error().causes) paths.push_back(cause.param("path"));
  std::sort(paths.begin(), paths.end());
  CHECK(paths == std::vector<std::string>{"tenants.demo.cleaning.logs[0].compress",
                                          "tenants.demo.cleaning.logs[0].reopen",
                                          "tenants.demo.cleaning.orphans[0].root",
                                          "tenants.demo.cleaning.tmp[0].path"});
}
