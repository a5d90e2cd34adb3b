#include "maintenance/services.hpp"

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/config/identity.hpp"
#include "core/config/tenants.hpp"
#include "maintenance/audit.hpp"

namespace dihya::maintenance {
namespace {

std::string joined(const std::vector<std::string>& items, const std::string& none) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? none : out;
}

Json describe_tenant(const TenantConfig& tenant) {
  Json files = Json::object();
  for (const auto& [name, path] : tenant.files) files[name] = path.string();
  return {{"database", tenant.database},
          {"state_dir", tenant.state_dir.string()},
          {"hooks_dir", tenant.hooks_dir.string()},
          {"audit_log", tenant.audit_log().string()},
          {"environment", tenant.environment},
          {"files", files},
          {"signed_audit", tenant.audit.signing_key.has_value()}};
}

void print_report(const Json& report, Context& ctx) {
  const Messages& m = ctx.messages();
  ctx.print(m.text("maintenance.check_config.valid", {{"file", report["file"]}}));
  ctx.print(m.text("maintenance.check_config.tenants",
                   {{"count", std::to_string(report["tenants"].size())}}));
  for (const auto& [name, t] : report["tenants"].items())
    ctx.print("  " +
              m.text("maintenance.check_config.tenant_line", {{"name", name},
                                                              {"database", t["database"]},
                                                              {"state_dir", t["state_dir"]},
                                                              {"environment", t["environment"]}}));
  ctx.print(m.text("maintenance.check_config.users",
                   {{"count", std::to_string(report["users"].size())}}));
  for (const auto& [name, u] : report["users"].items()) {
    std::string none = m.text("maintenance.check_config.none");
    ctx.print("  " +
              m.text("maintenance.check_config.user_line",
                     {{"name", name},
                      {"roles", joined(u["roles"], none)},
                      {"unix_users", joined(u["unix_users"], none)},
                      {"token", m.text(u["token"].get<bool>() ? "maintenance.check_config.yes"
                                                              : "maintenance.check_config.no")},
                      {"permissions", joined(u["permissions"], none)}}));
  }
  ctx.print(m.text("maintenance.check_config.roles",
                   {{"count", std::to_string(report["roles"].size())}}));
  for (const auto& [name, perms] : report["roles"].items())
    ctx.print("  " + name + ": " + joined(perms, m.text("maintenance.check_config.none")));
}

// Every key file the tenant's backup section names must open now, not at 3 a.m. when backup
// runs: a recipient file must hold a public key, an identity or passphrase file must be a
// private (0600) file.
Status check_backup_key_files(const TenantConfig& tenant) {
  auto bad = [&](const std::string& path, const Error& cause) -> Status {
    Error error = make_error(ExitCode::config_error, "maintenance.check_config.bad_backup_key",
                             {{"tenant", tenant.name}, {"path", path}});
    error.causes.push_back(cause);
    return error;
  };
  for (const auto& entry : tenant.backup.value("recipients", Json::array())) {
    std::string key_or_path = entry.get<std::string>();
    if (auto key = load_recipient(key_or_path); !key) return bad(key_or_path, key.error());
  }
  for (const char* field : {"identity", "passphrase_file"})
    if (tenant.backup.contains(field)) {
      std::string path = tenant.backup[field].get<std::string>();
      if (Status secret = check_secret_file(path); !secret) return bad(path, secret.error());
    }
  return {};
}

}  // namespace

Result<Json> describe_config(const Config& config, const CheckConfigOptions& options) {
  Json report = {{"valid", true}, {"file", config.path.string()}, {"version", config.version}};
  report["tenants"] = Json::object();
  for (const auto& [name, tenant] : config.tenants) {
    if (options.tenant && *options.tenant != name) continue;
    if (tenant.audit.signing_key)
      if (Status key = check_secret_file(*tenant.audit.signing_key); !key) {
        Error error = make_error(ExitCode::config_error, "maintenance.check_config.bad_key_file",
                                 {{"tenant", name}});
        error.causes.push_back(key.error());
        return error;
      }
    if (Status keys = check_backup_key_files(tenant); !keys) return keys.error();
    report["tenants"][name] = describe_tenant(tenant);
  }
  if (options.tenant && report["tenants"].empty())
    return make_error(ExitCode::usage, "core.usage.unknown_tenant",
                      {{"tenant", *options.tenant}, {"tenants", tenant_names(config)}});
  report["users"] = Json::object();
  for (const auto& [name, user] : config.users)
    report["users"][name] = {{"roles", user.roles},
                             {"unix_users", user.unix_users},
                             {"token", user.token_hash.has_value()},
                             {"permissions", effective_permissions(config, name)}};
  report["roles"] = config.roles;
  return report;
}

int run_check_config(const CheckConfigOptions& options, Context& ctx) {
  ctx.set_target(ctx.config().path.string());
  Json report = take(describe_config(ctx.config(), options));
  ctx.audit_details()["tenants"] = report["tenants"].size();
  ctx.audit_details()["users"] = report["users"].size();
  ctx.audit_details()["roles"] = report["roles"].size();
  ctx.set_summary("maintenance.check_config.summary",
                  {{"count", std::to_string(report["tenants"].size())}});
  ctx.result() = report;
  print_report(report, ctx);
  return 0;
}

}  // namespace dihya::maintenance
