#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/base/log.hpp"
#include "core/base/options.hpp"
#include "core/base/progress.hpp"
#include "core/config/config.hpp"
#include "core/config/identity.hpp"
#include "core/run/metrics.hpp"

namespace dihya {

// What a run acts on: one tenant at a time, or the configuration as a whole.
enum class Scope { tenant, config };

class Context;

// Everything the runner needs to know about a tool; main() hands it to run_tool.
struct ToolSpec {
  std::string module;                 // "maintenance"
  std::string name;                   // "check_config"
  std::string summary_id;             // message id of the one-line summary
  std::vector<std::string> examples;  // command lines shown in --help
  Scope scope = Scope::tenant;
  bool changes_data = false;  // adds --dry-run and --yes
  std::string hook_point;     // "<hook_point>.pre/.post" run around the action
  std::function<void(OptionSet&)> declare_options = [](OptionSet&) {};
  // The permission the run needs and the action recorded in the audit trail; both may
  // depend on the arguments (a subcommand).
  std::function<std::string(const Arguments&)> permission;
  std::function<std::string(const Arguments&)> action;
  // Check the tool's own arguments before config and access (usage errors: 64).
  std::function<Status(const Arguments&)> validate_arguments = [](const Arguments&) {
    return Status{};
  };
  std::function<int(Context&)> run;
  // Whether the tool has anything to act on in a tenant (the backup tools need a backup
  // repository). --all-tenants skips the others, saying why with NOT_APPLICABLE_ID (a message
  // taking {tenant}); a tenant named with --tenant still gets the tool's own error.
  std::function<bool(const TenantConfig&)> applies_to = nullptr;
  std::string not_applicable_id = {};
};

// The state of one run, handed to the tool's run function.
class Context {
 public:
  Context(const ToolSpec& spec, const Config& config, const TenantConfig* tenant,
          const Identity& identity, const Arguments& args, const Messages& messages, Log& log);

  const ToolSpec& spec() const { return m_spec; }
  const Config& config() const { return m_config; }
  // The tenant of this run; a config-scope tool has none.
  const TenantConfig& tenant() const;
  bool has_tenant() const { return m_tenant != nullptr; }
  const Identity& identity() const { return m_identity; }
  const Arguments& args() const { return m_args; }
  const Messages& messages() const { return m_messages; }
  Log& log() { return m_log; }

  bool json() const { return m_args.flag("json"); }
  bool dry_run() const { return m_args.flag("dry-run"); }
  bool quiet() const { return m_args.flag("quiet"); }
  Progress progress(const std::string& label_id, std::uint64_t total) const;
  // Whether progress() draws a bar (a terminal, no --quiet, no --no-progress).
  bool progress_shown() const;

  // A line of the run's text output (nothing with --json; under -q, only if the run fails).
  void print(const std::string& line);
  void show_held();
  // The JSON result document, printed once at the end with --json.
  Json& result() { return m_result; }

  // What the audit record says: the target acted on, details (no secrets, no personal data)
  // and a message id with parameters that summarizes the outcome.
  void set_target(std::string target) { m_target = std::move(target); }
  const std::string& target() const { return m_target; }
  Json& audit_details() { return m_details; }
  void set_summary(const std::string& id, const MessageParams& params);
  MetricSet& metrics() { return m_metrics; }

 private:
  const ToolSpec& m_spec;
  const Config& m_config;
  const TenantConfig* m_tenant;
  const Identity& m_identity;
  const Arguments& m_args;
  Messages m_messages;
  Log& m_log;
  std::string m_target;
  Json m_result = Json::object();
  Json m_details = Json::object();
  static constexpr std::size_t k_held_lines = 1000;
  std::deque<std::string> m_held;  // the last lines printed under -q, shown if the run fails
  MetricSet m_metrics;
};

// The validate_arguments and run of a tool whose arguments parse into one options value:
// PARSE checks them before config and access, and again hands them to RUN.
template <class Parse>
std::function<Status(const Arguments&)> validate_with(Parse parse) {
  return [parse](const Arguments& args) -> Status {
    auto options = parse(args);
    if (!options) return options.error();
    return {};
  };
}
template <class Parse, class Run>
std::function<int(Context&)> run_with(Parse parse, Run run) {
  return [parse, run](Context& ctx) { return run(take(parse(ctx.args())), ctx); };
}

// Run a tool: parse options, load and validate the config, check identity and permission,
// run hooks and the tool, write the audit record and metrics, map errors to exit codes.
int run_tool(const ToolSpec& spec, int argc, char** argv);

// The text of --help for SPEC in the language of MESSAGES.
std::string help_text(const ToolSpec& spec, const Messages& messages);

}  // namespace dihya
