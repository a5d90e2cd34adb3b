// Catch2 main with a TAP reporter that emits one line per test case (not per assertion), so
// that `meson test` counts test cases.
#define CATCH_CONFIG_RUNNER
#include <csignal>

#include <catch2/catch.hpp>

namespace {

class TapCaseReporter : public Catch::StreamingReporterBase<TapCaseReporter> {
 public:
  explicit TapCaseReporter(const Catch::ReporterConfig& config) : StreamingReporterBase(config) {
    m_reporterPrefs.shouldReportAllAssertions = false;
  }
  static std::string getDescription() { return "TAP, one line per test case"; }

  void noMatchingTestCases(const std::string& spec) override {
    stream << "# no test matches " << spec << "\n";
  }
  void assertionStarting(const Catch::AssertionInfo&) override {}

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    const auto& result = stats.assertionResult;
    if (result.isOk()) return true;
    std::ostringstream out;
    out << result.getSourceInfo().file << ":" << result.getSourceInfo().line << ": ";
    if (result.hasExpression())
      out << result.getExpressionInMacro() << " with expansion " << result.getExpandedExpression();
    if (result.hasMessage()) out << " " << result.getMessage();
    for (const auto& info : stats.infoMessages) out << " [" << info.message << "]";
    m_failures.push_back(out.str());
    return true;
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    ++m_count;
    bool ok = stats.totals.assertions.failed == 0;
    stream << (ok ? "ok " : "not ok ") << m_count << " - " << stats.testInfo.name << "\n";
    for (const auto& failure : m_failures) {
      std::string line = failure;
      for (auto& c : line)
        if (c == '\n') c = ' ';
      stream << "# " << line << "\n";
    }
    m_failures.clear();
    StreamingReporterBase::testCaseEnded(stats);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    stream << "1.." << m_count << "\n";
    StreamingReporterBase::testRunEnded(stats);
  }

 private:
  std::size_t m_count = 0;
  std::vector<std::string> m_failures;
};

}  // namespace

CATCH_REGISTER_REPORTER("tapcase", TapCaseReporter)

int main(int argc, char** argv) {
  // As in every tool (core/signals.cpp): a child that exits before reading all its input
  // (a hook, pg_restore) must give EPIPE to the writer, not kill the test binary.
  ::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
