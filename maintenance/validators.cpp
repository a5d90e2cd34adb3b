#include "maintenance/validators.hpp"

#include <algorithm>

namespace dihya::maintenance {

Status validate_check_config_arguments(const Arguments& args) {
  if (args.flag("all-tenants") && args.value("tenant"))
    return make_error(ExitCode::usage, "core.usage.tenant_and_all");
  return {};
}

Result<IntegrityOptions> parse_integrity_options(const Arguments& args) {
  static const std::vector<std::string> k_checks = {"db", "files", "backups", "audit"};
  IntegrityOptions options;
  std::string target = args.value("target").value_or("all");
  if (target == "all") {
    options.checks = k_checks;
  } else if (std::find(k_checks.begin(), k_checks.end(), target) != k_checks.end()) {
    options.checks = {target};
    options.all = false;
  } else {
    return usage_error("maintenance.integrity.bad_target",
                       {{"target", target}, {"choices", "db, files, backups, audit, all"}});
  }
  if (args.flag("quick") && args.flag("deep"))
    return usage_error("maintenance.integrity.quick_and_deep");
  if (args.flag("quick")) options.depth = integrity::Depth::quick;
  if (args.flag("deep")) options.depth = integrity::Depth::deep;
  options.keys = parse_key_options(args);
  return options;
}

Result<OptimizeOptions> parse_optimize_options(const Arguments& args) {
  OptimizeOptions options;
  std::string vacuum = args.value("vacuum").value_or("auto");
  if (vacuum == "auto") options.request.vacuum = VacuumMode::auto_;
  else if (vacuum == "full") options.request.vacuum = VacuumMode::full;
  else if (vacuum == "incremental") options.request.vacuum = VacuumMode::incremental;
  else if (vacuum == "none") options.request.vacuum = VacuumMode::none;
  else
    return usage_error("maintenance.optimize.bad_vacuum",
                       {{"value", vacuum}, {"choices", "auto, full, incremental, none"}});
  options.request.analyze = args.flag("analyze");
  options.request.reindex = args.flag("reindex");
  options.force = args.flag("force");
  options.reason = args.value("reason");
  if (options.force && !options.reason) return usage_error("maintenance.optimize.force_needs_reason");
  return options;
}

}  // namespace dihya::maintenance
