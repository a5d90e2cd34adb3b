#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"
#include "core/privacy/masking.hpp"

// The kinds of personal data discovery knows, with what the map should say about each.
namespace dihya::rgpd {

struct KindInfo {
  const char* name;      // "email", "postal_code", "health", …
  const char* category;  // the map's category for it
  bool special = false;  // a special category of GDPR art. 9 (or art. 10)
  bool quasi = false;    // a quasi-identifier: declared in quasi_identifiers, not masked
};

// The kinds, in the order reports list them.
const std::vector<KindInfo>& personal_kinds();
// KIND's entry; nullptr when unknown.
const KindInfo* kind_info(std::string_view kind);

// A category of the map that declares a special category of art. 9 or 10 ("health",
// "special:…", "art9:…").
bool is_special_category(std::string_view category);

// The masking strategy that fits a column of TYPE holding KIND (unique-safe when UNIQUE,
// `null` only when NULLABLE); nullopt for quasi-identifiers.
std::optional<masking::Strategy> suggested_mask(std::string_view kind, ColumnType type,
                                                bool unique, bool nullable);

}  // namespace dihya::rgpd
