// consent: the append-only consent register in the tenant's database (dihya_consent): each
// consent given or withdrawn is a new row; rows are never changed or deleted.
#include <fmt/format.h>

#include <map>

#include "core/base/clock.hpp"
#include "rgpd/consent.hpp"
#include "rgpd/services.hpp"
#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

namespace {

constexpr const char* k_columns =
    "id, subject, purpose, event, basis, method, policy_version, recorded_at, recorded_by";

Status create_register(Database& db) {
  if (db.engine() == Engine::sqlite)
    return db.execute(std::string(
        "CREATE TABLE IF NOT EXISTS dihya_consent (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "subject TEXT NOT NULL, purpose TEXT NOT NULL, event TEXT NOT NULL CHECK (event IN "
        "('given', 'withdrawn')), basis TEXT NOT NULL, method TEXT NOT NULL, policy_version "
        "TEXT, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS dihya_consent_subject ON dihya_consent (subject, purpose);"
        "CREATE TRIGGER IF NOT EXISTS dihya_consent_no_update BEFORE UPDATE ON dihya_consent "
        "BEGIN SELECT RAISE(ABORT, 'the consent register is append-only'); END;"
        "CREATE TRIGGER IF NOT EXISTS dihya_consent_no_delete BEFORE DELETE ON dihya_consent "
        "BEGIN SELECT RAISE(ABORT, 'the consent register is append-only'); END;"));
  return db.execute(
      "CREATE TABLE IF NOT EXISTS dihya_consent (id BIGINT GENERATED ALWAYS AS IDENTITY "
      "PRIMARY KEY, subject TEXT NOT NULL, purpose TEXT NOT NULL, event TEXT NOT NULL CHECK "
      "(event IN ('given', 'withdrawn')), basis TEXT NOT NULL, method TEXT NOT NULL, "
      "policy_version TEXT, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS dihya_consent_subject ON dihya_consent (subject, purpose);"
      "CREATE OR REPLACE FUNCTION dihya_consent_append_only() RETURNS trigger LANGUAGE plpgsql "
      "AS $$ BEGIN RAISE EXCEPTION 'the consent register is append-only'; END $$;"
      "DROP TRIGGER IF EXISTS dihya_consent_append_only ON dihya_consent;"
      "CREATE TRIGGER dihya_consent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "
      "dihya_consent FOR EACH STATEMENT EXECUTE FUNCTION dihya_consent_append_only();");
}

ConsentRecord read_record(const Statement& s) {
  ConsentRecord r;
  r.id = s.get_integer(0);
  r.subject = s.get_text(1);
  r.purpose = s.get_text(2);
  r.event = s.get_text(3);
  r.basis = s.get_text(4);
  r.method = s.get_text(5);
  r.policy_version = s.is_null(6) ? "" : s.get_text(6);
  r.recorded_at = s.get_text(7);
  r.recorded_by = s.get_text(8);
  return r;
}

const Json* find_purpose(const personal::PersonalMap& map, const std::string& name) {
  for (const auto& p : map.purposes)
    if (p.value("name", "") == name) return &p;
  return nullptr;
}

void print_record(Context& ctx, const ConsentRecord& r) {
  ctx.print(fmt::format("{:>6}  {}  {:<12} {:<16} {:<10} {:<20} {:<14} {} ({})", r.id,
                        r.recorded_at, r.subject, r.purpose, r.event, r.basis, r.method,
                        r.policy_version.empty() ? "-" : r.policy_version, r.recorded_by));
}

}  // namespace

Json ConsentRecord::json() const {
  return {{"id", id},
          {"subject", subject},
          {"purpose", purpose},
          {"event", event},
          {"basis", basis},
          {"method", method},
          {"policy_version", policy_version.empty() ? Json() : Json(policy_version)},
          {"recorded_at", recorded_at},
          {"recorded_by", recorded_by}};
}

Result<std::vector<ConsentRecord>> consent_records(Database& db,
                                                   const std::optional<std::string>& subject,
                                                   const std::optional<std::string>& purpose) {
  std::vector<ConsentRecord> records;
  auto exists = db.table_exists("dihya_consent");
  if (!exists) return exists.error();
  if (!*exists) return records;
  std::string sql = std::string("SELECT ") + k_columns + " FROM dihya_consent WHERE 1 = 1";
  if (subject) sql += " AND subject = ?";
  if (purpose) sql += " AND purpose = ?";
  auto stmt = db.prepare(sql + " ORDER BY id");
  if (!stmt) return stmt.error();
  int i = 1;
  if (subject)
    if (Status b = (*stmt)->bind(i++, Field::of(std::string_view(*subject))); !b) return b.error();
  if (purpose)
    if (Status b = (*stmt)->bind(i++, Field::of(std::string_view(*purpose))); !b) return b.error();
  for (;;) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    records.push_back(read_record(**stmt));
  }
  return records;
}

std::vector<ConsentRecord> current_consents(const std::vector<ConsentRecord>& records) {
  std::map<std::pair<std::string, std::string>, ConsentRecord> last;
  for (const auto& r : records) last[{r.subject, r.purpose}] = r;
  std::vector<ConsentRecord> current;
  for (auto& [key, r] : last)
    if (r.event == "given") current.push_back(r);
  return current;
}

int run_consent(const ConsentOptions& options, Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  const Messages& m = ctx.messages();
  ctx.set_target(tenant.database);
  auto& details = ctx.audit_details();
  details["command"] = consent_command_name(options.command);
  if (options.purpose) details["purpose"] = *options.purpose;
  SubjectScope scope = open_subject_scope(ctx);
  Database& db = *scope.db;
  // The register holds the subject key in its canonical text ("42", not "042").
  std::optional<std::string> subject;
  if (options.subject)
    subject = masking::canonical_text(take(personal::subject_field(
        scope.defs.at(*scope.map.subject_table), *scope.map.subject_key, *options.subject)));

  if (options.command == ConsentCommand::list || options.command == ConsentCommand::show) {
    auto records = take(consent_records(db, subject, options.purpose));
    if (options.active_only || options.command == ConsentCommand::show) {
      auto current = current_consents(records);
      Json active = Json::array();
      for (const auto& r : current) active.push_back(r.json());
      if (options.command == ConsentCommand::list) records = current;
      ctx.result()["active"] = active;
    }
    Json list = Json::array();
    for (const auto& r : records) {
      list.push_back(r.json());
      print_record(ctx, r);
    }
    ctx.result()["records"] = list;
    details["records"] = records.size();
    MessageParams params = {{"count", std::to_string(records.size())}};
    ctx.set_summary("rgpd.consent_listed", params);
    ctx.print(m.text("rgpd.consent_listed", params));
    return 0;
  }

  const Json* purpose = find_purpose(scope.map, *options.purpose);
  if (!purpose) {
    std::string known;
    for (const auto& p : scope.map.purposes)
      known += (known.empty() ? "" : ", ") + p.value("name", std::string());
    fail(ExitCode::usage, "rgpd.unknown_purpose",
         {{"purpose", *options.purpose}, {"known", known.empty() ? "-" : known}});
  }
  auto records = take(consent_records(db, subject, options.purpose));
  const std::vector<ConsentRecord> in_force = current_consents(records);
  bool active = !in_force.empty();
  ConsentRecord r;
  r.subject = *subject;
  r.purpose = *options.purpose;
  r.recorded_at = format_rfc3339_ms(now_ms());
  r.recorded_by = ctx.identity().user;
  if (options.command == ConsentCommand::record) {
    if (!find_subject(scope, options.subject, std::nullopt))
      fail(ExitCode::no_input, "rgpd.no_subject", {{"table", *scope.map.subject_table}});
    r.event = "given";
    r.basis = options.basis.value_or(purpose->value("basis", "consent"));
    if (!personal::is_lawful_basis(r.basis))
      fail(ExitCode::usage, "core.usage.bad_value", {{"option", "--basis"}, {"value", r.basis}});
    r.method = *options.method;
    r.policy_version = *options.policy_version;
  } else {
    if (!active)
      fail(ExitCode::data_error, "rgpd.no_active_consent", {{"purpose", *options.purpose}});
    const ConsentRecord& given = in_force.front();
    r.event = "withdrawn";
    r.basis = given.basis;
    // How the withdrawal reached us is its own fact: never the consent's method copied over.
    r.method = options.method.value_or("unspecified");
    r.policy_version = given.policy_version;
  }
  auto transaction = take(Transaction::begin(db));
  take(create_register(db));
  auto insert = take(db.prepare(
      "INSERT INTO dihya_consent (subject, purpose, event, basis, method, policy_version, "
      "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  int i = 1;
  for (const std::string* v : {&r.subject, &r.purpose, &r.event, &r.basis, &r.method,
                               &r.policy_version, &r.recorded_at, &r.recorded_by})
    take(insert->bind(i++, v->empty() && v == &r.policy_version ? Field::null()
                                                                : Field::of(std::string_view(*v))));
  take(insert->step());
  insert.reset();
  take(transaction.commit());
  details["event"] = r.event;
  details["basis"] = r.basis;
  details["policy_version"] = r.policy_version;
  ctx.result() = {{"event", r.event},
                  {"purpose", r.purpose},
                  {"basis", r.basis},
                  {"policy_version", r.policy_version},
                  {"recorded_at", r.recorded_at}};
  MessageParams params = {{"purpose", r.purpose}, {"basis", r.basis}};
  const char* id = r.event == "given" ? "rgpd.consent_recorded" : "rgpd.consent_withdrawn";
  ctx.set_summary(id, params);
  ctx.print(m.text(id, params));
  return 0;
}

}  // namespace dihya::rgpd
