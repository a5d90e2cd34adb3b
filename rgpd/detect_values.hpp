#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Recognizers of personal values, each with the check that real identifiers pass: an IBAN's
// mod-97 digits, a card's Luhn digit and issuer prefix, a French NIR's key, a phone number's
// digit count in its country, an address that parses.
namespace dihya::rgpd {

bool email_valid(std::string_view text);
bool ipv4_valid(std::string_view text);
bool ipv6_valid(std::string_view text);
bool mac_valid(std::string_view text);
// An IBAN (spaces allowed): its country's length and ISO 13616 mod 97 = 1.
bool iban_valid(std::string_view text);
// The Luhn check of a string of digits.
bool luhn_valid(std::string_view digits);
// A payment card number: 13 to 19 digits (spaces or dashes between groups), an issuer's
// prefix (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) and Luhn.
bool card_number_valid(std::string_view text);
// A French NIR (numéro de sécurité sociale): 13 digits (2A/2B for Corsica) and the key
// 97 − (number mod 97).
bool nir_valid(std::string_view text);
// The country a phone number is written for: "FR", "DZ", "MA", "TN", "GB", "US", "DE"
// national formats with their digit counts, "+" and a country code (E.164: the right count
// for those countries, 8 to 15 digits elsewhere), "" when it is not a phone number.
std::string phone_country(std::string_view text);

// A calendar date, with or without a time of day.
struct ValueDate {
  int year = 0, month = 0, day = 0;
  bool time_of_day = false;  // a time other than midnight
};
// YYYY-MM-DD (optionally with a time), DD/MM/YYYY, DD.MM.YYYY, MM/DD/YYYY.
std::optional<ValueDate> parse_value_date(std::string_view text);

// A postal code of a common shape (5 or 4 digits, ZIP+4, UK, Canada, Netherlands, Portugal,
// Brazil, Poland).
bool postal_code_shape(std::string_view text);
// "48.8566, 2.3522", "48.8566;2.3522" or "POINT(2.3522 48.8566)".
bool lat_lon_pair(std::string_view text);

// Recognizes whole values and personal data inside longer texts and JSON documents, with
// names and places from the four locale packs and common international first names, cities
// and countries.
class ValueRecognizer {
 public:
  ValueRecognizer();
  // The kind VALUE is as a whole: "email", "phone", "ip", "mac", "iban", "card_number",
  // "national_id", "geolocation", "full_name", "first_name", "last_name", "city", "country";
  // "" for none.
  std::string whole(std::string_view value) const;
  // The kinds of personal data found inside VALUE when it is a JSON document or a longer
  // text: an email in notes, a phone number in a message, an IP in an event payload.
  std::set<std::string> inside(std::string_view value) const;

 private:
  std::string name_kind(std::string_view value) const;
  std::set<std::string> m_first, m_last, m_city, m_country;
};

}  // namespace dihya::rgpd
