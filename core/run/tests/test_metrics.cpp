#include <catch2/catch.hpp>
#include <cstdlib>

#include "core/base/process.hpp"
#include "core/run/metrics.hpp"
#include "core/testing/workspace.hpp"

using namespace dihya;
using namespace dihya::test;

namespace {

// Run `promtool check metrics` on TEXT; return its exit code and output.
std::pair<int, std::string> promtool_check(const std::string& text) {
  const char* promtool = std::getenv("DIHYA_PROMTOOL");
  REQUIRE(promtool != nullptr);  // scripts/setup installs the Debian package prometheus
  ProcessRequest request;
  request.argv = {promtool, "check", "metrics"};
  request.stdin_data = text;
  auto outcome = run_process(request);
  REQUIRE(outcome.ok());
  return {outcome->exit_code, outcome->out + outcome->err};
}

}  // namespace

TEST_CASE("run metrics are written atomically in the textfile format", "[metrics]") {
  TempDir dir;
  MetricSet extra;
  extra.add("dihya_audit_records", "Records in the audit trail.", MetricSet::Type::gauge, 42);
  RunMetrics run{1700000000500, 250, 0};
  REQUIRE(write_run_metrics(dir.path() / "metrics", "demo", "audit", run, extra).ok());
  std::string text = read_text(dir.path() / "metrics" / "audit.prom");
  CHECK(
      text.find("dihya_last_run_timestamp_seconds{tenant=\"demo\",tool=\"audit\"} 1700000000.75") !=
      std::string::npos);
  CHECK(text.find(
            "dihya_last_success_timestamp_seconds{tenant=\"demo\",tool=\"audit\"} 1700000000.75") !=
        std::string::npos);
  CHECK(text.find("dihya_last_run_exit_code{tenant=\"demo\",tool=\"audit\"} 0") !=
        std::string::npos);
  CHECK(text.find("dihya_audit_records{tenant=\"demo\",tool=\"audit\"} 42") != std::string::npos);
  // No temporary file is left beside it.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "metrics")) ++files;
  CHECK(files == 1);
  auto [code, output] = promtool_check(text);
  INFO(output);
  CHECK(code == 0);
}

TEST_CASE("a failed run keeps the previous last-success time", "[metrics]") {
  TempDir dir;
  REQUIRE(write_run_metrics(dir.path(), "demo", "audit", {1000000, 1000, 0}, {}).ok());
  REQUIRE(write_run_metrics(dir.path(), "demo", "audit", {2000000, 1000, 65}, {}).ok());
  std::string text = read_text(dir.path() / "audit.prom");
  CHECK(text.find("dihya_last_success_timestamp_seconds{tenant=\"demo\",tool=\"audit\"} 1001\n") !=
        std::string::npos);
  CHECK(text.find("dihya_last_run_exit_code{tenant=\"demo\",tool=\"audit\"} 65") !=
        std::string::npos);
}

TEST_CASE("label values are escaped", "[metrics]") {
  CHECK(prometheus_label_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  MetricSet set;
  set.add("dihya_x_total", "X.", MetricSet::Type::counter, 1, {{"path", "/tmp/\"q\""}});
  std::string text = set.render("t\"1", "tool");
  CHECK(text.find("tenant=\"t\\\"1\"") != std::string::npos);
  auto [code, output] = promtool_check(text);
  INFO(output);
  CHECK(code == 0);
}
