#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/data/db.hpp"

// What a column's name says: the words of the name in English, French, Spanish, Portuguese,
// German, Italian and Arabic transliterations, matched against phrases of personal data.
namespace dihya::rgpd {

// The lower-case ASCII words of an identifier: snake_case, camelCase, PascalCase, acronyms
// and digits split ("BillingPostalCode" → billing postal code, "IPAddress" → ip address), and
// a run-together word split into known words ("datenaissance" → date naissance).
std::vector<std::string> name_words(std::string_view identifier);

// What a table is about, from its name.
enum class TableRole { people, linked, organisation, other };
TableRole table_role(std::string_view table);
const char* table_role_name(TableRole role);

// A kind the name of a column suggests.
struct NameMatch {
  std::string kind;                // "" when the name says nothing personal
  std::vector<std::string> words;  // the column's words that matched
  // Personal only in context: in a table about people or linked to them, or beside other
  // personal columns (a bare "city", "name", "company", "notes").
  bool contextual = false;
  bool needs_address = false;  // personal only beside other address parts ("state")
  bool person_modifier = false;  // a word naming a person qualifies it ("contact_email")
  bool billing = false;          // billing, shipping, home… (an address of a person)
};
// The match for COLUMN, a column of TYPE ("email_verified_at" and a boolean "email" say
// nothing: their values cannot be an email address).
NameMatch match_column_name(std::string_view column, ColumnType type);

// The kind a name says by itself, without context, for any type ("" for none): JSON keys.
std::string personal_by_name(std::string_view name);

}  // namespace dihya::rgpd
