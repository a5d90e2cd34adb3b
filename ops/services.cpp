#include "ops/services.hpp"

#include <algorithm>
#include <cstdio>

#include "core/backup/backup.hpp"
#include "core/base/clock.hpp"
#include "core/base/fs.hpp"
#include "core/run/audit.hpp"

namespace dihya::ops {
namespace {

std::string text_field(const Json& record, const char* name) {
  auto it = record.find(name);
  if (it == record.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
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
  AuditVerification check = take(verify_tenant_trail(tenant));
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

namespace {

// Where the tenant's backup public key lives: the first entry of backup.recipients that is a
// path (an entry in clear cannot be rewritten).
fs::path public_key_path(const TenantConfig& tenant) {
  for (const auto& entry : tenant.backup.value("recipients", Json::array()))
    if (entry.get<std::string>().rfind("dihya-pub:", 0) != 0) return entry.get<std::string>();
  fail(ExitCode::config_error, "ops.keys.no_public_path", {{"tenant", tenant.name}});
}

fs::path identity_path(const TenantConfig& tenant, const RotateKeysCommand& command) {
  if (command.identity) return fs::absolute(*command.identity);
  if (tenant.backup.contains("identity")) return tenant.backup["identity"].get<std::string>();
  fail(ExitCode::config_error, "ops.keys.no_identity_path", {{"tenant", tenant.name}});
}

// The private key's passphrase: from --key-passphrase-file, else asked, twice when FRESH (a new
// one being set), so that a typo cannot lock the key away.
std::string key_passphrase(const RotateKeysCommand& command, const Context& ctx, bool fresh) {
  if (command.key_passphrase_file) return take(read_secret_line(*command.key_passphrase_file));
  const Messages& m = ctx.messages();
  auto asked = fresh ? take(prompt_new_secret(m.text("ops.keys.prompt_key_passphrase"),
                                              m.text("ops.keys.prompt_key_passphrase_again")))
                     : prompt_secret(m.text("ops.keys.prompt_key_passphrase"));
  if (!asked) fail(ExitCode::usage, "ops.keys.passphrase_needed");
  return *asked;
}

void write_identity(const fs::path& path, const IdentityKey& key,
                    const std::optional<std::string>& passphrase) {
  take(make_directories(path.parent_path(), 0700));
  take(atomic_write(
      path, passphrase ? encode_identity_protected(key, *passphrase) : encode_identity(key), 0600));
}

}  // namespace

int run_rotate_keys(const RotateKeysCommand& command, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  fs::path pub = public_key_path(tenant);
  fs::path secret = identity_path(tenant, command);
  ctx.set_target(secret.string());
  auto& details = ctx.audit_details();
  details["public_key"] = pub.string();
  details["identity"] = secret.string();
  std::error_code ec;
  if (command.generate) {
    for (const auto& path : {secret, pub})
      if (fs::exists(path, ec))
        fail(ExitCode::cant_create, "ops.audit.key_exists", {{"path", path.string()}});
    if (ctx.dry_run()) {
      ctx.print(m.text("ops.keys.generate_plan",
                       {{"secret", secret.string()}, {"public", pub.string()}}));
      return 0;
    }
    std::optional<std::string> passphrase;
    if (command.protect) passphrase = key_passphrase(command, ctx, true);
    IdentityKey key = generate_identity();
    write_identity(secret, key, passphrase);
    take(make_directories(pub.parent_path(), 0755));
    take(atomic_write(pub, encode_recipient(key.public_key) + "\n", 0644));
    std::string id = recipient_id(key.public_key);
    details["key_id"] = id;
    details["protected"] = command.protect;
    ctx.result() = {{"key_id", id},
                    {"public_key", pub.string()},
                    {"identity", secret.string()},
                    {"protected", command.protect}};
    ctx.set_summary("ops.keys.generated", {{"key_id", id}});
    ctx.print(m.text("ops.keys.generated", {{"key_id", id}}));
    ctx.print("  " +
              m.text("ops.keys.paths", {{"secret", secret.string()}, {"public", pub.string()}}));
    return 0;
  }

  // --rotate. The old key opens the backups; the new one is kept at <identity>.next until
  // every backup is re-wrapped, so an interrupted rotation resumes with the same new key.
  if (!fs::exists(secret, ec))
    fail(ExitCode::no_input, "ops.keys.no_identity", {{"path", secret.string()}});
  bool was_protected = identity_file_protected(secret);
  std::optional<std::string> passphrase;
  if (was_protected || command.protect) passphrase = key_passphrase(command, ctx, !was_protected);
  BackupKeys keys;
  keys.identities.push_back(take(load_identity(secret, passphrase)));
  const IdentityKey& old_key = keys.identities.front();
  std::string old_id = recipient_id(old_key.public_key);
  details["old_key_id"] = old_id;
  fs::path next = secret;
  next += ".next";
  auto repo = BackupRepository::open(tenant, false);
  std::optional<LockFile> lock;
  if (repo) lock.emplace(take(repo->lock()));
  if (ctx.dry_run()) {
    std::size_t count = 0;
    if (repo)
      for (const auto& info : take(repo->list())) count += info.encrypted ? 1 : 0;
    ctx.print(
        m.text("ops.keys.rotate_plan", {{"count", std::to_string(count)}, {"key_id", old_id}}));
    details["dry_run"] = true;
    return 0;
  }
  IdentityKey new_key;
  if (fs::exists(next, ec)) {
    new_key = take(load_identity(next, passphrase));
  } else {
    new_key = generate_identity();
    write_identity(next, new_key, passphrase);
  }
  std::string new_id = recipient_id(new_key.public_key);
  std::vector<std::string> rewrapped;
  if (repo) {
    SlotChange change;
    change.add.push_back(new_key.public_key);
    change.remove_ids.push_back(old_id);
    rewrapped = take(rewrap_backups(*repo, keys, change));
  }
  fs::path retired = secret;
  retired += ".retired-" + format_compact_utc(now_ms());
  if (::rename(secret.c_str(), retired.c_str()) != 0 || ::rename(next.c_str(), secret.c_str()) != 0)
    fail(ExitCode::io_error, "core.fs.io_error", {{"path", secret.string()}, {"reason", "rename"}});
  take(atomic_write(pub, encode_recipient(new_key.public_key) + "\n", 0644));
  details["key_id"] = new_id;
  details["rewrapped"] = rewrapped;
  details["retired"] = retired.string();
  ctx.result() = {{"key_id", new_id},
                  {"old_key_id", old_id},
                  {"rewrapped", rewrapped},
                  {"retired", retired.string()},
                  {"public_key", pub.string()}};
  ctx.set_summary("ops.keys.rotated",
                  {{"key_id", new_id}, {"count", std::to_string(rewrapped.size())}});
  ctx.print(m.text("ops.keys.rotated",
                   {{"key_id", new_id}, {"count", std::to_string(rewrapped.size())}}));
  ctx.print("  " + m.text("ops.keys.retired", {{"key_id", old_id}, {"path", retired.string()}}));
  return 0;
}

}  // namespace dihya::ops
