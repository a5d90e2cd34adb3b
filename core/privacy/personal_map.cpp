#include "core/privacy/personal_map.hpp"

#include <algorithm>

namespace dihya::personal {

const std::vector<std::string>& lawful_bases() {
  static const std::vector<std::string> bases = {"consent",          "contract",
                                                 "legal_obligation", "vital_interests",
                                                 "public_task",      "legitimate_interests"};
  return bases;
}

bool is_lawful_basis(const std::string& basis) {
  const auto& bases = lawful_bases();
  return std::find(bases.begin(), bases.end(), basis) != bases.end();
}

namespace {

Error map_error(const std::string& path, const std::string& id, MessageParams params = {}) {
  params.emplace_back("path", path);
  return make_error(ExitCode::config_error, id, std::move(params));
}

}  // namespace

const PersonalTable* PersonalMap::table(const std::string& name) const {
  for (const auto& t : tables)
    if (t.name == name) return &t;
  return nullptr;
}

PersonalMap personal_map(const TenantConfig& tenant) {
  PersonalMap map;
  map.path = "tenants." + tenant.name + ".personal_data";
  const Json& doc = tenant.personal_data;
  if (!doc.is_object()) return map;
  if (doc.contains("subject")) {
    map.subject_table = doc["subject"].value("table", "");
    map.subject_key = doc["subject"].value("key", "");
  }
  if (doc.contains("masking_key")) map.masking_key = doc["masking_key"].get<std::string>();
  const Json tables = doc.value("tables", Json::object());
  for (const auto& [name, t] : tables.items()) {
    PersonalTable table;
    table.name = name;
    table.path = map.path + ".tables." + name;
    if (t.contains("subject_column")) table.subject_column = t["subject_column"].get<std::string>();
    const Json columns = t.value("columns", Json::object());
    for (const auto& [column, c] : columns.items()) {
      MaskedColumn m;
      m.name = column;
      m.category = c.value("category", "");
      m.strategy = masking::Strategy::parse(c.value("mask", "keep")).value_or(masking::Strategy{});
      m.unique = c.contains("unique") && c["unique"] == true;
      m.path = table.path + ".columns." + column;
      table.columns.push_back(std::move(m));
    }
    if (t.contains("retention")) {
      const Json& r = t["retention"];
      table.retention = Retention{r.value("column", ""), r.value("days", 0),
                                  r.value("then", "delete") == "anonymize"};
    }
    if (t.contains("erase")) table.erase_anonymize = t["erase"] == "anonymize";
    map.tables.push_back(std::move(table));
  }
  for (const char* key : {"quasi_identifiers", "not_personal"}) {
    const Json list = doc.value(key, Json::array());
    auto& out = std::string(key) == "not_personal" ? map.not_personal : map.quasi_identifiers;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string text = list[i].get<std::string>();
      auto dot = text.find('.');
      out.push_back({text.substr(0, dot), text.substr(dot + 1),
                     map.path + "." + key + "[" + std::to_string(i) + "]"});
    }
  }
  map.purposes = doc.value("purposes", Json::array());
  map.controller = doc.value("controller", "");
  map.source = doc.value("source", "");
  return map;
}

Result<std::map<std::string, TableDef>> check_against(const PersonalMap& map, Database& db) {
  std::map<std::string, TableDef> defs;
  auto names = db.table_names();
  if (!names) return names.error();
  auto known = [&](const std::string& table) {
    return std::find(names->begin(), names->end(), table) != names->end();
  };
  auto def_of = [&](const std::string& table, const std::string& path) -> Result<TableDef*> {
    if (!known(table)) return map_error(path, "core.personal.unknown_table", {{"table", table}});
    if (!defs.count(table)) {
      auto def = db.describe_table(table);
      if (!def) return def.error();
      defs[table] = std::move(*def);
    }
    return &defs[table];
  };
  for (const auto& t : map.tables) {
    auto def = def_of(t.name, t.path);
    if (!def) return def.error();
    auto need_column = [&](const std::string& column, const std::string& path) -> Status {
      if (!(*def)->column(column))
        return map_error(path, "core.personal.unknown_column",
                         {{"table", t.name}, {"column", column}});
      return {};
    };
    if (t.subject_column)
      if (Status ok = need_column(*t.subject_column, t.path + ".subject_column"); !ok)
        return ok.error();
    if (t.retention)
      if (Status ok = need_column(t.retention->column, t.path + ".retention.column"); !ok)
        return ok.error();
    for (const auto& c : t.columns) {
      const ColumnDef* column = (*def)->column(c.name);
      if (!column)
        return map_error(c.path, "core.personal.unknown_column",
                         {{"table", t.name}, {"column", c.name}});
      if (!c.strategy.fits(column->type))
        return map_error(c.path + ".mask", "core.personal.mask_type",
                         {{"value", c.strategy.text()}, {"type", column_type_name(column->type)}});
      if (c.strategy.kind == masking::Kind::null && !column->nullable)
        return map_error(c.path + ".mask", "core.personal.null_not_allowed",
                         {{"column", t.name + "." + c.name}});
    }
  }
  std::vector<QuasiIdentifier> listed = map.quasi_identifiers;
  listed.insert(listed.end(), map.not_personal.begin(), map.not_personal.end());
  for (const auto& q : listed) {
    auto def = def_of(q.table, q.path);
    if (!def) return def.error();
    if (!(*def)->column(q.column))
      return map_error(q.path, "core.personal.unknown_column",
                       {{"table", q.table}, {"column", q.column}});
  }
  if (map.subject_table) {
    auto def = def_of(*map.subject_table, map.path + ".subject.table");
    if (!def) return def.error();
    if (!(*def)->column(*map.subject_key))
      return map_error(map.path + ".subject.key", "core.personal.unknown_column",
                       {{"table", *map.subject_table}, {"column", *map.subject_key}});
  }
  return defs;
}

std::filesystem::path masking_key_path(const TenantConfig& tenant, const PersonalMap& map) {
  if (map.masking_key) return *map.masking_key;
  return tenant.state_dir / "rgpd" / "masking.key";
}

}  // namespace dihya::personal
