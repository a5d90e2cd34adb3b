#include <catch2/catch.hpp>

#include "core/base/options.hpp"
#include "rgpd/detect.hpp"
#include "rgpd/validators.hpp"

using namespace dihya;
using namespace dihya::rgpd;

namespace {

Result<ConsentOptions> consent_options(std::vector<std::string> argv) {
  OptionSet options;
  declare_consent_options(options);
  argv.insert(argv.begin(), "consent");
  std::vector<const char*> raw;
  for (const auto& a : argv) raw.push_back(a.c_str());
  auto args = parse_arguments("consent", options, static_cast<int>(raw.size()), raw.data(), false);
  if (!args) return args.error();
  if (!args->personal("subject") && args->value("subject")) return usage_error("not personal");
  return parse_consent_options(*args);
}

}  // namespace

namespace {

std::string kind_of(std::string_view column, ColumnType type = ColumnType::text) {
  return match_column_name(column, type).kind;
}

}  // namespace

TEST_CASE("column names are split into words", "[rgpd]") {
  using V = std::vector<std::string>;
  CHECK(name_words("BillingPostalCode") == V{"billing", "postal", "code"});
  CHECK(name_words("IPAddress") == V{"ip", "address"});
  CHECK(name_words("userID") == V{"user", "id"});
  CHECK(name_words("address_line1") == V{"address", "line", "1"});
  CHECK(name_words("date_de_naissance") == V{"date", "de", "naissance"});
  CHECK(name_words("prénom") == V{"prenom"});
  CHECK(name_words("dateofbirth") == V{"date", "of", "birth"});
  CHECK(name_words("emailaddress") == V{"emailaddress"});
  CHECK(name_words("billingcity") == V{"billing", "city"});
  CHECK(name_words("zipper") == V{"zipper"});  // not zip + per
}

TEST_CASE("column names that look personal, in several languages", "[rgpd]") {
  for (auto [column, kind] : std::vector<std::pair<const char*, const char*>>{
           {"email", "email"},
           {"contact_email", "email"},
           {"userEmail", "email"},
           {"courriel", "email"},
           {"adresse_mail", "email"},
           {"e_mail", "email"},
           {"NormalizedEmail", "email"},
           {"correo_electronico", "email"},
           {"barid_iliktruni", "email"},
           {"mobile_phone", "phone"},
           {"tel", "phone"},
           {"telephone", "phone"},
           {"numero_portable", "phone"},
           {"hatif", "phone"},
           {"raqm_al_hatif", "phone"},
           {"Fax", "fax"},
           {"first_name", "first_name"},
           {"FirstName", "first_name"},
           {"prenom", "first_name"},
           {"fname", "first_name"},
           {"vorname", "first_name"},
           {"LastName", "last_name"},
           {"nom_de_famille", "last_name"},
           {"apellido", "last_name"},
           {"laqab", "last_name"},
           {"maiden_name", "maiden_name"},
           {"nom_jeune_fille", "maiden_name"},
           {"nickname", "nickname"},
           {"user_login", "username"},
           {"username", "username"},
           {"date_of_birth", "birth_date"},
           {"dob", "birth_date"},
           {"BirthDate", "birth_date"},
           {"date_naissance", "birth_date"},
           {"fecha_nacimiento", "birth_date"},
           {"tarikh_al_milad", "birth_date"},
           {"geburtsdatum", "birth_date"},
           {"birth_place", "birth_place"},
           {"lieu_naissance", "birth_place"},
           {"gender", "gender"},
           {"sexe", "gender"},
           {"jins", "gender"},
           {"nationality", "nationality"},
           {"jinsiya", "nationality"},
           {"nir", "national_id"},
           {"numero_securite_sociale", "national_id"},
           {"ssn", "national_id"},
           {"national_id", "national_id"},
           {"raqm_watani", "national_id"},
           {"passport_number", "passport"},
           {"driving_licence_number", "driving_licence"},
           {"permis_conduire", "driving_licence"},
           {"tax_id", "tax_id"},
           {"numero_fiscal", "tax_id"},
           {"iban", "iban"},
           {"bic", "bic"},
           {"card_number", "card_number"},
           {"cc_number", "card_number"},
           {"client_ip", "ip"},
           {"ip_address", "ip"},
           {"remote_addr", "ip"},
           {"mac_address", "mac"},
           {"device_id", "device_id"},
           {"idfa", "advertising_id"},
           {"latitude", "geolocation"},
           {"lng", "geolocation"},
           {"geohash", "geolocation"},
           {"user_agent", "user_agent"},
           {"avatar_url", "photo"},
           {"photo", "photo"},
           {"HireDate", "hire_date"},
           {"date_embauche", "hire_date"},
           {"salary", "salary"},
           {"salaire", "salary"},
           {"job_title", "job_title"},
           {"street", "street_address"},
           {"address", "street_address"},
           {"BillingAddress", "street_address"},
           {"adresse", "street_address"},
           {"unwan", "street_address"},
           {"diagnosis", "health"},
           {"blood_type", "health"},
           {"allergies", "health"},
           {"religion", "religious_beliefs"},
           {"ethnicity", "ethnic_origin"},
           {"trade_union_member", "trade_union"},
           {"sexual_orientation", "sex_life"},
           {"fingerprint", "biometric"},
           {"criminal_record", "criminal_offences"},
           {"casier_judiciaire", "criminal_offences"}}) {
    INFO(column);
    CHECK(kind_of(column) == kind);
  }
  // Contextual words: the kind is known, the verdict needs the table.
  auto city = match_column_name("BillingCity", ColumnType::text);
  CHECK(city.kind == "city");
  CHECK(city.contextual);
  CHECK(city.billing);
  CHECK(match_column_name("PostalCode", ColumnType::text).kind == "postal_code");
  CHECK(match_column_name("code_postal", ColumnType::text).kind == "postal_code");
  CHECK(match_column_name("ville", ColumnType::text).kind == "city");
  CHECK(match_column_name("State", ColumnType::text).needs_address);
  CHECK(match_column_name("nom", ColumnType::text).kind == "full_name");
  CHECK(match_column_name("name", ColumnType::text).contextual);
  CHECK(match_column_name("customer_name", ColumnType::text).kind == "full_name");
  CHECK_FALSE(match_column_name("customer_name", ColumnType::text).contextual);
}

TEST_CASE("column names that only look personal", "[rgpd]") {
  for (auto column :
       {"zipper_size",   "description",       "shipping_method",  "created_at", "product_name",
        "file_name",     "email_verified_at", "address_id",       "user_id",    "phone_type",
        "last_login_at", "page_title",        "long_description", "usage",      "message",
        "language",      "image_width",       "status",           "total",      "sku",
        "password_hash", "remember_token",    "email_template",   "ip_count"}) {
    INFO(column);
    CHECK(kind_of(column).empty());
  }
  // A type that cannot hold the datum.
  CHECK(kind_of("email", ColumnType::boolean).empty());
  CHECK(kind_of("phone_confirmed", ColumnType::boolean).empty());
  CHECK(kind_of("is_pregnant", ColumnType::boolean) == "health");
  CHECK(kind_of("first_name", ColumnType::integer).empty());
}

TEST_CASE("tables about people", "[rgpd]") {
  CHECK(table_role("Customer") == TableRole::people);
  CHECK(table_role("auth_user") == TableRole::people);
  CHECK(table_role("wp_users") == TableRole::people);
  CHECK(table_role("AspNetUsers") == TableRole::people);
  CHECK(table_role("salaries") == TableRole::people);  // French: salariés
  CHECK(table_role("Invoice") == TableRole::linked);
  CHECK(table_role("commandes") == TableRole::linked);
  CHECK(table_role("warehouses") == TableRole::organisation);
  CHECK(table_role("Track") == TableRole::other);
}

TEST_CASE("emails, IP and MAC addresses are parsed, not guessed", "[rgpd]") {
  CHECK(email_valid("ada.lovelace@example.org"));
  CHECK(email_valid("a+tag@mail.example.dz"));
  CHECK_FALSE(email_valid("ada@localhost"));
  CHECK_FALSE(email_valid("ada..lovelace@example.org"));
  CHECK_FALSE(email_valid("@example.org"));
  CHECK_FALSE(email_valid("a@b@example.org"));
  CHECK(ipv4_valid("192.168.10.7"));
  CHECK_FALSE(ipv4_valid("256.1.1.1"));
  CHECK_FALSE(ipv4_valid("1.2.3"));
  CHECK_FALSE(ipv4_valid("01.2.3.4"));
  CHECK_FALSE(ipv4_valid("1234567890123"));  // a long number, not an address: no overflow
  CHECK_FALSE(ipv4_valid("1.2.3.99999999999"));
  CHECK(ipv6_valid("2001:db8::1"));
  CHECK(ipv6_valid("fe80::1%eth0"));
  CHECK(ipv6_valid("::ffff:192.0.2.1"));
  CHECK(ipv6_valid("2001:0db8:0000:0000:0000:ff00:0042:8329"));
  CHECK_FALSE(ipv6_valid("12:30:45"));  // a time of day
  CHECK_FALSE(ipv6_valid("2001:db8::1::2"));
  CHECK(mac_valid("00:1A:2b:3c:4D:5e"));
  CHECK(mac_valid("00-1a-2b-3c-4d-5e"));
  CHECK(mac_valid("001a.2b3c.4d5e"));
  CHECK_FALSE(mac_valid("00:1a-2b:3c:4d:5e"));
  CHECK_FALSE(mac_valid("00:1g:2b:3c:4d:5e"));
}

TEST_CASE("IBANs, cards and NIRs must pass their check digits", "[rgpd]") {
  CHECK(iban_valid("FR76 3000 6000 0112 3456 7890 189"));
  CHECK(iban_valid("DE89370400440532013000"));
  CHECK(iban_valid("GB82WEST12345698765432"));
  CHECK_FALSE(iban_valid("FR76 3000 6000 0112 3456 7890 188"));  // wrong checksum
  CHECK_FALSE(iban_valid("DE8937040044053201300"));              // wrong length for DE
  CHECK(luhn_valid("79927398713"));
  CHECK_FALSE(luhn_valid("79927398710"));
  CHECK(card_number_valid("4111 1111 1111 1111"));
  CHECK(card_number_valid("5500-0000-0000-0004"));
  CHECK(card_number_valid("378282246310005"));            // Amex
  CHECK_FALSE(card_number_valid("4111 1111 1111 1112"));  // not Luhn
  CHECK_FALSE(card_number_valid("9111 1111 1111 1119"));  // Luhn, but no issuer starts with 9
  CHECK_FALSE(card_number_valid("4111 11 1111 111111"));  // not grouped like a card
  CHECK(nir_valid("1 85 05 78 006 084 91"));
  CHECK(nir_valid("185057800608491"));
  CHECK(nir_valid("2 69 05 2A 112 045 53"));        // Corsica: 2A counts as 19
  CHECK_FALSE(nir_valid("1 85 05 78 006 084 92"));  // wrong key
  CHECK_FALSE(nir_valid("5 85 05 78 006 084 91"));  // no such first digit
  CHECK_FALSE(nir_valid("18505780060849"));         // too short
}

TEST_CASE("phone numbers have their country's digit count", "[rgpd]") {
  for (auto [text, country] :
       std::vector<std::pair<const char*, const char*>>{{"+33 6 12 34 56 78", "FR"},
                                                        {"06 12 34 56 78", "FR"},
                                                        {"0612345678", "FR"},
                                                        {"+213 555 12 34 56", "DZ"},
                                                        {"+213 21 23 45 67", "DZ"},
                                                        {"021 23 45 67", "DZ"},
                                                        {"+212 6 12 34 56 78", "MA"},
                                                        {"+216 20 123 456", "TN"},
                                                        {"20 123 456", "TN"},
                                                        {"+44 20 7946 0958", "GB"},
                                                        {"020 7946 0958", "GB"},
                                                        {"+1 (415) 555-2671", "US"},
                                                        {"(415) 555-2671", "US"},
                                                        {"415-555-2671", "US"},
                                                        {"+49 30 12345678", "DE"},
                                                        {"030 12345678", "DE"},
                                                        {"+81 3 1234 5678", "intl"}}) {
    INFO(text);
    CHECK(phone_country(text) == country);
  }
  for (auto text : {"+33 6 12 34 56", "+33 6 12 34 56 78 9", "+213 8 12 34 56 78",
                    "+1 (115) 555-2671", "12345678901", "2024-03-10", "1.2.3.4",
                    "4111 1111 1111 1111", "415 5552 671", "+216 10 123 456"}) {
    INFO(text);
    CHECK(phone_country(text).empty());
  }
}

TEST_CASE("dates, postal codes and coordinates", "[rgpd]") {
  auto date = parse_value_date("1987-03-14");
  REQUIRE(date);
  CHECK(date->year == 1987);
  CHECK_FALSE(date->time_of_day);
  CHECK(parse_value_date("14/03/1987")->month == 3);
  CHECK(parse_value_date("03/14/1987")->day == 14);
  CHECK(parse_value_date("1987-03-14T00:00:00Z"));
  CHECK_FALSE(parse_value_date("1987-03-14T00:00:00Z")->time_of_day);
  CHECK(parse_value_date("2024-01-02 10:11:12+01")->time_of_day);
  CHECK_FALSE(parse_value_date("1987-13-14"));
  CHECK_FALSE(parse_value_date("hello"));
  for (auto code : {"75011", "1000", "94103-1234", "SW1A 1AA", "H2X 1Y4", "1012 AB", "1000-001"})
    CHECK(postal_code_shape(code));
  for (auto code : {"750", "ABCDE", "750111", "hello"}) CHECK_FALSE(postal_code_shape(code));
  CHECK(lat_lon_pair("48.8566, 2.3522"));
  CHECK(lat_lon_pair("POINT(2.3522 48.8566)"));
  CHECK_FALSE(lat_lon_pair("95.1234, 2.3522"));
  CHECK_FALSE(lat_lon_pair("1, 2"));
}

TEST_CASE("values that look personal", "[rgpd]") {
  ValueRecognizer c;
  CHECK(c.whole("ada.lovelace@example.org") == "email");
  CHECK(c.whole("+213 555 12 34 56") == "phone");
  CHECK(c.whole("06 12 34 56 78") == "phone");
  CHECK(c.whole("192.168.10.7") == "ip");
  CHECK(c.whole("2001:db8::1") == "ip");
  CHECK(c.whole("00:1a:2b:3c:4d:5e") == "mac");
  CHECK(c.whole("FR76 3000 6000 0112 3456 7890 189") == "iban");
  CHECK(c.whole("FR76 3000 6000 0112 3456 7890 188").empty());  // bad check digits
  CHECK(c.whole("4111 1111 1111 1111") == "card_number");
  CHECK(c.whole("4111 1111 1111 1112").empty());
  CHECK(c.whole("1 85 05 78 006 084 91") == "national_id");
  CHECK(c.whole("1 85 05 78 006 084 92").empty());
  CHECK(c.whole("Amezyan Ameṛṛuc") == "full_name");
  CHECK(c.whole("Leonie Köhler") == "full_name");
  CHECK(c.whole("Camille") == "first_name");
  CHECK(c.whole("Montréal") == "city");
  CHECK(c.whole("48.8566, 2.3522") == "geolocation");
  CHECK(c.whole("hello world").empty());
  CHECK(c.whole("12345678901").empty());  // a bare number
  CHECK(c.whole("page_view").empty());
  CHECK(c.whole("1.2.3").empty());
  CHECK(c.whole("").empty());
  // Inside free text and JSON documents.
  CHECK(c.inside("Called back, write to ada@example.org next week") ==
        std::set<std::string>{"email"});
  CHECK(c.inside("Prefers a call on +33 6 12 34 56 78 after 6pm") ==
        std::set<std::string>{"phone"});
  CHECK(c.inside("Refund to FR76 3000 6000 0112 3456 7890 189 today") ==
        std::set<std::string>{"iban"});
  CHECK(c.inside(R"({"page":"/home","ip":"10.1.2.3"})") == std::set<std::string>{"ip"});
  CHECK(c.inside(R"({"customer":{"email":"x@example.org"}})") == std::set<std::string>{"email"});
  CHECK(c.inside(R"({"page":"/home","duration_ms":120,"ok":true})").empty());
  CHECK(c.inside("Shipped the order in two boxes, tracking 1Z999").empty());
}

TEST_CASE("suggested masks fit the column", "[rgpd]") {
  CHECK(suggested_mask("email", ColumnType::text, true, false)->text() == "fake:email");
  CHECK(suggested_mask("birth_date", ColumnType::date, false, true)->text() == "generalize:year");
  CHECK(suggested_mask("birth_date", ColumnType::text, false, true)->text() ==
        "mask:keep_first=4,keep_last=0");
  CHECK(suggested_mask("full_name", ColumnType::text, true, false)->text() == "hash");
  CHECK(suggested_mask("salary", ColumnType::numeric, false, false)->text() == "noise:pct=10");
  CHECK(suggested_mask("health", ColumnType::boolean, false, false)->text() == "shuffle");
  CHECK(suggested_mask("health", ColumnType::boolean, false, true)->text() == "null");
  CHECK_FALSE(suggested_mask("postal_code", ColumnType::text, false, true));  // quasi
  for (const auto& kind : personal_kinds())
    for (auto type : {ColumnType::text, ColumnType::integer, ColumnType::real, ColumnType::date,
                      ColumnType::timestamp, ColumnType::boolean, ColumnType::blob,
                      ColumnType::json, ColumnType::numeric})
      for (bool unique : {false, true}) {
        auto mask = suggested_mask(kind.name, type, unique, true);
        if (!mask) continue;
        INFO(kind.name << " " << column_type_name(type));
        CHECK(mask->fits(type));
        if (unique) CHECK(mask->keeps_distinct());
      }
  CHECK(is_special_category("health"));
  CHECK(is_special_category("special:religion"));
  CHECK_FALSE(is_special_category("contact"));
}

TEST_CASE("consent options", "[rgpd]") {
  auto record = consent_options({"record", "--subject", "7", "--purpose", "newsletter", "--method",
                                 "web", "--policy-version", "3"});
  REQUIRE(record);
  CHECK(record->command == ConsentCommand::record);
  CHECK(record->subject == "7");
  CHECK(consent_options({"show", "--subject", "7"}));
  CHECK(consent_options({"list", "--active"}));
  CHECK(consent_options({"withdraw", "--subject", "7", "--purpose", "p"}));
  for (auto bad : std::vector<std::vector<std::string>>{
           {},
           {"erase"},
           {"list", "extra"},
           {"record", "--subject", "7", "--purpose", "p", "--method", "web"},
           {"record", "--purpose", "p", "--method", "web", "--policy-version", "1"},
           {"withdraw", "--subject", "7"},
           {"show"},
           {"list", "--basis", "consent"},
           {"withdraw", "--subject", "7", "--purpose", "p", "--basis", "contract"},
           {"show", "--subject", ""},
           {"show", "--subject", "a\nb"}}) {
    INFO(bad.size());
    auto parsed = consent_options(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ExitCode::usage);
  }
}
