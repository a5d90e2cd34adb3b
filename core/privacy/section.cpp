// The tenant's "personal_data" section: its personal-data map (docs/configuration.md).
#include <regex>

#include "core/config/config_check.hpp"
#include "core/privacy/masking.hpp"
#include "core/privacy/personal_map.hpp"

namespace dihya {
namespace {

const std::regex k_identifier_re("[A-Za-z_][A-Za-z0-9_]{0,62}");
const std::regex k_qualified_re("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*");

std::string at(const std::string& path, const std::string& key) {
  return path + "." + key;
}

void check_personal_table(ConfigChecker& c, const Json& table, const std::string& path) {
  if (!c.expect_object(table, path, {"subject_column", "columns", "retention", "erase"})) return;
  if (auto erase = c.get_string(table, "erase", path, false);
      erase && *erase != "delete" && *erase != "anonymize")
    c.issue(at(path, "erase"), "core.config.bad_choice",
            {{"value", *erase}, {"choices", "delete, anonymize"}});
  if (auto column = c.get_string(table, "subject_column", path, false);
      column && !std::regex_match(*column, k_identifier_re))
    c.issue(at(path, "subject_column"), "core.config.bad_identifier");
  if (table.contains("columns") && c.expect_object(table["columns"], at(path, "columns"), {}))
    for (const auto& [name, column] : table["columns"].items()) {
      std::string col_path = at(at(path, "columns"), name);
      if (!std::regex_match(name, k_identifier_re)) c.issue(col_path, "core.config.bad_identifier");
      if (!c.expect_object(column, col_path, {"category", "mask", "unique"})) continue;
      c.get_string(column, "category", col_path, true);
      auto mask = c.get_string(column, "mask", col_path, true);
      auto strategy = mask ? masking::Strategy::parse(*mask) : std::nullopt;
      if (mask && !strategy)
        c.issue(at(col_path, "mask"), "core.config.bad_mask", {{"value", *mask}});
      bool unique = column.contains("unique") && column["unique"] == true;
      if (column.contains("unique") && !column["unique"].is_boolean())
        c.issue(at(col_path, "unique"), "core.config.expected_boolean");
      // A unique column needs a strategy that keeps distinct values distinct.
      if (strategy && unique && !strategy->keeps_distinct())
        c.issue(at(col_path, "mask"), "core.config.mask_not_distinct", {{"value", *mask}});
    }
  if (!table.contains("retention")) return;
  std::string ret_path = at(path, "retention");
  const Json& retention = table["retention"];
  if (!c.expect_object(retention, ret_path, {"column", "days", "then"})) return;
  c.get_string(retention, "column", ret_path, true);
  if (!retention.contains("days")) c.issue(at(ret_path, "days"), "core.json.missing_key");
  c.get_integer(retention, "days", ret_path, 1, 36500);
  if (auto then = c.get_string(retention, "then", ret_path, true);
      then && *then != "delete" && *then != "anonymize")
    c.issue(at(ret_path, "then"), "core.config.bad_choice",
            {{"value", *then}, {"choices", "delete, anonymize"}});
}

void check_personal_map(ConfigChecker& c, const Json& map, const std::string& path) {
  if (!c.expect_object(map, path,
                       {"subject", "tables", "quasi_identifiers", "purposes", "masking_key",
                        "controller", "source", "not_personal"}))
    return;
  if (map.contains("subject") &&
      c.expect_object(map["subject"], at(path, "subject"), {"table", "key"})) {
    c.get_string(map["subject"], "table", at(path, "subject"), true);
    c.get_string(map["subject"], "key", at(path, "subject"), true);
  }
  c.get_string(map, "controller", path, false);
  c.get_string(map, "source", path, false);
  if (map.contains("tables") && c.expect_object(map["tables"], at(path, "tables"), {}))
    for (const auto& [name, table] : map["tables"].items()) {
      if (!std::regex_match(name, k_identifier_re))
        c.issue(at(at(path, "tables"), name), "core.config.bad_identifier");
      check_personal_table(c, table, at(at(path, "tables"), name));
    }
  for (const char* key : {"quasi_identifiers", "not_personal"}) {
    std::vector<std::string> columns = c.get_strings(map, key, path);
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (!std::regex_match(columns[i], k_qualified_re))
        c.issue(at(path, key) + "[" + std::to_string(i) + "]", "core.config.bad_identifier");
  }
  if (!map.contains("purposes")) return;
  if (!map["purposes"].is_array()) {
    c.issue(at(path, "purposes"), "core.json.expected_array");
    return;
  }
  for (std::size_t i = 0; i < map["purposes"].size(); ++i) {
    std::string item = at(path, "purposes") + "[" + std::to_string(i) + "]";
    const Json& purpose = map["purposes"][i];
    if (!c.expect_object(purpose, item,
                         {"name", "basis", "tables", "recipients", "description", "source"}))
      continue;
    c.get_string(purpose, "name", item, true);
    if (auto basis = c.get_string(purpose, "basis", item, true);
        basis && !personal::is_lawful_basis(*basis)) {
      std::string choices;
      for (const auto& b : personal::lawful_bases()) choices += (choices.empty() ? "" : ", ") + b;
      c.issue(at(item, "basis"), "core.config.bad_choice",
              {{"value", *basis}, {"choices", choices}});
    }
    c.get_strings(purpose, "tables", item);
    c.get_strings(purpose, "recipients", item);
    c.get_string(purpose, "source", item, false);
  }
}

}  // namespace

void check_personal_data_section(ConfigChecker& c, const Json& map, const std::string& path,
                                 TenantConfig& tenant) {
  check_personal_map(c, map, path);
  tenant.personal_data = map;
  if (auto key = c.get_string(map, "masking_key", path, false))
    tenant.personal_data["masking_key"] = c.resolve(*key).string();
}

}  // namespace dihya
