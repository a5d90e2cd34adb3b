#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "core/base/process.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

ProcessOutcome run(ProcessRequest request) {
  auto outcome = run_process(request);
  REQUIRE(outcome.ok());
  return *outcome;
}

}  // namespace

TEST_CASE("a child gets the environment asked for: added, replaced and removed", "[process]") {
  ::setenv("DIHYA_TEST_KEPT", "kept", 1);
  ::setenv("DIHYA_TEST_GONE", "secret", 1);
  ::setenv("DIHYA_TEST_OLD", "old", 1);
  ProcessRequest request;
  request.argv = {
      "sh", "-c",
      "echo \"$DIHYA_TEST_KEPT ${DIHYA_TEST_GONE-unset} $DIHYA_TEST_OLD $DIHYA_TEST_NEW\""};
  request.env = {
      {"DIHYA_TEST_OLD", "new"}, {"DIHYA_TEST_NEW", "first"}, {"DIHYA_TEST_NEW", "added"}};
  request.unset_env = {"DIHYA_TEST_GONE"};
  auto outcome = run(request);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.out == "kept unset new added\n");
  ::unsetenv("DIHYA_TEST_KEPT");
  ::unsetenv("DIHYA_TEST_GONE");
  ::unsetenv("DIHYA_TEST_OLD");
}

TEST_CASE("a program is looked up in the child's PATH; a missing one exits 127", "[process]") {
  TempDir dir;
  write_text(dir.path() / "dihya-probe", "#!/bin/sh\necho found \"$1\"\n", 0755);
  write_text(dir.path() / "dihya-bare", "echo bare \"$1\"\n", 0755);  // no #!: run by sh
  ProcessRequest request;
  request.env = {{"PATH", dir.path().string() + ":/usr/bin:/bin"}};
  request.argv = {"dihya-probe", "x y"};
  CHECK(run(request).out == "found x y\n");
  request.argv = {"dihya-bare", "z"};
  CHECK(run(request).out == "bare z\n");
  request.argv = {"dihya-no-such-program"};
  CHECK(run(request).exit_code == 127);
  request.argv = {(dir.path() / "missing").string()};
  CHECK(run(request).exit_code == 127);
}

TEST_CASE("threads that start programs at once while others allocate all see them end",
          "[process]") {
  // A child that called malloc between fork and exec could hang on a lock another thread held.
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop) {
      std::vector<std::string> garbage(64, std::string(100, 'x'));
    }
  });
  std::vector<std::thread> threads;
  std::vector<int> failures(6, 0);
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        ProcessRequest request;
        request.argv = {"sh", "-c", "exit 0"};
        request.env = {{"DIHYA_TEST_RUN", std::to_string(i)}};
        request.timeout = std::chrono::seconds(60);
        auto outcome = run_process(request);
        if (!outcome.ok() || outcome->exit_code != 0) ++failures[t];
      }
    });
  for (auto& t : threads) t.join();
  stop = true;
  churn.join();
  for (int f : failures) CHECK(f == 0);
}
