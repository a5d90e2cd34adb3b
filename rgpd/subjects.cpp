#include "rgpd/subjects.hpp"

namespace dihya::rgpd {

SubjectScope open_subject_scope(Context& ctx) {
  const TenantConfig& tenant = ctx.tenant();
  SubjectScope scope;
  scope.map = personal::personal_map(tenant);
  if (!scope.map.subject_table)
    fail(ExitCode::config_error, "core.personal.no_subject", {{"path", scope.map.path}});
  scope.db = take(open_database(tenant.database, {.must_exist = true}));
  take(personal::check_against(scope.map, *scope.db));
  scope.defs = take(personal::describe_all(*scope.db));
  scope.tables = take(personal::subject_tables(scope.map, scope.defs));
  return scope;
}

std::optional<OwnedField> find_subject(SubjectScope& scope, const std::optional<std::string>& id,
                                       const std::optional<std::string>& email) {
  const std::string& table = *scope.map.subject_table;
  const std::string& key = *scope.map.subject_key;
  const TableDef& def = scope.defs.at(table);
  std::string sql = "SELECT " + quote_identifier(key) + " FROM " + quote_identifier(table);
  std::unique_ptr<Statement> stmt;
  Field wanted;
  if (id) {
    wanted = take(personal::subject_field(def, key, *id));
    stmt = take(scope.db->prepare(sql + " WHERE " + quote_identifier(key) + " = ?"));
  } else {
    std::optional<std::string> column;
    if (def.column("email")) column = "email";
    if (const auto* t = scope.map.table(table))
      for (const auto& c : t->columns)
        if (c.strategy.kind == masking::Kind::fake && c.strategy.fake == masking::Fake::email)
          column = c.name;
    if (!column) fail(ExitCode::config_error, "rgpd.no_email_column", {{"table", table}});
    wanted = Field::of(std::string_view(*email));
    stmt =
        take(scope.db->prepare(sql + " WHERE lower(" + quote_identifier(*column) + ") = lower(?)"));
  }
  take(stmt->bind(1, wanted));
  if (!take(stmt->step())) return std::nullopt;
  OwnedField found = OwnedField::read(*stmt, 0, def.column(key)->type);
  if (take(stmt->step())) fail(ExitCode::data_error, "rgpd.subject_ambiguous", {{"table", table}});
  return found;
}

masking::MaskingKey load_masking_key(const TenantConfig& tenant, const personal::PersonalMap& map) {
  fs::path path = personal::masking_key_path(tenant, map);
  if (!fs::exists(path)) fail(ExitCode::no_input, "core.masking.no_key", {{"path", path.string()}});
  return take(masking::MaskingKey::load(path));
}

}  // namespace dihya::rgpd
