#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/personal_map.hpp"

// Personal data the map does not declare: columns whose name or content looks personal
// (subject_export reports them for the subject's tables, audit_rgpd for the database).
namespace dihya::rgpd {

// The kind of personal data a column name suggests ("email", "phone", "ip", "name",
// "address", "birth_date", "iban", "national_id", "location"), or "" for none.
std::string personal_by_name(std::string_view column);

// Recognizes personal values: emails, phone numbers, IP addresses, IBANs (checked mod 97)
// and full names (a first and a last name of the locale packs).
class ValueClassifier {
 public:
  ValueClassifier();
  // The kind of VALUE ("email", "phone", "ip", "iban", "name"), or "" for none.
  std::string classify(std::string_view value) const;

 private:
  std::set<std::string> m_first, m_last;
};

struct Detection {
  std::string table, column, kind;
  std::string by;  // "name" or "content"
  std::int64_t matches = 0, sampled = 0;
};

// Columns of DEFS (dihya_* tables aside) not declared in MAP whose name looks personal, or
// where at least a fifth of the SAMPLE first non-null values do (each only once).
Result<std::vector<Detection>> undeclared_personal(Database& db, const personal::PersonalMap& map,
                                                   const std::vector<const TableDef*>& defs,
                                                   std::int64_t sample);

}  // namespace dihya::rgpd
