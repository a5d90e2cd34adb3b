// check_integrity: the integrity engine (core/run/integrity) run for one tenant.
#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/config/section_maintenance.hpp"
#include "maintenance/audit.hpp"
#include "maintenance/services.hpp"

namespace dihya::maintenance {
namespace {

const char* depth_name(integrity::Depth depth) {
  return depth == integrity::Depth::quick ? "quick"
         : depth == integrity::Depth::deep ? "deep"
                                           : "normal";
}

// The keys that open the tenant's encrypted backups, when it has any; never asks.
std::optional<BackupKeys> quiet_keys(const TenantConfig& tenant, const KeyOptions& options,
                                     Log& log) {
  bool configured = tenant.backup.contains("identity") ||
                    tenant.backup.contains("passphrase_file") ||
                    !options.identity_files.empty() || options.passphrase_file;
  if (!configured) return std::nullopt;
  KeySources sources{options.identity_files, options.passphrase_file, options.key_passphrase_file,
                     {}};
  auto keys = backup_decryption_keys(tenant, sources);
  if (!keys) {
    log.warn(keys.error());
    return std::nullopt;
  }
  return std::optional<BackupKeys>(std::move(*keys));
}

integrity::CheckReport run_one(const std::string& check, const IntegrityOptions& options,
                               Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  MaintenanceSettings settings = maintenance_settings(tenant);
  if (check == "db") return integrity::check_database(tenant, options.depth);
  if (check == "audit") return integrity::check_audit(tenant);
  if (check == "backups") {
    std::optional<BackupKeys> keys = quiet_keys(tenant, options.keys, ctx.log());
    return integrity::check_backups(tenant, settings, options.depth, keys ? &*keys : nullptr,
                                    now_ms());
  }
  // The bar is drawn once the catalog's row count is known.
  std::optional<Progress> bar;
  auto progress = [&](std::uint64_t done, std::uint64_t total) {
    if (!bar && ctx.progress_shown())
      bar.emplace(true, ctx.messages().text("maintenance.integrity.progress_files"), total);
    if (bar) bar->update(done);
  };
  auto report = integrity::check_files(tenant, settings, options.depth, progress);
  if (bar) bar->finish();
  return report;
}

// With --target all, a check the tenant is not set up for (no repository, no files catalog)
// is skipped rather than failed.
bool skipped(const integrity::CheckReport& report, const IntegrityOptions& options) {
  if (!options.all || !report.error) return false;
  const std::string& id = report.error->id;
  return id == "core.integrity.no_repository" || id == "core.integrity.no_catalog" ||
         id == "core.integrity.no_files_root";
}

void print_report(const integrity::CheckReport& report, bool skip, Context& ctx) {
  const Messages& m = ctx.messages();
  std::string name = m.text("maintenance.integrity.check." + report.check);
  if (skip) {
    ctx.print(m.text("maintenance.integrity.skipped", {{"check", name}, {"reason", m.text(*report.error)}}));
    return;
  }
  if (report.error && report.findings.empty()) {
    ctx.print(m.text("maintenance.integrity.failed", {{"check", name}, {"reason", m.text(*report.error)}}));
    return;
  }
  if (report.findings.empty())
    ctx.print(m.text("maintenance.integrity.ok", {{"check", name}}));
  else
    ctx.print(m.text("maintenance.integrity.corrupt",
                     {{"check", name}, {"count", std::to_string(report.findings.size())}}));
  for (const auto& finding : report.findings) ctx.print("  - " + m.text(finding.message));
  for (const auto& note : report.notes) ctx.print("  * " + m.text(note));
}

}  // namespace

int run_check_integrity(const IntegrityOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  ctx.set_target(tenant.name);
  Json checks = Json::array(), states = Json::object();
  std::size_t findings = 0;
  int corrupt = 0, failed = 0;
  for (const auto& check : options.checks) {
    check_interrupted();
    integrity::CheckReport report = run_one(check, options, ctx);
    bool skip = skipped(report, options);
    print_report(report, skip, ctx);
    Json entry = report.to_json();
    if (skip) entry["skipped"] = true;
    checks.push_back(entry);
    findings += report.findings.size();
    std::string state = skip ? "skipped" : !report.findings.empty() ? "corrupt"
                                         : report.error          ? "failed"
                                                                 : "ok";
    states[check] = state;
    if (!skip)
      ctx.metrics().add("dihya_integrity_ok",
                        "1 when the last integrity check found everything intact, else 0.",
                        MetricSet::Type::gauge, report.ok() ? 1 : 0, {{"check", check}});
    if (!report.findings.empty()) corrupt = to_int(ExitCode::data_error);
    if (!skip && report.error && report.findings.empty() && !failed) {
      ExitCode code = report.error->code;
      failed = code == ExitCode::unavailable || code == ExitCode::no_permission ||
                       code == ExitCode::interrupted
                   ? to_int(code)
                   : to_int(ExitCode::failure);
    }
  }
  ctx.audit_details()["checks"] = states;
  ctx.audit_details()["findings"] = findings;
  ctx.audit_details()["depth"] = depth_name(options.depth);
  ctx.result() = {{"tenant", tenant.name},
                  {"ok", !corrupt && !failed},
                  {"depth", depth_name(options.depth)},
                  {"checks", checks}};
  ctx.set_summary(corrupt   ? "maintenance.integrity.summary_corrupt"
                  : failed ? "maintenance.integrity.summary_failed"
                           : "maintenance.integrity.summary_ok",
                  {{"count", std::to_string(findings)}});
  return corrupt ? corrupt : failed;
}

}  // namespace dihya::maintenance
