#include "ops/services.hpp"

#include <cstdio>

#include "core/audit.hpp"
#include "core/clock.hpp"
#include "core/fs.hpp"

namespace dihya::ops {
namespace {

std::string text_field(const Json& record, const char* name) {
  auto it = record.find(name);
  if (it == record.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::optional<VerifyKey> verify_key_of(const TenantConfig& tenant) {
  if (!tenant.audit.verify_key) return std::nullopt;
  return take(load_verify_key(*tenant.audit.verify_key));
}

}  // namespace

std::vector<Json> select_records(const std::vector<Json>& records, const AuditQuery& query) {
  std::vector<Json> out;
  for (const auto& record : records) {
    auto ts = parse_rfc3339_ms(text_field(record, "ts"));
    if (query.since_ms && (!ts || *ts < *query.since_ms)) continue;
    if (query.until_ms && (!ts || *ts > *query.until_ms)) continue;
    if (query.actor && text_field(record, "user") != *query.actor) continue;
    if (query.outcome && text_field(record, "outcome") != *query.outcome) continue;
    if (query.tool && text_field(record, "tool") != *query.tool) continue;
    out.push_back(record);
  }
  return out;
}

int run_audit_verify(Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  AuditTrail trail(tenant);
  ctx.set_target(trail.log_path().string());
  AuditVerification check =
      verify_audit_trail(trail.log_path(), trail.checkpoint_path(), verify_key_of(tenant),
                         tenant.audit.signing_key.has_value());
  auto& details = ctx.audit_details();
  details["records"] = check.records;
  details["checkpoints"] = check.checkpoints;
  details["intact"] = check.intact;
  Json& result = ctx.result();
  result = {{"tenant", tenant.name},
            {"log", trail.log_path().string()},
            {"intact", check.intact},
            {"records", check.records},
            {"checkpoints", check.checkpoints},
            {"unsigned_tail", check.unsigned_tail}};
  // A trail that cannot be read is not a tampered one: report the I/O or access error.
  if (!check.intact && !check.broken_seq) fail(check.reason);
  const Messages& m = ctx.messages();
  if (check.intact) {
    ctx.set_summary("ops.audit.intact", {{"count", std::to_string(check.records)}});
    ctx.print(m.text("ops.audit.intact", {{"count", std::to_string(check.records)}}));
    if (tenant.audit.signing_key)
      ctx.print(m.text("ops.audit.checkpoints", {{"count", std::to_string(check.checkpoints)},
                                                 {"tail", std::to_string(check.unsigned_tail)}}));
    return 0;
  }
  std::string reason = m.text(check.reason);
  result["broken_seq"] = check.broken_seq ? Json(*check.broken_seq) : Json();
  result["reason"] = {{"id", check.reason.id}, {"text", reason}};
  details["broken_seq"] = result["broken_seq"];
  ctx.set_summary(check.reason.id, check.reason.params);
  ctx.print(m.text("ops.audit.broken",
                   {{"seq", check.broken_seq ? std::to_string(*check.broken_seq) : "?"}}));
  ctx.print("  " + reason + " [" + check.reason.id + "]");
  return to_int(ExitCode::data_error);
}

int run_audit_show(const AuditQuery& query, Context& ctx) {
  AuditTrail trail(ctx.tenant());
  ctx.set_target(trail.log_path().string());
  auto records = select_records(take(trail.read_records()), query);
  ctx.audit_details()["records"] = records.size();
  ctx.result() = {{"tenant", ctx.tenant().name}, {"records", records}};
  for (const auto& r : records) {
    std::string line = "#" + text_field(r, "seq") + " " + text_field(r, "ts") + " " +
                       describe_audit_record(r, ctx.messages());
    if (!text_field(r, "target").empty()) line += " — " + text_field(r, "target");
    ctx.print(line);
  }
  ctx.set_summary("ops.audit.shown", {{"count", std::to_string(records.size())}});
  return 0;
}

int run_audit_export(const AuditCommand& command, Context& ctx) {
  AuditTrail trail(ctx.tenant());
  auto records = select_records(take(trail.read_records()), command.query);
  std::string text = render_audit_records(records, command.format, ctx.messages());
  static const char* const k_format_names[] = {"json", "csv", "cef", "syslog"};
  const char* format = k_format_names[static_cast<int>(command.format)];
  auto& details = ctx.audit_details();
  details["records"] = records.size();
  details["format"] = format;
  ctx.set_summary("ops.audit.exported",
                  {{"count", std::to_string(records.size())}, {"format", format}});
  if (command.output) {
    ctx.set_target(*command.output);
    details["output"] = *command.output;
    take(atomic_write(*command.output, text, 0640));
    ctx.result() = {{"records", records.size()}, {"format", format}, {"output", *command.output}};
    ctx.log().info("ops.audit.exported",
                   {{"count", std::to_string(records.size())}, {"format", format}});
    return 0;
  }
  ctx.set_target("-");
  ctx.result() = Json();  // the export itself is the output, with or without --json
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int run_audit_keygen(Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  if (!tenant.audit.signing_key || !tenant.audit.verify_key)
    fail(ExitCode::config_error, "ops.audit.no_key_path", {{"tenant", tenant.name}});
  const fs::path& secret = *tenant.audit.signing_key;
  const fs::path& pub = *tenant.audit.verify_key;
  ctx.set_target(secret.string());
  std::error_code ec;
  for (const auto& path : {secret, pub})
    if (fs::exists(path, ec))
      fail(ExitCode::cant_create, "ops.audit.key_exists", {{"path", path.string()}});
  if (ctx.dry_run()) {
    ctx.print(ctx.messages().text("ops.audit.keygen_dry_run",
                                  {{"secret", secret.string()}, {"public", pub.string()}}));
    return 0;
  }
  SigningKey key = generate_signing_key();
  take(make_directories(secret.parent_path(), 0700));
  take(make_directories(pub.parent_path(), 0755));
  take(atomic_write(secret, encode_signing_key(key), 0600));
  take(atomic_write(pub, encode_verify_key(key.public_key), 0644));
  std::string id = key_id(key.public_key);
  ctx.audit_details()["key_id"] = id;
  ctx.result() = {{"key_id", id}, {"signing_key", secret.string()}, {"verify_key", pub.string()}};
  ctx.set_summary("ops.audit.keygen_done", {{"key_id", id}});
  ctx.print(ctx.messages().text("ops.audit.keygen_done", {{"key_id", id}}));
  return 0;
}

int run_audit(const AuditCommand& command, Context& ctx) {
  switch (command.subcommand) {
    case AuditSubcommand::verify:
      return run_audit_verify(ctx);
    case AuditSubcommand::show:
      return run_audit_show(command.query, ctx);
    case AuditSubcommand::export_records:
      return run_audit_export(command, ctx);
    case AuditSubcommand::keygen:
      return run_audit_keygen(ctx);
  }
  return to_int(ExitCode::usage);
}

}  // namespace dihya::ops
