#include "backup/services.hpp"

#include <fmt/format.h>

#include <map>

#include "backup/audit.hpp"
#include "core/backup/retention.hpp"
#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/base/table.hpp"

namespace dihya::backup {
namespace {

BackupRepository open_repository(const Context& ctx, bool create) {
  return take(BackupRepository::open(ctx.tenant(), create));
}

std::string yes_no(const Messages& m, bool value) {
  return m.text(value ? "backup.yes" : "backup.no");
}

}  // namespace

std::string human_bytes(std::int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

int run_backup(const BackupOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  std::string policy = tenant.backup.value("encryption", "optional");
  auto& details = ctx.audit_details();
  details["target"] = backup_target_name(options.target);
  details["encrypted"] = options.encrypt;
  if (!options.tag.empty()) details["tag"] = options.tag;
  if (policy == "required" && !options.encrypt)
    fail(ExitCode::no_permission, "backup.encryption_required", {{"tenant", tenant.name}});
  // The keys first: a passphrase typed twice differently leaves nothing behind.
  std::optional<EnvelopeKeys> encryption;
  if (options.encrypt && !ctx.dry_run())
    encryption = take(backup_encryption_keys(tenant, key_sources(options.keys, ctx.messages())));
  auto repo = open_repository(ctx, !ctx.dry_run());
  ctx.set_target(repo.root().string());
  int level = options.compression_level.value_or(tenant.backup.value("compression_level", 3));
  if (ctx.dry_run()) {
    ctx.print(m.text("backup.plan", {{"target", backup_target_name(options.target)},
                                     {"repository", repo.root().string()},
                                     {"encrypted", yes_no(m, options.encrypt)}}));
    ctx.result() = {{"dry_run", true},
                    {"target", backup_target_name(options.target)},
                    {"repository", repo.root().string()},
                    {"encrypted", options.encrypt},
                    {"compression_level", level}};
    details["dry_run"] = true;
    return 0;
  }
  LockFile lock = take(repo.lock());
  std::vector<std::string> leftovers = take(repo.clean_leftovers());
  for (const auto& name : leftovers)
    ctx.log().warn(make_error(ExitCode::ok, "backup.leftover_removed", {{"name", name}}));
  if (!leftovers.empty()) details["leftovers_removed"] = leftovers.size();

  BackupRequest request;
  request.target = options.target;
  request.tag = options.tag;
  request.compression_level = level;
  request.encryption = std::move(encryption);
  Progress bar = ctx.progress("backup.progress", 0);
  request.progress = [&bar](std::uint64_t bytes) { bar.update(bytes); };
  BackupOutcome outcome = take(create_backup(tenant, ctx.config().path, repo, request));
  bar.finish();
  const BackupInfo& info = outcome.info;
  for (const auto& skipped : outcome.manifest["skipped"])
    ctx.log().warn(make_error(ExitCode::ok, "backup.skipped",
                              {{"entry", skipped.value("entry", "?")},
                               {"reason", m.text("backup.skip." + skipped.value("reason", "?"))}}));
  details["id"] = info.id;
  details["recipients"] = info.recipients;
  details["file_bytes"] = info.file_bytes;
  details["data_bytes"] = info.data_bytes;
  details["entries"] = info.entries;
  details["file_sha256"] = info.file_sha256;
  details["skipped"] = outcome.manifest["skipped"].size();
  auto& metrics = ctx.metrics();
  std::vector<std::pair<std::string, std::string>> labels = {{"target", info.target}};
  metrics.add("dihya_backup_last_success_timestamp_seconds",
              "Time of the last backup that completed, per target.", MetricSet::Type::gauge,
              static_cast<double>(info.created_ms) / 1000.0, labels);
  metrics.add("dihya_backup_bytes", "Size of the last backup file, per target.",
              MetricSet::Type::gauge, static_cast<double>(info.file_bytes), labels);
  metrics.add("dihya_backup_data_bytes", "Bytes the last backup holds before compression.",
              MetricSet::Type::gauge, static_cast<double>(info.data_bytes), labels);
  metrics.add("dihya_backup_duration_seconds", "Duration of the last backup, per target.",
              MetricSet::Type::gauge, info.seconds, labels);
  ctx.result() = info.to_json();
  ctx.set_summary("backup.done", {{"id", info.id}});
  ctx.print(m.text("backup.done", {{"id", info.id}}));
  double rate = info.seconds > 0 ? static_cast<double>(info.data_bytes) / info.seconds : 0;
  ctx.print("  " +
            m.text("backup.sizes", {{"count", std::to_string(info.entries)},
                                    {"data", human_bytes(info.data_bytes)},
                                    {"file", human_bytes(info.file_bytes)},
                                    {"seconds", fmt::format("{:.2f}", info.seconds)},
                                    {"rate", human_bytes(static_cast<std::int64_t>(rate))}}));
  return 0;
}

int run_list(const ListOptions& options, Context& ctx) {
  const Messages& m = ctx.messages();
  // A repository that does not exist is no input (66), as for verify_backup and restore: an
  // empty listing there would tell a script that the backups are merely gone.
  BackupRepository repo = take(BackupRepository::open(ctx.tenant(), false));
  ctx.set_target(repo.root().string());
  std::vector<BackupInfo> all = take(repo.list());
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& info : all) {  // oldest first, as the repository lists them
    if (options.target && info.target != *options.target) continue;
    list.push_back(info.to_json());
    rows.push_back({info.id, format_rfc3339_ms(info.created_ms).substr(0, 19) + "Z", info.target,
                    human_bytes(info.file_bytes),
                    info.encrypted ? m.text("backup.encrypted") : m.text("backup.plain"),
                    info.verified_at ? m.text("backup.verified_at", {{"time", *info.verified_at}})
                                     : m.text("backup.not_verified"),
                    info.tag});
  }
  const int shown = static_cast<int>(rows.size());
  if (shown == 0) {
    ctx.print(m.text("backup.none"));
  } else {
    std::vector<TableColumn> columns = {
        {m.text("backup.col.id")},         {m.text("backup.col.created")},
        {m.text("backup.col.target")},     {m.text("backup.col.size"), true},
        {m.text("backup.col.encryption")}, {m.text("backup.col.verification")},
        {m.text("backup.col.tag")}};
    for (const auto& line : render_table(columns, rows)) ctx.print(line);
  }
  ctx.result() = {{"backups", list}};
  ctx.audit_details()["count"] = shown;
  ctx.set_summary("backup.listed", {{"count", std::to_string(shown)}});
  return 0;
}

int run_verify(const VerifyOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  auto repo = open_repository(ctx, false);
  ctx.set_target(repo.root().string());
  LockFile lock = take(repo.lock());
  std::vector<BackupInfo> chosen;
  if (options.which == VerifyOptions::Which::all)
    chosen = take(repo.list());
  else
    chosen.push_back(
        take(repo.find(options.which == VerifyOptions::Which::one ? options.id : "latest")));
  bool any_encrypted = false;
  for (const auto& info : chosen) any_encrypted |= info.encrypted;
  BackupKeys keys;
  if (any_encrypted)
    keys = take(backup_decryption_keys(tenant, key_sources(options.keys, ctx.messages())));
  fs::path work = repo.root() / ".tmp";
  Json checked = Json::array(), failed = Json::object(), results = Json::array();
  std::optional<Error> first_failure;
  for (auto& info : chosen) {
    check_interrupted();
    Json tables;
    Status outcome;
    if (options.restore_test && (info.target == "db" || info.target == "all")) {
      take(make_directories(work, 0700));
      auto counts = restore_test(tenant, repo, info, keys, work);
      if (counts)
        tables = *counts;
      else
        outcome = counts.error();
    } else {
      auto read = read_backup(repo, info, keys, {});
      if (!read) outcome = read.error();
    }
    checked.push_back(info.id);
    Json result = {{"id", info.id}, {"ok", outcome.ok()}};
    if (outcome) {
      info.verified_at = format_rfc3339_ms(now_ms());
      take(repo.save_sidecar(info));
      ctx.print(
          m.text("backup.verify_ok", {{"id", info.id}, {"count", std::to_string(info.entries)}}));
      if (!tables.is_null()) {
        result["tables"] = tables;
        ctx.print("  " +
                  m.text("backup.restore_test_ok", {{"count", std::to_string(tables.size())}}));
      }
    } else {
      const Error& error = outcome.error();
      failed[info.id] = error.id;
      result["error"] = {{"id", error.id}, {"message", m.text(error)}};
      ctx.print(m.text("backup.verify_failed", {{"id", info.id}, {"reason", m.text(error)}}));
      if (!first_failure) first_failure = error;
    }
    results.push_back(result);
  }
  auto& details = ctx.audit_details();
  details["checked"] = checked;
  details["failed"] = failed;
  details["restore_test"] = options.restore_test;
  ctx.result() = {{"backups", results}, {"ok", !first_failure}};
  ctx.metrics().add("dihya_backup_verify_failures", "Backups that failed the last verification.",
                    MetricSet::Type::gauge, static_cast<double>(failed.size()));
  if (first_failure) throw Failure(*first_failure);
  ctx.set_summary("backup.verified", {{"count", std::to_string(checked.size())}});
  return 0;
}

int run_restore(const RestoreOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  auto repo = open_repository(ctx, false);
  LockFile lock = take(repo.lock());
  BackupInfo info = take(repo.find(
      options.id, options.id == "latest"
                      ? std::optional<std::string>(backup_target_name(options.request.target))
                      : std::nullopt));
  auto& details = ctx.audit_details();
  details["id"] = info.id;
  details["target"] = backup_target_name(options.request.target);
  if (options.request.to) details["to"] = *options.request.to;
  ctx.set_target(info.id);
  BackupKeys keys;
  if (info.encrypted)
    keys = take(backup_decryption_keys(tenant, key_sources(options.keys, ctx.messages())));
  Progress bar =
      ctx.progress("backup.restore_progress", static_cast<std::uint64_t>(info.data_bytes));
  auto progress = [&bar](std::uint64_t bytes) { bar.update(bytes); };
  if (ctx.dry_run()) {
    // Everything is read and checked; nothing is written.
    ReadOutcome read = take(read_backup(repo, info, keys, {}, progress));
    bar.finish();
    ctx.print(m.text("backup.restore_plan",
                     {{"id", info.id},
                      {"target", backup_target_name(options.request.target)},
                      {"to", options.request.to.value_or(m.text("backup.in_place"))}}));
    ctx.result() = {
        {"dry_run", true}, {"id", info.id}, {"entries", read.entries}, {"verified", true}};
    details["dry_run"] = true;
    return 0;
  }
  RestoreOutcome outcome =
      take(restore_backup(tenant, ctx.config().path, repo, info, keys, options.request, progress));
  bar.finish();
  details["entries"] = outcome.entries;
  details["bytes"] = outcome.bytes;
  details["destinations"] = outcome.destinations;
  details["safety"] = outcome.safety;
  if (!outcome.tables.empty()) details["tables"] = outcome.tables;
  if (options.request.target == BackupTarget::db)
    details["erasures_replayed"] = outcome.erasures_replayed;
  ctx.metrics().add("dihya_restore_bytes", "Bytes written by the last restore.",
                    MetricSet::Type::gauge, static_cast<double>(outcome.bytes),
                    {{"target", backup_target_name(options.request.target)}});
  ctx.result() = {{"id", info.id},
                  {"entries", outcome.entries},
                  {"bytes", outcome.bytes},
                  {"destinations", outcome.destinations},
                  {"safety", outcome.safety},
                  {"tables", outcome.tables},
                  {"erasures_replayed", outcome.erasures_replayed}};
  ctx.set_summary("backup.restored", {{"id", info.id}});
  ctx.print(m.text("backup.restored", {{"id", info.id}}));
  for (const auto& where : outcome.destinations)
    ctx.print("  " + m.text("backup.restored_to", {{"path", where}}));
  for (const auto& kept : outcome.safety)
    ctx.print("  " + m.text("backup.safety_kept", {{"path", kept}}));
  if (outcome.erasures_replayed > 0)
    ctx.print("  " + m.text("backup.erasures_replayed",
                            {{"count", std::to_string(outcome.erasures_replayed)}}));
  return 0;
}

int run_rotate(Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  auto repo = open_repository(ctx, false);
  ctx.set_target(repo.root().string());
  LockFile lock = take(repo.lock());
  if (!ctx.dry_run()) take(repo.clean_leftovers());
  std::vector<BackupInfo> all = take(repo.list());
  KeepPolicy policy = keep_policy_of(tenant);
  // Each target is its own series, as restic groups snapshots by paths.
  std::map<std::string, std::vector<const BackupInfo*>> series;
  for (const auto& info : all) series[info.target].push_back(&info);
  Json removed = Json::array(), kept = Json::array(), decisions = Json::array();
  for (const auto& [target, backups] : series) {
    std::vector<BackupStamp> stamps;
    std::optional<std::string> protected_id;
    std::int64_t protected_ms = -1;
    for (const BackupInfo* info : backups) {
      stamps.push_back({info->id, info->created_ms});
      if (info->verified_at && info->created_ms > protected_ms) {
        protected_ms = info->created_ms;
        protected_id = info->id;
      }
    }
    // With no verified backup yet, the newest one is protected.
    if (!protected_id && !backups.empty()) protected_id = backups.back()->id;
    for (const auto& decision : apply_retention(stamps, policy, protected_id)) {
      const BackupInfo* info = nullptr;
      for (const BackupInfo* b : backups)
        if (b->id == decision.id) info = b;
      std::string reasons;
      for (const auto& r : decision.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
      decisions.push_back({{"id", decision.id},
                           {"target", target},
                           {"keep", decision.keep},
                           {"reasons", decision.reasons}});
      ctx.print(fmt::format(
          "{}  {:<6}  {}", decision.id, target,
          decision.keep ? m.text("backup.keep", {{"reasons", reasons}}) : m.text("backup.remove")));
      if (decision.keep) {
        kept.push_back(decision.id);
      } else {
        if (!ctx.dry_run()) take(repo.remove(*info));
        removed.push_back({{"id", info->id},
                           {"created", format_rfc3339_ms(info->created_ms)},
                           {"file_sha256", info->file_sha256}});
      }
    }
  }
  auto& details = ctx.audit_details();
  details["removed"] = removed;
  details["kept"] = kept;
  if (ctx.dry_run()) details["dry_run"] = true;
  ctx.metrics().add("dihya_backup_removed_total", "Backups removed by the last rotation.",
                    MetricSet::Type::counter,
                    ctx.dry_run() ? 0.0 : static_cast<double>(removed.size()));
  ctx.result() = {{"dry_run", ctx.dry_run()}, {"backups", decisions}};
  std::string id = ctx.dry_run() ? "backup.rotate_plan" : "backup.rotated";
  MessageParams params = {{"count", std::to_string(removed.size())},
                          {"kept", std::to_string(kept.size())}};
  ctx.set_summary(id, params);
  ctx.print(m.text(id, params));
  return 0;
}

}  // namespace dihya::backup
