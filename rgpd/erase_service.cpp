// subject_erase: delete or anonymize one subject's rows per the map, in one transaction, and
// journal the erasure under a pseudonym so a restore cannot bring the subject back.
#include <fmt/format.h>

#include "core/base/clock.hpp"
#include "core/base/signals.hpp"
#include "core/privacy/locale_pack.hpp"
#include "rgpd/services.hpp"
#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

namespace {

std::string via_text(const personal::SubjectTable& t) {
  return fmt::format("{}", fmt::join(t.via, ", "));
}

}  // namespace

int run_subject_erase(const SubjectOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  auto& details = ctx.audit_details();
  details["dry_run"] = options.dry_run;
  if (options.reason) details["reason"] = *options.reason;
  SubjectScope scope = open_subject_scope(ctx);
  std::optional<masking::MaskingKey> key;
  if (!options.dry_run) key.emplace(load_masking_key(tenant, scope.map));

  const TableDef& subject_def = scope.defs.at(*scope.map.subject_table);
  Field wanted =
      take(personal::subject_field(subject_def, *scope.map.subject_key, *options.subject));
  std::string pseudonym = key ? personal::subject_pseudonym(*key, wanted) : std::string();
  if (!pseudonym.empty()) details["subject"] = pseudonym;
  auto found = find_subject(scope, options.subject, std::nullopt);
  if (!found) {
    if (key && take(personal::erased_before(*scope.db, pseudonym))) {
      ctx.result() = {{"subject", pseudonym}, {"already_erased", true}};
      ctx.set_summary("rgpd.already_erased", {{"subject", pseudonym}});
      ctx.print(m.text("rgpd.already_erased", {{"subject", pseudonym}}));
      return 0;
    }
    fail(ExitCode::no_input, "rgpd.no_subject", {{"table", *scope.map.subject_table}});
  }

  std::optional<masking::Masker> masker;
  if (key) masker.emplace(*key, take(select_locale_packs("mixed")));
  std::optional<Transaction> transaction;
  if (!options.dry_run) transaction.emplace(take(Transaction::begin(*scope.db)));
  auto erased = take(personal::erase_subject(
      *scope.db, scope.tables, scope.defs, masker ? &*masker : nullptr, found->field(), pseudonym));
  Json tables = Json::array();
  std::int64_t removed = 0, masked = 0;
  for (std::size_t i = 0; i < erased.size(); ++i) {
    const auto& t = scope.tables[i];
    const auto& e = erased[i];
    if (e.action == personal::EraseAction::remove) removed += e.rows;
    if (e.action == personal::EraseAction::anonymize) masked += e.rows;
    Json one = {{"table", e.table},
                {"action", personal::erase_action_name(e.action)},
                {"rows", e.rows},
                {"via", t.via}};
    if (t.forced) one["forced"] = true;
    tables.push_back(one);
    MessageParams params = {
        {"table", e.table}, {"count", std::to_string(e.rows)}, {"via", via_text(t)}};
    std::string id = e.action == personal::EraseAction::remove      ? "rgpd.erase_delete"
                     : e.action == personal::EraseAction::anonymize ? "rgpd.erase_anonymize"
                                                                    : "rgpd.erase_keep";
    if (options.dry_run) id += "_plan";
    ctx.print(m.text(id, params));
    if (t.forced) ctx.print("    " + m.text("rgpd.erase_forced", {{"table", e.table}}));
  }
  details["tables"] = tables;
  Json result = {{"dry_run", options.dry_run},
                 {"tables", tables},
                 {"deleted", removed},
                 {"anonymized", masked}};
  MessageParams summary = {{"deleted", std::to_string(removed)},
                           {"anonymized", std::to_string(masked)}};
  if (options.dry_run) {
    ctx.result() = result;
    ctx.set_summary("rgpd.erase_planned", summary);
    ctx.print(m.text("rgpd.erase_planned", summary));
    return 0;
  }
  // The journal first: once the database commits, a restore must already know to erase again.
  Json entry = {{"at", format_rfc3339_ms(now_ms())},
                {"subject", pseudonym},
                {"key_id", key->id()},
                {"tables", tables}};
  take(personal::append_erasure(tenant, entry));
  check_interrupted();
  take(transaction->commit());
  result["subject"] = pseudonym;
  result["journal"] = personal::erasure_journal_path(tenant).string();
  ctx.result() = result;
  ctx.metrics().add("dihya_subject_erase_rows", "Rows changed by the last subject erasure.",
                    MetricSet::Type::gauge, static_cast<double>(removed), {{"action", "delete"}});
  ctx.metrics().add("dihya_subject_erase_rows", "Rows changed by the last subject erasure.",
                    MetricSet::Type::gauge, static_cast<double>(masked), {{"action", "anonymize"}});
  ctx.metrics().add("dihya_subject_erase_last_timestamp_seconds",
                    "Time of the last subject erasure.", MetricSet::Type::gauge,
                    static_cast<double>(now_ms()) / 1000.0);
  summary.emplace_back("subject", pseudonym);
  ctx.set_summary("rgpd.erased", summary);
  ctx.print(m.text("rgpd.erased", summary));
  return 0;
}

}  // namespace dihya::rgpd
