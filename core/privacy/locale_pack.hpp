#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace dihya {

// A name as written in its locale, with the ASCII form used in emails and usernames.
struct LocaleName {
  std::string name;
  std::string latin;
  char gender = 'x';
};

struct LocaleCity {
  std::string name;
  std::string latin;
  std::string country;   // ISO 3166 alpha-2
  std::string postcode;  // pattern, '#' is a digit
};

struct LocaleCountry {
  std::string code;
  std::string name;
};

// The lists a locale's fake data is drawn from (core/locales/<code>.json).
struct LocalePack {
  std::string code;
  std::vector<LocaleName> first_names;
  std::vector<LocaleName> last_names;
  std::vector<LocaleCity> cities;
  std::vector<std::string> street_names;
  std::vector<std::string> phone_formats;
  std::vector<std::string> email_domains;
  std::vector<LocaleCountry> countries;
  std::string address_format;

  const LocaleCountry* country(std::string_view code) const;
};

// The codes of the built-in packs: fr, en, ar, kab.
const std::vector<std::string>& locale_codes();
// The packs a --locale value selects: one, or all of them for "mixed"; 64 when unknown.
Result<std::vector<const LocalePack*>> select_locale_packs(std::string_view locale);

}  // namespace dihya
