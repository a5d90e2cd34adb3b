#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/base/log.hpp"
#include "core/run/hooks.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

struct HookFixture {
  TempDir dir;
  Messages messages{Language::en};
  Log log{"test", messages, Verbosity::quiet};

  fs::path hooks() const { return dir.path() / "hooks"; }
  void add(const std::string& point, const std::string& name, const std::string& script,
           unsigned mode = 0755) {
    fs::path path = hooks() / (point + ".d") / name;
    write_text(path, "#!/bin/sh\n" + script + "\n", mode);
    fs::permissions(hooks() / (point + ".d"), static_cast<fs::perms>(0755),
                    fs::perm_options::replace);
  }
  Status run(const std::string& point, bool veto, int timeout_s = 5) {
    HookCall call{point,
                  {{"tool", "check_config"}, {"tenant", "demo"}},
                  {{"DIHYA_TENANT", "demo"}},
                  std::chrono::seconds(timeout_s)};
    return run_hooks(hooks(), call, veto, log);
  }
};

}  // namespace

TEST_CASE("hooks run in lexical order with the context on stdin", "[hooks]") {
  HookFixture f;
  fs::path trace = f.dir.path() / "trace";
  f.add("backup.pre", "20-second", "echo second >> " + trace.string());
  f.add("backup.pre", "10-first",
        "cat > " + (f.dir.path() / "ctx.json").string() + "; echo \"first $DIHYA_HOOK_POINT " +
            "$DIHYA_TENANT\" >> " + trace.string());
  f.add("backup.pre", "30-skipped.disabled", "echo never >> " + trace.string());
  f.add("backup.pre", "40-not-executable", "echo never >> " + trace.string(), 0644);
  REQUIRE(f.run("backup.pre", true).ok());
  CHECK(read_text(trace) == "first backup.pre demo\nsecond\n");
  Json context = Json::parse(read_text(f.dir.path() / "ctx.json"));
  CHECK(context["tool"] == "check_config");
}

TEST_CASE("a pre hook that exits non-zero vetoes the action and is named", "[hooks]") {
  HookFixture f;
  fs::path trace = f.dir.path() / "trace";
  f.add("backup.pre", "10-deny", "exit 3");
  f.add("backup.pre", "20-after", "echo ran >> " + trace.string());
  Status status = f.run("backup.pre", true);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().id == "core.hook.veto");
  CHECK(status.error().code == ExitCode::failure);
  CHECK(status.error().param("hook").find("10-deny") != std::string::npos);
  CHECK(status.error().param("code") == "3");
  CHECK_FALSE(fs::exists(trace));
}

TEST_CASE("a failing post hook does not veto", "[hooks]") {
  HookFixture f;
  f.add("backup.post", "10-fail", "exit 1");
  CHECK(f.run("backup.post", false).ok());
}

TEST_CASE("a world-writable hook is refused and not run", "[hooks]") {
  HookFixture f;
  fs::path trace = f.dir.path() / "trace";
  f.add("backup.pre", "10-open", "echo ran >> " + trace.string());
  ::chmod((f.hooks() / "backup.pre.d" / "10-open").c_str(), 0777);
  Status status = f.run("backup.pre", true);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ExitCode::no_permission);
  CHECK(status.error().id == "core.hook.writable");
  CHECK_FALSE(fs::exists(trace));
}

TEST_CASE("a group-writable hook directory is refused", "[hooks]") {
  HookFixture f;
  f.add("backup.pre", "10-ok", "true");
  ::chmod((f.hooks() / "backup.pre.d").c_str(), 0775);
  Status status = f.run("backup.pre", true);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().id == "core.hook.writable");
}

TEST_CASE("a hook that hangs is stopped at its timeout", "[hooks]") {
  HookFixture f;
  fs::path trace = f.dir.path() / "trace";
  f.add("backup.pre", "10-hang", "sleep 60; echo finished >> " + trace.string());
  Status status = f.run("backup.pre", true, 1);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().id == "core.hook.timeout");
  CHECK_FALSE(fs::exists(trace));
}

TEST_CASE("no hook directory means nothing to run", "[hooks]") {
  HookFixture f;
  CHECK(f.run("backup.pre", true).ok());
  auto listed = list_hooks(f.hooks(), "backup.pre");
  REQUIRE(listed.ok());
  CHECK(listed->empty());
}
