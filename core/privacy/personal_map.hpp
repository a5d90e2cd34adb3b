#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/data/db.hpp"
#include "core/privacy/masking.hpp"

// The personal-data map of a tenant (DESIGN.md §10, docs/configuration.md §5.5), read from
// the validated config, and checked against the database it describes.
namespace dihya {

class ConfigChecker;

// Validate the tenant's "personal_data" section at PATH for CHECKER and keep it in TENANT, its
// paths made absolute (a TenantSection of core/run/config_sections.cpp).
void check_personal_data_section(ConfigChecker& checker, const Json& section,
                                 const std::string& path, TenantConfig& tenant);

}  // namespace dihya

namespace dihya::personal {

// The lawful bases of GDPR art. 6(1), as the map and the consent register name them.
const std::vector<std::string>& lawful_bases();
bool is_lawful_basis(const std::string& basis);

struct MaskedColumn {
  std::string name;
  std::string category;
  masking::Strategy strategy;
  bool unique = false;
  std::string path;  // its JSON path in the config, for messages
};

struct Retention {
  std::string column;
  int days = 0;
  bool anonymize = false;  // else delete
};

struct PersonalTable {
  std::string name;
  std::optional<std::string> subject_column;
  std::vector<MaskedColumn> columns;
  std::optional<Retention> retention;
  std::optional<bool> erase_anonymize;  // "erase": "anonymize" or "delete", when given
  std::string path;
};

struct QuasiIdentifier {
  std::string table, column;
  std::string path;
};

struct PersonalMap {
  std::optional<std::string> subject_table, subject_key;
  std::vector<PersonalTable> tables;  // in the config's order
  std::vector<QuasiIdentifier> quasi_identifiers;
  // Columns a reviewer judged not personal although they look it ("not_personal"), so
  // discovery stops flagging them; the art. 30 report lists them.
  std::vector<QuasiIdentifier> not_personal;
  Json purposes = Json::array();
  std::string controller, source;  // art. 30 and art. 15(1)(g) information, when given
  std::optional<std::filesystem::path> masking_key;
  std::string path;  // "tenants.<name>.personal_data"

  const PersonalTable* table(const std::string& name) const;
};

// TENANT's map (its shape was checked with the config).
PersonalMap personal_map(const TenantConfig& tenant);

// Check MAP against the schema of DB: every table and column it names exists, each strategy
// fits its column's type, `null` is not given to a NOT NULL column. 78 naming the JSON path
// of the first problem. Returns the definitions of the tables the map names.
Result<std::map<std::string, TableDef>> check_against(const PersonalMap& map, Database& db);

// The masking key file of TENANT: personal_data.masking_key, else
// <state_dir>/rgpd/masking.key.
std::filesystem::path masking_key_path(const TenantConfig& tenant, const PersonalMap& map);

}  // namespace dihya::personal
